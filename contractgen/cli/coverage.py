"""The ``contractgen coverage`` command: print :mod:`contractgen.coverage` per influencer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from contractgen.cli import library_option, rich_console, user_errors
from contractgen.coverage import ContractCoverage, OpenPoint, RiskCoverage, as_dict, campaign_coverage
from contractgen.toolkit import Toolkit

_STATUS_WORD = {"covered": "covered", "partly": "partly open", "open": "open"}
_STATUS_COLOUR = {"covered": "green", "partly": "yellow", "open": "red"}


@click.command("coverage")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the coverage as JSON, for scripts.")
@library_option
@user_errors
def coverage_command(spec: Path, as_json: bool, library: Path | None) -> None:
    """Show which risks (R1-R8) each influencer's contract and brief answer, by clause id, and
    which this spec leaves open. Influencers with the same coverage share one table."""
    import json

    from contractgen.build import engagements
    from contractgen.spec import load_spec

    campaign = load_spec(spec)
    kit = Toolkit(library)
    result = campaign_coverage(engagements(campaign, kit), kit)
    if as_json:
        click.echo(json.dumps([as_dict(c) for c in result], indent=2, ensure_ascii=False))
        return
    console = rich_console()
    for people, rows in _groups(result):
        if console.is_terminal:
            _rich_table(console, people, rows)
        else:
            _plain(people, rows)


def _groups(result: list[ContractCoverage]) -> list[tuple[list[ContractCoverage], tuple[RiskCoverage, ...]]]:
    groups: list[tuple[list[ContractCoverage], tuple[RiskCoverage, ...]]] = []
    for item in result:
        for people, rows in groups:
            if rows == item.risks:
                people.append(item)
                break
        else:
            groups.append(([item], item.risks))
    return groups


def _names(people: list[ContractCoverage]) -> str:
    return ", ".join(f"@{p.influencer.lstrip('@')} ({p.legal_name})" for p in people)


def _answered(row: RiskCoverage) -> str:
    parts = [", ".join(row.clauses)] if row.clauses else []
    if row.sections:
        parts.append("brief: " + ", ".join(row.sections))
    return "; ".join(parts) or "nothing"


def _open_text(point: OpenPoint) -> str:
    return f"{point.reason} ({point.field})" if point.field else point.reason


def _plain(people: list[ContractCoverage], rows: tuple[RiskCoverage, ...]) -> None:
    click.echo(_names(people))
    for row in rows:
        click.echo(f"  {row.risk}  {_STATUS_WORD[row.status]:<11}  {row.title}")
        click.echo(f"      answered by: {_answered(row)}")
        for point in row.open:
            click.echo(f"      {'open' if point.effect == 'open' else 'partly open'}: {_open_text(point)}")
    click.echo("")


def _rich_table(console: Any, people: list[ContractCoverage], rows: tuple[RiskCoverage, ...]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=_names(people), title_justify="left", show_lines=True, expand=True)
    table.add_column("Risk", ratio=2)
    table.add_column("Status", no_wrap=True)
    table.add_column("Answered by (clause ids; brief sections)", ratio=4)
    table.add_column("Left open by this spec", ratio=3, overflow="fold")
    for row in rows:
        status = Text(_STATUS_WORD[row.status], style=_STATUS_COLOUR[row.status])
        table.add_row(f"{row.risk} {row.title}", status, _answered(row), "\n".join(_open_text(p) for p in row.open))
    console.print(table)
