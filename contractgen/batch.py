"""Batch generation: many specs (and a roster) → every influencer's documents, with a manifest.

The work is planned in the calling process and built elsewhere:

1. **Plan** (:func:`plan`): load and validate every spec (adding the roster's influencers to a
   single spec), and turn each influencer into a small, picklable :class:`WorkItem` holding the
   campaign with that one influencer. An influencer whose inputs hash matches the previous
   manifest, and whose files are still there with the recorded sha256, is skipped. Problems
   with a spec, a roster row or a clashing output folder become :class:`Failure`\\ s.
2. **Build** (:func:`execute`): items run through any :class:`concurrent.futures.Executor`
   (:func:`build_item` is a plain module-level function); by default a process pool whose
   workers each load the library, compile templates and import the renderers once. At most a
   few items per worker are in flight, so memory does not grow with the batch.
3. **Record** (:func:`run_batch`): results are put back in input order and spooled to disk as
   they come, so the manifest does not depend on the number of workers or on timing, and the
   parent holds only the few results waiting for an earlier one. The manifest is saved every
   so often, so a killed batch resumes where it stopped.

Nothing here imports python-docx or reportlab: only workers render.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import multiprocessing
import os
import select
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractgen import __version__
from contractgen.build import (
    FORMATS,
    KINDS,
    CampaignFiles,
    Job,
    build_influencer,
    engagements,
    finish_campaign,
    logo_path,
)
from contractgen.engagement import slugify_handle
from contractgen.errors import Problem, UserError
from contractgen.glyph_check import drawable_rows, glyph_problems, influencer_index
from contractgen.output import (
    INFLUENCERS_FILE,
    TEMP_PREFIX,
    Artifact,
    BatchManifest,
    Failure,
    FolderClaims,
    atomic_file,
    file_record,
    influencer_rows,
    locked_output,
    plain_file_bytes,
    process_alive,
    recorded_folders,
    remove_stale,
    safe_folder_name,
    stale_folders,
    write_influencers_csv,
)
from contractgen.render import writers
from contractgen.render.fonts import extra_fonts, use_fonts
from contractgen.resources import clauses_dir
from contractgen.spec.loader import load_file
from contractgen.spec.models import CampaignSpec, Influencer
from contractgen.spec.schema import is_schema_file
from contractgen.spec.slug import slugify
from contractgen.spec.validate import validate_loaded
from contractgen.toolkit import Toolkit

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
CHECKPOINT_SECONDS = 15.0  # how often a long batch saves its manifest, so a killed run can resume

if TYPE_CHECKING:
    from contractgen.checks import RateCard

Order = tuple[int, int, int]  # (input position, stage: 0 spec / 1 roster row / 2 influencer, number)


@dataclass(frozen=True)
class BatchOptions:
    """What to build and where."""

    out: Path
    formats: tuple[str, ...] = FORMATS
    kinds: tuple[str, ...] = KINDS
    jobs: int | None = None  # None: one worker per CPU
    roster: Path | None = None
    force: bool = False
    library: Path | None = None
    debug: bool = False  # add tracebacks to unexpected errors
    fonts: tuple[Path, ...] = ()  # --font files, added to the PDF font chain
    rates: Path | None = None  # --rates: the rate card of the risk checks
    clean: bool = False  # remove the stale folders (see contractgen.output.stale_folders)


@dataclass(frozen=True)
class WorkItem:
    """One influencer to build: small enough to send to a worker process."""

    order: Order
    campaign: str
    influencer: str
    folder: str  # relative to the output folder: <campaign>/<handle-slug>
    out: str
    spec: CampaignSpec  # the campaign with only this influencer in it
    index: int  # the influencer's position in the full campaign
    logo: str | None
    formats: tuple[str, ...]
    kinds: tuple[str, ...]
    overlay: str | None
    debug: bool = False
    fonts: tuple[Path, ...] = ()  # the PDF font chain's user fonts (resolved paths)


@dataclass(frozen=True)
class ItemResult:
    """What a worker made of one item: files, or the error that stopped it."""

    order: Order
    campaign: str
    influencer: str
    files: tuple[Artifact, ...] = ()
    error: str | None = None
    timings: tuple[tuple[str, str, float], ...] = ()  # (kind, "assemble" or format, seconds)
    cpu: float = 0.0  # CPU seconds the worker spent on this item
    pid: int = 0
    peak_rss_kb: int = 0


@dataclass(frozen=True)
class _Todo:
    """An influencer to build, kept small until its :class:`WorkItem` is needed."""

    order: Order
    campaign: int  # index into Plan.campaigns
    person: Influencer
    index: int
    folder: str


@dataclass
class Plan:
    """Everything decided before building: what to build, what is unchanged, what already failed."""

    options: BatchOptions
    todo: list[_Todo] = field(default_factory=list)
    campaigns: list[tuple[CampaignSpec, str | None]] = field(default_factory=list)  # (sections, logo)
    specs: list[tuple[CampaignSpec, int]] = field(default_factory=list)  # (whole campaign, input position)
    folders: dict[tuple[str, str], str] = field(default_factory=dict)  # (campaign, handle) → folder
    before: dict[str, list[str]] = field(default_factory=dict)  # folders the previous manifest recorded
    stale: list[str] = field(default_factory=list)
    unchanged: list[ItemResult] = field(default_factory=list)
    failures: list[tuple[Order, Failure]] = field(default_factory=list)
    inputs: dict[tuple[str, str], str] = field(default_factory=dict)
    previous: dict[tuple[str, str], tuple[str, list[Artifact]]] = field(default_factory=dict)  # of those to build
    library: str = ""

    def campaigns_logo(self) -> Iterator[tuple[str, str | None]]:
        """(campaign id, logo) of every campaign planned."""
        for sections, logo in self.campaigns:
            yield sections.campaign_id, logo

    def items(self) -> Iterator[WorkItem]:
        """The work items, made one at a time as the executor takes them (a big roster is not copied)."""
        options = self.options
        out = str(options.out.resolve())
        overlay = str(options.library) if options.library else None
        fonts = extra_fonts()
        for todo in self.todo:
            sections, logo = self.campaigns[todo.campaign]
            yield WorkItem(todo.order, sections.campaign_id, todo.person.handle, todo.folder, out,
                           sections.model_copy(update={"influencers": [todo.person]}), todo.index, logo,
                           options.formats, options.kinds, overlay, options.debug, fonts)


@dataclass
class BatchResult:
    """The outcome of a batch, with figures for the summary and the benchmark."""

    files: int  # files listed in the manifest (built now or unchanged)
    influencers: int  # influencers with all their files
    failures: list[Failure]
    built: int  # influencers built in this run
    unchanged: int  # influencers skipped as unchanged
    elapsed: float
    jobs: int
    timings: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # → [seconds, count]
    cpu_seconds: float = 0.0  # spent by workers on the influencers built
    worker_peak_rss_kb: dict[int, int] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)  # every campaign's risk findings
    stale: list[str] = field(default_factory=list)  # folders of influencers no longer in the inputs, left
    removed: list[str] = field(default_factory=list)  # stale folders removed (--clean)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures


class Reporter:
    """Progress callbacks (any object with these three methods will do); this one says nothing."""

    def start(self, total: int, unchanged: int) -> None:
        """Called once before building ``total`` influencers."""

    def advance(self, result: ItemResult) -> None:
        """Called as each influencer is done."""

    def close(self) -> None:
        """Called once at the end, also after an interruption."""


# ---------------------------------------------------------------------------------------------
# Planning (in the calling process)


def find_specs(inputs: Iterable[Path]) -> list[Path]:
    """Spec files named directly, or found (not recursively) in folders; each once, in order.

    In a folder, JSON Schema files (``*.schema.json``, or JSON with a ``$schema`` key) are not specs.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for given in inputs:
        if given.is_dir():
            files = sorted(p for p in given.iterdir()
                           if p.suffix.lower() in SPEC_SUFFIXES and p.is_file() and not p.name.startswith(".")
                           and not is_schema_file(p))  # contractgen.schema.json lives beside the specs
            if not files:
                raise UserError(Problem("no spec files (.yaml, .yml, .json) in this folder", file=str(given)))
        else:
            files = [given]  # a missing file is reported by the loader, as a failure of that input
        for path in files:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                found.append(path)
    return found


