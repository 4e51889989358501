"""The answers of one questionnaire run: pre-filled values, what was answered, and the spec.

Answers are kept flat, by path (``("influencers", 1, "fee")``), so going back never loses
anything: an answer stays stored when a later choice hides its question (a shorter list, an
optional part switched off), and comes back as the default if the choice is undone. Besides
values, three kinds of key hold the structure:

- ``(*path, "#present")``: an optional part (agency, signatory, ...) is given;
- ``(*path, "#count")``: how many items a list has;
- ``(*path, i, "#key")``: the key of item ``i`` of a mapping (the platform of an entry).

:func:`collect` turns them back into spec data, in the models' key order.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from contractgen.questionnaire.fields import (
    CHOICES,
    ITEMS,
    MODEL,
    MODEL_MAP,
    MODELS,
    Field,
    Path,
    field_at,
    fields_of,
    pattern,
)
from contractgen.questionnaire.model import question_model
from contractgen.spec.models import CampaignSpec

PRESENT = "#present"
COUNT = "#count"
KEY = "#key"

MISSING: Any = object()


class Answers:
    """Values by path, and which of them the user gave in this run."""

    def __init__(self, values: dict[Path, Any] | None = None, folder: str = ".") -> None:
        self.values: dict[Path, Any] = dict(values or {})
        self.answered: set[Path] = set()
        self.folder = folder  # where the spec will be: file paths in answers (the logo) are relative to it

    def get(self, path: Path, default: Any = MISSING) -> Any:
        """The value at ``path``, or ``default`` when there is none."""
        return self.values.get(path, default)

    def set(self, path: Path, value: Any) -> None:
        """Record the user's answer at ``path``."""
        self.values[path] = value
        self.answered.add(path)

    def under(self, path: Path) -> list[Path]:
        """Every stored key at or below ``path``."""
        n = len(path)
        return [key for key in self.values if key[:n] == path]

    def touched(self, path: Path) -> bool:
        """The user answered something at or below ``path`` in this run."""
        n = len(path)
        return any(key[:n] == path for key in self.answered)

    def present(self, path: Path) -> bool:
        """Whether an optional part is given: the user's choice, else whether it has values."""
        flag = self.values.get((*path, PRESENT))
        if flag is not None:
            return bool(flag)
        return any(key != (*path, PRESENT) for key in self.under(path))

    def count(self, path: Path) -> int:
        """How many items the list at ``path`` has (stored, or as many as have values)."""
        stored = self.values.get((*path, COUNT))
        if stored is not None:
            return int(stored)
        n = len(path)
        positions = [key[n] for key in self.under(path) if len(key) > n and isinstance(key[n], int)]
        return max(positions) + 1 if positions else 0

    def sibling(self, path: Path, key: str, owner: type[BaseModel]) -> Any:
        """The value of another field of the same model: the answer, else the model default."""
        value = self.get((*path[:-1], key))
        return field_at(owner, key).default() if value is MISSING else value

    def applies(self, path: Path, owner: type[BaseModel]) -> bool:
        """Whether the question at ``path`` applies, given the answers it depends on."""
        condition = question_model().when.get(pattern(path))
        if condition is None:
            return True
        return condition.holds({key: self.sibling(path, key, owner) for key in condition.reads})


def from_data(data: Any) -> tuple[Answers, list[str]]:
    """Answers pre-filled from spec data, read leniently (a draft may be partial or wrong).

    Returns the answers and the dotted names of keys that are not spec keys (ignored).
    """
    answers = Answers()
    unknown: list[str] = []
    if isinstance(data, dict):
        _flatten(CampaignSpec, data, (), answers.values, unknown)
    return answers, unknown


def _flatten(model: type[BaseModel], data: dict, path: Path, out: dict[Path, Any], unknown: list[str]) -> None:
    known = {f.key: f for f in fields_of(model)}
    for key, value in data.items():
        field = known.get(str(key))
        if field is None:
            unknown.append(".".join(str(p) for p in (*path, key)))
            continue
        here = (*path, field.key)
        if field.kind == MODEL:
            if value is None:
                out[(*here, PRESENT)] = False
            elif isinstance(value, dict):
                out[(*here, PRESENT)] = True
                _flatten(field.target, value, here, out, unknown)
        elif field.kind == MODELS and isinstance(value, list):
            out[(*here, COUNT)] = len(value)
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    _flatten(field.target, item, (*here, i), out, unknown)
        elif field.kind == MODEL_MAP and isinstance(value, dict):
            out[(*here, COUNT)] = len(value)
            for i, (name, item) in enumerate(value.items()):
                out[(*here, i, KEY)] = name
                if isinstance(item, dict):
                    _flatten(field.target, item, (*here, i), out, unknown)
        elif field.kind == ITEMS and isinstance(value, list):
            out[(*here, COUNT)] = len(value)
            for i, item in enumerate(value):
                out[(*here, i)] = item
        elif field.kind not in (MODEL, MODELS, MODEL_MAP, ITEMS):
            out[here] = value


def collect(answers: Answers) -> dict[str, Any]:
    """Spec data from the answers: keys in model order, hidden parts left out.

    A question that no longer applies keeps its value only if the user did not touch it in
    this run (it came from the --from file as it is); an answer that equals an empty default
    (None where the model's default is None) is left out so the spec stays short.
    """
    return _collect(CampaignSpec, (), answers)


def _collect(model: type[BaseModel], path: Path, answers: Answers) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in fields_of(model):
        here = (*path, field.key)
        if not answers.applies(here, model) and answers.touched(here):
            continue
        value = _collect_field(field, here, answers)
        if value is MISSING or (value in ([], {}) and field.default() in ([], {})):
            continue  # an empty list the model defaults to anyway is only noise
        out[field.key] = value
    return out


def _collect_field(field: Field, here: Path, answers: Answers) -> Any:
    if field.kind == MODEL:
        flag = answers.get((*here, PRESENT), None)
        if flag is False or (flag is None and not answers.under(here)):
            return MISSING
        sub = _collect(field.target, here, answers)
        return sub if sub or flag else MISSING
    if field.kind in (MODELS, MODEL_MAP, ITEMS):
        if not answers.under(here):
            return MISSING
        n = answers.count(here)
        if field.kind == MODELS:
            return [_collect(field.target, (*here, i), answers) for i in range(n)]
        if field.kind == MODEL_MAP:
            entries = {}
            for i in range(n):
                name = answers.get((*here, i, KEY), None)
                if name is not None and name not in entries:
                    entries[name] = _collect(field.target, (*here, i), answers)
            return entries
        return [answers.get((*here, i)) for i in range(n) if answers.get((*here, i)) is not MISSING]
    value = answers.get(here)
    if value is MISSING or (value is None and _default_is_none(field)):
        return MISSING
    if field.kind == CHOICES and isinstance(value, tuple):
        return list(value)
    return value


def _default_is_none(field: Field) -> bool:
    return not field.required and field.default() is None
