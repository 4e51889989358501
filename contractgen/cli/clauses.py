"""``contractgen clauses ...``: list, show, vars, lint and lock the clause library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contractgen.cli import library_option, report, rich_console, user_errors
from contractgen.errors import Problem, UserError, format_problem

if TYPE_CHECKING:
    from contractgen.toolkit import Toolkit


@click.group()
def clauses() -> None:
    """Work with the clause library: list, show, vars, lint, lock."""


def _kit(library: Path | None) -> Toolkit:
    from contractgen.toolkit import Toolkit

    return Toolkit(library)


@clauses.command("list")
@library_option
@user_errors
def list_(library: Path | None) -> None:
    """Every clause: id, version, title, family, languages and where it comes from."""
    lib = _kit(library).library
    rows = []
    for cid in sorted(lib.clauses):
        clause, source = lib.clauses[cid], lib.sources[cid]
        languages = sorted({lang for v in clause.wordings() for lang in v.text})
        origin = "built-in" if source.builtin else str(source.file)
        in_layout = "" if cid in lib.layout else " (not in layout)"
        rows.append((cid, clause.version, clause.title.get("en", ""), source.family, ",".join(languages),
                     origin + in_layout))
    _table(("id", "version", "title", "family", "languages", "source"), rows)


@clauses.command()
@click.argument("clause_id")
@click.option("--lang", default=None, help="Show only this language (en or fa).")
@library_option
@user_errors
def show(clause_id: str, lang: str | None, library: Path | None) -> None:
    """A clause's text, variants, conditions and drafting notes."""
    lib = _kit(library).library
    clause = lib.clauses.get(clause_id)
    if clause is None:
        import difflib

        close = difflib.get_close_matches(clause_id, list(lib.clauses), n=1)
        raise UserError(Problem(f"no clause '{clause_id}'", hint=f"did you mean '{close[0]}'?" if close
                                else "see 'contractgen clauses list'"))
    source = lib.sources[clause_id]
    click.echo(f"{clause.ref}  {clause.title.get(lang or 'en', '')}")
    click.echo(f"file: {source.file}:{source.line}   covers: {', '.join(clause.covers) or '-'}")
    if clause.when:
        click.echo(f"included when: {clause.when}")
    for i, variant in enumerate(clause.wordings(), start=1):
        if clause.variants is not None:
            click.echo(f"\n--- variant {i}: " + (f"when {variant.when}" if variant.when else "fallback"))
        for language, text in variant.text.items():
            if lang and language != lang:
                continue
            click.echo(f"\n[{language}]\n{text.rstrip()}")
    if clause.notes:
        click.echo(f"\nnotes: {clause.notes.strip()}")


@clauses.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
def vars(as_json: bool) -> None:
    """The variables clause text may use: dotted path, type and description."""
    from contractgen.library.variables import all_variables

    variables = all_variables()
    if as_json:
        import json

        click.echo(json.dumps([v.__dict__ for v in variables], indent=2))
        return
    _table(("variable", "type", "description"), [(v.path, v.type, v.description) for v in variables])


@clauses.command()
@library_option
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. a missing language) as errors.")
@user_errors
def lint(library: Path | None, strict: bool) -> None:
    """Check the library: YAML, shape, Jinja, variables, conditions, ids, layout, versions.

    Prints one finding per line as file:line: id@version: message. Exit 0 when clean, 1 on
    errors (or on warnings with --strict).
    """
    from contractgen.library.lint import lint_library

    findings = lint_library(library)
    for finding in sorted(findings, key=lambda f: (f.problem.file or "", f.problem.line or 0)):
        # click drops the colour in pipes, with NO_COLOR and --no-color
        label = click.style(finding.severity, fg="red" if finding.severity == "error" else "yellow")
        click.echo(f"{format_problem(finding.problem)} [{label}]")
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    if errors or (strict and warnings):
        sys.exit(1)


@clauses.command()
@library_option
@user_errors
def lock(library: Path | None) -> None:
    """Record the hash of every clause version in the folder's clauses.lock."""
    from contractgen.library import lock as lockfile
    from contractgen.library.clauses import read_folder
    from contractgen.resources import clauses_dir

    folder = library or clauses_dir()
    found, _, problems = read_folder(folder, builtin=library is None)
    if problems:
        raise UserError(problems)
    added, problems = lockfile.update(folder, list(found.values()))
    if problems:
        raise UserError(problems)
    click.echo(f"locked {len(added)} new clause version(s) in {folder / lockfile.NAME}" if added
               else "the lock file is up to date")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A rich table on a terminal, tab-separated text otherwise (for grep and scripts)."""
    if sys.stdout.isatty():
        from rich.table import Table

        table = Table(*header)
        for row in rows:
            table.add_row(*row)
        rich_console().print(table)
        return
    click.echo("\t".join(header))
    for row in rows:
        click.echo("\t".join(row))


__all__ = ["clauses", "report"]
