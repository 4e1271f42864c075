-- customer_ids_issued: every customer id this warehouse has ever handed out, whether still in use
-- (last night's assignment) or merged, split or retired since (customer_lineage), so that a new
-- customer never takes an id back. Grain: one row per id; key: customer_id.
select customer_id from previous_claim_customer
union
select new_customer_id from customer_lineage where new_customer_id is not null
union
select old_customer_id from customer_lineage
