"""Printing findings for people (grouped by influencer, coloured on a terminal) and for scripts."""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence

import click

from contractgen.checks import SEVERITIES, Finding
from contractgen.errors import Problem

_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}


def summary_line(severities: Iterable[str]) -> str:
    """``1 error, 2 warnings, 0 info`` from the findings' severities."""
    seen = list(severities)
    n = {s: seen.count(s) for s in SEVERITIES}
    errors, warnings = n["error"], n["warning"]
    return f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}, {n['info']} info"


def echo_findings(findings: Sequence[Finding], handles: Sequence[str]) -> None:
    """Print findings grouped: the campaign first, then each influencer in spec order.

    click strips the colour when stdout is not a terminal, so pipes and files get plain text.
    """
    groups: list[tuple[str, list[Finding]]] = [("campaign", [f for f in findings if f.influencer is None])]
    groups += [(h, [f for f in findings if f.influencer == h]) for h in handles]
    width = max((len(f.rule) for f in findings), default=0)
    wrap = sys.stdout.isatty()
    for title, items in groups:
        if not items:
            continue
        click.echo("  " + click.style(title if title == "campaign" else "@" + title.lstrip("@"), bold=True))
        for f in items:
            where = f"{f.file}:{f.line}: " if f.file and f.line else (f"{f.file}: " if f.file else "")
            label = click.style(f"{f.severity:<7}", fg=_COLOUR[f.severity], bold=f.severity == "error")
            click.echo(f"    {label} {f.rule:<{width}}  {where}{f.field}")
            indent = " " * (4 + 7 + 1 + width + 2)
            click.echo(_wrap(f.message, indent, wrap))
            click.echo(click.style(_wrap(f"→ {f.hint}", indent, wrap), dim=True))


def _wrap(text: str, indent: str, wrap: bool) -> str:
    if not wrap:  # one line per message in pipes and files, for grep
        return indent + text
    columns = max(shutil.get_terminal_size().columns, len(indent) + 40)
    return textwrap.fill(text, columns - 1, initial_indent=indent, subsequent_indent=indent)


def problem_dict(problem: Problem) -> dict[str, object]:
    """A spec problem as plain data for ``--json``."""
    return {"message": problem.message, "file": problem.file, "line": problem.line,
            "field": problem.where, "hint": problem.hint}