def plan(specs: Sequence[Path], options: BatchOptions, kit: Toolkit) -> Plan:
    """Load every spec and decide, influencer by influencer, what to build."""
    from contractgen.roster import merge, read_roster

    if options.roster is not None and len(specs) != 1:
        raise UserError(Problem(f"--roster adds influencers to one campaign, but {len(specs)} specs were given",
                                file=str(options.roster), hint="give exactly one spec file with --roster"))
    roster = read_roster(options.roster) if options.roster is not None else None
    library = kit.library.digest()
    shared = {"contractgen": __version__, "library": library, "files": _files_digest(kit),
              "formats": list(options.formats), "kinds": list(options.kinds)}
    if extra_fonts():  # other fonts, other PDFs
        shared["fonts"] = [_file_digest(path) for path in extra_fonts()]
    drawn = "pdf" in options.formats
    previous = {} if options.force else BatchManifest.previous(options.out / "manifest.json")
    result = Plan(options, library=library)
    claims = FolderClaims()
    for position, path in enumerate(specs):
        label = path.stem  # names the campaign in failures until its id is known
        try:
            loaded = load_file(path)
            label = _campaign_label(loaded.data, path)
            if roster is not None:
                rows, undrawable_rows = drawable_rows(roster) if drawn else (roster, [])
                loaded, clashes = merge(loaded, rows)
                for row in [*roster.rejected, *undrawable_rows, *clashes]:
                    result.failures.append(((position, 1, row.line), Failure(label, row.handle, row.message)))
            spec = validate_loaded(loaded)
            label = spec.campaign_id
            undrawable = glyph_problems(loaded) if drawn else []
            if campaign_wide := [p for p in undrawable if influencer_index(p) is None]:
                raise UserError(campaign_wide)
            loaded = None  # the plain data of a big roster is no longer needed
            logo = logo_path(spec, path)
            sections = spec.model_copy(update={"influencers": []})
            base = {**shared, "spec": _digest(sections.model_dump(mode="json", by_alias=True, exclude={"influencers"})),
                    "logo": _file_digest(logo)}
        except UserError as exc:
            result.failures.append(((position, 0, 0), Failure(label, None, str(exc))))
            continue
        result.campaigns.append((sections, logo))
        result.specs.append((spec, position))
        campaign = spec.campaign_id
        refused: dict[int, list[Problem]] = {}
        for problem in undrawable:
            refused.setdefault(influencer_index(problem) or 0, []).append(problem)
        for index, person in enumerate(spec.influencers):
            order: Order = (position, 2, index)
            if index in refused:  # characters the PDF cannot draw: nothing of this influencer is written
                result.failures.append((order, Failure(spec.campaign_id, person.handle, str(UserError(refused[index])))))
                continue
            try:
                folder = claims.claim([campaign, slugify_handle(person.handle)], f"{campaign} {person.handle} ({path})",
                                      str(path), f"influencers[{index}].handle")
            except UserError as exc:
                result.failures.append((order, Failure(campaign, person.handle, str(exc))))
                continue
            inputs = _digest({**base, "influencer": person.model_dump(mode="json", by_alias=True)})
            key = (campaign, person.handle)
            result.folders[key] = folder
            result.inputs[key] = inputs
            kept = previous.get(key)
            if kept and kept[0] == inputs and _still_there(options.out, folder, kept[1], options):
                result.unchanged.append(ItemResult(order, campaign, person.handle, tuple(kept[1])))
                continue
            if kept:
                result.previous[key] = kept
            result.todo.append(_Todo(order, len(result.campaigns) - 1, person, index, folder))
    result.before = recorded_folders(options.out / "manifest.json")
    planned = {safe_folder_name(s.campaign_id).casefold() for s, _ in result.specs}
    named = {f"{safe_folder_name(f.campaign)}/{safe_folder_name(slugify_handle(f.influencer))}".casefold()
             for _, f in result.failures if f.influencer}  # a bad roster row this time is not a rename

    def unknown(folder: str) -> bool:  # a campaign that could not be read this time: nothing is stale
        return folder.partition("/")[0].casefold() not in planned or folder.casefold() in named

    result.stale = stale_folders(options.out, result.before, claims.folders(), unknown)
    return result


