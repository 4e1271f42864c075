"""Load time, memory and latency of the typeahead (`service.typeahead`) on a published warehouse (a
benchmark, not a test).

    python bench/typeahead_bench.py                                   # the 1M warehouse below
    python bench/typeahead_bench.py --warehouse var/warehouse.duckdb --companies 100 --out /tmp/ta.md

Loads the index once (wall time; RSS growth of this process just after, and again after a pause in
which the allocator hands back what the build freed; peak RSS), then times `suggest` one call at a
time over a typing workload drawn, seeded, from the warehouse itself: for `--companies` sampled
claims, their company name typed one character at a time (1..8 characters, as registered), their
core's initials (2..all letters) and pinyin (2..8 letters), a stock short name of listed companies
(from the alias table), the phone re-typed in another format, the e-mail upper-cased, the credit
code in lower case, and unknown names (characters drawn from the warehouse's names, no known
customer's name) typed the same way. Prints and writes (`--out`) p50/p95/p99/max per family and
overall, and the share of typed prefixes (≥ 2 characters of a real name) whose customer is listed.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_WAREHOUSE = Path("/tmp/inc-1m/full/warehouse.duckdb")
SEED = 20261202
MAX_PREFIX = 8


def _rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _sampled_claims(warehouse: Path, count: int, seed: int, listed_only: bool = False) -> list[dict]:
    """`count` published claims in a seeded order (by a hash of claim id and seed), with their customer;
    `listed_only`: only claims of a listed company (with an alias key)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(
            "select c.company_name, cc.customer_id, c.core_pinyin, c.core_initials, c.phone_e164, c.email_norm, "
            "c.credit_code_norm, m.alias_key from claims c join claim_customer cc using (claim_id) "
            "join claims_for_matching m using (claim_id) where $listed_only is false or m.alias_key is not null "
            "order by hash(c.claim_id || $seed), c.claim_id limit $count",
            {"listed_only": listed_only, "seed": str(seed), "count": count})
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def typing_workload(warehouse: Path, companies: int, seed: int) -> list[tuple[str, str, str | None]]:
    """(family, typed text, the customer meant or None) for every keystroke of the workload."""
    from matching.aliases import alias_keys

    rng = random.Random(seed)
    sample = _sampled_claims(warehouse, companies, seed)
    shorts: dict[str, list[str]] = {}
    for alias, full in alias_keys().items():
        shorts.setdefault(full, []).append(alias)
    work: list[tuple[str, str, str | None]] = []
    for claim in sample:
        name, customer = claim["company_name"], claim["customer_id"]
        work += [("name prefix", name[:n], customer) for n in range(1, min(len(name), MAX_PREFIX) + 1)]
        initials, pinyin = claim["core_initials"] or "", claim["core_pinyin"] or ""
        work += [("initials", initials[:n], customer) for n in range(2, len(initials) + 1)]
        work += [("pinyin prefix", pinyin[:n], customer) for n in range(2, min(len(pinyin), MAX_PREFIX) + 1)]
        if claim["phone_e164"]:
            work.append(("phone", _retyped_phone(claim["phone_e164"]), customer))
        if claim["email_norm"]:
            work.append(("email", claim["email_norm"].upper(), customer))
        if claim["credit_code_norm"]:
            work.append(("credit code", claim["credit_code_norm"].lower(), customer))
    for claim in _sampled_claims(warehouse, companies // 4, seed, listed_only=True):
        short = rng.choice(sorted(shorts[claim["alias_key"]]))
        work += [("short name", short[:n], claim["customer_id"]) for n in range(2, len(short) + 1)]
    alphabet = sorted({char for claim in sample for char in claim["company_name"] if "\u4e00" <= char <= "\u9fff"})
    for _ in range(companies // 4):
        unknown = "".join(rng.choices(alphabet, k=4)) + "有限公司"
        work += [("unknown name", unknown[:n], None) for n in range(1, MAX_PREFIX + 1)]
    return work


def _retyped_phone(e164: str) -> str:
    """A Chinese number written the way reps type it: +86 138-0013-8000 or 010-8888 6666."""
    national = e164.removeprefix("+86")
    if national.startswith("1") and len(national) == 11:
        return f"+86 {national[:3]}-{national[3:7]}-{national[7:]}"
    area = 2 if national[0] in "12" else 3
    return f"0{national[:area]}-{national[area:-4]} {national[-4:]}"


def _percentiles(millis: list[float]) -> tuple[float, float, float, float]:
    cuts = statistics.quantiles(millis, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98], max(millis)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    parser.add_argument("--companies", type=int, default=400)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "typeahead_1m.md")
    args = parser.parse_args()

    from service.typeahead import load_typeahead

    before = _rss_mib()
    started = time.perf_counter()
    index = load_typeahead(args.warehouse)
    load_seconds = time.perf_counter() - started
    after_load = _rss_mib() - before
    gc.collect()
    time.sleep(20)
    settled = _rss_mib() - before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    work = typing_workload(args.warehouse, args.companies, args.seed)
    timings: dict[str, list[float]] = {}
    hits: dict[str, list[bool]] = {}
    for family, text, customer in work:
        started = time.perf_counter()
        found = index.suggest(text)
        timings.setdefault(family, []).append((time.perf_counter() - started) * 1000)
        if customer is not None and (family != "name prefix" or len(text) >= 2):
            listed = customer in {r["customer_id"] for r in found}
            hits.setdefault(family, []).append(listed)
            if family == "name prefix":
                hits.setdefault(f"{len(text)} characters", []).append(listed)
    report = _report(args, load_seconds, after_load, settled, peak, timings, hits, len(work))
    print(report)
    args.out.write_text(report, encoding="utf-8")


def _report(args: argparse.Namespace, load_seconds: float, after_load: float, settled: float, peak: float,
            timings: dict[str, list[float]], hits: dict[str, list[bool]], queries: int) -> str:
    every = [ms for values in timings.values() for ms in values]
    lines = [
        "# Typeahead (`service.typeahead`) at 1M claims", "",
        f"Machine: 2 cores, 24 GB, shared with other work (load average {os.getloadavg()[0]:.1f} at the end). "
        f"Warehouse: `{args.warehouse}`.", "",
        f"    python bench/typeahead_bench.py --warehouse {args.warehouse} --companies {args.companies} "
        f"--seed {args.seed}", "",
        f"- load (read from DuckDB + build): {load_seconds:.1f} s",
        f"- RSS growth: {after_load:,.0f} MiB just after the load, {settled:,.0f} MiB after gc and a 20 s pause; "
        f"peak RSS of the process {peak:,.0f} MiB", "",
        f"{queries:,} calls of `suggest(text)` (limit 8), one at a time:", "",
        "| family | calls | p50 ms | p95 ms | p99 ms | max ms | customer listed |", "|---|---|---|---|---|---|---|",
    ]
    for family in [*timings, "all"]:
        values = every if family == "all" else timings[family]
        p50, p95, p99, top = _percentiles(values)
        found = hits.get(family, [])
        share = f"{sum(found) / len(found):.1%} of {len(found)}" if found else "—"
        lines.append(f"| {family} | {len(values):,} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {top:.1f} | {share} |")
    prefixes = hits.get("name prefix", [])
    by_length = ", ".join(f"{n}: {sum(hits[key]) / len(hits[key]):.0%}" for n in range(2, MAX_PREFIX + 1)
                          if (key := f"{n} characters") in hits)
    lines += ["", f"Typed prefixes of a real name (≥ 2 characters) whose customer is listed: "
              f"**{sum(prefixes) / len(prefixes):.1%}** of {len(prefixes):,} (by characters typed: {by_length}).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
