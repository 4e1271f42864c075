"""Latency and accuracy of `recon lookup` on a warehouse built from generated claims (a benchmark,
not a test).

    python bench/lookup_bench.py --claims 1000000 --dir /tmp/lookup-1m          # build, then measure
    python bench/lookup_bench.py --claims 1000000 --dir /tmp/lookup-1m --reuse  # measure an existing build
    ... --cold 20   # also 20 fresh `recon lookup` processes
    ... --http      # also serve-lookup over a loopback socket

For the bundled samples: `--claims 400 --dir D --reuse` where D/samples is data/samples and
D/warehouse.duckdb a `recon run` of them (the samples are the generator's 400 claims, same seed).

Builds the warehouse as bench/ingest_bench.py does (seeded generator, then `recon run` as a separate
process), then: the import time of the lookup, and the latency of `--queries` varied queries
answered in one process as the command line answers them (each reads its candidates from the
file), round-robin over spelling families rendered by the
generator's own variant code for companies that have claims (exact, traditional, width, legal form,
region moved, English/pinyin, short name, homophone typo, dropped/extra character), phone only and
e-mail only (a known number in another format, another mailbox at a known company domain), and
unknown companies. Accuracy: the share whose first match (and whose five matches shown) include
the customer holding most of the company's claims (for unknown companies: `known` is false, and
beside it the older measure, no sure or likely match). `--cold N`: N of those queries each run as a
fresh `python -m cli lookup --json` process (the wall time a rep waits), each answer checked
equal to the in-process one. `--http`: the start-up of serve-lookup's in-memory copy and the same
queries over HTTP, each answer checked equal too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

FAMILIES = ("exact", "traditional", "width", "legal_form", "region", "english", "short", "typo", "drop_extra",
            "phone_only", "email_only", "unknown")
SEED = 20261126


def _build(directory: Path, claims: int) -> None:
    from ingest_bench import _sources_for

    from samplegen import generate

    started = time.perf_counter()
    generate(directory / "samples", claims, SEED, date(2026, 11, 25))
    sources = _sources_for(directory / "samples", directory)
    env = dict(os.environ, PREFECT_HOME=str(directory / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90", PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-m", "cli", "run", "--sources", str(sources), "--warehouse",
                    str(directory / "warehouse.duckdb"), "--as-of", "2026-11-26"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"built the warehouse from {claims:,} generated claims in {time.perf_counter() - started:.0f} s")


def _queries(directory: Path, claims: int, count: int) -> list[tuple[str, dict, str | None]]:
    """(family, query, right customer id or None for an unknown company), round-robin over FAMILIES."""
    import duckdb
    import polars as pl

    from samplegen.plan import CLAIMS_PER_COMPANY
    from samplegen.reference_data import load_reference
    from samplegen.synthetic import make_synthetic
    from samplegen.universe import build_universe
    from samplegen.variants import NameVariants

    reference = load_reference()
    # generate() builds the universe first from a fresh Random(seed): the same companies again
    universe = build_universe(reference, round(claims / CLAIMS_PER_COMPANY), random.Random(SEED))
    truth = pl.read_csv(directory / "samples" / "labels" / "claims_truth.csv", columns=["claim_id", "company_key"])
    with duckdb.connect(str(directory / "warehouse.duckdb"), read_only=True) as con:
        published = con.sql("select claim_id, customer_id, phone_e164, is_shared_phone, email_domain, is_free_mail "
                            "from claims join claim_customer using (claim_id)").pl()
    claims_of = published.join(truth, on="claim_id")
    right = (claims_of.group_by("company_key", "customer_id").len()
             .sort(["company_key", "len", "customer_id"], descending=[False, True, False])
             .unique("company_key", keep="first"))
    right_customer = dict(right.select("company_key", "customer_id").iter_rows())
    phones = dict(claims_of.filter(pl.col("phone_e164").is_not_null() & ~pl.col("is_shared_phone"))
                  .group_by("company_key").agg(pl.col("phone_e164").first()).iter_rows())
    domains = dict(claims_of.filter(pl.col("email_domain").is_not_null() & ~pl.col("is_free_mail"))
                   .group_by("company_key").agg(pl.col("email_domain").first()).iter_rows())
    companies = [c for c in universe.companies if c.key in right_customer]
    rng = random.Random(7)
    variants = NameVariants(universe.phonetics)
    names_taken = {c.spec.full_name for c in universe.companies}
    domains_taken = {c.spec.domain for c in universe.companies if c.spec.domain}
    queries = []
    for i in range(count):
        family = FAMILIES[i % len(FAMILIES)]
        if family == "unknown":
            spec = make_synthetic(rng, universe.phonetics, reference.naming_regions, names_taken, domains_taken)
            queries.append((family, {"name": spec.full_name}, None))
            continue
        pool = {"phone_only": [c for c in companies if c.key in phones],
                "email_only": [c for c in companies if c.key in domains]}.get(family, companies)
        company = rng.choice(pool)
        if family == "phone_only":
            query = {"phone": _other_format(phones[company.key], rng)}
        elif family == "email_only":
            query = {"email": f"{rng.choice(('sales', 'info', 'li.ming', 'hr'))}@{domains[company.key]}"}
        else:
            kind = "canonical" if family == "exact" else family
            query = {"name": variants.render(company.spec, kind, rng)}
        queries.append((family, query, right_customer[company.key]))
    return queries


def _other_format(e164: str, rng: random.Random) -> str:
    """+8613800138000 as a rep might type it: +86 138-0013-8000, 13800138000 or full-width digits; a
    landline (+8675528780808) as +86 755 28780808, 075528780808 or full-width digits."""
    national = e164.removeprefix("+86")
    if not national.startswith("1"):
        local = "0" + national
        return rng.choice((f"+86 {national[:3]} {national[3:]}", local,
                           local.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})))
    return rng.choice((f"+86 {national[:3]}-{national[3:7]}-{national[7:]}", national,
                       national.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _report(title: str, latencies: list[float]) -> None:
    print(f"{title}: median {statistics.median(latencies):.1f} ms, p95 {_percentile(latencies, 0.95):.1f} ms, "
          f"max {max(latencies):.1f} ms over {len(latencies):,} queries")


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, required=True, help="scratch folder (outside the repository)")
    parser.add_argument("--reuse", action="store_true", help="measure the warehouse already built in --dir")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--cold", type=int, default=0, metavar="N", help="also time N fresh `recon lookup` processes")
    parser.add_argument("--http", action="store_true", help="also measure serve-lookup over HTTP")
    args = parser.parse_args()

    imported = time.perf_counter()
    from service.query import Lookup, parse_query

    imports = time.perf_counter() - imported
    if not args.reuse:
        _build(args.dir, args.claims)
    warehouse, policy = args.dir / "warehouse.duckdb", REPO / "config" / "policy.yaml"
    lookup = Lookup(warehouse, policy)
    print(f"imports of service.query in this process {imports:.2f} s; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")

    queries = _queries(args.dir, args.claims, args.queries)
    latencies, answers = [], []
    first_right, listed, no_confident = ({f: [] for f in FAMILIES} for _ in range(3))
    for family, query, expected in queries:
        started = time.perf_counter()
        answer = lookup.answer(parse_query(query))
        latencies.append((time.perf_counter() - started) * 1000)
        answers.append(answer)
        shown = [m["customer_id"] for m in answer["matches"]]
        if expected is None:
            first_right[family].append(not answer["known"])
            listed[family].append(not answer["known"])
            no_confident[family].append(all(m["verdict"] not in ("sure", "likely") for m in answer["matches"]))
        else:
            first_right[family].append(shown[:1] == [expected])
            listed[family].append(expected in shown)
    _report("in process, candidates read from the file per query", latencies)
    print("right customer first / among the 5 shown (unknown: known is false), by family:")
    for family, hits in first_right.items():
        extra = (f"  (no sure or likely match: {sum(no_confident[family]) / len(hits):6.1%})"
                 if family == "unknown" else "")
        print(f"  {family:<11} {sum(hits) / len(hits):6.1%}  {sum(listed[family]) / len(hits):6.1%}  "
              f"({len(hits)} queries){extra}")
    if args.cold:
        _cold(warehouse, policy, queries[: args.cold], answers[: args.cold])
    if args.http:
        from service.snapshot import SnapshotLookup

        started = time.perf_counter()
        server_lookup = SnapshotLookup(warehouse, policy)
        snapshot = server_lookup.snapshot()
        print(f"serve-lookup start-up: loading {snapshot.prepared.height:,} claims into memory "
              f"{time.perf_counter() - started:.1f} s, RSS {_rss_mib():,.0f} MiB")
        _report("over HTTP (loopback, one client)",
                _http_latencies(server_lookup, [q for _, q, _ in queries], answers))
    return 0


def _cold(warehouse: Path, policy: Path, queries: list[tuple[str, dict, str | None]], expected: list[dict]) -> None:
    """Each query as a fresh `recon lookup` process: what a rep waits for, imports included."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    timed = "import time; t = time.perf_counter(); import cli.main, service.query; print(time.perf_counter() - t)"
    imports = [float(subprocess.run([sys.executable, "-c", timed], env=env, cwd=REPO, capture_output=True,
                                    text=True, check=True).stdout) for _ in range(5)]
    print(f"cold imports of cli.main + service.query in a fresh process: median {statistics.median(imports):.2f} s "
          f"(5 runs)")
    latencies, differ = [], 0
    for (_, query, _), answer in zip(queries, expected, strict=True):
        argv = [sys.executable, "-m", "cli", "lookup", "--json", "--warehouse", str(warehouse),
                "--policy", str(policy)]
        argv += [query["name"]] if query.get("name") else []
        for field in ("phone", "email"):
            argv += [f"--{field}", query[field]] if query.get(field) else []
        started = time.perf_counter()
        done = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True, check=True)
        latencies.append((time.perf_counter() - started) * 1000)
        differ += json.loads(done.stdout) != answer
    _report("cold `recon lookup` (a fresh process per query)", latencies)
    print(f"  cold answers different from the in-process ones: {differ}")


def _http_latencies(lookup, queries: list[dict], expected: list[dict]) -> list[float]:
    from service.http import make_server

    server = make_server(lookup, "127.0.0.1", 0, log_requests=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/lookup"
    latencies, differ = [], 0
    try:
        for query, answer in zip(queries, expected, strict=True):
            started = time.perf_counter()
            with urllib.request.urlopen(f"{base}?{urllib.parse.urlencode(query)}", timeout=30) as response:
                differ += json.loads(response.read()) != answer
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        server.shutdown()
        server.server_close()
    print(f"  HTTP answers different from the command line's: {differ}")
    return latencies


if __name__ == "__main__":
    sys.exit(main())
