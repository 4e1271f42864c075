"""conflicts: each refused claim with the strongest scored pair tying it to one of the owner's claims,
whichever side of the pair each claim was stored on."""

from datetime import date

from tests.sql.tables import connection, instant, model, table


def _night():
    con = connection(date(2026, 11, 3), "2026-11-04T00:00:00+08:00")
    table(con, "reps", "rep_id varchar, rep_name varchar, team varchar",
          [("S1", "甲", "北"), ("S2", "乙", "南"), ("S3", "丙", "南")])
    claims = [("K1", "S1", "华为技术有限公司"), ("K2", "S1", "华为技术"), ("K3", "S2", "华为技术有限公司"),
              ("K4", "S3", "深圳华为技术"), ("K5", "S2", "華為技術"), ("K6", "S3", "华为终端有限公司")]
    table(con, "claims", "claim_id varchar, rep_id varchar, company_name varchar", claims)
    table(con, "claim_customer", "claim_id varchar, customer_id varchar",
          [("K1", "C1"), ("K2", "C1"), ("K3", "C1"), ("K4", "C1"), ("K5", "C1"), ("K6", "C2")])
    table(con, "customers", "customer_id varchar, display_name varchar",
          [("C1", "华为技术有限公司"), ("C2", "华为终端有限公司")])
    outcome = ("claim_id varchar, customer_id varchar, rep_id varchar, submitted_at timestamptz, outcome varchar, "
               "reason_zh varchar, reason_en varchar, owner_rep_id varchar, protection_end timestamptz")
    end = instant("2026-12-01T00:00:00+08:00")
    table(con, "claim_outcomes", outcome, [
        ("K1", "C1", "S1", instant("2026-11-01T09:00:00+08:00"), "granted", "", "", None, None),
        ("K2", "C1", "S1", instant("2026-11-01T10:00:00+08:00"), "renewed", "", "", "S1", None),
        *((k, "C1", r, instant(f"2026-11-02T{h}:00:00+08:00"), "conflict", "撞单", "conflict", "S1", end)
          for k, r, h in (("K3", "S2", "09"), ("K4", "S3", "10"), ("K5", "S2", "11"))),
    ])
    # scored pairs name their claims by position: K1 … K6 are 0 … 5
    table(con, "claim_positions", "claim_id varchar, pos uinteger", [(k, i) for i, (k, _, _) in enumerate(claims)])
    pair = "pos_l uinteger, pos_r uinteger, match_probability double, decision_basis varchar, evidence varchar"
    table(con, "decided_pairs", pair, [
        (0, 2, 0.90, "model", "K1~K3"),  # the refused claim on the right
        (1, 2, 0.80, "model", "K2~K3"),
        (2, 3, 0.99, "model", "K3~K4"),  # two claimants: never the owner's evidence
        (3, 1, 0.95, "model", "K4~K2"),  # the refused claim on the left, positions out of order
        (0, 3, 0.95, "model", "K1~K4"),  # a tie: the smaller matched claim id wins
        (4, 5, 0.97, "sure", "K5~K6"),  # a claim of another customer: not the owner's
    ])
    return con


def test_evidence_is_the_strongest_pair_with_an_owner_claim_in_either_orientation():
    rows = model(_night(), "conflicts", "claim_id")
    assert rows.select("claim_id", "claimant_rep_id", "owner_rep_id", "matched_claim_id", "match_probability",
                       "evidence").rows() == [
        ("K3", "S2", "S1", "K1", 0.90, "K1~K3"),
        ("K4", "S3", "S1", "K1", 0.95, "K1~K4"),
        ("K5", "S2", "S1", None, None, None),
    ]


def test_one_row_per_conflict_claim_with_both_teams():
    rows = model(_night(), "conflicts", "claim_id")
    assert rows.select("claim_id", "claimant_team", "owner_team", "customer_name").rows() == [
        ("K3", "南", "北", "华为技术有限公司"),
        ("K4", "南", "北", "华为技术有限公司"),
        ("K5", "南", "北", "华为技术有限公司"),
    ]
