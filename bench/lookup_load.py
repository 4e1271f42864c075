"""Latency and throughput of `recon serve-lookup` under concurrent clients (a benchmark, not a test).

    python bench/lookup_load.py --warehouse /tmp/svc/w.duckdb                    # any published warehouse
    python bench/lookup_load.py --claims 1000000 --dir /tmp/lookup-1m --reuse    # bench/lookup_bench.py's build
    python bench/lookup_load.py --claims 1000000 --dir /tmp/lookup-1m            # build it first (slow)
    ... --clients 20 --seconds 30 --workers 8

Starts `recon serve-lookup --quiet` as a separate process on the warehouse (its start-up, the
in-memory copy, is timed), waits for /health, then runs `--clients` client threads in this process,
each sending GET /lookup one after the other for `--seconds`, cycling from its own offset through a
pool of `--queries` varied queries. With `--dir` the pool is lookup_bench's (spelling families of
generated companies, phone only, e-mail only, unknown companies); with `--warehouse` it is read
from the warehouse itself: registered names as typed, trade names alone, name with phone, phone
only, another mailbox at a company domain, and made-up unknown companies. Prints p50 / p95 / max
latency, requests per second, errors by kind (any status but 200, or a failed connection), and the
server's resident memory. The clients share the machine with the server: on few cores they take
part of its CPU, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from lookup_bench import _build, _percentile, _queries

STARTUP_SECONDS = 1800  # the in-memory copy of a 1M-claim warehouse takes a while on a shared machine
_UNKNOWN_CHARS = "澜岚溪曜珀琮瑾璟翊煦昶晞沐宸岫霁"
_WORDS = ("科技", "生物", "信息", "材料", "能源", "传媒")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--warehouse", type=Path, help="a published warehouse; queries are read from it")
    where.add_argument("--dir", type=Path, help="lookup_bench's scratch folder: DIR/warehouse.duckdb and DIR/samples")
    parser.add_argument("--claims", type=int, default=1_000_000, help="with --dir: claims generated (default 1M)")
    parser.add_argument("--reuse", action="store_true", help="with --dir: measure the warehouse already built there")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=30, help="how long they send (default %(default)s)")
    parser.add_argument("--workers", type=int, default=32, help="serve-lookup --workers (default %(default)s)")
    parser.add_argument("--processes", type=int, default=2, help="serve-lookup --processes (default %(default)s)")
    parser.add_argument("--queries", type=int, default=1000, help="size of the query pool (default %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    args = parser.parse_args()

    if args.dir:
        if not args.reuse:
            _build(args.dir, args.claims)
        warehouse = args.dir / "warehouse.duckdb"
        pool = _generated_queries(args.dir, args.claims, args.queries)
    else:
        warehouse = args.warehouse
        pool = _warehouse_queries(warehouse, args.queries)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {len(pool):,} queries in the pool "
          f"({', '.join(f'{f} {n}' for f, n in sorted(Counter(f for f, _ in pool).items()))})")

    port = args.port or _free_port()
    with tempfile.TemporaryDirectory(prefix="lookup-load-") as scratch:
        log_path = Path(scratch) / "serve-lookup.log"
        with open(log_path, "w") as log:
            started = time.perf_counter()
            server = subprocess.Popen(
                [sys.executable, "-m", "cli", "serve-lookup", "--port", str(port), "--warehouse", str(warehouse),
                 "--policy", str(REPO / "config" / "policy.yaml"), "--workers", str(args.workers),
                 "--processes", str(args.processes), "--quiet"],
                env=dict(os.environ, PYTHONPATH=str(REPO)), cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                claims = _wait_until_up(server, port, log_path, args.processes)
                print(f"serve-lookup up in {time.perf_counter() - started:.1f} s ({claims:,} claims, "
                      f"{args.processes} process(es) of {args.workers} workers), RSS {_rss_mib(server.pid):,.0f} MiB")
                results = _load(port, pool, args.clients, args.seconds)
                rss = _rss_mib(server.pid)
            finally:
                server.send_signal(signal.SIGTERM)  # serve-lookup stops its copies and closes its socket
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        _report(results, args.clients, args.seconds, rss)
        noise = [line for line in log_path.read_text().splitlines() if "Traceback" in line or "Error" in line]
        if noise:
            print(f"server log: {len(noise)} error lines, e.g. {noise[0]}")
    return 0


def _generated_queries(directory: Path, claims: int, count: int) -> list[tuple[str, dict]]:
    """lookup_bench's (family, query) pool, kept in DIR/load_queries.json beside the warehouse it was
    made for (rebuilding the generated universe to make it takes minutes at 1M claims)."""
    cached = directory / "load_queries.json"
    warehouse = directory / "warehouse.duckdb"
    if cached.exists() and cached.stat().st_mtime > warehouse.stat().st_mtime:
        pool = [(family, query) for family, query in json.loads(cached.read_text(encoding="utf-8"))]
        if len(pool) == count:
            return pool
    pool = [(family, query) for family, query, _ in _queries(directory, claims, count)]
    cached.write_text(json.dumps(pool, ensure_ascii=False), encoding="utf-8")
    return pool


def _warehouse_queries(warehouse: Path, count: int, seed: int = 7) -> list[tuple[str, dict]]:
    """(family, query) read from a published warehouse, round-robin over six families."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        claims = con.execute(
            "select company_name, core_name, phone_e164, email_domain, is_free_mail from claims "
            "where company_name is not null order by claim_id"
        ).fetchall()
    rng = random.Random(seed)
    names = sorted({c[0] for c in claims})
    cores = sorted({c[1] for c in claims if c[1]})
    with_phone = sorted({(c[0], c[2]) for c in claims if c[2] and c[2].startswith("+86")})
    domains = sorted({c[3] for c in claims if c[3] and not c[4]})
    families = [
        ("exact", lambda: {"name": rng.choice(names)}),
        ("trade_name", lambda: {"name": rng.choice(cores)} if cores else {"name": rng.choice(names)}),
        ("name_phone", lambda: dict(zip(("name", "phone"), rng.choice(with_phone), strict=True))),
        ("phone_only", lambda: {"phone": _national(rng.choice(with_phone)[1])}),
        ("email_only", lambda: {"email": f"{rng.choice(('info', 'sales', 'hr'))}@{rng.choice(domains)}"}),
        ("unknown", lambda: {"name": "".join(rng.sample(_UNKNOWN_CHARS, 3)) + rng.choice(_WORDS) + "有限公司"}),
    ]
    usable = [(f, make) for f, make in families
              if (f not in ("name_phone", "phone_only") or with_phone) and (f != "email_only" or domains)]
    return [(usable[i % len(usable)][0], usable[i % len(usable)][1]()) for i in range(count)]


