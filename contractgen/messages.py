"""The message catalogue: every sentence a user reads, looked up by key in the reader's language.

Sentences live in ``templates/<lang>/checks.yaml`` (risk findings: per rule id a ``message``, a
``hint`` and named variants, plus ``field_labels``) and ``templates/<lang>/messages.yaml``
(validation, lint, roster and command-line messages, summary labels). Both are flattened to
dotted keys (``R1.low-engagement.message``, ``spec.unknown_key``). Code never holds the
sentence: it names a key and hands over *values*, and the place that shows the sentence
formats them for its reader — a document with its :class:`~contractgen.locale.Locale`
(digits, dates, money in the document's language), the terminal with :func:`terminal`.

A language that lacks a key gets the fallback language's sentence (``templates/catalogue.yaml``
names it, and every key must exist there); ``clauses lint`` warns about each such key, as it
does about a clause without a Persian text.

Placeholders: ``{name}`` prints a value; ``{name|one|other}`` prints the word for the value's
count (``{days} {days|day|days}``), for languages whose nouns change after a number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from contractgen.money import amount_text
from contractgen.resources import templates_dir

CATALOGUE_FILES = ("checks.yaml", "messages.yaml")
DOCUMENT_FILES = ("checks.yaml",)  # the sentences documents print, in the document's language
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# {count|one|other}: either word may hold plain {name} placeholders of its own
_PLURAL = re.compile(r"\{(\w+)\|((?:[^{}|]|\{\w+\})*)\|((?:[^{}|]|\{\w+\})*)\}")


# --- values that are formatted where they are shown ------------------------------------------

@dataclass(frozen=True)
class Amount:
    """Money: printed the way the reader's language prints its currency."""

    value: Decimal
    currency: str


@dataclass(frozen=True)
class Percent:
    """A percentage (``12.5`` prints ``12.5%``)."""

    value: Decimal | int


@dataclass(frozen=True)
class Term:
    """A spec value with words per language (``Term('platform', 'tiktok')``: TikTok, تیک‌تاک)."""

    group: str
    value: str


@dataclass(frozen=True)
class Items:
    """A list printed as ``a, b and c`` in the reader's language."""

    items: tuple[Any, ...]
    last: str = "list_and"


@dataclass(frozen=True)
class Text:
    """A sentence part that is itself a catalogue entry (``the campaign's`` or ``@x's``)."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Code:
    """A value shown exactly as written (a spec path, a rule id, a URL): never localised."""

    value: str


@dataclass(frozen=True)
class Words:
    """Text from data that has one wording per language (a jurisdiction pack's requirement)."""

    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, text: str | Mapping[str, str]) -> Words:
        """From one text (any language) or a ``{language: text}`` mapping."""
        return cls(tuple(text.items()) if isinstance(text, Mapping) else (("", text),))

    def get(self, language: str) -> str:
        """The language's text, else the fallback's, else the first there is."""
        texts = dict(self.texts)
        return texts.get(language) or texts.get(settings().fallback) or next(iter(texts.values()))


@dataclass(frozen=True)
class FieldPath:
    """A spec field: its words where the reader's language has ``field_labels``, else the path."""

    path: str


class Formatter(Protocol):
    """What a reader's locale knows: :class:`contractgen.locale.Locale` is one."""

    def num(self, value: Any, places: int | None = None) -> str: ...
    def money(self, value: Any) -> str: ...
    def percent(self, value: Any) -> str: ...
    def date(self, value: dt.date | None) -> str: ...
    def join(self, items: Iterable[Any], last: str = "list_and") -> str: ...
    def term(self, value: Any, group: str) -> str: ...


class _Terminal:
    """Formatting for terminal output, JSON and manifests: numbers with grouping, and dates and
    amounts as a spec writes them (``2027-02-01``, ``USD 4,500``), so a user can find them in
    the spec and scripts can compare them."""

    currency = ""

    def __init__(self, strings: Mapping[str, Any]) -> None:
        self.strings = strings

    def num(self, value: Any, places: int | None = None) -> str:
        number = Decimal(str(value))
        if places is None:
            places = 0 if number == number.to_integral_value() else 2
        return f"{number:,.{places}f}"

    def money(self, value: Any) -> str:
        return amount_text(value, self.currency)

    def percent(self, value: Any) -> str:
        return f"{Decimal(str(value)):.2f}".rstrip("0").rstrip(".") + "%"

    def date(self, value: dt.date | None) -> str:
        return "" if value is None else value.isoformat()

    def join(self, items: Iterable[Any], last: str = "list_and") -> str:
        words = [str(i) for i in items]
        if len(words) <= 1:
            return "".join(words)
        return str(self.strings["list_sep"]).join(words[:-1]) + str(self.strings[last]) + words[-1]

    def term(self, value: Any, group: str) -> str:
        # The spec's own word, as the user typed it and can search for it, unless the terminal
        # language's catalogue has a word for it (``terminal_terms``: plurals such as "stories").
        return str(entries(settings().terminal).get(f"terminal_terms.{group}.{value}", value))


# --- the catalogue ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """``templates/catalogue.yaml``: which language every key exists in, and the terminal's."""

    fallback: str
    terminal: str


@cache
def settings() -> Settings:
    """The catalogue's settings (read once)."""
    data = yaml.safe_load((templates_dir() / "catalogue.yaml").read_text(encoding="utf-8"))
    return Settings(str(data["fallback"]), str(data["terminal"]))


def catalogue_files(language: str) -> list[Path]:
    """The catalogue files a language has."""
    folder = templates_dir() / language
    return [folder / name for name in CATALOGUE_FILES if (folder / name).is_file()]


