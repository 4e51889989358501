"""The ``contractgen`` command line.

Only click is imported at start-up; everything heavy is imported inside the command that
needs it, so ``--help`` and ``validate`` answer quickly. Every error a user can cause is a
:class:`~contractgen.errors.UserError` printed by :func:`report`; ``--debug`` adds tracebacks.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from contractgen import __version__
from contractgen.errors import UserError, format_problem
from contractgen.render.writers import FORMATS  # the table of writers: light to import
from contractgen.signing.anchors import SERVICES  # a tuple of names: light to import

FORMAT_CHOICES = FORMATS  # from the writer registry: a new writer is a new --format choice
KIND_CHOICES = ("contract", "brief")
ESIGN_CHOICES = SERVICES  # the e-signature services whose anchors contractgen writes
STDIN = "-"  # a spec path that means standard input (as spec.loader.STDIN; kept here: light to import)


# Options of the whole program, accepted before or after the command (``validate x --debug``).
GLOBAL_FLAGS = frozenset({"--debug", "-q", "--quiet", "-v", "--verbose", "--color", "--no-color"})


def report(error: UserError) -> None:
    """Print every problem of an error to stderr, one per line.

    click drops the colour when stderr is no terminal, with NO_COLOR or --no-color.
    """
    for problem in error.problems:
        click.echo(click.style("error: ", fg="red", bold=True) + format_problem(problem), err=True)


def rich_console(**options: Any) -> Any:
    """A rich Console that follows --color/--no-color (rich itself honours NO_COLOR)."""
    from rich.console import Console

    ctx = click.get_current_context(silent=True)
    color = ctx.color if ctx is not None else None
    if color is False:
        options.setdefault("no_color", True)
    elif color:
        options.setdefault("force_terminal", True)
    return Console(**options)


def verbosity() -> int:
    """-1 with --quiet, 1 with --verbose, else 0 (outside a command: 0)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return 0
    params = ctx.find_root().params
    return -1 if params.get("quiet") else 1 if params.get("verbose") else 0


def _stdout_gone() -> None:
    """The reader of our output went away (``| head``): stop without a word, as git does.

    stdout is pointed at the null device so the flush at exit cannot complain a second time.
    """
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn UserError into a printed report and exit 1; a bug into one line and exit 3.

    Tracebacks only with --debug. SIGTERM stops the command as Ctrl-C does (exit 143, not 130).
    """

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            if debug:
                raise
            report(exc)
            sys.exit(1)
        except BrokenPipeError:
            _stdout_gone()
            sys.exit(0)
        except KeyboardInterrupt as exc:
            click.echo("interrupted", err=True)
            sys.exit(getattr(exc, "exit_code", 130))  # 128 + the signal: 130 for Ctrl-C, 143 for SIGTERM
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug, not the user's input: say so, briefly
            if debug:
                raise
            click.echo(f"error: internal error ({type(exc).__name__}: {exc}); nothing more was written. "
                       "Run again with 'contractgen --debug ...' and report the traceback.", err=True)
            sys.exit(3)
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)

    return run


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: a batch lets what is in hand finish and saves its manifest."""

    exit_code = 128 + signal.SIGTERM


