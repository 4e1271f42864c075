-- web_review_queue: the reviewer's desk, in the order the night ranked it (matching.review).
-- Grain: one row per customer pair awaiting a person (key: review_id = 'claim_id_l|claim_id_r').
select * from review_queue order by rank
