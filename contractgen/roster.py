"""Read an influencer roster (a CSV exported from a spreadsheet) into influencer data.

The columns are the influencer keys of a spec (``legal_name``, ``handle``, ``email``,
``address``, ``tax_id``, ``fee``), the agent as ``agent_name``, ``agent_title``,
``agent_email``, ``agent_phone``, and audience figures per platform as
``<platform>_handle``, ``<platform>_followers``, ``<platform>_avg_engagements`` (for example
``instagram_followers``). Column names are derived from the spec models, so they follow them.

Every row is validated on its own: a bad row is reported with the row number a spreadsheet
shows (the header is row 1; a quoted cell that runs over several lines is still one row) and
its column, and skipped; the others go on. A problem with the file as a whole (missing,
unreadable, an unknown or missing column) is a :class:`UserError`.

Numbers are read by the file's own convention, decided once per file (:func:`number_style`):
its numbers show which of ``,`` and ``.`` is the decimal mark; where none of them does, a
semicolon-separated file uses the decimal comma (that is why its spreadsheet chose ``;``) and a
comma-separated one the decimal point. A cell that reads two ways (``1.500`` where ``.`` is the
decimal mark) is refused with its row and column rather than guessed.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contractgen.errors import Problem, UserError
from contractgen.spec.loader import _BAD_CHARS, _BIDI_CONTROLS, Loaded, read_text
from contractgen.spec.models import Influencer, Person, Platform, PlatformStats
from contractgen.spec.numbers import NumberError, NumberStyle, decimal_shown, read_number
from contractgen.spec.rules import discount_code
from contractgen.spec.validate import pydantic_problems

MAX_BYTES = 50 * 1024 * 1024
PLATFORMS: tuple[str, ...] = typing.get_args(Platform)
# Columns that hold the influencer's own scalar keys (nested keys get their own columns below).
_NESTED = ("agent", "platforms", "deliverables")
PERSON_COLUMNS = tuple(name for name in Influencer.model_fields if name not in _NESTED)
AGENT_COLUMNS = tuple(f"agent_{name}" for name in Person.model_fields)
PLATFORM_COLUMNS = tuple(f"{p}_{name}" for p in PLATFORMS for name in PlatformStats.model_fields)
COLUMNS = (*PERSON_COLUMNS, *AGENT_COLUMNS, *PLATFORM_COLUMNS)
REQUIRED = tuple(name for name, info in Influencer.model_fields.items() if info.is_required())
_NUMBERS = {"fee", *(c for c in PLATFORM_COLUMNS if not c.endswith("_handle"))}
_COUNTS = {c for c in _NUMBERS if c != "fee"}  # whole numbers: followers, engagements


@dataclass(frozen=True)
class Row:
    """One valid roster row: its spreadsheet row number (``line``) and the validated influencer."""

    line: int
    person: Influencer

    @property
    def handle(self) -> str:
        """The influencer's primary handle."""
        return self.person.handle


@dataclass(frozen=True)
class Rejected:
    """One skipped roster row (``line``: its spreadsheet row number) and why."""

    line: int
    handle: str | None
    problems: tuple[Problem, ...]

    @property
    def message(self) -> str:
        """Every problem of the row, one per line."""
        return str(UserError(list(self.problems)))


@dataclass
class Roster:
    """The rows of a roster file: the ones to add and the ones skipped."""

    file: str
    rows: list[Row] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def column_key(name: str) -> str:
    """A header cell as a column key: ``Instagram Followers`` → ``instagram_followers``."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def read_roster(path: str | Path, display: str | None = None) -> Roster:
    """Read and validate every row of a roster CSV (comma, semicolon or tab separated)."""
    path = Path(path)
    name = display or str(path)
    # Spreadsheets often write a byte-order mark; read_text accepts it.
    text = read_text(path, name, kind="roster", limit=MAX_BYTES, encoding_hint="export the sheet as 'CSV UTF-8'",
                     missing_hint="check the --roster path")
    if not text.strip():
        raise UserError(Problem("the roster is empty", file=name, hint="the first row names the columns"))
    dialect = _dialect(text.partition("\n")[0])
    records = _records(text, dialect, name)
    columns = _columns(next(records)[2], name)
    style = number_style(_records(text, dialect, name), columns, dialect.delimiter)
    roster = Roster(name)
    for row, line, cells in records:
        if any(cell.strip() for cell in cells):
            _add_row(roster, columns, cells, row, line, style)
    return roster


def _records(text: str, dialect: type[csv.Dialect], name: str) -> Iterator[tuple[int, int, list[str]]]:
    """(spreadsheet row, first line in the file, cells) of every record, the header first as row 1."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    row, line = 0, 1
    try:
        for cells in reader:
            row += 1
            yield row, line, cells
            line = reader.line_num + 1  # the next record starts after this one ends
    except csv.Error as exc:
        raise UserError(Problem(f"not a readable CSV: {exc}", file=name, line=reader.line_num,
                                hint=f"row {row + 1} of the spreadsheet starts on line {line} of the file")) from None


