"""Builds behind the API: each in a worker process of its own, a bounded queue, a time limit.

A build runs in a fresh process (forked from a server process that has the drawing modules
imported, where the platform allows), so a build that overruns its time is killed without
harming the others, and memory a build used is returned when its process ends. Each build
writes into a folder of its own inside the server's output folder; the folder is removed
once its zip is read, so no spec and no document outlives its response.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractgen.errors import UserError
from contractgen.web import specs, wording

# A fixed time stamp for every zip entry: the same spec gives the same zip, byte for byte.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BuildOrder:
    """What one request asks to build: the spec, the formats, the kinds, how findings block."""

    sent: specs.Sent
    formats: tuple[str, ...]
    kinds: tuple[str, ...]
    force: bool = False
    strict: bool = False


@dataclass
class BuildResult:
    """A finished build: the zip and manifest (``status`` 200), or what stopped it."""

    status: int
    campaign: str = ""
    archive: bytes = b""
    manifest: dict[str, Any] = field(default_factory=dict)
    error: str = ""  # a key of web.yaml's errors
    message: str = ""
    hint: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)


def problem_dicts(error: UserError) -> list[dict[str, Any]]:
    """Every problem of an error as plain data, with the line the CLI prints for it (``text``)."""
    from contractgen.checks.report import problem_dict
    from contractgen.errors import format_problem

    return [problem_dict(p) | {"text": format_problem(p)} for p in error.problems]


def build_zip(order: BuildOrder, work: Path) -> BuildResult:
    """Validate, check and build the order into ``work``; the files as a zip with the manifest.

    The same checks as ``contractgen build``: a finding of severity error (with ``strict``: or
    warning) stops it unless ``force``. Runs in a worker process (see :class:`BuildQueue`).
    """
    import json

    from contractgen.build import Job, build_campaign
    from contractgen.web.shared import kit as shared_kit
    from contractgen.web.shared import rates as shared_rates

    try:
        loaded = specs.load(order.sent)
    except UserError as exc:
        return BuildResult(400, error="spec", problems=problem_dicts(exc))
    try:
        campaign = specs.validated(loaded, pdf="pdf" in order.formats)
    except UserError as exc:
        return BuildResult(422, error="spec", problems=problem_dicts(exc))
    kit, rates = shared_kit(), shared_rates()
    found = specs.findings(campaign, loaded, kit, rates)
    blocking = set() if order.force else {"error", "warning"} if order.strict else {"error"}
    if stop := [f for f in found if f.severity in blocking]:
        return BuildResult(422, error="blocked", findings=[f.to_dict() for f in found],
                           message=wording.text("errors.blocked", count=len(stop),
                                                severities=" / ".join(sorted(blocking))),
                           hint=wording.text("errors.blocked_hint"))
    out = work / "out"
    try:
        manifest = build_campaign(campaign, None, out, kit, Job(order.formats, order.kinds), rates=rates)
    except UserError as exc:
        return BuildResult(422, error="spec", problems=problem_dicts(exc))
    data = json.loads(manifest.to_json())
    if manifest.failures:
        return BuildResult(422, error="failed", manifest=data, message=wording.text("errors.failed"),
                           findings=data.get("findings", []))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in [a.path for a in manifest.files] + [MANIFEST]:
            entry = zipfile.ZipInfo(path, _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, (out / path).read_bytes())
    return BuildResult(200, campaign=campaign.campaign_id, archive=buffer.getvalue(), manifest=data,
                       findings=data.get("findings", []))


def _work(conn: Any, order: BuildOrder, work: str) -> None:
    """The worker process: build, send the result back, end."""
    try:
        result = build_zip(order, Path(work))
    except Exception:  # a bug: the server answers 500 and keeps serving
        result = BuildResult(500, error="internal", message=wording.text("errors.internal"),
                             hint=wording.text("errors.internal_hint"))
    conn.send(result)
    conn.close()


class QueueFull(Exception):
    """Every worker is busy and the queue is full: answer 429."""

    def __init__(self, running: int, waiting: int) -> None:
        super().__init__(running, waiting)
        self.running, self.waiting = running, waiting


def _context() -> Any:
    """Forked from a server process that has imported the pipeline (fast), else spawned."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    from contractgen.render.writers import FORMATS, modules

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["contractgen.web.jobs", "contractgen.build", *modules(FORMATS), "contractgen.web.warm"])
    return context


class BuildQueue:
    """At most ``workers`` builds at once and ``waiting`` more queued; each limited to ``timeout`` seconds."""

    def __init__(self, out_dir: Path, workers: int = 2, waiting: int = 4, timeout: float = 120.0) -> None:
        self.out_dir = out_dir
        self.workers, self.waiting, self.timeout = workers, waiting, timeout
        self._held = 0
        self._lock = threading.Lock()
        self._running = threading.Semaphore(workers)
        self._context = _context()

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a place in the queue (running or waiting) while the block runs; QueueFull when none is free."""
        with self._lock:
            if self._held >= self.workers + self.waiting:
                raise QueueFull(min(self._held, self.workers), max(self._held - self.workers, 0))
            self._held += 1
        try:
            yield
        finally:
            with self._lock:
                self._held -= 1

    def run(self, order: BuildOrder) -> BuildResult:
        """Build in a worker process once one is free (blocking; call it from a thread, holding a slot)."""
        with self._running:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(prefix="build-", dir=self.out_dir))
            receiver, sender = self._context.Pipe(duplex=False)
            process = self._context.Process(target=_work, args=(sender, order, str(work)), daemon=True)
            try:
                process.start()
                sender.close()
                if not receiver.poll(self.timeout):
                    return BuildResult(503, error="timeout", message=wording.text("errors.timeout", seconds=self.timeout),
                                       hint=wording.text("errors.timeout_hint"))
                try:
                    return receiver.recv()
                except EOFError:  # the worker died without an answer (out of memory, killed)
                    return BuildResult(500, error="internal", message=wording.text("errors.internal"),
                                       hint=wording.text("errors.internal_hint"))
            finally:
                if process.is_alive():
                    process.kill()
                process.join()
                receiver.close()
                shutil.rmtree(work, ignore_errors=True)
