"""mart_team_conflicts: every team pair per business month, conflicts over the claimant team's claims."""

from datetime import date

from tests.sql.tables import connection, instant, model, table


def test_conflict_rate_per_team_pair_and_month():
    con = connection(date(2026, 11, 3), "2026-11-04T00:00:00+08:00")
    table(con, "reps", "rep_id varchar, team varchar", [("S1", "北"), ("S2", "南"), ("S3", "南")])
    claims = [("K1", "S1", "2026-10-31T23:30:00+08:00"),  # October in Shanghai, though 15:30 UTC
              ("K2", "S1", "2026-11-01T00:00:00+08:00"), ("K3", "S1", "2026-11-02T10:00:00+08:00"),
              ("K4", "S1", "2026-11-02T11:00:00+08:00"), ("K5", "S2", "2026-11-02T12:00:00+08:00")]
    table(con, "claim_outcomes", "claim_id varchar, rep_id varchar, submitted_at timestamptz",
          [(c, r, instant(t)) for c, r, t in claims])
    table(con, "conflicts", "claim_id varchar, customer_id varchar, submitted_at timestamptz, "
          "claimant_team varchar, owner_team varchar",
          [("K1", "C1", instant(claims[0][2]), "北", "南"), ("K3", "C2", instant(claims[2][2]), "北", "南"),
           ("K4", "C2", instant(claims[3][2]), "北", "南"), ("K5", "C3", instant(claims[4][2]), "南", "南")])
    rows = model(con, "mart_team_conflicts", "claim_month, claimant_team, owner_team")
    assert rows.select("claim_month", "claimant_team", "owner_team", "is_same_team", "claims", "conflicts",
                       "customers_in_conflict", "conflict_rate").rows() == [
        (date(2026, 10, 1), "北", "北", True, 1, 0, 0, 0.0),
        (date(2026, 10, 1), "北", "南", False, 1, 1, 1, 1.0),
        (date(2026, 11, 1), "北", "北", True, 3, 0, 0, 0.0),
        (date(2026, 11, 1), "北", "南", False, 3, 2, 1, 2 / 3),
        (date(2026, 11, 1), "南", "北", False, 1, 0, 0, 0.0),
        (date(2026, 11, 1), "南", "南", True, 1, 1, 1, 1.0),
    ]