def _terminated(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the saving short
    raise Terminated


def _formats(value: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    bad = [v for v in items if v not in FORMAT_CHOICES]
    if bad or not items:
        raise click.BadParameter(f"use {', '.join(FORMAT_CHOICES)}, or several joined by commas (got '{value}')")
    return items


# One --format for build, batch and compare: the command receives the parsed tuple of formats.
format_option = click.option("--format", "formats", default=",".join(FORMAT_CHOICES), show_default=True,
                             callback=lambda _ctx, _param, value: _formats(value),
                             help=f"Comma-separated formats: {', '.join(FORMAT_CHOICES)}.")


# Commands that live in their own modules, imported only when run: name → (module:attr, help).
# An empty help imports the command for ``--help`` and shows its docstring's first line.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "batch": ("contractgen.cli.batch:batch", "Build many specs (and rosters) in parallel, with a manifest."),
    "coverage": ("contractgen.cli.coverage:coverage_command",
                 "Show which risks (R1-R8) each contract answers and which are open."),
    "new": ("contractgen.cli.new:new", "Answer questions and get a spec, a contract and a brief."),
    "clauses": ("contractgen.cli.clauses:clauses", "Work with the clause library: list, show, vars, lint, lock."),
    "compare": ("contractgen.cli.compare:compare", "Redline contracts and briefs from two versions of a spec."),
    "schema": ("contractgen.cli.schema:schema", "Print the JSON Schema of spec files."),
    "seal": ("contractgen.cli.signing:seal_command",
             "Sign contract PDFs in the brand's signature field (PAdES), leaving the others open."),
    "verify": ("contractgen.cli.signing:verify_command",
               "Report who signed a PDF, whether it changed since, and which fields are unsigned."),
    "serve": ("contractgen.cli.serve:serve", ""),  # its wording is data (web.yaml): listed by its docstring
    "rights": ("contractgen.cli.rights:rights_command",
               "List the rights each contract grants (usage, ads, exclusivity), or answer for one day."),
}


class LazyGroup(click.Group):
    """A group whose extra commands are imported on use, so ``--help`` stays fast.

    Its own flags (:data:`GLOBAL_FLAGS`) may also be given after the command name.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Move global flags given after the command in front of it (up to a ``--``)."""
        end = args.index("--") if "--" in args else len(args)
        flags = [a for a in args[:end] if a in GLOBAL_FLAGS]
        rest = [a for a in args[:end] if a not in GLOBAL_FLAGS]
        return super().parse_args(ctx, [*flags, *rest, *args[end:]])

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            import importlib

            module, attr = LAZY_COMMANDS[cmd_name][0].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if LAZY_COMMANDS.get(name, ("", ""))[1]:
                rows.append((name, LAZY_COMMANDS[name][1]))
            elif (command := self.get_command(ctx, name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


library_option = click.option(
    "--library", type=click.Path(path_type=Path), default=None,
    help="A folder of your own clause YAML files that replace or add to the built-in ones.",
)


font_option = click.option(
    "--font", "font_files", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
    help="A TrueType font (.ttf) for characters the built-in PDF fonts lack (CJK, emoji, ...); repeatable.",
)


def use_fonts(files: tuple[Path, ...]) -> None:
    """Put the --font files into this process's PDF font chain (and check they are fonts)."""
    from contractgen.render.fonts import use_fonts as use

    use(files)


def refuse_undrawable(loaded: Any) -> None:
    """Raise UserError when a spec value has characters no PDF font can draw."""
    from contractgen.glyph_check import glyph_problems

    if problems := glyph_problems(loaded):
        raise UserError(problems)


def _with_roster(loaded: Any, roster: Path) -> tuple[Any, Callable[[list[Any]], list[Any]]]:
    """The spec's data with the roster's rows added (as batch adds them); UserError for bad rows.

    Also returns what points a located finding about a roster row at that row of the roster.
    """
    import dataclasses
    import re

    from contractgen.roster import merge, read_roster

    rows = read_roster(roster)
    merged, clashes = merge(loaded, rows)
    if problems := [p for row in [*rows.rejected, *clashes] for p in row.problems]:
        raise UserError(problems)
    own = len(merged.data["influencers"]) - len(rows.rows)
    lines = [row.line for row in rows.rows]

    def at_rows(findings: list[Any]) -> list[Any]:
        out = []
        for f in findings:
            index = re.match(r"influencers\[(\d+)\]", f.field or "")
            if index and int(index.group(1)) >= own:
                f = dataclasses.replace(f, file=rows.file, line=lines[int(index.group(1)) - own])
            out.append(f)
        return out

    return merged, at_rows


def _echo_inline(findings: list[Any]) -> None:
    """Findings on stderr, one line each with file, line, field, rule and what to do."""
    for f in findings:
        where = f"{f.file}:{f.line}: " if f.line else f"{f.file}: "
        click.echo(f"{f.severity}: {where}{f.field}: {f.message} ({f.rule}); {f.hint}", err=True)


def _echo_written(target: Path, paths: list[str], tree: bool) -> None:
    """What a run wrote: one line per folder with its files (with ``tree``: a file per line)."""
    folders: dict[str, list[str]] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        folders.setdefault(folder, []).append(name)
    for folder, names in sorted(folders.items(), key=lambda item: (item[0] != "", item[0])):
        where = f"{target / folder if folder else target}{os.sep}"
        if tree:  # every file by its full path, so it can be copied
            click.echo(f"  {where}")
            for name in names:
                click.echo(f"    {target / folder / name if folder else target / name}")
        else:
            click.echo(f"  {where}  {' '.join(names)}")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="contractgen")
@click.option("--debug", is_flag=True, help="Show tracebacks (for developers).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors (and what a command is asked to print).")
@click.option("-v", "--verbose", is_flag=True, help="Print more: build lists every file it wrote.")
@click.option("--color/--no-color", "color", default=None,
              help="Colour the output or not. Default: colour on a terminal, unless NO_COLOR is set.")
@click.pass_context
def main(ctx: click.Context, debug: bool, quiet: bool, verbose: bool, color: bool | None) -> None:
    """Influencer-marketing contracts and creative briefs from one campaign spec.

    Options of contractgen itself (--debug, -q, -v, --color) may also follow the command.
    A SPEC of - is read from standard input.

    \b
    Start with:  contractgen build samples/full.yaml
    Check a spec: contractgen validate my-campaign.yaml
    """
    if quiet and verbose:
        raise click.UsageError("use --quiet or --verbose, not both")
    if color is None and os.environ.get("NO_COLOR"):  # https://no-color.org: any non-empty value
        color = False
    if color is not None:
        ctx.color = color  # click.echo and click.style everywhere below follow it; rich_console too


@main.command()
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder. Default: out/<campaign-id>.")
@format_option
@click.option("--only", type=click.Choice(KIND_CHOICES), default=None, help="Build only contracts or only briefs.")
@click.option("--rates", type=click.Path(path_type=Path), default=None,
              help="Your own rate card for the risk checks (see 'contractgen validate --help').")
@click.option("--esign", type=click.Choice(ESIGN_CHOICES), default=None,
              help="Write the invisible anchors this e-signature service places its fields on, and OUT/signers.json.")
@click.option("--initials", is_flag=True, help="Add an initials field for every signing party on every contract page.")
@click.option("--force", is_flag=True, help="Build even when a risk finding is an error (see 'contractgen validate').")
@click.option("--strict", is_flag=True, help="Build nothing and exit 1 when a risk finding is an error or a warning.")
@click.option("--clean", is_flag=True,
              help="Remove stale folders: those an earlier build into OUT made for influencers no longer in SPEC.")
@library_option
@font_option
@user_errors
def build(spec: Path, out_dir: Path | None, formats: tuple[str, ...], only: str | None, library: Path | None,
          rates: Path | None, esign: str | None, initials: bool, font_files: tuple[Path, ...],
          force: bool, strict: bool, clean: bool) -> None:
    """Build every influencer's contract and brief from SPEC (YAML or JSON).

    Writes OUT/<handle>/contract.docx, contract.pdf, brief.docx, brief.pdf and
    calendar.ics; for the brand, OUT/summary.docx and summary.pdf (figures, risk
    findings, coverage), summary-fees.png (their chart), summary.csv and OUT/campaign.ics;
    and OUT/manifest.json.
    Lists the folders written (-v: every file), prints error findings with their line and
    a count of the rest (details: contractgen validate). Exits 1 if anything failed.
    Folders an earlier build into OUT made for influencers no longer in SPEC (a renamed
    handle) are listed as stale; --clean removes them.

    Contract PDFs have a signature field per signing party (named brand, agency,
    influencer, agent) and date and name fields where the panel leaves them blank.
    A value with characters no PDF font has is refused before anything is written:
    add a font with --font FILE, or build only the DOCX.

    A finding of severity error (an impossible date, a rejected ad label, a shared tracking
    link, a field the jurisdiction's law requires) stops the build before anything is
    written, unless --force is given.
    """
    from contractgen.build import Job, build_campaign
    from contractgen.checks import load_rates, locate, run_checks
    from contractgen.checks.report import summary_line
    from contractgen.document import Signing
    from contractgen.library.lint import require_clean
    from contractgen.output import safe_folder_name
    from contractgen.spec.loader import load_file
    from contractgen.spec.validate import validate_loaded
    from contractgen.toolkit import Toolkit

    if strict and force:
        raise click.UsageError("use --strict or --force, not both")
    chosen = formats
    use_fonts(font_files)
    loaded = load_file(spec)
    campaign = validate_loaded(loaded)
    require_clean(library)  # before anything is written: a library lint rejects never builds
    if "pdf" in chosen:
        refuse_undrawable(loaded)  # before anything is written
    kit = Toolkit(library)
    kit.library  # noqa: B018 - load (and check) the library before writing anything
    card = load_rates(rates)
    blocking = set() if force else {"error", "warning"} if strict else {"error"}
    found = locate(run_checks(campaign, kit.library, card), loaded)
    if stop := [f for f in found if f.severity in blocking]:
        _echo_inline(stop)
        click.echo(f"error: not built: {len(stop)} finding(s) of severity {' or '.join(sorted(blocking))} would go "
                   "into signed documents; fix them" + ("" if strict else ", or build anyway with --force"), err=True)
        sys.exit(1)
    target = out_dir or Path("out") / safe_folder_name(campaign.campaign_id)  # campaign.id CON: out/_CON
    spec_file = None if str(spec) == STDIN else spec  # from stdin, a logo path is relative to here
    job = Job(chosen, (only,) if only else KIND_CHOICES, Signing(initials, esign))
    manifest = build_campaign(campaign, spec_file, target, kit, job, rates=card, clean=clean)
    people = len({a.influencer for a in manifest.files if a.influencer})  # campaign files have none
    findings = manifest.extra.get("findings", [])
    _echo_inline([f for f in found if f.severity == "error"])  # built with --force: still say them
    if verbosity() >= 0:
        click.echo(f"built {len(manifest.files)} files for {people} influencer(s) in {target}")
        _echo_written(target, [a.path for a in manifest.files] + ["manifest.json"], verbosity() > 0)
        click.echo(f"findings: {summary_line(f['severity'] for f in findings)}"
                   + (f" (details: contractgen validate {spec})" if findings else ""))
    for folder in manifest.extra.get("removed", []):
        click.echo(f"removed stale folder {target / folder}", err=True)
    for folder in manifest.extra.get("stale", {}):
        click.echo(f"warning: {target / folder}: stale: an earlier build made it for an influencer no longer in "
                   f"the spec (a renamed handle?); --clean removes it", err=True)
    for failure in manifest.failures:
        for line in failure.message.splitlines():  # one line per problem, each marked
            click.echo(f"error: {failure.influencer or 'campaign'}: {line}", err=True)
    if manifest.failures:
        sys.exit(1)


@main.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@click.option("--json", "as_json", is_flag=True, help="Print problems and findings as JSON, for scripts.")
@click.option("--roster", type=click.Path(path_type=Path), default=None,
              help="A CSV of influencers to add to the campaign of the (single) SPEC, as batch --roster "
                   "does: its rows are checked too, and SPEC may then list no influencers.")
@click.option("--rates", type=click.Path(path_type=Path), default=None,
              help="Your own rate card (tiers, engagement benchmarks, price bands, thresholds) replacing "
                   "the built-in contractgen/data/rate-card.yaml.")
@library_option
@font_option
@user_errors
def validate(specs: tuple[Path, ...], strict: bool, as_json: bool, roster: Path | None, rates: Path | None,
             library: Path | None, font_files: tuple[Path, ...]) -> None:
    """Check spec files, then look for risks (R1-R8) in each valid campaign.

    A spec is invalid, too, when a value has characters no PDF font can draw (--font
    FILE adds a font).

    Prints every problem, then the findings grouped by influencer, each with its rule id, the
    field and what to do. Exit 0 when every spec is valid and no finding is an error (with
    --strict: and none is a warning); 1 otherwise.
    """
    import json

    from contractgen.checks import load_rates, locate, run_checks
    from contractgen.checks.report import echo_findings, problem_dict, summary_line
    from contractgen.spec.loader import display_name, load_file
    from contractgen.spec.validate import validate_loaded
    from contractgen.toolkit import Toolkit

    if roster is not None and len(specs) != 1:
        raise click.UsageError("--roster adds influencers to one campaign: give exactly one SPEC")
    card = load_rates(rates)
    kit = Toolkit(library)
    use_fonts(font_files)
    failed = False
    results = []
    for path in specs:
        try:
            loaded = load_file(path)
            at_rows: Callable[[list[Any]], list[Any]] = lambda findings: findings  # noqa: E731
            if roster is not None:
                loaded, at_rows = _with_roster(loaded, roster)
            campaign = validate_loaded(loaded)
            refuse_undrawable(loaded)
        except UserError as exc:
            failed = True
            if as_json:
                results.append({"file": display_name(path), "valid": False,
                                "problems": [problem_dict(p) for p in exc.problems], "findings": []})
            else:
                report(exc)
            continue
        findings = at_rows(locate(run_checks(campaign, kit.library, card), loaded))
        worst = {f.severity for f in findings}
        failed = failed or "error" in worst or (strict and "warning" in worst)
        if as_json:
            results.append({"file": loaded.file, "valid": True, "problems": [],
                            "findings": [f.to_dict() for f in findings]})
            continue
        if verbosity() < 0:  # --quiet: only what makes the exit code 1
            findings = [f for f in findings if f.severity == "error" or (strict and f.severity == "warning")]
        else:
            click.echo(f"{loaded.file}: ok ({len(campaign.influencers)} influencer(s)); findings: "
                       f"{summary_line(f.severity for f in findings)}")
        echo_findings(findings, [p.handle for p in campaign.influencers])
    if as_json:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))
    if failed:
        sys.exit(1)
