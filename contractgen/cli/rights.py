"""``contractgen rights``: the rights ledger of a campaign, or the answer for one day."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import click

from contractgen.cli import library_option, user_errors


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; write it as YYYY-MM-DD") from None


@click.command("rights")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--on", "day", callback=_day, default=None, metavar="DATE",
              help="Answer for this day (YYYY-MM-DD): may the content run in paid ads, organic only, or has the licence expired?")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, for spreadsheets.")
@library_option
@user_errors
def rights_command(spec: Path, day: dt.date | None, as_json: bool, as_csv: bool, library: Path | None) -> None:
    """List every right in SPEC's contracts: per influencer and deliverable, organic reuse, paid
    usage, ads through the influencer's account, the minimum live period and exclusivity, each
    with its window and the clause that grants it.

    With --on DATE, answer for that day instead, citing the clause that says so.
    """
    from contractgen import rights
    from contractgen.build import engagements
    from contractgen.output import text_cells
    from contractgen.spec import load_spec
    from contractgen.toolkit import Toolkit

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    campaign = load_spec(spec)
    kit = Toolkit(library)
    records: list[dict[str, Any]] = []
    rows: list[dict[str, str]] = []
    words = None
    for engagement in engagements(campaign, kit):
        words = rights.Words(kit, engagement)
        ledger = rights.ledger(engagement, rights.cites(engagement, kit))
        if day is None:
            records.extend(rights.right_record(r) for r in ledger)
            rows.extend(rights.right_row(r, engagement, words) for r in ledger)
        else:
            answers = rights.answer(ledger, day)
            records.extend(rights.answer_record(a, day) for a in answers)
            rows.extend(rights.answer_row(a, engagement, words) for a in answers)
    if as_json:
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    if as_csv:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        columns = list(records[0]) if records else []
        writer.writerow(columns)
        for record in records:
            writer.writerow(text_cells(" ".join(v) if isinstance(v, list) else "" if v is None else v
                                   for v in record.values()))
        click.echo(out.getvalue(), nl=False)
        return
    if words is None:
        return
    name = campaign.campaign.name
    title = words.say("title_on", day=words.locale.date(day), campaign=name) if day else words.say("title", campaign=name)
    click.echo(title)
    click.echo(_table(rows, {k: words.say(f"headers.{k}") for k in (rows[0] if rows else {})}))


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[dict[str, str]], headers: dict[str, str]) -> str:
    """A plain aligned table: columns padded to their widest cell, a rule under the header."""
    keys = list(headers)
    widths = {k: max([_width(headers[k]), *(_width(r[k]) for r in rows)]) for k in keys}

    def line(cells: dict[str, str]) -> str:
        return "  ".join(cells[k] + " " * (widths[k] - _width(cells[k])) for k in keys).rstrip()

    rule = "  ".join("-" * widths[k] for k in keys)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
