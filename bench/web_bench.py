"""The screens as a rep's phone meets them: typeahead latency over HTTP and page weight (a benchmark,
not a test).

    python bench/web_bench.py --warehouse /tmp/inc-1m/full/warehouse.duckdb --out bench/results/web_1m.md
    python bench/web_bench.py --warehouse var/warehouse.duckdb --companies 50

Starts `recon web` as a separate process on the warehouse (a desk of its own in a temporary folder,
a password set with `recon web-password`), signs in over HTTP, then:
- the first suggestion after start (it builds the typeahead index) and the server's RSS after it;
- every keystroke of the typing workload of bench/typeahead_bench.py (progressive name prefixes,
  pinyin and initials, short names, phones, e-mails, credit codes, unknown names) sent one at a
  time as one rep types (`/api/suggest`, a new request per keystroke, session cookie and all):
  p50 / p95 / p99 / max; then the same keystrokes from `--clients` reps at once;
- the weight of each page: its HTML plus the stylesheet and script it loads, raw and gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from typeahead_bench import SEED, typing_workload  # bench/ is on sys.path

LOGIN, PASSWORD = "ops.chenjing", "bench password 2026"
PAGES = ("/login", "/", "/review", "/audit", "/appeals", "/extensions")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _signed_in(base: str) -> urllib.request.OpenerDirector:
    opener = _opener()
    form = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"login": LOGIN, "password": PASSWORD, "csrf_token": token, "next": "/"})
    opener.open(f"{base}/login", data=body.encode()).read()
    return opener


def _rss_mib(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _timed(opener: urllib.request.OpenerDirector, base: str, typed: str) -> float:
    started = time.perf_counter()
    with opener.open(f"{base}/api/suggest?q={urllib.parse.quote(typed)}") as answer:
        answer.read()
    return (time.perf_counter() - started) * 1000


def _percentiles(millis: list[float]) -> str:
    ordered = sorted(millis)
    at = lambda share: ordered[min(len(ordered) - 1, int(share * len(ordered)))]  # noqa: E731
    return (f"p50 {statistics.median(ordered):.1f} ms, p95 {at(0.95):.1f} ms, p99 {at(0.99):.1f} ms, "
            f"max {ordered[-1]:.1f} ms over {len(ordered):,} requests")


def _concurrently(base: str, keystrokes: list[str], clients: int) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()

    def rep(share: list[str]) -> None:
        opener = _signed_in(base)
        mine = [_timed(opener, base, typed) for typed in share]
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=rep, args=(keystrokes[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def _page_weights(base: str, opener: urllib.request.OpenerDirector) -> list[str]:
    lines = []
    for page in PAGES:
        html = (_opener() if page == "/login" else opener).open(f"{base}{page}").read()
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
        bodies = [html] + [opener.open(f"{base}{asset.decode()}").read() for asset in assets]
        raw = sum(len(body) for body in bodies)
        zipped = sum(len(gzip.compress(body, 6)) for body in bodies)
        lines.append(f"| `{page}` | {len(html) / 1024:.1f} KiB | {raw / 1024:.1f} KiB | {zipped / 1024:.1f} KiB | "
                     f"{len(bodies)} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--companies", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    recon = str(Path(sys.executable).with_name("recon"))
    folder = Path(tempfile.mkdtemp(prefix="web-bench-"))
    desk = folder / "desk.sqlite"
    subprocess.run([recon, "web-password", LOGIN, "--desk", str(desk), "--password-stdin"], input=PASSWORD + "\n",
                   text=True, check=True, capture_output=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([recon, "web", "--warehouse", str(args.warehouse), "--desk", str(desk),
                               "--port", str(port)], cwd=folder, stdout=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        opener = _signed_in(base)
        started = time.perf_counter()
        _timed(opener, base, "科技")
        first = time.perf_counter() - started
        rss = _rss_mib(server.pid)
        keystrokes = [typed for _, typed, _ in typing_workload(args.warehouse, args.companies, SEED)]
        one = [_timed(opener, base, typed) for typed in keystrokes]
        many = _concurrently(base, keystrokes, args.clients)
        weights = _page_weights(base, opener)
        rss_after = _rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(10)
    report = "\n".join([
        f"# The screens over HTTP: {args.warehouse}", "",
        "Machine: 2 cores, 24 GB. `recon web` (uvicorn, one process) on loopback, the bench in another process.", "",
        f"- first suggestion after start (builds the typeahead index): {first:.1f} s; server RSS {rss:,.0f} MiB "
        f"after it, {rss_after:,.0f} MiB at the end",
        f"- one rep typing, one request per keystroke: {_percentiles(one)}",
        f"- {args.clients} reps typing at once: {_percentiles(many)}", "",
        "| page | HTML | with its CSS and JS | gzipped | files |", "| --- | --- | --- | --- | --- |", *weights, "",
    ])
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