def _campaign_label(data: Any, path: Path) -> str:
    """The campaign id of a spec that may not be valid, for naming its failures."""
    section = data.get("campaign") if isinstance(data, dict) else None
    if isinstance(section, dict):
        if isinstance(section.get("id"), str) and section["id"]:
            return section["id"]
        if isinstance(section.get("name"), str):
            return slugify(section["name"], fallback=path.stem)  # as CampaignSpec.campaign_id
    return path.stem


def _digest(data: Any) -> str:
    """sha256 of canonical JSON: the same data always gives the same hash."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _file_digest(path: str | Path | None) -> str | None:
    if path is None:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        raise UserError(Problem(f"cannot read: {exc.strerror}", file=str(path))) from None


def _files_digest(kit: Toolkit) -> str:
    """One hash over the wording the library digest does not cover: templates, strings, data files."""
    h = hashlib.sha256()
    folders = [kit.templates, clauses_dir(), *([kit.overlay] if kit.overlay else [])]
    for folder in folders:
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(f"{path.relative_to(folder).as_posix()}\n".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _still_there(out: Path, folder: str, files: list[Artifact], options: BatchOptions) -> bool:
    """True when every recorded file is in the influencer's folder with the recorded size and sha256."""
    return (len(files) == len(options.formats) * len(options.kinds) + 1  # and calendar.ics
            and all(a.path.startswith(f"{folder}/") for a in files)  # not where an older rule put them
            and len(_on_disk(out, files)) == len(files))


