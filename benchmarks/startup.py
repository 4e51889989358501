"""Benchmark start-up: how long ``contractgen --help`` takes, and what ``--help``/``validate`` import.

Not a test: it prints figures. Each command runs as a fresh process several times; the median
and best wall-clock times are shown. ``python -X importtime`` then lists the slowest imports
and says whether python-docx, lxml or reportlab were loaded (they must not be, for ``--help``,
``validate``, or the parent process of ``batch --help``).

    python benchmarks/startup.py --runs 10
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("docx", "lxml", "reportlab")


def command() -> list[str]:
    """The installed ``contractgen`` script, as a user runs it (else ``python -m contractgen``)."""
    script = Path(sys.executable).parent / "contractgen"
    if script.is_file():
        return [str(script)]
    found = shutil.which("contractgen")
    return [found] if found else [sys.executable, "-m", "contractgen"]


def timed(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def imports(args: list[str]) -> tuple[list[tuple[int, str]], set[str]]:
    """(cumulative µs, module) of every import, and which heavy packages were imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "contractgen", *args],
                          capture_output=True, text=True, check=False)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), name.rstrip()[1:]))  # nested imports keep their indent
    top_level = {name.strip().split(".")[0] for _, name in rows}
    return rows, {h for h in HEAVY if h in top_level}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    base = command()
    sample = str(ROOT / "samples" / "minimal.yaml")
    print(f"command: {' '.join(base)}  ({args.runs} runs each)")
    for label, extra in (("--help", ["--help"]), ("validate", ["validate", sample]), ("batch --help", ["batch", "--help"])):
        times = timed([*base, *extra], args.runs)
        rows, heavy = imports(extra)
        print(f"\ncontractgen {label}: median {statistics.median(times) * 1000:.0f} ms, "
              f"best {min(times) * 1000:.0f} ms; heavy imports: {', '.join(sorted(heavy)) or 'none'}")
        top = sorted((r for r in rows if not r[1].startswith(" ")), reverse=True)[:6]
        print("  slowest top-level imports: " + ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in top))


if __name__ == "__main__":
    main()
