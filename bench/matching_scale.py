"""Matching wall time and peak memory at scale, beside a plain Splink model (a benchmark, not a test).

    python bench/matching_scale.py --claims 100000 1000000

For each size: generates claims, reads and standardises them (not timed), then runs in separate
processes (so each peak RSS is its own) (a) this project's matching — train (λ, u by sampling,
EM), score, classify, cluster with constraints — and (b) a plain Splink model: three comparisons
on raw name, phone and e-mail, two blocking rules, trained and clustered the same way.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _standardised(samples: Path) -> pl.DataFrame:
    from adapters.readers import ROW_NUMBER, read_source_file
    from settings.sources import load_sources
    from transforms.mapping import raw_claims_from_rows
    from transforms.parsing import claims_parsed
    from transforms.standardise import standardise_claims

    config = load_sources(REPO / "config" / "sources.yaml")
    frames = []
    for source, pattern in zip(config.sources, ("form/*.csv", "crm/*.csv", "sheet/*.xlsx"), strict=True):
        for path in sorted(samples.glob(pattern)):
            rows = read_source_file(path, source).rows
            raw = raw_claims_from_rows(rows, source.columns, row_number_column=ROW_NUMBER)
            frames.append(claims_parsed(raw, value_maps=source.values, timestamp_formats=source.timestamp_formats,
                                        zone=config.timezone).drop("raw_record", "row_number", "submitted_at_text"))
    claims = (pl.concat(frames).filter(pl.col("company_name").is_not_null() & pl.col("claim_id").is_not_null())
              .unique("claim_id", keep="first").sort("claim_id"))
    return standardise_claims(claims)


def _ours(claims: pl.DataFrame) -> dict:
    from flows.matching_stage import NAME_KEY_COLUMNS
    from matching.clustering import clusters_constrained
    from matching.links import LinkPolicy, pairs_classified, with_sides
    from matching.model import scored_pairs, train_model
    from matching.prepare import claims_for_matching

    started = time.perf_counter()
    prepared = claims_for_matching(claims)
    model, _ = train_model(prepared)
    trained = time.perf_counter()
    policy = LinkPolicy()
    scored = scored_pairs(prepared, model, min_probability=policy.review_floor)
    pairs = pairs_classified(with_sides(scored, prepared), model, policy)
    links = pairs.filter("is_link").with_columns((pl.col("gamma_credit_code_norm") == 1).alias("exempt_from_names"))
    clusters, _ = clusters_constrained(prepared["claim_id"].to_list(), links,
                                       name_keys=prepared.select(NAME_KEY_COLUMNS))
    return {"train_s": trained - started, "predict_cluster_s": time.perf_counter() - trained,
            "pairs": pairs.height, "clusters": clusters["cluster_key"].n_unique()}


def _plain(claims: pl.DataFrame) -> dict:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    frame = claims.select("claim_id", "company_name", "phone", "email")
    settings = SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="claim_id",
        comparisons=[cl.JaroWinklerAtThresholds("company_name"), cl.ExactMatch("phone"), cl.ExactMatch("email")],
        blocking_rules_to_generate_predictions=[block_on("company_name"), block_on("phone")],
    )
    db_api = DuckDBAPI(connection=duckdb.connect())
    linker = Linker(db_api.register(frame), settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=20261126)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("company_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.8).as_duckdbpyrelation().pl()
    return {"train_s": trained - started, "predict_cluster_s": time.perf_counter() - trained,
            "clusters": clusters["cluster_id"].n_unique()}


def _child(kind: str, parquet: Path) -> int:
    import logging

    logging.getLogger("splink").setLevel(logging.ERROR)
    claims = pl.read_parquet(parquet)
    started = time.perf_counter()
    figures = _ours(claims) if kind == "ours" else _plain(claims)
    figures["wall_s"] = time.perf_counter() - started
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[100_000])
    parser.add_argument("--child", choices=["ours", "plain"])
    parser.add_argument("--input", type=Path)
    args = parser.parse_args()
    if args.child:
        return _child(args.child, args.input)

    from samplegen import generate

    for size in args.claims:
        scratch = Path(tempfile.mkdtemp(prefix=f"recon-scale-{size}-"))
        # realistic skew: key accounts claimed hundreds of times by dozens of reps
        generate(scratch / "samples", size, 20261126, date(2026, 11, 25), key_accounts="auto")
        started = time.perf_counter()
        claims = _standardised(scratch / "samples")
        claims.write_parquet(scratch / "claims.parquet")
        print(f"{size:,} generated → {claims.height:,} standardised claims ({time.perf_counter() - started:.0f} s)")
        for kind in ("ours", "plain"):
            done = subprocess.run(
                [sys.executable, __file__, "--child", kind, "--input", str(scratch / "claims.parquet")],
                capture_output=True, text=True, check=True)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  {kind:5s}: " + ", ".join(f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v:,}"
                                               for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