def _on_disk(out: Path, files: Iterable[Artifact]) -> list[Artifact]:
    """The recorded files that are there as recorded: same bytes, reached through no link."""
    found = []
    for artifact in files:
        data = plain_file_bytes(out, artifact.path)
        if data is not None and len(data) == artifact.bytes and hashlib.sha256(data).hexdigest() == artifact.sha256:
            found.append(artifact)
    return found


# ---------------------------------------------------------------------------------------------
# Building (in a worker, or inline)

_local = threading.local()


def toolkit(overlay: str | Path | None) -> Toolkit:
    """This process's (and thread's) toolkit for a library overlay, made once and reused."""
    kits: dict[str | None, Toolkit] = _local.__dict__.setdefault("kits", {})
    key = str(overlay) if overlay else None
    if key not in kits:
        kits[key] = Toolkit(Path(key) if key else None)
    return kits[key]


def warm_up(overlay: str | None, formats: Sequence[str]) -> None:
    """Load the library and import the renderers now, then freeze what is loaded.

    ``gc.freeze`` moves every object alive now out of the collector's sight, so the full
    collection after each influencer only walks that influencer's garbage, not the library,
    templates and fonts.
    """
    toolkit(overlay).library  # noqa: B018 - load it now, once
    import importlib

    for module in writers.modules(formats):
        importlib.import_module(module)
    gc.collect()
    gc.freeze()


def _start_worker(overlay: str | None, formats: Sequence[str], parent: int) -> None:
    # Ctrl-C and SIGTERM (also sent to the whole process group) are the parent's to handle: it
    # lets the influencers in hand finish, saves the manifest and then stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with(parent)
    warm_up(overlay, formats)


def _die_with(parent: int) -> None:
    """End this worker as soon as the batch process ``parent`` is gone, however it ended.

    Workers are forked by the forkserver, not by the batch, so they are not its children: a
    killed batch would leave them (and, through the pipes they hold, the forkserver and the
    resource tracker) waiting for work forever. A daemon thread waits for the parent's end.
    """
    if os.name == "nt":
        return  # no forkserver there; os.kill would end the parent rather than probe it
    try:
        handle = os.pidfd_open(parent)  # Linux: readable when the process ends, pid reuse or not
    except (AttributeError, OSError):
        handle = None

    def watch() -> None:
        if handle is not None:
            select.select([handle], [], [])
        else:
            while process_alive(parent):
                time.sleep(1.0)
        os._exit(1)

    if handle is not None or process_alive(parent):
        threading.Thread(target=watch, name="contractgen-parent-watch", daemon=True).start()
    else:
        os._exit(1)


