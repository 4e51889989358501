"""The ``contractgen batch`` command: many specs (and a roster) built in parallel, with a manifest.

The engine (:mod:`contractgen.batch`) is imported when the command runs, so ``batch --help``
stays quick; python-docx and reportlab are imported only by the worker processes that render
(or by this process with ``--jobs 1``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contractgen.cli import KIND_CHOICES, font_option, format_option, library_option, rich_console, user_errors, verbosity

if TYPE_CHECKING:
    from contractgen.batch import ItemResult

PLAIN_EVERY = 10.0  # seconds between progress lines when stderr is not a terminal


class PlainReporter:
    """A progress line now and then, for CI logs and pipes."""

    def __init__(self, every: float = PLAIN_EVERY) -> None:
        self.every = every
        self.total = self.done = self.failed = 0
        self.started = self.last = time.monotonic()

    def start(self, total: int, unchanged: int) -> None:
        """Say what will be done."""
        self.total = total
        self.started = self.last = time.monotonic()
        if unchanged:
            click.echo(f"batch: {unchanged} influencer(s) unchanged since the last run, skipped", err=True)
        if total:
            click.echo(f"batch: building {total} influencer(s)", err=True)

    def advance(self, result: ItemResult) -> None:
        """Count one influencer; print a line when the last one is a while ago."""
        self.done += 1
        self.failed += result.error is not None
        now = time.monotonic()
        if now - self.last >= self.every and self.done < self.total:
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            left = (self.total - self.done) / rate if rate else 0
            failed = f", {self.failed} failed" if self.failed else ""
            click.echo(f"batch: {self.done}/{self.total} influencers{failed}, {rate:.1f}/s, "
                       f"about {left:.0f} s left", err=True)

    def close(self) -> None:
        """Nothing to tidy up."""


class QuietReporter(PlainReporter):
    """No progress at all (--quiet): failures are still listed at the end."""

    def start(self, total: int, unchanged: int) -> None:
        """Say nothing."""

    def advance(self, result: ItemResult) -> None:
        """Say nothing."""


class RichReporter:
    """A live progress bar: count, rate, elapsed and remaining time, failures so far."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TextColumn("influencers"),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            TextColumn("{task.fields[failed]}", style="red"),
            console=rich_console(stderr=True), transient=False,
        )
        self.task = None
        self.failed = 0
        self.started = time.monotonic()

    def start(self, total: int, unchanged: int) -> None:
        """Show the bar (nothing when there is nothing to build)."""
        if unchanged:
            self.progress.console.print(f"{unchanged} influencer(s) unchanged since the last run, skipped",
                                        highlight=False)
        if not total:
            return
        self.started = time.monotonic()
        self.task = self.progress.add_task("batch", total=total, rate="", failed="")
        self.progress.start()

    def advance(self, result: ItemResult) -> None:
        """Move the bar on by one influencer."""
        if self.task is None:
            return
        self.failed += result.error is not None
        done = self.progress.tasks[0].completed + 1
        rate = done / max(time.monotonic() - self.started, 1e-9)
        self.progress.update(self.task, advance=1, rate=f"{rate:.1f}/s",
                             failed=f"{self.failed} failed" if self.failed else "")

    def close(self) -> None:
        """Leave the finished bar on screen."""
        self.progress.stop()


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="INPUT...")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("out"),
              show_default=True, help="Output folder: OUT/<campaign-id>/<handle>/..., OUT/manifest.json and .csv.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes. Default: one per CPU.")
@click.option("--roster", type=click.Path(path_type=Path), default=None,
              help="A CSV of influencers to add to the campaign of the (single) spec. Columns: legal_name, "
                   "handle, email, address, tax_id, fee, agent_name, agent_email, ..., and per platform "
                   "e.g. instagram_handle, instagram_followers, instagram_avg_engagements.")
@format_option
@click.option("--only", type=click.Choice(KIND_CHOICES), default=None, help="Build only contracts or only briefs.")
@click.option("--force", is_flag=True, help="Rebuild everything, even influencers unchanged since the last run.")
@click.option("--rates", type=click.Path(path_type=Path), default=None,
              help="Your own rate card for the risk checks (see 'contractgen validate --help').")
@click.option("--clean", is_flag=True,
              help="Remove stale folders: those an earlier batch into OUT made for influencers no longer in the inputs.")
@library_option
@font_option
@user_errors
def batch(inputs: tuple[Path, ...], out_dir: Path, jobs: int | None, roster: Path | None, formats: tuple[str, ...],
          only: str | None, force: bool, rates: Path | None, clean: bool, library: Path | None,
          font_files: tuple[Path, ...]) -> None:
    """Build every influencer of many specs in parallel, with a manifest.

    INPUT is a spec file or a folder of them (.yaml, .yml, .json; not searched recursively).
    Makes what build makes, per campaign: OUT/<campaign-id>/<handle>/contract.docx (and
    .pdf, brief.docx, brief.pdf, calendar.ics), and the summary, summary.csv, its chart and
    campaign.ics in OUT/<campaign-id>/; then OUT/manifest.json (files and risk findings),
    OUT/manifest.csv (one row per file) and OUT/influencers.csv (one row per influencer, for
    a mail merge). Folders an earlier batch into OUT made for influencers no longer in the
    inputs are listed as stale; --clean removes them. Influencers whose inputs have not changed since
    the last run into OUT are skipped (--force rebuilds them). A failing spec, roster row or
    influencer is recorded in the manifest and the rest are built; exits 1 if anything failed.
    An influencer (or campaign) with characters no PDF font has fails before anything of it
    is written; --font FILE adds a font.
    """
    from contractgen.batch import BatchOptions, run_batch
    from contractgen.checks.report import summary_line
    from contractgen.library.lint import require_clean

    require_clean(library)  # before anything is written: a library lint rejects never builds
    debug = click.get_current_context().find_root().params.get("debug", False)
    options = BatchOptions(out=out_dir, formats=formats, kinds=(only,) if only else KIND_CHOICES,
                           jobs=jobs, roster=roster, force=force, library=library, debug=debug,
                           fonts=font_files, rates=rates, clean=clean)
    quiet = verbosity() < 0
    reporter = QuietReporter() if quiet else RichReporter() if sys.stderr.isatty() else PlainReporter()
    result = run_batch(list(inputs), options, reporter=reporter)
    skipped = f", {result.unchanged} of them unchanged and skipped" if result.unchanged else ""
    if not quiet:
        click.echo(f"{result.files} files for {result.influencers} influencer(s){skipped}, in {out_dir} "
                   f"({result.elapsed:.1f} s, {result.jobs} job{'s' if result.jobs > 1 else ''}); "
                   f"manifest: {out_dir / 'manifest.json'}, {out_dir / 'manifest.csv'}, {out_dir / 'influencers.csv'}")
        click.echo(f"findings: {summary_line(f['severity'] for f in result.findings)}")
    for folder in result.removed:
        click.echo(f"removed stale folder {out_dir / folder}", err=True)
    for folder in result.stale:
        click.echo(f"warning: {out_dir / folder}: stale: an earlier batch made it for an influencer no longer in "
                   f"the inputs (a renamed handle?); --clean removes it", err=True)
    if result.failures:
        click.echo(f"{len(result.failures)} failed:", err=True)
        for failure in result.failures:
            who = f"{failure.campaign} {failure.influencer}" if failure.influencer else failure.campaign
            message = failure.message.replace("\n", "\n    ")
            click.echo(f"  {who}: {message}", err=True)
        sys.exit(1)
