"""The campaign's country, as people name it, and the defaults that follow from it.

Pure data and logic (no terminal), for every front end: :func:`find_country` reads a code
(``FR``, ``FRA``) or a name in any language CLDR knows ("France", "Deutschland", «ایران»);
:func:`country_defaults` gathers what the country decides unless the spec says otherwise —
the currency (CLDR), a document language we have templates for, and from the jurisdiction
pack and the disclosure rules: the ad label, the governing law and the courts; and from the
language pack's region: the paper size.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry

from contractgen.resources import available_languages, clauses_dir, templates_dir


class UnknownCountry(LookupError):
    """A country nobody could find; ``suggestions`` are the closest codes, best first."""

    def __init__(self, text: str, suggestions: list[str]) -> None:
        super().__init__(text)
        self.text = text
        self.suggestions = suggestions


@dataclass(frozen=True)
class CountryDefaults:
    """What a country decides in a spec that does not say otherwise."""

    country: str  # ISO code
    name: str  # in the document language
    currency: str
    language: str  # a document language with templates: the country's own, else the current one
    ad_label: str
    governing_law: str
    venue: str
    paper: str


def _key(text: str) -> str:
    # "Élysée" and "elysee", "Deutschland " and "deutschland" are the same answer.
    folded = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


@cache
def _english_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if name:
                names.setdefault(_key(name), c.alpha_2)
        names.setdefault(_key(c.alpha_3), c.alpha_2)
    return names


@cache
def _all_names() -> dict[str, str]:
    """Country names in every language CLDR has (built once, on the first name not found in English)."""
    from babel import Locale, UnknownLocaleError, localedata

    codes = {c.alpha_2 for c in pycountry.countries}
    names = dict(_english_names())
    for identifier in localedata.locale_identifiers():
        if "_" in identifier:
            continue  # regional locales repeat their language's names
        try:
            territories = Locale.parse(identifier).territories
        except (UnknownLocaleError, ValueError):
            continue
        for code, name in territories.items():
            if code in codes:
                names.setdefault(_key(name), code)
    return names


def find_country(text: str) -> str:
    """The ISO 3166 code of a country typed as a code or a name; UnknownCountry with suggestions."""
    key = _key(text)
    if len(key) == 2 and pycountry.countries.get(alpha_2=key.upper()):
        return key.upper()
    for names in (_english_names, _all_names):
        if key in names():
            return names()[key]
    close = difflib.get_close_matches(key, list(_all_names()), n=5, cutoff=0.7)
    suggestions = list(dict.fromkeys(_all_names()[name] for name in close))
    raise UnknownCountry(text.strip(), suggestions[:3])


def languages() -> list[str]:
    """The document languages there are packs for."""
    return list(available_languages(templates_dir()))


@cache
def country_defaults(country: str, language: str) -> CountryDefaults:
    """What ``country`` decides by default, worded in ``language`` where it is wording."""
    from babel.languages import get_official_languages
    from babel.numbers import get_territory_currencies

    from contractgen.library.disclosure import load_rules
    from contractgen.locale import load_pack
    from contractgen.spec.codes import country_name

    own = [lang for lang in get_official_languages(country) if lang in languages()]
    language = own[0] if own else language
    currencies = get_territory_currencies(country, tender=True) or ["USD"]
    rules = load_rules(clauses_dir() / "data" / "disclosure.yaml").for_country(country)

    def word(wording: dict[str, str]) -> str:
        return wording.get(language) or next(iter(wording.values()))

    return CountryDefaults(country, country_name(country, language), currencies[0], language, rules.label,
                           word(rules.governing_law), word(rules.venue),
                           load_pack(templates_dir(), language).for_region(country).paper)