def build_item(item: WorkItem) -> ItemResult:
    """Build one influencer's documents; never raises for a bad influencer (the error is returned)."""
    cpu = time.process_time()
    timings: list[tuple[str, str, float]] = []
    files: list[Artifact] = []
    error = None
    try:
        if extra_fonts() != item.fonts:  # a worker process: the same font chain as the planner's
            use_fonts(item.fonts)
        kit = toolkit(item.overlay)
        [engagement] = engagements(item.spec, kit)
        engagement = dataclasses.replace(engagement, index=item.index)
        files = build_influencer(engagement, kit, Path(item.out), item.folder, Job(item.formats, item.kinds),
                                 item.logo, timings)
    except UserError as exc:
        error = str(exc)
    except Exception as exc:  # a bug must not stop the other influencers; it is reported with them
        error = f"internal error: {type(exc).__name__}: {exc} (please report this"
        error += "):\n" + traceback.format_exc() if item.debug else "; --debug shows the traceback)"
    gc.collect(1)  # python-docx leaves young reference cycles: collect them per influencer (old objects are left to gc)
    return ItemResult(item.order, item.campaign, item.influencer, () if error else tuple(files), error,
                      tuple(timings), time.process_time() - cpu, os.getpid(), _peak_rss_kb())


@dataclass(frozen=True)
class CampaignItem:
    """One campaign's stage (findings, campaign.ics, summary), to run in a worker after its influencers."""

    spec: CampaignSpec  # the whole campaign, every influencer
    position: int
    ready: frozenset[str]  # handles whose files are there now (built in this run, or unchanged)
    made: tuple[Artifact, ...]  # their contracts and calendars
    out: str
    overlay: str | None
    formats: tuple[str, ...]
    kinds: tuple[str, ...]
    rates: RateCard
    logo: str | None
    fonts: tuple[Path, ...] = ()


def campaign_stage(item: CampaignItem) -> CampaignFiles:
    """Run :func:`contractgen.build.finish_campaign` for one campaign of a batch (in a worker, or inline)."""
    if extra_fonts() != item.fonts:
        use_fonts(item.fonts)
    kit = toolkit(item.overlay)
    people = engagements(item.spec, kit)
    ready = [e for e in people if e.influencer.handle in item.ready]
    return finish_campaign(item.spec, people, ready, item.made, kit, Path(item.out), Job(item.formats, item.kinds),
                           item.rates, item.logo, folder=safe_folder_name(item.spec.campaign_id))


def _peak_rss_kb() -> int:
    try:
        import resource
    except ImportError:  # Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes, Linux KiB


