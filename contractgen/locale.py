"""Language-specific formatting used by both renderers: numbers, money, dates, lists, direction.

Words (month names, currency names, labels) come from ``templates/<lang>/strings.yaml``;
this module only knows how to put them together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from contractgen.money import amount_text

_PERSIAN_DIGITS = str.maketrans("0123456789.,%", "۰۱۲۳۴۵۶۷۸۹٫٬٪")


class Locale:
    """Formatting rules for one document language and calendar."""

    def __init__(self, language: str, calendar: str, currency: str, strings: dict[str, Any],
                 date_style: str = "dmy") -> None:
        self.language = language
        self.calendar = calendar
        self.currency = currency
        self.strings = strings
        self.date_style = date_style  # "mdy" (US: March 21, 2025) or "dmy" (21 March 2025)

    @property
    def rtl(self) -> bool:
        """True for right-to-left scripts."""
        return self.language == "fa"

    @property
    def direction(self) -> str:
        """``rtl`` or ``ltr``."""
        return "rtl" if self.rtl else "ltr"

    def digits(self, text: str) -> str:
        """Localise ASCII digits and separators already formatted in English style."""
        return text.translate(_PERSIAN_DIGITS) if self.rtl else text

    def num(self, value: Any, places: int | None = None) -> str:
        """A number with thousands separators; whole numbers print without decimals."""
        number = Decimal(str(value))
        if places is None:
            places = 0 if number == number.to_integral_value() else 2
        quant = Decimal(1).scaleb(-places)
        text = f"{number.quantize(quant, rounding=ROUND_HALF_UP):,.{places}f}"
        return self.digits(text)

    def money(self, value: Any) -> str:
        """An amount in the campaign currency: ``USD 4,500`` / ``۴٬۵۰۰ ریال`` (its decimals: ISO 4217)."""
        names = self.strings.get("currencies", {})
        amount = self.digits(amount_text(value, self.currency))
        if self.rtl:
            return f"{amount} {names.get(self.currency, self.currency)}"
        return f"{self.currency} {amount}"

    def percent(self, value: Any) -> str:
        """``25%`` / ``۲۵٪``."""
        return self.digits(f"{self.num(value)}%") if not self.rtl else f"{self.num(value)}٪"

    def date(self, value: dt.date | None) -> str:
        """A date in the document's calendar, with month names from strings.yaml."""
        if value is None:
            return ""
        if self.calendar == "jalali":
            from persiantools.jdatetime import JalaliDate

            j = JalaliDate(value)
            months = self.strings["jalali_months"]
            return self.digits(f"{j.day} {months[j.month - 1]} {j.year}")
        months = self.strings["months"]
        if self.date_style == "mdy" and not self.rtl:
            return f"{months[value.month - 1]} {value.day}, {value.year}"
        return self.digits(f"{value.day} {months[value.month - 1]} {value.year}")

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
        """A fixed string by dotted key, with ``{name}`` values filled in."""
        node: Any = self.strings
        for part in key.split("."):
            node = node[part]
        return str(node).format(**{k: self.digits(str(v)) for k, v in values.items()})
