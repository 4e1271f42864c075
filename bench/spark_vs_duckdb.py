"""Scoring, classifying and clustering on DuckDB and on Spark, with one model (a benchmark, not a test).

    python bench/spark_vs_duckdb.py --claims 100000 [--model model.json] [--master "local[*]"]

Generates claims as bench/matching_scale.py does (realistic skew, key accounts "auto"), prepares
them, trains once on DuckDB (or loads --model), then runs in a separate process per engine (so
each peak is its own) what matching_scale.py runs after training: `scored_pairs`, classification,
constrained clustering. Prints wall time per engine (Spark's session start apart), the peak
resident memory of the process tree (the Java child included, sampled from /proc every 0.1 s),
and how far the engines agree: the share of claims whose cluster has the same members, the scored
pairs, and the pairs whose levels differ.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.matching_scale import _standardised

IDS = ["claim_id_l", "claim_id_r"]


def _tree_rss_mib(root: int) -> float:
    """Resident memory of `root` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[int(entry)] = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(rss.get(pid, 0) for pid in tree) / 1024


def _run_measured(command: list[str]) -> tuple[dict, float]:
    """The child's JSON figures and the peak RSS of its process tree (MiB)."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while child.poll() is None:
            peak[0] = max(peak[0], _tree_rss_mib(child.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    sampler.join()
    if child.returncode:
        raise SystemExit(f"{command[-1]} failed with exit code {child.returncode}")
    return json.loads(out.strip().splitlines()[-1]), peak[0]


def _child(engine: str, scratch: Path, master: str, driver_memory: str) -> int:
    import logging

    from flows.matching_stage import NAME_KEY_COLUMNS
    from matching.clustering import clusters_constrained
    from matching.links import LinkPolicy, pairs_classified, with_sides
    from matching.match_model import MatchModel
    from matching.model import scored_pairs

    logging.getLogger("splink").setLevel(logging.ERROR)
    prepared = pl.read_parquet(scratch / "prepared.parquet")
    model = MatchModel.read(scratch / "model.json")
    figures: dict[str, float | int] = {}
    session = None
    if engine == "spark":
        from matching.spark_engine import spark_session
        from settings.matching import SparkConfig

        started = time.perf_counter()
        session = spark_session(SparkConfig(master=master, app_name="recon-bench",
                                            options={"spark.driver.memory": driver_memory}))
        figures["session_start_s"] = time.perf_counter() - started
    started = time.perf_counter()
    policy = LinkPolicy()
    scored = scored_pairs(prepared, model, min_probability=policy.review_floor, spark=session)
    figures["score_s"] = time.perf_counter() - started
    pairs = pairs_classified(with_sides(scored, prepared), model, policy)
    links = pairs.filter("is_link").with_columns((pl.col("gamma_credit_code_norm") == 1).alias("exempt_from_names"))
    clusters, _ = clusters_constrained(prepared["claim_id"].to_list(), links,
                                       name_keys=prepared.select(NAME_KEY_COLUMNS))
    figures["score_classify_cluster_s"] = time.perf_counter() - started
    figures["pairs"], figures["links"] = scored.height, links.height
    figures["clusters"] = clusters["cluster_key"].n_unique()
    scored.write_parquet(scratch / f"scored_{engine}.parquet")
    clusters.write_parquet(scratch / f"clusters_{engine}.parquet")
    if session is not None:
        session.stop()
    print(json.dumps(figures))
    return 0


def _agreement(scratch: Path) -> dict[str, float | int]:
    """How alike the two engines' outputs are."""
    members = {}
    for engine in ("duckdb", "spark"):
        clusters = pl.read_parquet(scratch / f"clusters_{engine}.parquet")
        groups = clusters.group_by("cluster_key").agg(pl.col("claim_id").sort().alias(f"members_{engine}"))
        members[engine] = clusters.join(groups, on="cluster_key").select("claim_id", f"members_{engine}")
    both = members["duckdb"].join(members["spark"], on="claim_id", how="full", coalesce=True)
    same = both.filter(pl.col("members_duckdb") == pl.col("members_spark")).height
    duck = pl.read_parquet(scratch / "scored_duckdb.parquet")
    spark = pl.read_parquet(scratch / "scored_spark.parquet")
    gammas = [c for c in duck.columns if c.startswith("gamma_")]
    joined = duck.join(spark, on=IDS, how="inner", suffix="_spark")
    level_differs = joined.filter(pl.any_horizontal(pl.col(g) != pl.col(f"{g}_spark") for g in gammas))
    probability = (joined["match_probability"] - joined["match_probability_spark"]).abs().max()
    return {"claims": both.height, "same_cluster_members": same, "share_same": same / both.height,
            "pairs_only_duckdb": duck.join(spark, on=IDS, how="anti").height,
            "pairs_only_spark": spark.join(duck, on=IDS, how="anti").height,
            "pairs_level_differs": level_differs.height,
            "levels_differ_in": ", ".join(g for g in gammas
                                          if level_differs.filter(pl.col(g) != pl.col(f"{g}_spark")).height),
            "max_probability_difference": float(probability) if probability is not None else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--model", type=Path, help="a saved model JSON (default: train on DuckDB once)")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--child", choices=["duckdb", "spark"])
    parser.add_argument("--scratch", type=Path)
    args = parser.parse_args()
    if args.child:
        return _child(args.child, args.scratch, args.master, args.driver_memory)

    from matching.model import train_model
    from matching.prepare import claims_for_matching
    from samplegen import generate

    scratch = Path(tempfile.mkdtemp(prefix=f"recon-spark-{args.claims}-"))
    generate(scratch / "samples", args.claims, 20261126, date(2026, 11, 25), key_accounts="auto")
    prepared = claims_for_matching(_standardised(scratch / "samples"))
    prepared.write_parquet(scratch / "prepared.parquet")
    print(f"{args.claims:,} generated → {prepared.height:,} prepared claims; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.model:
        (scratch / "model.json").write_bytes(args.model.read_bytes())
    else:
        started = time.perf_counter()
        model, _ = train_model(prepared)
        (scratch / "model.json").write_text(model.to_json(), encoding="utf-8")
        print(f"  trained on DuckDB in {time.perf_counter() - started:.1f} s")
    for engine in ("duckdb", "spark"):
        figures, peak = _run_measured([sys.executable, __file__, "--child", engine, "--scratch", str(scratch),
                                       "--master", args.master, "--driver-memory", args.driver_memory])
        figures["peak_tree_rss_mib"] = peak
        print(f"  {engine:6s}: " + ", ".join(f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v:,}"
                                             for k, v in figures.items()))
    agreement = _agreement(scratch)
    print("  agreement: " + ", ".join(f"{k} {v:.6f}" if isinstance(v, float) else f"{k} {v}"
                                      for k, v in agreement.items()))
    print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; scratch {scratch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
