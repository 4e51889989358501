"""Language packs and the formatting built from them: numbers, money, dates, lists, direction.

Every fact about a document language lives in ``templates/<lang>/language.yaml`` (a
:class:`LanguagePack`); words (month names, currency names, labels) come from
``templates/<lang>/strings.yaml``. This module only knows how to put them together, so a new
language is a folder of data and no Python names one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from contractgen.document import Numbering
from contractgen.errors import Problem, UserError
from contractgen.money import to_minor_units
from contractgen.numbers import Figure
from contractgen.resources import LANGUAGE_PACK, available_languages
from contractgen.spec import codes

ASCII_DIGITS = "0123456789"

Digits = Annotated[str, StringConstraints(min_length=10, max_length=10)]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NumberingPack(_Data):
    """How clauses, sub-clauses and list items are labelled (see :class:`~contractgen.document.Numbering`)."""

    clause: str = "{n}."  # {n}: the clause number
    subclause: str = "{clause}.{n}"
    list: str = "({n})"  # {n}: the item's counter
    counter: Literal["decimal", "letters"] = "letters"
    letters: tuple[str, ...] = tuple("abcdefghijklmnopqrstuvwxyz")
    bullet: str = "•"
    # Per level, the Word w:numFmt that counts exactly as the label; a level without one is literal text.
    word: dict[Literal["clause", "subclause", "list"], str] = Field(default_factory=dict)


class RegionPack(_Data):
    """What one country's readers of the language expect differently (chosen by campaign.jurisdiction)."""

    tag: str | None = None
    decimal: str | None = None
    group: str | None = None
    money: str | None = None
    money_symbol: str | None = None
    symbols: dict[str, str] | None = None
    date: str | None = None
    paper: Literal["a4", "letter"] | None = None
    spelling: dict[str, str] | None = None


class LanguagePack(_Data):
    """Every fact the code needs about one document language (``templates/<lang>/language.yaml``).

    What each key means: ``templates/README.md``.
    """

    name: str  # the language's own name
    tag: str  # BCP 47: DOCX w:lang, PDF /Lang
    direction: Literal["ltr", "rtl"] = "ltr"
    digits: Digits = ASCII_DIGITS
    decimal: str = "."
    group: str = ","
    percent: str = "{number}%"
    money: str = "{code} {amount}"  # a currency without a symbol here
    money_symbol: str = "{symbol}{amount}"  # a currency with one
    money_decimals: Literal["needed", "always"] = "needed"  # always: 4.500,00; places: ISO 4217 minor units
    symbols: dict[str, str] = Field(default_factory=dict)  # ISO 4217 code → symbol
    date: str = "{day} {month} {year}"
    calendar: Literal["gregorian", "jalali"] = "gregorian"
    paper: Literal["a4", "letter"] = "a4"
    # Library words this readership spells otherwise (en-US: licence → license), lower case.
    spelling: dict[str, str] = Field(default_factory=dict)
    numbering: NumberingPack = Field(default_factory=NumberingPack)
    regions: dict[str, RegionPack] = Field(default_factory=dict)

    def for_region(self, country: str) -> LanguagePack:
        """This pack with the overrides of ``country`` (an ISO 3166 code) applied."""
        region = self.regions.get(country)
        if region is None:
            return self
        return self.model_copy(update=region.model_dump(exclude_none=True))

    @property
    def rtl(self) -> bool:
        """True for right-to-left scripts."""
        return self.direction == "rtl"

    def scheme(self) -> Numbering:
        """The labelling rules the document tree carries for its writers."""
        n = self.numbering
        letters = tuple(n.letters) if n.counter == "letters" else ()
        return Numbering(n.clause, n.subclause, n.list, letters, n.bullet, self.digits, tuple(sorted(n.word.items())))


@cache
def _load(path: Path, mtime: float) -> LanguagePack:
    from contractgen.spec.loader import load_file
    from contractgen.spec.validate import pydantic_problems

    loaded = load_file(path)
    try:
        return LanguagePack.model_validate(loaded.data)
    except ValidationError as exc:
        raise UserError(pydantic_problems(exc, loaded, LanguagePack)) from None


def load_pack(templates: Path, language: str) -> LanguagePack:
    """The pack of ``language``; a located error naming the packs there are when it has none."""
    path = templates / language / LANGUAGE_PACK
    if not path.is_file():
        from contractgen import messages

        available = ", ".join(available_languages(templates))
        raise UserError(Problem(messages.message("language.missing_pack", language=language), where="campaign.language",
                                hint=messages.message("language.missing_pack_hint", available=available)))
    return _load(path, path.stat().st_mtime)


_JINJA = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)