class InlineExecutor(Executor):
    """Runs each call at once in this process: ``--jobs 1``, and a baseline for the benchmark."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def process_executor(jobs: int, overlay: str | None, formats: Sequence[str]) -> Executor:
    """A pool of ``jobs`` worker processes, each warmed up once (library, templates, renderers).

    Workers are forked from a fresh server process (``forkserver``) rather than from this one:
    they start with the renderers already imported and without this process's memory (a big
    roster) or threads (the progress bar); where there is no forkserver, they are spawned.
    """
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, *writers.modules(formats)])
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                               initargs=(overlay, tuple(formats), os.getpid()))


def execute(items: Iterable[WorkItem], executor: Executor, on_result: Callable[[ItemResult], None],
            window: int = 8, replace: Callable[[], Executor] | None = None) -> Executor:
    """Run :func:`build_item` over ``items`` with at most ``window`` in flight; report each result.

    When a worker process dies (killed, out of memory) the pool breaks and every item in flight
    with it is lost. With ``replace``, a fresh executor takes over: lost items are retried once
    there, and an item lost twice is recorded as failed. Returns the executor in use at the end.
    """
    source: Iterator[WorkItem] = iter(items)
    pending: dict[Future, tuple[WorkItem, int]] = {}  # future → (item, executor generation)
    generation = 0
    retried: set[Order] = set()

    def submit(item: WorkItem) -> None:
        pending[_submit(executor, item)] = (item, generation)

    def fill() -> None:
        while len(pending) < window and (item := next(source, None)) is not None:
            submit(item)

    try:
        fill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: pending[f][0].order):
                item, born = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    if replace is not None and born == generation:
                        executor.shutdown(wait=False, cancel_futures=True)
                        executor, generation = replace(), generation + 1
                    if replace is not None and item.order not in retried:
                        retried.add(item.order)
                        submit(item)
                        continue
                    result = _failed(item, "the worker process building this stopped unexpectedly (out of memory, "
                                           "or killed); run the batch again to retry")
                except Exception as exc:  # e.g. a result that could not be sent back
                    result = _failed(item, f"internal error: {type(exc).__name__}: {exc}")
                on_result(result)
            fill()
    except BaseException:  # interrupted: what is being built finishes and is recorded, nothing new starts
        _finish_in_hand(pending, on_result)
        if generation:
            executor.shutdown(wait=True, cancel_futures=True)  # a replacement made here; the caller owns the first
        raise
    return executor


def _finish_in_hand(pending: dict[Future, tuple[WorkItem, int]], on_result: Callable[[ItemResult], None]) -> None:
    """Cancel what has not started; wait for what has, and report those that made their files."""
    running = [f for f in pending if not f.cancel()]
    wait(running)
    for future in sorted(running, key=lambda f: pending[f][0].order):
        if future.exception() is None:
            on_result(future.result())


def _submit(executor: Executor, item: WorkItem) -> Future:
    try:
        return executor.submit(build_item, item)
    except (BrokenProcessPool, RuntimeError) as exc:
        future: Future = Future()
        future.set_exception(exc)
        return future


def _submit_stage(executor: Executor, item: CampaignItem) -> Future:
    try:
        return executor.submit(campaign_stage, item)
    except (BrokenProcessPool, RuntimeError) as exc:
        future: Future = Future()
        future.set_exception(exc)
        return future


def _failed(item: WorkItem, message: str) -> ItemResult:
    return ItemResult(item.order, item.campaign, item.influencer, error=message)


# ---------------------------------------------------------------------------------------------
# The whole run


def run_batch(inputs: Sequence[Path], options: BatchOptions, executor: Executor | None = None,
              reporter: Reporter | None = None) -> BatchResult:
    """Plan, build and record a batch; write ``OUT/manifest.json`` and ``OUT/manifest.csv``.

    Raises UserError only when nothing can be built (no inputs, an unreadable roster or
    library, an unwritable output folder); a failing spec or influencer is recorded instead.
    Pass ``executor`` to run the items elsewhere (it is not shut down here).
    """
    started = time.perf_counter()
    reporter = reporter or Reporter()
    use_fonts(options.fonts)  # checked before anything is written
    specs = find_specs(inputs)
    if not specs:
        raise UserError(Problem("no spec files given"))
    overlay = str(options.library) if options.library else None
    kit = toolkit(overlay)
    kit.library  # noqa: B018 - a broken library fails once, here, not once per influencer
    from contractgen.checks import load_rates

    card = load_rates(options.rates)  # a bad rate card fails before anything is written
    with locked_output(options.out):
        return _run(specs, options, kit, overlay, executor, reporter, started, card)


def _run(specs: Sequence[Path], options: BatchOptions, kit: Toolkit, overlay: str | None,
         executor: Executor | None, reporter: Reporter, started: float, card: RateCard) -> BatchResult:
    work = plan(specs, options, kit)
    removed = remove_stale(options.out, work.stale, work.before) if options.clean else []
    todo = len(work.todo)
    jobs = max(1, min(options.jobs or os.cpu_count() or 1, todo or 1))
    figures = BatchResult(0, 0, [], 0, len(work.unchanged), 0.0, jobs)
    checkpoint = {"due": time.monotonic() + CHECKPOINT_SECONDS}

    with _Recorder(work, options) as recorder:

        def record(result: ItemResult) -> None:
            for kind, stage, seconds in result.timings:
                total = figures.timings.setdefault((kind, stage), [0.0, 0])
                total[0] += seconds
                total[1] += 1
            figures.cpu_seconds += result.cpu
            if result.pid:
                peak = figures.worker_peak_rss_kb
                peak[result.pid] = max(peak.get(result.pid, 0), result.peak_rss_kb)
            recorder.add(result)
            reporter.advance(result)
            if time.monotonic() > checkpoint["due"]:
                took = time.monotonic()
                recorder.save(complete=False, final=False)
                # Saving is the parent's only real work: keep it a small share of the run however big.
                checkpoint["due"] = time.monotonic() + max(CHECKPOINT_SECONDS, 50 * (time.monotonic() - took))

        own = executor is None
        replace = None
        if own and jobs > 1 and todo:
            def replace() -> Executor:
                return process_executor(jobs, overlay, options.formats)

            executor = replace()
        elif own:
            executor = InlineExecutor()
        assert executor is not None
        window = 1 if isinstance(executor, InlineExecutor) else jobs * 4
        frozen = own and isinstance(executor, InlineExecutor) and bool(todo)
        if frozen:
            warm_up(overlay, options.formats)
        complete = False
        reporter.start(todo, len(work.unchanged))
        try:
            executor = execute(work.items(), executor, record, window, replace)
            # Then the same campaign stage as `build`, in the workers too (they have the renderers
            # loaded; this process never imports them), all campaigns at once.
            logos = dict(work.campaigns_logo())
            stages = [recorder.campaign_item(spec, position, options, card, logos.get(spec.campaign_id))
                      for spec, position in work.specs]
            for stage_item, future in [(s, _submit_stage(executor, s)) for s in stages]:
                try:
                    stage = future.result()
                except UserError as exc:
                    stage = CampaignFiles(failures=[Failure(stage_item.spec.campaign_id, None, str(exc))])
                except Exception as exc:  # a lost worker, a bug: the influencers' files are still listed
                    stage = CampaignFiles(failures=[Failure(stage_item.spec.campaign_id, None,
                                                            f"internal error: {type(exc).__name__}: {exc}")])
                recorder.add_stage(stage_item, stage)
            complete = True
        finally:
            reporter.close()
            if own:
                executor.shutdown(wait=True, cancel_futures=True)
            if frozen:
                gc.unfreeze()  # a caller's process lives on; let its objects be collected again
            recorder.save(complete=complete)
        figures.files, figures.influencers = recorder.files, recorder.people
        figures.failures = recorder.manifest.failures
        figures.findings = recorder.manifest.findings
        figures.stale = [f for f in work.stale if f not in removed]
        figures.removed = removed
    figures.built = figures.influencers - len(work.unchanged)
    figures.elapsed = time.perf_counter() - started
    return figures


class _Recorder:
    """Takes results in any order and lists them in input order, spooling file records to disk.

    Only results waiting for an earlier one (a few per worker) are held in memory, so the
    parent's memory does not grow with the batch; the manifest is written from the spool.
    """

    def __init__(self, work: Plan, options: BatchOptions) -> None:
        self.out = options.out
        self.inputs = work.inputs
        self.previous = work.previous
        self.expected = sorted([t.order for t in work.todo] + [r.order for r in work.unchanged])
        self.unchanged = {r.order: r for r in work.unchanged}
        self.skipped = set(self.unchanged)
        self.waiting: dict[Order, ItemResult] = {}
        self.next = 0
        self.failures = list(work.failures)
        self.files = self.people = 0
        self.manifest = BatchManifest(work.library, __version__, options.formats, options.kinds)
        self.manifest.stale = {f: work.before.get(f, []) for f in work.stale}
        self.work = work
        self.status: dict[tuple[str, str], str] = {}  # built / skipped / failed
        self.made: dict[str, list[Artifact]] = {}  # campaign → its contracts' records (their clause lists)
        self.counts: dict[tuple[str, str], dict[str, int]] = {}  # finding counts by severity
        try:  # the pid in the name, as for every temporary file: see output.sweep
            fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".jsonl", dir=self.out)
        except OSError as exc:
            raise UserError(Problem(f"cannot write into the output folder: {exc.strerror}", file=str(self.out),
                                    hint="make it writable, or choose another --out folder")) from None
        self.spool_path = Path(name)
        self.spool = os.fdopen(fd, "w", encoding="utf-8")

    def __enter__(self) -> _Recorder:
        self._drain()
        return self

    def __exit__(self, *exc: object) -> None:
        self.spool.close()
        self.spool_path.unlink(missing_ok=True)

    def add(self, result: ItemResult) -> None:
        """Take one result; write out every result that is now next in input order."""
        self.waiting[result.order] = result
        self._drain()

    def _drain(self, gaps: bool = False) -> None:
        while self.next < len(self.expected):
            order = self.expected[self.next]
            result = self.waiting.pop(order, None) or self.unchanged.pop(order, None)
            if result is None and not gaps:
                return
            self.next += 1
            if result is not None:
                self._write(result)

    def _write(self, result: ItemResult) -> None:
        key = (result.campaign, result.influencer)
        self.status[key] = "failed" if result.error is not None else (
            "skipped" if result.order in self.skipped else "built")
        if result.error is None:
            # Contracts (their clause lists give the summary's coverage) and calendars (campaign.ics).
            self.made.setdefault(result.campaign, []).extend(a for a in result.files if a.kind in ("contract", "calendar"))
        if result.error is not None:
            self.failures.append((result.order, Failure(result.campaign, result.influencer, result.error)))
            # The influencer's earlier files are still there as a set (they are swapped only when
            # all new ones are made): list them, with the inputs they were made from, as they are.
            inputs, files = self.previous.get(key, ("", []))
            self._spool(_on_disk(self.out, files), inputs)
            return
        self._spool(result.files, self.inputs.get(key, ""))
        self.people += 1

    def campaign_item(self, spec: CampaignSpec, position: int, options: BatchOptions, card: RateCard,
                      logo: str | None) -> CampaignItem:
        """The campaign stage's work for one campaign, once every influencer of it is recorded."""
        self._drain(gaps=True)
        campaign = spec.campaign_id
        ready = frozenset(h for (c, h), status in self.status.items() if c == campaign and status != "failed")
        return CampaignItem(spec, position, ready, tuple(self.made.pop(campaign, [])), str(options.out.resolve()),
                            str(options.library) if options.library else None, options.formats, options.kinds,
                            card, logo, extra_fonts())

    def add_stage(self, item: CampaignItem, stage: CampaignFiles) -> None:
        """Record what the campaign stage of one campaign made and found."""
        campaign = item.spec.campaign_id
        self._spool(stage.files, "")
        self.failures.extend(((item.position, 3, 0), f) for f in stage.failures)
        for finding in stage.findings:
            self.manifest.findings.append({"campaign": campaign, **finding.to_dict()})
            if finding.influencer:
                counts = self.counts.setdefault((campaign, finding.influencer), {})
                counts[finding.severity] = counts.get(finding.severity, 0) + 1

    def _spool(self, files: Iterable[Artifact], inputs: str) -> None:
        for artifact in files:
            self.spool.write(json.dumps(file_record(artifact, inputs), ensure_ascii=False) + "\n")
            self.files += 1

    def _records(self) -> Iterator[dict[str, Any]]:
        self.spool.flush()
        with self.spool_path.open(encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)

    def save(self, complete: bool, final: bool = True) -> None:
        """Write manifest.json and manifest.csv from what is known: both list the same files.

        A checkpoint (``final=False``) lists what is done in order so far. The final save also
        lists what finished after a gap left by an interruption, and the unchanged influencers
        after it, so that a rerun skips them.
        """
        if final:
            self._drain(gaps=True)
        manifest = self.manifest
        manifest.failures = [f for _, f in sorted(self.failures, key=lambda pair: pair[0])]
        manifest.complete = complete
        with atomic_file(self.out / "manifest.json") as handle:
            manifest.write_json(handle, self._records())
        with atomic_file(self.out / "manifest.csv", encoding="utf-8-sig") as handle:  # the BOM: Excel reads UTF-8
            manifest.write_csv(handle, self._records())
        if final:
            with atomic_file(self.out / INFLUENCERS_FILE, encoding="utf-8-sig") as handle:
                write_influencers_csv(handle, self._people(), self.manifest.kinds, self.manifest.formats)

    def _people(self) -> Iterator[list[object]]:
        """One row per influencer for influencers.csv: every influencer planned, then those refused earlier."""
        failed: dict[tuple[str, str], str] = {}
        for _, f in sorted(self.failures, key=lambda pair: pair[0]):
            if f.influencer:
                failed.setdefault((f.campaign, f.influencer), f.message)
        kinds, formats = self.manifest.kinds, self.manifest.formats
        for spec, _ in self.work.specs:
            campaign = spec.campaign_id
            for person in spec.influencers:
                key = (campaign, person.handle)
                status = self.status.get(key) or ("failed" if key in failed else "not built")
                yield influencer_rows(campaign, person.legal_name, person.handle, person.email,
                                      person.fee if person.fee is not None else spec.payment.fee,
                                      spec.campaign.currency, status, self.counts.get(key, {}),
                                      self.work.folders.get(key) if status in ("built", "skipped") else None,
                                      failed.pop(key, ""), kinds, formats)
        for (campaign, handle), message in failed.items():  # refused before planning: a roster row, a clash
            yield influencer_rows(campaign, "", handle, None, None, "", "failed", {}, None, message, kinds, formats)
