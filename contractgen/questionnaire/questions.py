"""The questions of a run, derived from the spec models and the answers given so far.

:func:`plan` walks :class:`~contractgen.spec.models.CampaignSpec` field by field and yields one
:class:`Step` per question that applies: Literal fields become selects, booleans confirms,
lists of choices checkboxes, lists "add another?" loops, nested models sub-sections (optional
ones behind a yes/no question), everything else a text answer. The plan is recomputed after
every answer, so a changed answer changes what is asked next; the questions before the current
one depend only on earlier answers, so going back is just stepping to the previous position.

Each step checks its answer at once with the models themselves (pydantic validation of that
field, field validators included) and with the rules between fields whose other answer already
exists (dates in order, windows inside the campaign, instalments summing to 100, ...).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ValidationError

from contractgen.questionnaire.answers import COUNT, KEY, MISSING, PRESENT, Answers
from contractgen.questionnaire.fields import (
    CHOICES,
    ITEMS,
    MODEL,
    MODEL_MAP,
    MODELS,
    Field,
    Path,
    fields_of,
    pattern,
)
from contractgen.questionnaire.model import question_model
from contractgen.questionnaire.wording import Wording
from contractgen.spec import rules
from contractgen.spec.loader import Loaded
from contractgen.spec.models import CampaignSpec, number_style
from contractgen.spec.slug import slugify
from contractgen.spec.validate import pydantic_problems

MORE = "#more"
DEFAULTS = "#defaults"  # the user's answer to "use the country's defaults?", under campaign

Heading = tuple[str, str]  # (title, help)



class Invalid(Exception):
    """An answer that cannot be taken; the message says why, for the user."""


@dataclass
class Step:
    """One question: where its answer goes, how it is asked and how it is checked."""

    key: Path  # where the answer is stored (structural keys end in #present, #more, #key)
    role: str  # "value", "present" (optional part), "more" (list loop), "key" (mapping key), "list" (comma list)
    kind: str  # "text", "select", "confirm" or "checkbox"
    label: str
    help: str
    trail: tuple[Heading, ...]  # the headings above the question, outermost first
    default: Any  # text: the text filled in; select: a value; confirm: a bool; checkbox: a list
    choices: tuple[tuple[str, Any], ...] = ()  # (title, value) for select and checkbox
    optional: bool = False  # an empty text answer is allowed
    check: Callable[[Any], Any] = field(default=lambda value: value, repr=False)

    def answer(self, raw: Any) -> Any:
        """The value to store for a raw answer; raises :class:`Invalid` with the reason."""
        return self.check(raw)


def as_text(value: Any) -> str:
    """How a stored value is shown in a text answer."""
    if value is None or value is MISSING:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def apply(answers: Answers, step: Step, value: Any) -> None:
    """Store a checked answer."""
    if step.role == "more":  # the value is the list's new length (see more_check)
        answers.set((*step.key[:-2], COUNT), value)
    elif step.role == "list":  # a comma list: its items, one key each
        for key in [k for k in answers.under(step.key) if len(k) == len(step.key) + 1]:
            del answers.values[key]
        for i, item in enumerate(value):
            answers.set((*step.key, i), item)
        answers.set((*step.key, COUNT), len(value))
    else:
        answers.set(step.key, value)


def plan(answers: Answers, wording: Wording, minimal: bool = False, force: frozenset[Path] = frozenset(),
         ) -> list[Step]:
    """Every question that applies to the answers so far, in the order of a spec file."""
    return list(_Planner(answers, wording, minimal, force).top())


def problem_path(where: str | None) -> Path:
    """``influencers[0].fee`` → ``("influencers", 0, "fee")``."""
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", where or ""):
        parts.append(int(index) if index else name)
    return tuple(parts)


def final_problems(data: dict[str, Any]) -> list:
    """Problems of the whole spec (models and rules), as a spec file would have them."""
    from contractgen.errors import UserError
    from contractgen.spec.validate import validate_loaded

    try:
        validate_loaded(Loaded(data, ""))
    except UserError as exc:
        return exc.problems
    return []


class _Planner:
    def __init__(self, answers: Answers, wording: Wording, minimal: bool, force: frozenset[Path]) -> None:
        self.a = answers
        self.w = wording
        self.minimal = minimal
        self.force = force

    # -- walking the models -------------------------------------------------------------

    def top(self) -> Iterator[Step]:
        fields = {f.key: f for f in fields_of(CampaignSpec)}
        for section_model in question_model().sections:
            section = self.w.section(section_model.id)
            for key in section_model.keys:
                f = fields[key]
                trail: tuple[Heading, ...] = ((section.heading, section.intro),)
                label = self.w.label(f.key)
                if label.lower() != section.heading.lower():
                    trail = (*trail, (label, f.description or _doc(f.target)))
                yield from self.field(f, (f.key,), trail, top=True)

    def model(self, model: type[BaseModel], path: Path, trail: tuple[Heading, ...]) -> Iterator[Step]:
        by_key = {f.key: f for f in fields_of(model)}
        order = question_model().ordered(".".join(str(p) for p in pattern(path)), list(by_key))
        for f in (by_key[key] for key in order):
            here = (*path, f.key)
            if not self.a.applies(here, model):
                continue
            yield from self.field(f, here, trail)
            if pattern(here) == question_model().defaults_after and (found := self.country()) is not None:
                yield self.defaults_step(here[:-1], trail, found)

    def field(self, f: Field, here: Path, trail: tuple[Heading, ...], top: bool = False) -> Iterator[Step]:
        label = self.w.label(f.key)
        if f.kind == MODEL:
            sub = trail if top else (*trail, (label, f.description or _doc(f.target)))
            if f.optional:
                if not self.asked(f, here):
                    return
                question = self.w.get("optional", f.key) or self.w.text("optional_generic", label=label.lower())
                # Asked under the parent's heading; the part's own heading follows if it is given.
                yield Step((*here, PRESENT), "present", "confirm", question, f.description, trail if not top else sub,
                           self.a.present(here))
                if not self.a.present(here):
                    return
            yield from self.model(f.target, here, sub)
        elif f.kind in (MODELS, MODEL_MAP, ITEMS):
            yield from self.loop(f, here, trail, label)
        elif self.asked(f, here):
            yield self.value(f, here, trail, label)

    def asked(self, f: Field, here: Path) -> bool:
        """In --minimal mode only what has no default is asked (and what must be fixed)."""
        model = question_model()
        if pattern(here) in model.confirmed and self.a.get(("campaign", DEFAULTS), None) is False:
            return True  # the country's defaults were not accepted: ask them one by one
        if not self.minimal or f.required or pattern(here) in model.required_when_asked | model.always:
            return True
        if pattern(here) in self.required_by_country():
            return True  # the country's law wants it in the contract: --minimal asks it too
        n = len(here)
        return any(path[:n] == here or here[: len(path)] == path for path in self.force)

    def loop(self, f: Field, here: Path, trail: tuple[Heading, ...], label: str) -> Iterator[Step]:
        required = pattern(here) in question_model().required_when_asked
        minimum = max(f.min_items, 1 if required else 0)
        if minimum == 0 and not self.asked(f, here):
            return
        if f.kind == ITEMS and pattern(here) in question_model().comma_lists:
            yield self.comma_list(f, here, trail, label, required)
            return
        dotted = ".".join(str(p) for p in pattern(here) if p != "*")
        words = self.w.get("lists", dotted) or self.w.get("lists", f.key) or {}
        # A list the answers say nothing about starts as the model's default (channels: [email]).
        n = len(here)
        has_items = any(len(key) > n and isinstance(key[n], int) for key in self.a.under(here))
        defaults = [] if has_items else list(f.default() or [])
        stored = self.a.get((*here, COUNT), None)
        count = stored if stored is not None else self.a.count(here) if has_items else len(defaults)
        i = 0
        while f.max_items is None or i < f.max_items:
            if i >= minimum:
                if f.kind == MODEL_MAP and not self.free_keys(f, here, i):
                    return
                text = words.get("more") or self.w.text("list_more", label=label.lower())
                if i == 0:
                    text = words.get("first") or self.w.text("list_first", label=label.lower())
                yield Step((*here, MORE, i), "more", "confirm", text, f.description if i == 0 else "", trail,
                           i < count, check=self.more_check(f, here, i, count))
                if i >= count:
                    return
            item = (words.get("item") or self.w.text("list_item")).format(label=label, n=i + 1)
            if f.kind == ITEMS:
                yield self.value(f, (*here, i), trail, item, defaults[i] if i < len(defaults) else None)
            else:
                sub = (*trail, (item, ""))
                if f.kind == MODEL_MAP:
                    yield self.map_key(f, here, i, sub)
                yield from self.model(f.target, (*here, i), sub)
            i += 1

    def required_by_country(self) -> frozenset[tuple[str, ...]]:
        """The fields the chosen country's law requires in the contract (``influencers[].address`` …)."""
        from contractgen.library.packs import pack_for
        from contractgen.resources import clauses_dir

        code = self.a.get(("campaign", "jurisdiction"), None)
        if not isinstance(code, str):
            return frozenset()
        pack = pack_for(_packs(clauses_dir()), code)
        # Only what blocks the build (severity error): the rest the review shows as findings.
        return frozenset(tuple(r.field.replace("[]", ".*").split(".")) for r in pack.requires if r.severity == "error")

    def country_step(self, f: Field, here: Path, trail: tuple[Heading, ...], label: str, default: Any) -> Step:
        """The country, always asked and never pre-filled: typed as a name in any language or a code."""
        from contractgen.questionnaire.country import UnknownCountry, find_country

        def check(raw: Any) -> Any:
            text = str(raw).strip()
            if not text:
                raise Invalid(self.w.text("messages", "required"))
            try:
                code = find_country(text)
            except UnknownCountry as exc:
                if exc.suggestions:
                    raise Invalid(self.w.text("messages", "country_close", text=text,
                                              suggestions=", ".join(exc.suggestions))) from None
                raise Invalid(self.w.text("messages", "country_unknown", text=text)) from None
            return _validate(f, code)

        return Step(here, "value", "text", self.w.text("country_defaults", "country"), self.w.text("country_defaults",
                    "country_help"), trail, as_text(default), check=check)

    def country(self) -> Any:
        """What the chosen country decides (None before a valid country is answered)."""
        from contractgen.questionnaire.country import country_defaults

        code = self.a.get(("campaign", "jurisdiction"), None)
        if not isinstance(code, str) or len(code) != 2:
            return None
        language = self.a.get(("campaign", "language"), None)
        try:
            return country_defaults(code, language if isinstance(language, str) else "en")
        except (LookupError, ValueError):
            return None

    def defaults_step(self, base: Path, trail: tuple[Heading, ...], found: Any) -> Step:
        """One yes/no showing everything the country decides: accepted, nothing more is asked."""
        language = self.a.get(("campaign", "language"), found.language)
        shown = found if language == found.language else self.country()
        label = self.w.text("country_defaults", "question", country=shown.name, currency=shown.currency,
                            label=shown.ad_label, law=shown.governing_law, venue=shown.venue,
                            paper=self.w.choice(shown.paper))
        stored = self.a.get((*base, DEFAULTS), None)
        changed = any(self.a.get(p, None) not in (None, MISSING) for p in question_model().confirmed)
        default = stored if isinstance(stored, bool) else not changed
        return Step((*base, DEFAULTS), "value", "confirm", label, self.w.text("country_defaults", "help"), trail,
                    default)

    def comma_list(self, f: Field, here: Path, trail: tuple[Heading, ...], label: str, required: bool) -> Step:
        """A list of short items as one answer, separated by commas (``#EclatRose, #glowup``)."""
        n = len(here)
        has_items = any(len(key) > n and isinstance(key[n], int) for key in self.a.under(here))
        items = [self.a.get((*here, i)) for i in range(self.a.count(here))] if has_items else list(f.default() or [])
        shown = ", ".join(as_text(item) for item in items if item is not MISSING)

        def check(raw: Any) -> list:
            values = [part.strip() for part in str(raw).split(",") if part.strip()]
            if required and not values:
                raise Invalid(self.w.text("messages", "required"))
            values = _validate(f, values)
            self.cross(here, values)
            return list(values)

        help_text = " ".join(part for part in (f.description, self.w.text("hints", "comma_list")) if part)
        return Step(here, "list", "text", label, help_text, trail, shown, optional=not required, check=check)

    def free_keys(self, f: Field, here: Path, i: int) -> list[Any]:
        used = {self.a.get((*here, j, KEY), None) for j in range(i)}
        return [choice for choice in f.choices if choice not in used]

    def map_key(self, f: Field, here: Path, i: int, trail: tuple[Heading, ...]) -> Step:
        free = self.free_keys(f, here, i)
        current = self.a.get((*here, i, KEY), None)
        return Step((*here, i, KEY), "key", "select", self.w.text("map_key"), "", trail,
                    current if current in free else free[0], tuple((str(c), c) for c in free))

    def value(self, f: Field, here: Path, trail: tuple[Heading, ...], label: str, item_default: Any = None,
              ) -> Step:
        stored = self.a.get(here)
        item = f.kind == ITEMS
        default = (item_default if item else f.default()) if stored is MISSING else stored
        derived = question_model().suggested.get(pattern(here)) or question_model().confirmed.get(pattern(here))
        if stored is MISSING and derived and (found := self.country()) is not None:
            default = getattr(found, derived)
        if pattern(here) == ("campaign", "jurisdiction"):
            return self.country_step(f, here, trail, label, "" if stored is MISSING else stored)
        required_here = pattern(here[:-1] if item else here) in question_model().required_when_asked
        optional = f.optional and not required_here and not item
        check = self.value_check(f, here, item, optional, required_here)
        help_text = f.description if not item else ""
        if f.scalar == "date" and "YYYY" not in help_text:
            help_text = f"{help_text} ({self.w.text('hints', 'date')})".strip()
        if pattern(here) == ("campaign", "id") and stored is MISSING:
            # Show the id an empty answer gives (folders, calendar UIDs and tracking use it).
            name = self.a.get(("campaign", "name"))
            if isinstance(name, str) and name.strip():
                help_text = f"{help_text} ({self.w.text('hints', 'id_from_name', id=slugify(name))})".strip()
        if f.kind == CHOICES:
            chosen = list(default or [])
            titles = tuple((self.w.choice(c), c) for c in f.choices)
            return Step(here, "value", "checkbox", label, help_text, trail, chosen, titles, check=check)
        if f.scalar == "choice":
            titles = tuple((self.w.choice(c), c) for c in f.choices)
            if f.optional:
                titles = (*titles, (self.w.choice(None), None))
            if default not in [value for _, value in titles]:
                default = titles[0][1]
            return Step(here, "value", "select", label, help_text, trail, default, titles, check=check)
        if f.scalar == "bool":
            return Step(here, "value", "confirm", label, help_text, trail,
                        default if isinstance(default, bool) else bool(f.default()), check=check)
        return Step(here, "value", "text", label, help_text, trail, as_text(default), optional=optional,
                    check=check)

    # -- checking answers -----------------------------------------------------------------

    def value_check(self, f: Field, here: Path, item: bool, optional: bool, required_here: bool,
                    ) -> Callable[[Any], Any]:
        def check(raw: Any) -> Any:
            value = raw
            if isinstance(raw, str):
                text = raw.strip()
                if not text:
                    if optional:
                        value = None
                    elif not f.required and not item and not required_here:
                        value = f.default()
                    else:
                        raise Invalid(self.w.text("messages", "required"))
                else:
                    value = text
            if f.kind == CHOICES and isinstance(value, list):
                value = _keep_order(value, self.a.get(here, []) or [])
            # Numbers typed as text are read by the models' own reader, as this campaign writes them.
            with number_style(self.a.get(("campaign", "language"), "en"), self.a.get(("campaign", "currency"), "USD")):
                value = _validate(f, [value] if item else value)
            if item:
                value = value[0]
            if value and pattern(here) in question_model().files:
                self.file(value)
            self.cross(here, value)
            return value

        return check

    def more_check(self, f: Field, here: Path, i: int, count: int) -> Callable[[Any], Any]:
        """Check an "add another?" answer; the value stored is the list's new length.

        Ending a list of parts checks the list as the model does (the instalments sum to 100).
        """

        def check(more: Any) -> Any:
            if not more and i > 0 and f.kind == MODELS:
                from contractgen.questionnaire.answers import collect

                trial = Answers(self.a.values)
                trial.values[(*here, COUNT)] = i
                items = _at(collect(trial), here)
                if isinstance(items, list):
                    _validate(f, items)
            return max(count, i + 1) if more else i

        return check

    def cross(self, here: Path, value: Any) -> None:
        """The rules between this answer and earlier ones: spec/rules.py's own, on the answers so far."""
        from contractgen.questionnaire.answers import collect

        trial = Answers(self.a.values, self.a.folder)
        if isinstance(value, list) and pattern(here) in question_model().comma_lists:
            apply(trial, Step(here, "list", "text", "", "", (), ""), value)
        else:
            trial.values[here] = value
        for _where, message, hint in rules.check_answers(collect(trial), here):
            raise Invalid(f"{message}; {hint}" if hint else message)

    def file(self, value: str) -> None:
        """A file path (the logo) is checked when typed, as the build would check it."""
        from pathlib import Path as FilePath

        from contractgen.errors import UserError
        from contractgen.logo import prepare_logo

        try:
            prepare_logo(FilePath(self.a.folder) / value, None)
        except UserError as exc:
            problem = exc.problems[0]
            raise Invalid(f"{problem.message}; {problem.hint}" if problem.hint else problem.message) from None


@functools.cache
def _packs(folder: Any) -> dict:
    from contractgen.library.packs import load_packs

    return load_packs(folder / "jurisdictions")


def _at(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _validate(f: Field, value: Any) -> Any:
    """Validate one value with its own model field (constraints and field validators)."""
    model = f.owner
    try:
        result = model.__pydantic_validator__.validate_assignment(model.model_construct(), f.name, value)
    except ValidationError as exc:
        problems = pydantic_problems(exc, Loaded(None, ""), model)
        raise Invalid(problems[0].message if problems else str(exc)) from None
    return getattr(result, f.name)


def _keep_order(chosen: list, before: list) -> list:
    """Ticked choices in the order they had, new ones after (so Enter changes nothing)."""
    kept = [c for c in before if c in chosen]
    return kept + [c for c in chosen if c not in kept]


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def _doc(model: Any) -> str:
    doc = getattr(model, "__doc__", None) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""