def _national(e164: str) -> str:
    """An E.164 number as typed in China: +8613800138000 as 13800138000, +8675528780808 as 075528780808."""
    national = e164.removeprefix("+86")
    return national if national.startswith("1") else "0" + national


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(server: subprocess.Popen, port: int, log_path: Path, processes: int) -> int:
    """Claims loaded, once /health has answered from every process; the server's log if it exits first."""
    deadline = time.monotonic() + STARTUP_SECONDS
    answered: set[int] = set()
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"serve-lookup exited ({server.returncode}):\n{log_path.read_text()}")
        try:
            status, body = _get(port, "/health", timeout=5)
            if status == 200:
                health = json.loads(body)
                answered.add(health["process"])
                if len(answered) >= processes:
                    return health["claims"]
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"serve-lookup did not answer /health within {STARTUP_SECONDS} s")


def _get(port: int, target: str, timeout: float) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _load(port: int, pool: list[tuple[str, dict]], clients: int, seconds: float) -> dict:
    """Latencies (ms) of answered requests, outcome counts and the wall time, over all clients."""
    targets = [f"/lookup?{urllib.parse.urlencode(query)}" for _, query in pool]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    outcomes: list[Counter] = [Counter() for _ in range(clients)]
    examples: dict[str, str] = {}  # one failed request per kind of failure, to say what went wrong
    start = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        position = i * len(targets) // clients
        start.wait()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            target = targets[position % len(targets)]
            position += 1
            began = time.perf_counter()
            try:
                status, body = _get(port, target, timeout=60)
            except OSError as exc:
                outcomes[i][type(exc).__name__] += 1
                examples.setdefault(type(exc).__name__, f"{urllib.parse.unquote(target)}: {exc}")
                continue
            latencies[i].append((time.perf_counter() - began) * 1000)
            outcomes[i][str(status)] += 1
            if status != 200:
                text = body[:200].decode(errors="replace")
                examples.setdefault(str(status), f"{urllib.parse.unquote(target)}: {text}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"latencies": [ms for per_client in latencies for ms in per_client],
            "outcomes": sum(outcomes, Counter()), "examples": examples, "wall": time.perf_counter() - began}


def _report(results: dict, clients: int, seconds: float, rss: float) -> None:
    latencies, outcomes = results["latencies"], results["outcomes"]
    total = sum(outcomes.values())
    errors = total - outcomes["200"]
    print(f"{clients} clients for {seconds:g} s: {total:,} requests, {total / results['wall']:.1f} requests/s, "
          f"{errors:,} errors ({', '.join(f'{k}: {v:,}' for k, v in sorted(outcomes.items()) if k != '200') or '-'})")
    if latencies:
        print(f"latency (answered requests, connect to last byte): p50 {_percentile(latencies, 0.5):.0f} ms, "
              f"p95 {_percentile(latencies, 0.95):.0f} ms, max {max(latencies):.0f} ms")
    for kind, example in sorted(results["examples"].items()):
        print(f"  e.g. {kind}: {example}")
    print(f"serve-lookup RSS after the run {rss:,.0f} MiB")


def _rss_mib(pid: int) -> float:
    """Resident memory of the server and the copies it started (`--processes`)."""
    with open(f"/proc/{pid}/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return own + sum(_rss_mib(int(child)) for child in children)


if __name__ == "__main__":
    sys.exit(main())
