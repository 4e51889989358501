"""ISO 3166 country and ISO 4217 currency codes, checked against pycountry's tables."""

from __future__ import annotations

import difflib
import gettext
from functools import cache

import pycountry


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
