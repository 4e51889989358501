"""The rate card: tiers, engagement benchmarks, price bands and thresholds the checks use.

The built-in card is ``contractgen/data/rate-card.yaml``; ``--rates FILE`` replaces it whole.
Numbers live in that file with their sources, never in code, so a brand can bring its own.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from contractgen.errors import Problem, UserError
from contractgen.spec import codes
from contractgen.spec.loader import load_file
from contractgen.spec.models import Format, Platform
from contractgen.spec.validate import pydantic_problems

BUILTIN = Path(__file__).resolve().parent.parent / "data" / "rate-card.yaml"

Severity = Literal["info", "warning", "error"]
Positive = Annotated[Decimal, Field(gt=0)]
Range = tuple[Positive, Positive]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tier(_Data):
    """A follower tier: from ``min_followers`` up to the next tier's start."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
    min_followers: int = Field(ge=0)


class EngagementBenchmarks(_Data):
    """Engagement-rate benchmarks (percent) per platform and tier."""

    far_below: Decimal = Field(gt=0, le=1, description="Share of the benchmark below which a rate is flagged.")
    benchmarks: dict[Platform | Literal["default"], dict[str, Positive]]

    @field_validator("benchmarks")
    @classmethod
    def _has_default(cls, value: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, Decimal]]:
        if "default" not in value:
            raise ValueError("needs a 'default' entry used for platforms not listed")
        return value


class PlatformPrices(_Data):
    """Price bands per tier for one piece of content, and format premiums."""

    bands: dict[str, tuple[Positive, Positive | None]]
    premiums: dict[Format, Range] = Field(default_factory=dict)

    @field_validator("bands", "premiums")
    @classmethod
    def _ordered(cls, value: dict[str, tuple]) -> dict[str, tuple]:
        for key, (low, high) in value.items():
            if high is not None and high < low:
                raise ValueError(f"'{key}': the high end {high} is below the low end {low}")
        return value


class FeeBand(_Data):
    """How far outside its band a fee may sit before a finding."""

    above: Decimal = Field(ge=1)
    below: Decimal = Field(gt=0, le=1)


class Limits(_Data):
    """Single-number thresholds of individual rules."""

    exclusivity_max_months: int = Field(ge=1, le=1200)
    response_hours_max: int = Field(ge=1, le=720)
    report_due_days_min: int = Field(ge=0, le=3650)
    report_due_days_max: int = Field(ge=0, le=3650)
    penalty_cap_max_percent: Decimal = Field(ge=0)
    buyout_min_multiple: Decimal = Field(ge=0)
    buyout_min_fee: Decimal = Field(ge=0)


class Cadence(_Data):
    """Posting cadence assumed when a spec sets none."""

    max_sponsored_posts_per_day: int | None = Field(None, ge=1, le=100)
    min_hours_between_brand_posts: int | None = Field(None, ge=1, le=8760)


class Concealment(_Data):
    """Regular expressions for wording that would hide the advertising."""

    text: list[str] = Field(default_factory=list)
    donts: list[str] = Field(default_factory=list)

    @field_validator("text", "donts")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"'{pattern}' is not a valid regular expression: {exc}") from None
        return value


