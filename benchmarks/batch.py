"""Benchmark ``contractgen batch``: throughput, time per document, peak memory, LibreOffice ratio.

Not a test: it prints figures. It makes N synthetic influencers from a sample spec (unique
handles, varied fees and audiences) as a roster CSV next to a copy of the spec — the agency
case — and runs the batch once per ``--jobs`` value, each in a fresh child process so memory
figures are not mixed up. When ``soffice`` is installed it also converts one of the generated
contract DOCX files to PDF with LibreOffice, one document per run as a DOCX-template pipeline
does, and compares that with our own PDF time.

    python benchmarks/batch.py --n 1000 --jobs 1,2
    python benchmarks/batch.py --n 10000 --jobs 2 --soffice-samples 0

Figures: influencers/s and files/s are wall-clock for the whole run (planning, workers'
start-up, building, manifest). "ms per document" is the time inside a worker to assemble a
document tree (per kind) and to render and write it (per kind and format), averaged. Memory:
the peak RSS of each process (the parent, the forkserver the workers fork from, the largest
worker), and the peak of the summed proportional set size (PSS) of the whole process tree,
sampled every 0.2 s — the fairest figure for forked workers that share pages.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIRST_NAMES = ["Maya", "Omid", "Sara", "Leo", "Aisha", "Jonas", "Priya", "Tomás", "Mina", "Kofi", "Elif", "Noah"]
LAST_NAMES = ["Chen", "Rahimi", "Lopez", "Novak", "Okafor", "Berg", "Raman", "Silva", "Karimi", "Mensah", "Yilmaz"]


def make_inputs(spec_path: Path, n: int, folder: Path) -> tuple[Path, Path]:
    """A copy of the spec without influencers and a roster of N synthetic ones."""
    data = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    logo = data.get("brand", {}).get("logo")
    if logo:
        data["brand"]["logo"] = str((spec_path.parent / logo).resolve())
    data["influencers"] = []
    spec = folder / "campaign.yaml"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    roster = folder / "roster.csv"
    columns = ["legal_name", "handle", "email", "address", "fee", "agent_name", "agent_email",
               "instagram_handle", "instagram_followers", "instagram_avg_engagements",
               "tiktok_followers", "tiktok_avg_engagements"]
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i in range(n):
            first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i // 3) % len(LAST_NAMES)]
            tag = f"{first.lower().replace('á', 'a')}{last.lower()}{i:05d}"
            followers = 5_000 + (i * 7919) % 400_000
            writer.writerow([
                f"{first} {last} {i}", f"@{tag}", f"{tag}@example.com", f"{i + 1} Market Street, Austin, TX, USA",
                500 + (i * 37) % 80 * 125,  # fees from 500 to 10,375
                "Jo Park" if i % 4 == 0 else "", "jo@talent.example" if i % 4 == 0 else "",
                f"@{tag}", followers, followers // 20 + i % 97,
                followers * 2 if i % 2 else "", followers // 12 if i % 2 else "",
            ])
    return spec, roster


# ---------------------------------------------------------------------------------------------
# Memory sampling (Linux /proc; elsewhere only the per-process peaks are reported)


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return found


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(_children(current))
    return out


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def _machine_busy_ticks() -> int:
    """Clock ticks all CPUs spent not idle since boot."""
    try:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
        return sum(values) - values[3] - values[4]  # minus idle and iowait
    except (OSError, ValueError, IndexError):
        return 0


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak summed PSS and RSS of this process and all its descendants; per-process peaks too."""

    def __init__(self, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.stop = threading.Event()
        self.peak_pss = self.peak_rss = 0
        self.hwm: dict[int, int] = {}  # pid → VmHWM (peak RSS) last seen
        self.ticks: dict[int, int] = {}  # pid → CPU ticks last seen
        self.busy_start = _machine_busy_ticks()
        self.busy = 0

    def sample(self) -> None:
        pids = _tree(os.getpid())
        self.peak_pss = max(self.peak_pss, sum(_pss_kb(p) for p in pids))
        self.peak_rss = max(self.peak_rss, sum(_status_kb(p, "VmRSS") for p in pids))
        for pid in pids:
            self.hwm[pid] = max(self.hwm.get(pid, 0), _status_kb(pid, "VmHWM"))
            self.ticks[pid] = max(self.ticks.get(pid, 0), _cpu_ticks(pid))
        self.busy = _machine_busy_ticks() - self.busy_start

    def foreign_share(self) -> float:
        """Share of the machine's busy CPU time spent by processes outside this tree during the run."""
        ours = sum(self.ticks.values())
        return max(0.0, (self.busy - ours) / self.busy) if self.busy else 0.0

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.sample()


# ---------------------------------------------------------------------------------------------
# One run, in a child process


def child(args: argparse.Namespace) -> None:
    """Run one batch in this (fresh) process and print its figures as JSON."""
    import resource

    from contractgen.batch import BatchOptions, run_batch

    options = BatchOptions(out=Path(args.out), formats=tuple(args.format.split(",")), jobs=args.child_jobs,
                           roster=Path(args.roster), force=True)
    sampler = TreeSampler()
    sampler.start()
    started = time.perf_counter()
    result = run_batch([Path(args.spec)], options)
    elapsed = time.perf_counter() - started
    sampler.sample()
    sampler.stop.set()
    import multiprocessing.forkserver as fs

    server = getattr(fs._forkserver, "_forkserver_pid", None)
    me = os.getpid()
    workers = result.worker_peak_rss_kb
    print(json.dumps({
        "jobs": result.jobs,
        "cpu_per_influencer": result.cpu_seconds / max(result.built, 1),
        "parent_cpu": (lambda u: u.ru_utime + u.ru_stime)(resource.getrusage(resource.RUSAGE_SELF)),
        "foreign_share": sampler.foreign_share(),
        "elapsed": elapsed,
        "built": result.built,
        "files": result.files,
        "failures": [f.message for f in result.failures][:5],
        "timings": {f"{k}|{s}": v for (k, s), v in result.timings.items()},
        "parent_peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "forkserver_peak_rss_kb": sampler.hwm.get(server, 0) if server else 0,
        "worker_peak_rss_kb": max(workers.values()) if workers and result.jobs > 1 else 0,
        "workers": len(workers) if result.jobs > 1 else 0,
        "sum_of_peaks_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + (sampler.hwm.get(server, 0) if server else 0) + (sum(workers.values()) if result.jobs > 1 else 0),
        "tree_peak_pss_kb": sampler.peak_pss,
        "tree_peak_rss_kb": sampler.peak_rss,
        "sampled_processes": len([p for p in sampler.hwm if p != me]),
    }))


def run_child(spec: Path, roster: Path, out: Path, jobs: int, fmt: str) -> dict:
    command = [sys.executable, __file__, "--child", "--spec", str(spec), "--roster", str(roster),
               "--out", str(out), "--child-jobs", str(jobs), "--format", fmt]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"benchmark run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# LibreOffice


def soffice_times(docx: Path, samples: int, folder: Path) -> list[float] | None:
    """Seconds per DOCX → PDF conversion, one document per soffice run (a warm-up run excluded)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or samples <= 0:
        return None
    profile = folder / "lo-profile"
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(folder / "lo-out"), str(docx)]
    subprocess.run(command, capture_output=True, check=True, timeout=300)  # creates the profile
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, timeout=300)
        times.append(time.perf_counter() - started)
    if not (folder / "lo-out" / "contract.pdf").is_file():
        return None
    return times


# ---------------------------------------------------------------------------------------------


def _ms(timings: dict, kind: str, stage: str) -> float | None:
    total = timings.get(f"{kind}|{stage}")
    return 1000 * total[0] / total[1] if total and total[1] else None


def report(n: int, runs: list[dict], fmt: str, lo: list[float] | None, same: bool | None) -> None:
    mb = 1024
    print(f"\ncontractgen batch benchmark: {n} influencers, formats {fmt}, {os.cpu_count()} CPUs")
    print(f"{'jobs':>4} {'wall s':>8} {'infl/s':>8} {'files/s':>8} {'CPU ms/infl':>11} {'others':>7} "
          f"{'parent MB':>10} {'forksrv MB':>10} {'worker MB':>10} {'sum peaks':>10} {'tree PSS':>9}")
    for r in runs:
        print(f"{r['jobs']:>4} {r['elapsed']:>8.2f} {r['built'] / r['elapsed']:>8.1f} {r['files'] / r['elapsed']:>8.1f} "
              f"{r['cpu_per_influencer'] * 1000:>11.0f} {r['foreign_share']:>7.0%} "
              f"{r['parent_peak_rss_kb'] / mb:>10.0f} {r['forkserver_peak_rss_kb'] / mb:>10.0f} "
              f"{r['worker_peak_rss_kb'] / mb:>10.0f} {r['sum_of_peaks_kb'] / mb:>10.0f} "
              f"{r['tree_peak_pss_kb'] / mb:>9.0f}")
        if r["jobs"] > 1:
            print(f"     (the parent process used {r['parent_cpu']:.1f} CPU s: planning, collecting, manifest)")
        if r["failures"]:
            print("     failures:", *r["failures"], sep="\n       ")
    print("(CPU ms/infl: worker CPU time per influencer, all four documents; others: share of the machine's "
          "busy CPU used by other processes meanwhile — figures are only clean when it is near 0%)")
    if same is not None:
        print(f"manifests (every file's sha256) identical across --jobs: {same}")
    by_jobs = {r["jobs"]: r for r in runs}
    if 1 in by_jobs and len(by_jobs) > 1:
        for jobs, r in sorted(by_jobs.items()):
            if jobs > 1:
                print(f"speed-up --jobs {jobs} vs --jobs 1: {by_jobs[1]['elapsed'] / r['elapsed']:.2f}x")
    base = by_jobs.get(1) or runs[0]
    print(f"\nms per document (inside a worker; from the --jobs {base['jobs']} run):")
    formats = fmt.split(",")
    print(f"{'kind':>9} {'assemble':>9} " + " ".join(f"{'render ' + f:>12}" for f in formats)
          + " " + " ".join(f"{'total ' + f:>11}" for f in formats))
    for kind in ("contract", "brief"):
        assembled = _ms(base["timings"], kind, "assemble")
        if assembled is None:
            continue
        renders = [_ms(base["timings"], kind, f) or 0.0 for f in formats]
        print(f"{kind:>9} {assembled:>9.1f} " + " ".join(f"{r:>12.1f}" for r in renders) + " "
              + " ".join(f"{assembled + r:>11.1f}" for r in renders))
    if lo:
        ours = (_ms(base["timings"], "contract", "assemble") or 0) + (_ms(base["timings"], "contract", "pdf") or 0)
        median = statistics.median(lo)
        print(f"\nLibreOffice DOCX → PDF, one at a time: median {median * 1000:.0f} ms per contract "
              f"({len(lo)} samples: {', '.join(f'{t:.2f}' for t in lo)} s)")
        if ours:
            print(f"our PDF contract (assemble + render): {ours:.1f} ms → {median * 1000 / ours:.0f}x faster")
    elif lo is None:
        print("\n(soffice not installed or --soffice-samples 0: no LibreOffice comparison)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="synthetic influencers (default 100)")
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to run (default 1,2)")
    parser.add_argument("--spec", type=Path, default=ROOT / "samples" / "full.yaml", help="sample spec to start from")
    parser.add_argument("--format", default="docx,pdf", help="formats (default docx,pdf)")
    parser.add_argument("--soffice-samples", type=int, default=3, help="LibreOffice conversions to time (0: skip)")
    parser.add_argument("--keep", type=Path, default=None, help="keep inputs and outputs in this folder")
    # internal: one run in a child process
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-jobs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--roster", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="contractgen-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        spec, roster = make_inputs(args.spec, args.n, folder)
        runs = []
        for jobs in (int(j) for j in args.jobs.split(",")):
            out = folder / f"out-jobs{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            print(f"running --jobs {jobs} over {args.n} influencers ...", file=sys.stderr, flush=True)
            runs.append(run_child(spec, roster, out, jobs, args.format))
        same = None
        if len(runs) > 1:
            first, *rest = (folder / f"out-jobs{r['jobs']}" / "manifest.json" for r in runs)
            same = all(p.read_bytes() == first.read_bytes() for p in rest)
        lo = None
        if "docx" in args.format and args.soffice_samples > 0:
            docx = next((folder / f"out-jobs{runs[0]['jobs']}").glob("*/*/contract.docx"), None)
            print("timing LibreOffice ...", file=sys.stderr, flush=True)
            lo = soffice_times(docx, args.soffice_samples, folder) if docx else None
        report(args.n, runs, args.format, lo, same)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
