"""Jurisdiction packs: a country's legal defaults and checks as data (``clauses/jurisdictions/<CC>.yaml``).

A pack holds what differs by country in law and is not clause wording: the liability-cap
floor per currency, the names of the courts, and the spec fields the country's law needs
(each becomes a finding when missing). Country-specific
wording itself lives in the clauses, as variants with ``when: "pack.code == 'DE'"``, so one
clause file holds every country's version of that clause side by side. How a country's
readers expect the page to look (paper, date order, currency symbol) is the language pack's
``regions:`` (``templates/<lang>/language.yaml``), decided there once.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contractgen.errors import Problem, UserError
from contractgen.spec.loader import load_file
from contractgen.spec.validate import pydantic_problems

Wording = dict[str, str]  # language code → text


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Requirement(_Data):
    """A spec field the country's law needs; a finding when it is empty."""

    field: str = Field(description="Dotted spec path, e.g. brand.registration or influencers[].address.")
    severity: Literal["info", "warning", "error"] = "warning"
    # One text, or one per language ({en: ..., fa: ...}): a finding is shown in its reader's language.
    message: str | dict[str, str] = Field(description="What is missing and why the law wants it.")
    hint: str | dict[str, str] = Field(description="What to do.")


class Pack(_Data):
    """One jurisdiction's legal defaults.

    code: the ISO country code of the pack (default for the fallback pack)
    liability_floor: the least the liability cap can be, per currency
    merchants_only_forum: true where a choice of court binds only merchants (DE, FR)
    """

    code: str
    liability_floor: dict[str, Decimal] = Field(default_factory=dict)
    merchants_only_forum: bool = False
    requires: list[Requirement] = Field(default_factory=list)


def load_packs(*folders: Path) -> dict[str, Pack]:
    """Every ``<CC>.yaml`` pack, later folders replacing earlier ones; a ``default`` pack is required."""
    packs: dict[str, Pack] = {}
    problems: list[Problem] = []
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            loaded = load_file(path)
            try:
                pack = Pack.model_validate(loaded.data)
            except ValidationError as exc:
                problems.extend(pydantic_problems(exc, loaded, Pack))
                continue
            if pack.code != path.stem:
                problems.append(Problem(f"code '{pack.code}' does not match the file name", file=str(path),
                                        line=loaded.line_of(("code",)) or 1, where="code",
                                        hint=f"name the file {pack.code}.yaml or set code: {path.stem}"))
                continue
            packs[pack.code] = pack
    if problems:
        raise UserError(problems)
    if "default" not in packs:
        raise UserError(Problem("the jurisdiction packs need a default.yaml", file=str(folders[0])))
    return packs


def pack_for(packs: dict[str, Pack], country: str) -> Pack:
    """The pack of a country, or the cautious default."""
    return packs.get(country) or packs["default"]
