"""The review before writing: every section with its answers and its findings.

Pure logic for every front end: :func:`review` turns the answers into numbered sections, each
with the answers it holds (as ``label: value`` lines, by spec path) and the findings of the
risk checks (and any spec problem) on its fields, run on the answers before anything is
written. The terminal draws it with :func:`contractgen.questionnaire.prompts.show_review`;
a web page would draw the same data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from contractgen.questionnaire.answers import Answers, collect
from contractgen.questionnaire.model import question_model
from contractgen.questionnaire.wording import Wording
from contractgen.spec.loader import dotted_path


@dataclass(frozen=True)
class Line:
    """One answer: where it is (a spec path, for "edit field"), its label and its value as shown."""

    path: str
    label: str
    value: str


@dataclass(frozen=True)
class Note:
    """A finding or a spec problem on a field of the section."""

    severity: str  # error, warning or info
    path: str
    message: str
    hint: str = ""


@dataclass
class ReviewSection:
    """One numbered section of the review."""

    number: int
    id: str
    heading: str
    keys: tuple[str, ...]
    lines: list[Line] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def review(answers: Answers, wording: Wording, library: Path | None = None) -> list[ReviewSection]:
    """The sections with their answers, and the findings of the checks run on the answers."""
    data = collect(answers)
    sections = [ReviewSection(i, s.id, wording.section(s.id).heading, s.keys)
                for i, s in enumerate(question_model().sections, start=1)]
    by_key = {key: section for section in sections for key in section.keys}
    for key, value in data.items():
        if key in by_key:
            by_key[key].lines.extend(_lines((key,), value, wording))
    for note in _notes(data, library):
        top = note.path.split(".", 1)[0].split("[", 1)[0]
        if top in by_key:
            by_key[top].notes.append(note)
    return sections


def _lines(path: tuple, value: Any, wording: Wording) -> list[Line]:
    if isinstance(value, dict) and not (len(path) > 2 and _flat(value)):
        return [line for key, sub in value.items() for line in _lines((*path, key), sub, wording)]
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return [line for i, item in enumerate(value) for line in _lines((*path, i), item, wording)]
    return [Line(dotted_path(path), _label(path, wording), _shown(value, wording))]


def _label(path: tuple, wording: Wording) -> str:
    """``("influencers", 0, "handle")`` → "Influencer 1 › Handle", in the questionnaire's words."""
    parts: list[str] = []
    for i, part in enumerate(path):
        if isinstance(part, int):
            words = wording.get("lists", str(path[i - 1])) or {}
            item = words.get("item") or wording.text("list_item")
            parts[-1:] = [item.format(label=wording.label(str(path[i - 1])), n=part + 1)]
        elif i or len(path) == 1:
            parts.append(wording.label(part))
        else:
            parts.append("")  # the section heading already names the top-level key
    return " › ".join(p for p in parts if p)


def _flat(value: dict) -> bool:
    # A small mapping of plain values reads best on one line ({from: ..., to: ...}).
    return len(value) <= 3 and all(not isinstance(v, dict | list) for v in value.values())


def _shown(value: Any, wording: Wording) -> str:
    if isinstance(value, bool):
        return wording.text("yes" if value else "no")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_shown(v, wording) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_shown(v, wording)}" for k, v in value.items())
    if value is None:
        return "—"
    return str(value)


def _notes(data: dict[str, Any], library: Path | None) -> list[Note]:
    """Spec problems if the answers are not a valid spec yet, else the risk checks' findings."""
    from contractgen.checks import load_rates, run_checks
    from contractgen.errors import UserError
    from contractgen.spec.loader import Loaded
    from contractgen.spec.validate import validate_loaded
    from contractgen.toolkit import Toolkit

    try:
        spec = validate_loaded(Loaded(data, ""))
    except UserError as exc:
        return [Note("error", p.where or "", p.message, p.hint or "") for p in exc.problems]
    findings = run_checks(spec, Toolkit(library).library, load_rates())
    return [Note(f.severity, f.field, f.message, f.hint) for f in findings]