@cache
def entries(language: str) -> dict[str, Any]:
    """Every key of a language's catalogue (dotted), to its sentence."""
    out: dict[str, Any] = {}
    for path in catalogue_files(language):
        out.update(entries_of(path))
    return out


@cache
def entries_of(path: Path) -> dict[str, Any]:
    """The dotted keys of one catalogue file."""
    out: dict[str, Any] = {}
    _flatten(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, "", out)
    return out


def _flatten(node: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, name + ".", out)
        else:
            out[name] = value


def has(key: str, language: str) -> bool:
    """True when the language (or the fallback) has this key."""
    return key in entries(language) or key in entries(settings().fallback)


def missing(language: str) -> list[str]:
    """Keys of the fallback's :data:`DOCUMENT_FILES` this language lacks (shown in the fallback's words).

    Only what documents show counts: messages.yaml speaks to the terminal, whose language is
    one (``terminal`` in catalogue.yaml), so another language never needs it.
    """
    own = entries(language)
    folder = templates_dir() / settings().fallback
    return [key for name in DOCUMENT_FILES if (folder / name).is_file()
            for key in entries_of(folder / name) if key not in own]


def sentence(key: str, language: str) -> str:
    """The raw catalogue text for a key, falling back to the fallback language."""
    text = entries(language).get(key)
    if text is None:
        text = entries(settings().fallback).get(key)
    if text is None:
        raise KeyError(f"no message '{key}' in the catalogue")  # a programming error: tests cover every key
    return str(text)


@cache
def _terminal() -> _Terminal:
    language = settings().terminal
    return _Terminal(yaml.safe_load((templates_dir() / language / "strings.yaml").read_text(encoding="utf-8")))


def terminal() -> tuple[str, Formatter]:
    """The language and formatter of terminal output (and of JSON and manifests)."""
    return settings().terminal, _terminal()


def message(key: str, language: str | None = None, formatter: Formatter | None = None, /, **values: Any) -> str:
    """The sentence ``key`` in ``language`` with ``values`` filled in and formatted by ``formatter``.

    Without a language and formatter: the terminal's (see :func:`terminal`).
    """
    if language is None or formatter is None:
        term_language, term_formatter = terminal()
        language = language or term_language
        formatter = formatter or term_formatter
    return fill(sentence(key, language), language, formatter, values)


def fill(text: str, language: str, formatter: Formatter, values: Mapping[str, Any]) -> str:
    """Fill ``{name}`` and ``{name|one|other}`` placeholders of a catalogue text."""

    def given(name: str) -> Any:
        if name not in values:
            raise KeyError(f"message text names '{{{name}}}', which is not given")
        return values[name]

    def plural(match: re.Match[str]) -> str:
        name, singular, other = match.groups()
        count = given(name)
        return singular if (count.value if isinstance(count, Percent) else count) == 1 else other

    text = _PLURAL.sub(plural, text)  # first: its words may end in "}}" that is not a literal brace
    text = text.replace("{{", "\x00").replace("}}", "\x01")  # literal braces
    text = _PLACEHOLDER.sub(lambda m: show(given(m.group(1)), language, formatter), text)
    return text.replace("\x00", "{").replace("\x01", "}")


def show(value: Any, language: str, formatter: Formatter) -> str:
    """One value as its reader reads it."""
    if isinstance(value, Text):
        return message(value.key, language, formatter, **value.values)
    if isinstance(value, Code):
        return value.value
    if isinstance(value, FieldPath):
        return field_label(value.path, language, formatter)
    if isinstance(value, Words):
        return value.get(language)
    if isinstance(value, Amount):
        return _money(value, formatter)
    if isinstance(value, Percent):
        return formatter.percent(value.value)
    if isinstance(value, Term):
        return formatter.term(value.value, value.group)
    if isinstance(value, Items):
        return formatter.join([show(v, language, formatter) for v in value.items], value.last)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | Decimal | float):
        return formatter.num(value)
    if isinstance(value, dt.date):
        return formatter.date(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return formatter.join([show(v, language, formatter) for v in value])
    return str(value)


def _money(amount: Amount, formatter: Formatter) -> str:
    # A locale prints its own currency; an amount in another one gets a locale for that currency.
    if getattr(formatter, "currency", None) == amount.currency:
        return formatter.money(amount.value)
    if isinstance(formatter, _Terminal):
        return f"{amount.currency} {amount_text(amount.value, amount.currency)}"
    import copy

    other = copy.copy(formatter)
    other.currency = amount.currency  # type: ignore[attr-defined]
    return other.money(amount.value)


def field_label(path: str, language: str, formatter: Formatter) -> str:
    """Words for a spec path where the language's ``field_labels`` has them, else the path itself.

    ``influencers[2].platforms.instagram.avg_engagements`` is looked up as
    ``influencers[].platforms.*.avg_engagements``, then its parents; the label may print
    ``{n}`` (the position, from 1) and ``{key}`` (the map key, as a platform term).
    """
    labels = {k.removeprefix("field_labels."): v for k, v in entries(language).items()
              if k.startswith("field_labels.")}
    if not labels:
        return path
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    generic: list[str] = []
    values: dict[str, Any] = {}
    for i, part in enumerate(parts):
        if part.startswith("["):
            generic.append("[]")
            values.setdefault("n", int(part[1:-1]) + 1)
        elif i > 0 and parts[i - 1] == "platforms":
            generic.append("*")
            values["key"] = Term("platform", part)
        else:
            generic.append(part)
    for end in range(len(generic), 0, -1):
        key = ".".join(generic[:end]).replace(".[]", "[]")
        if key in labels:
            return fill(str(labels[key]), language, formatter, values)
    return path
