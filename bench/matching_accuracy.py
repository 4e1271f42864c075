"""Matching accuracy on seeded labelled data, beside two baselines, plus the blocking analysis
(a benchmark, not a test).

    python bench/matching_accuracy.py --claims 20000

Generates claims with known true companies (including sister companies of one group and names
that differ in one character), runs the real nightly flow on them, and prints pairwise and
B-cubed precision / recall / F1 for: the Splink model as published (`claim_customer`), exact
match on the raw name, and exact match on `name_norm`; overall and on the hard cases. Then it
prints, per blocking rule, the comparisons Splink's blocking analysis counts and the share of
true pairs the rules keep.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def _scores_row(name: str, predicted: pl.DataFrame, truth: pl.DataFrame, hard: pl.Series) -> dict:
    from matching.evaluation import bcubed_scores, pairwise_scores

    pair, b3, b3_hard = pairwise_scores(predicted, truth), bcubed_scores(predicted, truth), bcubed_scores(
        predicted, truth, only=hard)
    return {"method": name, "pair_P": pair.precision, "pair_R": pair.recall, "pair_F1": pair.f1,
            "b3_P": b3.precision, "b3_R": b3.recall, "b3_F1": b3.f1,
            "hard_b3_P": b3_hard.precision, "hard_b3_R": b3_hard.recall, "hard_b3_F1": b3_hard.f1}


def _blocking_report(claims: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from matching.prepare import claims_for_matching
    from matching.settings import BLOCKING_RULES

    prepared = claims_for_matching(claims)
    db_api = DuckDBAPI(connection=duckdb.connect())
    frame = db_api.register(prepared, dataset_display_name="claims")
    counts = count_comparisons_from_blocking_rules(
        frame, blocking_rules=list(BLOCKING_RULES), link_type="dedupe_only", unique_id_column_name="claim_id",
        record_sample_proportion=1.0,
    )
    entity = truth.select("claim_id", "entity")
    con = duckdb.connect()
    con.register("p", prepared.join(entity, on="claim_id"))
    true_total = con.execute(
        "select sum(n * (n - 1) / 2) from (select count(*) n from p group by entity)").fetchall()[0][0]
    rows, seen = [], "false"
    for rule, record in zip(BLOCKING_RULES, counts, strict=True):
        condition = rule.get_blocking_rule("duckdb").blocking_rule_sql
        kept = con.execute(
            f"select count(*) from p l join p r on l.claim_id < r.claim_id and l.entity = r.entity "
            f"and (({condition}) or ({seen}))").fetchall()[0][0]
        seen = f"({seen}) or ({condition})"
        rows.append({"rule": condition, "marginal_comparisons": record["marginal_comparison_count"],
                     "cumulative_comparisons": record["cumulative_comparison_count"],
                     "true_pairs_kept_cumulative": kept / true_total})
    return pl.DataFrame(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="recon-accuracy-"))
    os.environ.setdefault("PREFECT_HOME", str(scratch / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

    from ingest_bench import _sources_for

    from flows.nightly import nightly
    from samplegen import generate

    generate(scratch / "samples", args.claims, args.seed, date(2026, 11, 25))
    warehouse = scratch / "warehouse.duckdb"
    nightly(_sources_for(scratch / "samples", scratch), warehouse, date(2026, 11, 26))

    truth = pl.read_csv(scratch / "samples" / "labels" / "claims_truth.csv").rename({"company_key": "entity"})
    with duckdb.connect(str(warehouse), read_only=True) as con:
        claims = con.sql("select * from claims").pl()
        published = con.sql("select claim_id, customer_id as cluster from claim_customer").pl()
    truth = truth.filter(pl.col("claim_id").is_in(claims["claim_id"].implode()))
    hard = truth.filter(pl.col("is_hard_negative_group"))["claim_id"]
    table = pl.DataFrame([
        _scores_row("splink model (published)", published, truth, hard),
        _scores_row("exact raw name", claims.select("claim_id", pl.col("company_name").alias("cluster")), truth, hard),
        _scores_row("exact name_norm", claims.select("claim_id", pl.col("name_norm").alias("cluster")), truth, hard),
    ])
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_float_precision(3)
    pl.Config.set_fmt_str_lengths(90)
    print(f"{claims.height:,} accepted claims, {truth['entity'].n_unique():,} true companies, "
          f"{hard.len():,} claims in hard-negative groups")
    print(table)
    print(_blocking_report(claims, truth))
    return 0


if __name__ == "__main__":
    sys.exit(main())
