"""ISO 3166 country and ISO 4217 currency codes, checked against pycountry's tables.

pycountry does not carry ISO 4217's minor units (how many decimals a currency has): they come
from ``contractgen/data/currencies.yaml``.
"""

from __future__ import annotations

import difflib
import gettext
from decimal import Decimal
from functools import cache
from pathlib import Path

import pycountry
import yaml

_MINOR_UNITS_FILE = Path(__file__).resolve().parent.parent / "data" / "currencies.yaml"
DEFAULT_MINOR_UNITS = 2


@cache
def _countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def _suggest(value: str, known: frozenset[str]) -> str:
    close = difflib.get_close_matches(value.upper(), sorted(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_country(value: str) -> str:
    """Return the upper-cased ISO 3166-1 alpha-2 code, or raise ValueError."""
    code = value.strip().upper()
    if code not in _countries():
        raise ValueError(f"'{value}' is not an ISO 3166 country code (e.g. US, GB, IR){_suggest(code, _countries())}")
    return code


def check_currency(value: str) -> str:
    """Return the upper-cased ISO 4217 code, or raise ValueError."""
    code = value.strip().upper()
    if code not in _currencies():
        raise ValueError(f"'{value}' is not an ISO 4217 currency code (e.g. USD, EUR, IRR){_suggest(code, _currencies())}")
    return code


@cache
def _minor_units() -> dict[str, int]:
    data = yaml.safe_load(_MINOR_UNITS_FILE.read_text(encoding="utf-8"))
    return {code: int(places) for places, listed in data.items() for code in listed}


def minor_units(currency: str) -> int:
    """How many decimals amounts in ``currency`` have: JPY 0, EUR 2, KWD 3 (ISO 4217)."""
    return _minor_units().get(currency.upper(), DEFAULT_MINOR_UNITS)


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: ``Decimal('0.01')`` for EUR, ``Decimal('1')`` for JPY."""
    return Decimal(1).scaleb(-minor_units(currency))


def country_name(code: str, language: str = "en") -> str:
    """Short name of a country in a language, e.g. 'Germany' for DE."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    if language != "en":
        name = _translation(language).gettext(country.name)
    return name


@cache
def _translation(language: str) -> gettext.NullTranslations:

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)