def _dialect(header_line: str) -> type[csv.Dialect]:
    # Spreadsheets in many locales export with ';' (the decimal comma is taken); pick what the header uses.
    delimiter = max((",", ";", "\t"), key=header_line.count)

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


def number_style(records: Iterable[tuple[int, int, list[str]]], columns: list[str | None],
                 delimiter: str) -> NumberStyle:
    """The decimal mark of a roster, from its number cells, else from its delimiter."""
    positions = [i for i, key in enumerate(columns) if key in _NUMBERS]
    first: dict[str, tuple[int, str, str]] = {}  # decimal mark → the first cell that shows it
    for row, _line, cells in records:
        if row == 1:
            continue
        for i in positions:
            if i < len(cells) and (mark := decimal_shown(cells[i].strip())) and mark not in first:
                first[mark] = (row, str(columns[i]), cells[i].strip())
        if len(first) == 2:
            break
    by_delimiter = {";": ",", ",": "."}.get(delimiter)
    reason = {";": "the file is separated by semicolons", ",": "the file is separated by commas"}.get(delimiter, "")
    if len(first) == 1:
        mark, (row, column, cell) = next(iter(first.items()))
        return NumberStyle(mark, reason if mark == by_delimiter else f"as row {row}, {column} '{cell}' shows")
    if len(first) == 2:
        a, b = sorted(first.values())
        both = f"row {a[0]}, {a[1]} '{a[2]}' and row {b[0]}, {b[1]} '{b[2]}' use different decimal marks"
        return NumberStyle(by_delimiter, f"{reason}; {both}" if by_delimiter else both)
    return NumberStyle(by_delimiter, reason)


def _columns(header: list[str], name: str) -> list[str | None]:
    """Column keys by position (None for unnamed columns); refuse unknown, repeated or missing ones."""
    problems = []
    keys: list[str | None] = []
    seen: set[str] = set()
    for position, cell in enumerate(header, start=1):
        key = column_key(cell)
        if not key:
            keys.append(None)  # trailing empty columns a spreadsheet adds
            continue
        if key not in COLUMNS:
            close = difflib.get_close_matches(key, COLUMNS, n=1, cutoff=0.7)
            hint = f"did you mean '{close[0]}'?" if close else (
                "columns are " + ", ".join((*PERSON_COLUMNS, *AGENT_COLUMNS)) + " and <platform>_handle, "
                "<platform>_followers, <platform>_avg_engagements")
            problems.append(Problem(f"unknown column '{cell.strip()}' (column {position})", file=name, line=1,
                                    hint=hint))
        elif key in seen:
            problems.append(Problem(f"column '{key}' appears twice", file=name, line=1, hint="keep one of them"))
        seen.add(key)
        keys.append(key)
    missing = [key for key in REQUIRED if key not in seen]
    if missing:
        problems.append(Problem(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                                file=name, line=1, hint=f"the first row must name at least {', '.join(REQUIRED)}"))
    if problems:
        raise UserError(problems)
    return keys


