"""Sister companies stay separate customers and are rolled up into groups with their evidence."""

import polars as pl

from matching.groups import customer_groups, group_edges


def test_sisters_sharing_a_domain_form_one_group_and_a_shared_phone_alone_does_not():
    classified = pl.DataFrame({
        "claim_id_l": ["t1", "t1", "y1", "t1"], "claim_id_r": ["d1", "c1", "z1", "t2"],
        "name_agreement": ["sister", "differ", "differ", "agree"],
        "gamma_company_email_domain": [1, 1, -1, 1], "gamma_website_domain": [1, -1, -1, 1],
    })
    customers = pl.DataFrame({"claim_id": ["t1", "t2", "d1", "c1", "y1", "z1"],
                              "customer_id": ["C1", "C1", "C2", "C3", "C4", "C5"]})
    edges = group_edges(classified, customers)
    assert edges.select("customer_id_a", "customer_id_b").rows() == [("C1", "C2"), ("C1", "C3")]
    names = pl.DataFrame({"customer_id": ["C1", "C2", "C3"], "core_name": ["华为技术", "华为终端", "华为云计算"],
                          "claims": [5, 3, 1]})
    members, groups = customer_groups(edges, names)
    assert members.rows() == [("G1", "C1"), ("G1", "C2"), ("G1", "C3")]
    row = groups.row(0, named=True)
    assert row["group_name"] == "华为" and row["member_count"] == 3
    assert row["evidence"] == ["C1 – C2: same company mail domain, same trade name, other industry word, same website",
                                         "C1 – C3: same company mail domain"]