@cache
def _speller(pairs: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    table = dict(pairs)
    words = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(table, key=len, reverse=True)) + r")\b",
                       re.IGNORECASE)

    def one(match: re.Match[str]) -> str:
        found = match.group(0)
        new = table[found.lower()]
        return new[0].upper() + new[1:] if found[0].isupper() else new

    return lambda text: words.sub(one, text)


def respell(source: str, spelling: Mapping[str, str]) -> str:
    """Library text (clause or template source) in the readership's spelling.

    Only the words between Jinja tags change: expressions, and so spec values, never do.
    """
    if not spelling:
        return source
    speller = _speller(tuple(sorted((k.lower(), v) for k, v in spelling.items())))
    parts = _JINJA.split(source)
    return "".join(part if i % 2 else speller(part) for i, part in enumerate(parts))


class Locale:
    """Formatting rules for one document language, region, calendar and currency."""

    def __init__(self, pack: LanguagePack, calendar: str, currency: str, strings: Mapping[str, Any]) -> None:
        self.pack = pack
        self.calendar = calendar
        self.currency = currency
        self.strings = strings
        self._digits = str.maketrans(ASCII_DIGITS, pack.digits)

    @property
    def rtl(self) -> bool:
        """True for right-to-left scripts."""
        return self.pack.rtl

    @property
    def direction(self) -> str:
        """``rtl`` or ``ltr``."""
        return self.pack.direction

    def digits(self, text: str) -> str:
        """ASCII digits in ``text`` as the document's digits."""
        return text.translate(self._digits)

    def _number(self, number: Decimal, places: int) -> str:
        # Grouped and rounded with Python's format, then the pack's separators and digits.
        text = f"{number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"
        text = text.translate(str.maketrans({",": "\0", ".": "\1"}))
        return self.digits(text.replace("\0", self.pack.group).replace("\1", self.pack.decimal))

    def num(self, value: Any, places: int | None = None) -> str:
        """A number with the pack's group and decimal separators; whole numbers print without decimals."""
        number = Decimal(str(value))
        if places is None:
            places = 0 if number == number.to_integral_value() else 2
        return self._number(number, places)

    def amount(self, value: Any) -> str:
        """An amount in the campaign currency, without the currency: its decimals are ISO 4217's."""
        number = to_minor_units(Decimal(str(value)), self.currency)
        whole = number == number.to_integral_value() and self.pack.money_decimals == "needed"
        return self._number(number, 0 if whole else codes.minor_units(self.currency))

    def money(self, value: Any) -> str:
        """An amount with its currency as the pack writes it: ``$4,500``, ``4.500,00 €``, ``۴٬۵۰۰ ریال``."""
        code = self.currency
        symbol = self.pack.symbols.get(code)
        pattern = self.pack.money_symbol if symbol else self.pack.money
        name = self.strings.get("currencies", {}).get(code, code)
        return pattern.format(amount=self.amount(value), code=code, symbol=symbol or code, name=name)

    def figure(self, text: str) -> str:
        """A number written as text in a spec, in the document's style; other text as written."""
        parts = Figure(text).parts()
        if parts is None:
            return text
        number, percent = parts
        return self.percent(number) if percent else self.num(number)

    def percent(self, value: Any) -> str:
        """``25%`` / ``25 %`` / ``۲۵٪``."""
        return self.pack.percent.format(number=self.num(value))

    def date(self, value: dt.date | None) -> str:
        """A date in the document's calendar, with month names from strings.yaml."""
        if value is None:
            return ""
        if self.calendar == "jalali":
            from persiantools.jdatetime import JalaliDate

            j = JalaliDate(value)
            day, month, year, months = j.day, j.month, j.year, self.strings["jalali_months"]
        else:
            day, month, year, months = value.day, value.month, value.year, self.strings["months"]
        return self.pack.date.format(day=self.digits(str(day)), month=months[month - 1], year=self.digits(str(year)))

    def join(self, items: Iterable[Any], last: str = "list_and") -> str:
        """``a, b and c`` in the document language."""
        words = [str(i) for i in items]
        if len(words) <= 1:
            return "".join(words)
        sep, final = self.strings["list_sep"], self.strings[last]
        return sep.join(words[:-1]) + final + words[-1]

    def term(self, value: Any, group: str) -> str:
        """Words for an enum value (``reel`` → ``Reel``); a user's own value prints exactly as typed."""
        return str(self.terms.get(group, {}).get(str(value), str(value)))

    @cached_property
    def terms(self) -> dict[str, dict[str, str]]:
        """The ``terms`` table of strings.yaml."""
        return self.strings.get("terms", {})

    def text(self, key: str, **values: Any) -> str:
        """A fixed string by dotted key, with ``{name}`` values filled in (numbers in the document's digits)."""
        node: Any = self.strings
        for part in key.split("."):
            node = node[part]
        return str(node).format(**{k: self.digits(str(v)) for k, v in values.items()})