def _add_row(roster: Roster, columns: list[str | None], cells: list[str], row: int, line: int,
             style: NumberStyle) -> None:
    values: dict[str, str] = {}
    problems = []
    # Where a quoted cell ran over lines above, the row number is not the line in a text editor.
    note = f"row {row} starts on line {line} of the file" if line != row else None

    def problem(message: str, where: str | None, hint: str | None) -> Problem:
        return Problem(message, file=roster.file, line=row, where=where,
                       hint="; ".join(h for h in (hint, note) if h) or None)

    for position, cell in enumerate(cells):
        key = columns[position] if position < len(columns) else None
        value = cell.strip()
        if not value:
            continue
        if key is None:
            problems.append(problem(f"a value in column {position + 1}, which has no name", None,
                                    "name the column in the first row or clear the cell"))
            continue
        if bad := (_BAD_CHARS.search(value) or _BIDI_CONTROLS.search(value)):
            problems.append(problem(f"contains the invisible character U+{ord(bad.group()):04X}", key, "delete it"))
            continue
        if key in _NUMBERS:
            try:
                value = read_number(value, style, whole=key in _COUNTS)
            except NumberError as exc:
                problems.append(problem(exc.args[0], key, exc.hint))
                continue
        values[key] = value
    handle = values.get("handle")
    if problems:
        roster.rejected.append(Rejected(row, handle, tuple(problems)))
        return
    data = _nest(values)
    try:
        person = Influencer.model_validate(data)
    except ValidationError as exc:
        loaded = Loaded(data, roster.file, {(): row})
        found = [_to_column(p) for p in pydantic_problems(exc, loaded, Influencer)]
        roster.rejected.append(Rejected(row, handle, tuple(problem(p.message, p.where, p.hint) for p in found)))
        return
    roster.rows.append(Row(row, person))


def _nest(values: dict[str, str]) -> dict[str, Any]:
    """Flat columns → the nested shape of an influencer in a spec."""
    data: dict[str, Any] = {}
    for key, value in values.items():
        if key in PERSON_COLUMNS:
            data[key] = value
        elif key in AGENT_COLUMNS:
            data.setdefault("agent", {})[key.removeprefix("agent_")] = value
        else:
            platform, stat = next((p, key.removeprefix(f"{p}_")) for p in PLATFORMS if key.startswith(f"{p}_")
                                  and key.removeprefix(f"{p}_") in PlatformStats.model_fields)
            data.setdefault("platforms", {}).setdefault(platform, {})[stat] = value
    return data


def _to_column(problem: Problem) -> Problem:
    """Name the CSV column instead of the nested spec path, and speak of cells, not keys."""
    where = problem.where or ""
    column = where.replace("platforms.", "", 1).replace(".", "_") if where else None
    message = problem.message
    if message == "required key is missing":
        message = "is empty; a value is required" if column in REQUIRED else (
            "is empty; it is required when the other " + column.rsplit("_", 1)[0] + " columns are filled"
            if column else "a value is required")
    return Problem(message, file=problem.file, line=problem.line, where=column, hint=problem.hint)


def merge(loaded: Loaded, roster: Roster) -> tuple[Loaded, list[Rejected]]:
    """The spec's data with the roster's influencers appended after its own.

    The rows go in as validated models, which the spec's validation takes as they are (a big
    roster is not validated twice, nor held twice in memory). Rows whose handle (or discount
    code) is already taken by the spec or an earlier row are rejected here, naming both, so one
    clash does not fail the whole campaign.
    """
    data = loaded.data
    if not isinstance(data, dict):
        return loaded, []
    own = data.get("influencers") or []
    if not isinstance(own, list):
        return loaded, []  # validation reports the wrong shape
    tracking = data.get("tracking")
    pattern = tracking.get("discount_code") if isinstance(tracking, dict) else None
    pattern = pattern if isinstance(pattern, str) else None
    handles: dict[str, str] = {}
    codes: dict[str, str] = {}
    for i, person in enumerate(own):
        if isinstance(person, dict) and isinstance(person.get("handle"), str):
            where = f"influencers[{i}] of {loaded.file}"
            handles.setdefault(_handle_key(person["handle"]), where)
            if pattern:
                codes.setdefault(discount_code(pattern, person["handle"]), where)
    added, rejected = [], []
    for row in roster.rows:
        key = _handle_key(row.handle)
        code = discount_code(pattern, row.handle) if pattern else None
        if key in handles:
            rejected.append(Rejected(row.line, row.handle, (Problem(
                f"'{row.handle}' is already used by {handles[key]}", file=roster.file, line=row.line,
                where="handle", hint="handles name the output folders and must be unique"),)))
            continue
        if code and code in codes:
            rejected.append(Rejected(row.line, row.handle, (Problem(
                f"gives the discount code {code}, already given to {codes[code]}", file=roster.file,
                line=row.line, where="handle", hint="tracking.discount_code must give everyone their own code"),)))
            continue
        where = f"row {row.line} of {roster.file}"
        handles[key] = where
        if code:
            codes[code] = where
        added.append(row.person)
    merged = {**data, "influencers": [*own, *added]}
    return Loaded(merged, loaded.file, loaded.lines), rejected


def _handle_key(handle: str) -> str:
    return handle.strip().lstrip("@").lower()
