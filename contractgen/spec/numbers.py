"""Numbers as people type them: ``€1,500``, ``1 500 €``, ``1.500,00 €``, ``45.2k``, ``45 200``.

One reader for every place a number is typed: the questionnaire, spec files and rosters. It
needs to know only one thing about its source, the :class:`NumberStyle`: which of ``,`` and
``.`` is the decimal mark there (a roster decides it once per file, a spec or a questionnaire
from the campaign's document language, as the documents print amounts), or None when nothing says. Then:

- a currency symbol or ISO code before or after the digits is dropped (``€``, ``EUR``), and so
  is a trailing ``%``;
- spaces (also no-break and narrow no-break) and the mark that is not the decimal mark separate
  thousands; where the style does not say, a number that shows its decimal mark (``1.500,00``,
  ``1.000.000``, ``45.2``) is read by it;
- ``k`` and ``m`` after the digits multiply by a thousand and a million (``45.2k`` = 45200);
- a number that shows its decimal mark (``89,00``, ``1.500,00``, ``45.2``) is read by it, even
  where the source usually writes the other mark: only one reading is possible;
- a number that reads two ways (``1.500`` or ``1,500``) is read as the style says; where it
  says nothing, or says the mark is the decimal one, it is refused with both readings and how
  to write each, in the source's own format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache


def message(key: str, **values: object) -> str:
    """A sentence of the catalogue (imported late: the catalogue's money formatting imports the spec models)."""
    from contractgen.messages import message as catalogue

    return catalogue(key, **values)

# Characters a person writes in a number: digits, the two marks and the spaces between thousands.
SPACES = "\u0020\u00a0\u202f"  # a space, a no-break space and a narrow no-break space between thousands
NUMBERISH = re.compile(r"[\d.,\u0020\u00a0\u202f]*\d[\d.,\u0020\u00a0\u202f]*")
_SYMBOLS = "€$£¥₹₽₺₩₪﷼"
_AROUND = re.compile(rf"^\s*(?:[A-Z]{{3}}\s*|[{_SYMBOLS}]\s*)?(?P<number>[-+]?[\d.,{SPACES}]*\d[\d.,{SPACES}]*)"
                     rf"\s*(?P<scale>[kKmM])?\s*(?:\s*[{_SYMBOLS}]|\s*[A-Z]{{3}}|\s*%)?\s*$")
_SCALES = {"k": Decimal(1000), "m": Decimal(1_000_000)}


@dataclass(frozen=True)
class NumberStyle:
    """How one source writes numbers: its decimal mark (None: the source does not tell), and why."""

    decimal: str | None
    reason: str
    file: bool = True  # a file (a roster) rather than one typed answer: messages say "in this file"


UNKNOWN = NumberStyle(None, "", file=False)


class NumberError(ValueError):
    """A number that cannot be read: what is wrong (the message) and what to write (``hint``)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.args[0]}; {self.hint}" if self.hint else str(self.args[0])


def decimal_shown(cell: str) -> str | None:
    """The decimal mark a number shows (``1.500,25`` → ``,``), or None if it reads either way."""
    if not NUMBERISH.fullmatch(cell):
        return None
    digits = cell.translate({ord(c): None for c in SPACES})
    if "." in digits and "," in digits:
        return "." if digits.rfind(".") > digits.rfind(",") else ","
    mark = "." if "." in digits else "," if "," in digits else None
    if mark is None:
        return None
    if digits.count(mark) > 1:  # 1.000.000: a mark that repeats separates thousands
        return "," if mark == "." else "."
    whole, _, fraction = digits.partition(mark)
    if re.fullmatch(r"[1-9]\d{0,2}", whole) and re.fullmatch(r"\d{3}", fraction):
        return None  # 1.500 or 1,500: could be either
    return mark


def read_number(cell: str, style: NumberStyle, whole: bool, strict: bool = True) -> str:
    """Digits, marks and spaces as plain digits (``1.500,00`` → ``1500.00``); NumberError saying what to write.

    Text that is not made of digits, marks and spaces is returned as it is, for the model's own
    message (``-5``, ``abc``). ``strict``: ``1.500`` where ``.`` is the decimal mark is refused as
    ambiguous (a spreadsheet's thousands, or an amount with more decimals than money has); not
    strict, it is read by the style (a percentage of 33.333).
    """
    if not NUMBERISH.fullmatch(cell) or cell.isdigit():
        return cell
    decimal = style.decimal or decimal_shown(cell)
    if decimal is None:
        if "." in cell or "," in cell:
            raise _number_error(cell, style)
        decimal = "."  # only spaces between thousands: either reading gives the same number
    group = "[" + re.escape("." if decimal == "," else ",") + SPACES + "]"
    mark = re.escape(decimal)
    found = re.fullmatch(rf"(?P<whole>\d{{1,3}}(?P<g>{group})\d{{3}}(?:(?P=g)\d{{3}})*|\d+)(?:{mark}(?P<fraction>\d+))?",
                         cell)
    if not found:
        raise _number_error(cell, style)
    fraction = found["fraction"] or ""
    if (strict and style.decimal is not None and found["g"] is None and re.fullmatch(r"[1-9]\d{0,2}", found["whole"])
            and len(fraction) == 3 and decimal_shown(cell) is None):
        raise _number_error(cell, style)  # 1.500 with '.' the decimal mark: most likely meant 1500
    plain = re.sub(group, "", found["whole"])
    if whole and fraction.strip("0"):
        raise _not_whole(cell)
    return plain if whole or not fraction else f"{plain}.{fraction}"


def parse_number(text: str, style: NumberStyle = UNKNOWN, whole: bool = False, strict: bool = True) -> Decimal:
    """A number as a person typed it, with a currency, ``%`` or ``k``/``m``; NumberError if it cannot be read."""
    found = _AROUND.match(text)
    if not found:
        try:
            return Decimal(text.strip())
        except InvalidOperation:
            raise NumberError(message("numbers.not_a_number", text=text.strip()), _example(style)) from None
    number, scale = found["number"].strip(SPACES), (found["scale"] or "").lower()
    sign = "-" if number.startswith("-") else ""
    digits = number.lstrip("+-").strip(SPACES)
    shown = decimal_shown(digits)
    if shown is not None and shown != style.decimal:
        style = NumberStyle(shown, style.reason, style.file)  # 89,00 or 1.500,00 can only be read one way: read it so
    plain = read_number(digits, style, whole=whole and not scale, strict=strict)
    value = Decimal(sign + plain) * _SCALES.get(scale, Decimal(1))
    if whole and value != value.to_integral_value():
        raise _not_whole(text.strip())
    return value.quantize(Decimal(1)) if scale and value == value.to_integral_value() else value


def normalise(value: object, style: NumberStyle = UNKNOWN, whole: bool = False, strict: bool = True) -> object:
    """Text becomes the plain digits of the number it reads as (NumberError if none); other values are returned."""
    if not isinstance(value, str):
        return value
    if not _AROUND.match(value):
        try:
            Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            return value  # 1e300, NaN: a number in Python's own notation, for the model to judge as before
    number = parse_number(value, style, whole, strict)
    return int(number) if whole else format(number, "f")


def _not_whole(text: str) -> NumberError:
    return NumberError(message("numbers.not_whole", text=text), message("numbers.not_whole_hint"))


def _example(style: NumberStyle) -> str:
    decimal = style.decimal or "."
    group = "." if decimal == "," else ","
    return message("numbers.example", example=f"1{group}500{decimal}50")


def _number_error(cell: str, style: NumberStyle) -> NumberError:
    """Why a number cannot be read, and what to write instead (in the source's own format)."""
    decimal = style.decimal or "."
    at = "_file" if style.file else ""
    whole, _, fraction = re.sub(r"[^\d.,]", "", cell).replace(",", ".").rpartition(".")
    if re.fullmatch(r"[1-9]\d{0,2}", whole) and re.fullmatch(r"\d{3}", fraction):
        hint = message("numbers.two_ways_hint", whole=f"{whole}{fraction}", decimal=f"{whole}{decimal}{fraction[:2]}")
        if style.decimal is None:
            return NumberError(message("numbers.two_ways_unknown", cell=cell, whole=f"{whole}{fraction}",
                                       decimal=f"{whole}.{fraction.rstrip('0') or '0'}",
                                       reason=style.reason or message("numbers.no_mark_shown" + at)), hint)
        return NumberError(message("numbers.two_ways" + at, cell=cell, whole=f"{whole}{fraction}", mark=decimal,
                                   decimal=f"{whole}{decimal}{fraction.rstrip('0') or '0'}", reason=style.reason), hint)
    if style.decimal is None:
        return NumberError(message("numbers.unreadable", cell=cell, reason=style.reason or message("numbers.no_grouping")),
                           message("numbers.unreadable_hint"))
    group = "." if decimal == "," else ","
    return NumberError(message("numbers.other_format" + at, cell=cell, mark=decimal, group=group, reason=style.reason),
                       message("numbers.other_format_hint", grouped=f"1{group}500{decimal}50", plain=f"1500{decimal}50"))


@cache
def campaign_style(language: str) -> NumberStyle:
    """How a campaign's numbers are written: the decimal mark of its document language (CLDR data).

    The language, not the country: amounts are typed as the documents print them. A language
    whose decimal mark is neither ``.`` nor ``,`` (Persian writes ``٫``) is typed with ``.``, as
    people type on a Latin keyboard.
    """
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_decimal_symbol

    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return UNKNOWN
    mark = get_decimal_symbol(locale)
    return NumberStyle(mark if mark in ".," else ".", message("numbers.language_reason",
                                                              language=locale.get_display_name("en")), file=False)