class RateCard(_Data):
    """A whole rate card, validated."""

    version: Literal[1]
    currency: str
    fx: dict[str, Positive] = Field(default_factory=dict)
    tiers: list[Tier] = Field(min_length=1)
    engagement: EngagementBenchmarks
    prices: dict[Platform, PlatformPrices] = Field(default_factory=dict)
    fee_band: FeeBand
    limits: Limits
    cadence: Cadence = Field(default_factory=Cadence)
    worldwide_words: list[str] = Field(default_factory=list)
    concealment: Concealment = Field(default_factory=Concealment)
    nda_must_mention: dict[str, list[str]] = Field(default_factory=dict)  # language → words
    severity: dict[str, Severity | Literal["off"]] = Field(default_factory=dict)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return codes.check_currency(value)

    @field_validator("fx")
    @classmethod
    def _fx_codes(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for code in value:
            codes.check_currency(code)
        return value

    @field_validator("tiers")
    @classmethod
    def _tiers(cls, value: list[Tier]) -> list[Tier]:
        if value[0].min_followers != 0:
            raise ValueError("the first tier must start at min_followers 0")
        for before, after in itertools.pairwise(value):
            if after.min_followers <= before.min_followers:
                raise ValueError(f"tier '{after.name}' must start above '{before.name}' (list them from the smallest)")
        names = [t.name for t in value]
        if len(set(names)) != len(names):
            raise ValueError("tier names must be unique")
        return value

    @model_validator(mode="after")
    def _known_tiers(self, info: ValidationInfo) -> RateCard:
        names = set(self.tier_names)
        used = [(f"engagement.benchmarks.{p}", set(b)) for p, b in self.engagement.benchmarks.items()]
        used += [(f"prices.{p}.bands", set(b.bands)) for p, b in self.prices.items()]
        for where, keys in used:
            if unknown := sorted(keys - names):
                raise ValueError(f"{where} names unknown tier(s) {', '.join(unknown)}; tiers are {', '.join(self.tier_names)}")
        # The rule ids come from the caller (checks.load_rates passes the registry): the rules
        # import this module, so it cannot import them.
        known = (info.context or {}).get("rule_ids")
        if known is not None and (unknown := sorted(set(self.severity) - set(known))):
            raise ValueError(f"severity names unknown rule(s) {', '.join(unknown)}")
        return self

    @property
    def tier_names(self) -> list[str]:
        """Tier names, smallest first."""
        return [t.name for t in self.tiers]

    def tier(self, followers: int) -> str:
        """The tier of a follower count."""
        name = self.tiers[0].name
        for tier in self.tiers:
            if followers >= tier.min_followers:
                name = tier.name
        return name

    def benchmark(self, platform: str, tier: str) -> Decimal | None:
        """The engagement-rate benchmark (percent) of a platform and tier, if known."""
        table = self.engagement.benchmarks.get(platform) or self.engagement.benchmarks["default"]  # type: ignore[call-overload]
        return table.get(tier)

    def rate(self, currency: str) -> Decimal | None:
        """Units of the card's currency per unit of ``currency``; None when unknown."""
        if currency == self.currency:
            return Decimal(1)
        return self.fx.get(currency)

    @cached_property
    def concealment_text(self) -> list[re.Pattern[str]]:
        """Compiled patterns for free brief text."""
        return [re.compile(p, re.IGNORECASE) for p in self.concealment.text]

    @cached_property
    def concealment_donts(self) -> list[re.Pattern[str]]:
        """Compiled patterns for brief.donts items."""
        return [re.compile(p, re.IGNORECASE) for p in self.concealment.donts]


def load_rates(path: Path | str | None = None, rule_ids: Collection[str] | None = None) -> RateCard:
    """The built-in rate card, or the file at ``path``; raise UserError with file and line.

    ``rule_ids``: the rules a ``severity`` entry may name (use :func:`contractgen.checks.load_rates`).
    """
    source = Path(path) if path is not None else BUILTIN
    if path is not None and not source.is_file():
        raise UserError(Problem("rate card not found", file=str(source),
                                hint=f"copy the built-in one from {BUILTIN} and edit it"))
    loaded = load_file(source)
    if not isinstance(loaded.data, dict):
        raise UserError(Problem("a rate card is a mapping (version, currency, tiers, ...)", file=str(source), line=1,
                                hint=f"start from a copy of {BUILTIN}"))
    try:
        return RateCard.model_validate(loaded.data, context={"rule_ids": rule_ids})
    except ValidationError as exc:
        raise UserError(pydantic_problems(exc, loaded, RateCard)) from None
