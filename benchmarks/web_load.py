"""Load on ``contractgen serve``: N builds, C at a time, against a server it starts on localhost.

Not a test: it prints figures. The server runs in a child process (``contractgen serve`` on a
free port, ``--workers W``); the client sends the sample spec N times from C threads and
reports p50/p95 latency of answered builds, builds per second, how many got 429 (a full
queue: expected when C exceeds workers plus queue), and the server's resident memory (RSS of
the server process) after the first and the last tenth of the requests, to see it stays flat.

    python benchmarks/web_load.py --n 40 --concurrency 4 --workers 2
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queue", type=int, default=4)
    parser.add_argument("--spec", type=Path, default=ROOT / "samples" / "minimal.yaml")
    args = parser.parse_args()
    port = free_port()
    out = tempfile.mkdtemp(prefix="web-load-")
    server = subprocess.Popen([sys.executable, "-m", "contractgen", "serve", "--port", str(port), "--out", out,
                               "--workers", str(args.workers), "--queue", str(args.queue)])
    url = f"http://127.0.0.1:{port}/api/v1"
    body = args.spec.read_bytes()
    try:
        for _ in range(100):
            try:
                httpx.get(f"{url}/schema", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        times: list[float] = []
        busy = 0
        memory: list[int] = []

        def one(i: int) -> None:
            nonlocal busy
            started = time.perf_counter()
            answer = httpx.post(f"{url}/build", content=body, headers={"content-type": "application/yaml"}, timeout=300)
            if answer.status_code == 429:
                busy += 1
            else:
                answer.raise_for_status()
                times.append(time.perf_counter() - started)
            if i in (args.n // 10, args.n - 1):
                memory.append(rss_kib(server.pid))

        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(one, range(args.n)))
        wall = time.perf_counter() - started
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{len(times)} builds answered, {busy} got 429, in {wall:.1f} s: {len(times) / wall:.2f} builds/s")
        print(f"latency p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s")
        print(f"server RSS: {' -> '.join(f'{m / 1024:.0f} MiB' for m in memory)}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
