"""Turn loaded spec data into a :class:`CampaignSpec`, or every located problem at once."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from contractgen.errors import Problem, UserError
from contractgen.spec import rules
from contractgen.spec.introspect import strip_optional
from contractgen.spec.loader import Loaded, dotted_path, load_file
from contractgen.spec.models import CampaignSpec

_MESSAGES = {
    "missing": "required key is missing",
    "date_type": "'{input}' is not a date; write it as YYYY-MM-DD",
    "date_from_datetime_inexact": "'{input}' is not a date; write it as YYYY-MM-DD",
}


_DATE_KINDS = ("date_from_datetime_parsing", "date_parsing")
# Dates written another way: 15/05/2027, 15.05.2027, 05-15-2027, 2027/05/15.
_OTHER_DATE = re.compile(r"\s*(\d{1,4})[./ -](\d{1,2})[./ -](\d{1,4})\s*$")


def date_message(value: object) -> str:
    """What to say about text that is no YYYY-MM-DD date: the date it reads as, when there is one.

    ``15/05/2027`` can only be 15 May, ``05/06/2027`` is 5 June or 6 May, ``2027-02-30`` is no date.
    """
    found = _OTHER_DATE.match(value) if isinstance(value, str) else None
    candidates: list[tuple[str, str, str]] = []
    if found:
        first, middle, last = found.groups()
        if len(first) == 4:
            candidates = [(first, middle, last)]
        elif len(last) == 4:
            candidates = [(last, middle, first), (last, first, middle)]  # day first, then month first
    readings: list[str] = []
    for year, month, day in candidates:
        try:
            reading = dt.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            continue
        if reading not in readings and reading != value:
            readings.append(reading)
    if len(readings) == 1:
        return f"'{value}': write dates as YYYY-MM-DD ({readings[0]})"
    if readings:
        return f"'{value}' could be {' or '.join(readings)}: write dates as YYYY-MM-DD"
    return f"'{value}' is not a real date; write it as YYYY-MM-DD"


def load_spec(path: str | Path, display: str | None = None) -> CampaignSpec:
    """Load and validate a spec file; raise UserError listing every problem."""
    return validate_loaded(load_file(path, display))


def validate_loaded(loaded: Loaded) -> CampaignSpec:
    """Validate plain data with the models, then the cross-field rules."""
    if not isinstance(loaded.data, dict):
        kind = type(loaded.data).__name__ if loaded.data is not None else "nothing"
        raise UserError(Problem(
            f"the top level must be a mapping of sections (campaign, brand, ...), not {kind}",
            file=loaded.file, line=1, hint="start from samples/minimal.yaml"))
    try:
        spec = CampaignSpec.model_validate(loaded.data)
    except ValidationError as exc:
        partial, valid = _valid_sections(loaded.data, exc)
        problems = pydantic_problems(exc, loaded) + _rule_problems(rules.check(partial, valid), loaded)
        raise UserError(sorted(problems, key=lambda p: (p.line or 0, p.where or ""))) from None
    if problems := _rule_problems(rules.check(spec), loaded):
        raise UserError(problems)
    return spec


def _rule_problems(findings: list[rules.Finding], loaded: Loaded) -> list[Problem]:
    return [Problem(message, file=loaded.file, line=loaded.line_of(path), where=dotted_path(path), hint=hint)
            for path, message, hint in findings]


def _valid_sections(data: dict[str, Any], exc: ValidationError) -> tuple[CampaignSpec, set[str]]:
    """A spec of the sections that have no error (unchecked: only for the rules that read them alone)."""
    broken = {error["loc"][0] for error in exc.errors(include_url=False) if error["loc"]}
    values: dict[str, Any] = {}
    for name, info in CampaignSpec.model_fields.items():
        if name in broken:
            continue
        key = info.alias or name
        if key in data:
            try:
                values[name] = TypeAdapter(info.annotation).validate_python(data[key])
            except ValidationError:  # cannot happen for a section without errors; be safe
                broken.add(name)
    return CampaignSpec.model_construct(**values), set(CampaignSpec.model_fields) - broken


def pydantic_problems(exc: ValidationError, loaded: Loaded, model: type[BaseModel] = CampaignSpec) -> list[Problem]:
    """Translate pydantic errors into located problems, one per field, in file order."""
    seen: dict[tuple, Problem] = {}
    kinds: dict[tuple, str] = {}
    for error in exc.errors(include_url=False):
        is_key = "[key]" in error["loc"]
        path = _data_path(error["loc"], loaded.data)
        message = _message(error, path, model, is_key)
        # A union reports each member; keep the first, friendliest one -- but for a number given
        # to "a keyword or an amount" (legal.liability_cap), what the amount says is the answer.
        if path in seen and not (kinds.get(path) == "literal_error" and _is_number(error["input"])):
            continue
        kinds[path] = error["type"]
        seen[path] = Problem(message, file=loaded.file, line=loaded.line_of(path), where=dotted_path(path) or None)
    return sorted(seen.values(), key=lambda p: (p.line or 0, p.where or ""))


def _data_path(loc: tuple, data: Any) -> tuple:
    """The path in the data an error is about: pydantic's location without its union-member tags.

    A part is kept when the data has it (a key a user wrote may look like a tag: ``"[": 1``),
    dropped when it is a tag, and kept otherwise (a missing key).
    """
    path: list[Any] = []
    node = data
    for part in loc:
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        if found:
            node = node[part]
        elif _is_union_tag(part):
            continue
        else:
            node = None
        path.append(part)
    return tuple(path)


def _is_number(value: Any) -> bool:
    """A number, or text that reads as one (YAML leaves ``1e300`` as text)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    try:
        return isinstance(value, str) and Decimal(value).is_finite()
    except ArithmeticError:
        return False


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and (
        "[" in part or part in ("decimal", "str", "int", "float", "bool") or part.startswith("function-")
    )


def _message(error: dict[str, Any], path: tuple, model: type[BaseModel], is_key: bool = False) -> str:
    kind = error["type"]
    if kind == "extra_forbidden" and path:
        key = str(path[-1])
        known = field_names_at(model, path[:-1])
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else (f"; allowed: {', '.join(known)}" if known else "")
        return f"unknown key '{key}'{hint}"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        close = difflib.get_close_matches(str(error["input"]), allowed, n=1, cutoff=0.6)
        what = f"unknown key '{error['input']}'" if is_key else f"'{error['input']}' is not allowed"
        return what + (f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(allowed)}")
    if kind in _DATE_KINDS:
        return date_message(error.get("input"))
    if kind in _MESSAGES:
        return _MESSAGES[kind].format(input=error.get("input"))
    message = error["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    return message[0].lower() + message[1:] if message else kind


def field_names_at(model: type[BaseModel], path: tuple) -> list[str]:
    """Names of the keys allowed at ``path`` inside ``model`` (for did-you-mean)."""
    current: Any = model
    for part in path:
        current = strip_optional(current)[0]
        origin = typing.get_origin(current)
        if origin in (list, tuple, dict):  # an index or a free key: step into the items
            current = typing.get_args(current)[-1]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part)) or next(
                (f for f in current.model_fields.values() if f.alias == part), None)
            if info is None:
                return []
            current = info.annotation
        else:
            return []
    current = strip_optional(current)[0]
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []
