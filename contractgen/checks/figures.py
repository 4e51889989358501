"""Audience and cost figures of one engagement, worked out against a rate card.

Shared by the checks (R1, R5) and the campaign summary, so both say the same numbers.
Definitions: engagement rate = average engagements per post ÷ followers × 100; reach = the
followers of each piece's platform × the number of pieces; cost = fee + the retail value of
gifted product that is not returned; cost per engagement = cost ÷ (average engagements × pieces);
cost per 1,000 followers = cost ÷ (reach ÷ 1,000).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contractgen.checks.rates import RateCard
from contractgen.engagement import Engagement

_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PlatformFigures:
    """What the brand knows about the influencer's audience on one platform."""

    platform: str
    followers: int
    avg_engagements: int | None
    rate: Decimal | None  # engagement rate in percent
    tier: str
    benchmark: Decimal | None  # the tier's normal engagement rate on this platform, percent


@dataclass(frozen=True)
class Band:
    """The market price of all of an influencer's deliverables, in the campaign currency."""

    low: Decimal
    high: Decimal | None  # None: no upper end (a mega tier)


@dataclass(frozen=True)
class Figures:
    """One influencer's audience, cost and market band."""

    platforms: tuple[PlatformFigures, ...]
    fee: Decimal
    cost: Decimal
    pieces: int
    reach: int | None
    engagements: int | None
    cost_per_engagement: Decimal | None
    cost_per_thousand: Decimal | None
    band: Band | None
    no_band_because: str | None  # why there is no band, for messages

    def on(self, platform: str) -> PlatformFigures | None:
        """The figures of one platform, if recorded."""
        return next((p for p in self.platforms if p.platform == platform), None)


def engagement_rate(followers: int, avg_engagements: int | None) -> Decimal | None:
    """Average engagements ÷ followers, in percent; None when it cannot be worked out."""
    if avg_engagements is None or followers <= 0:
        return None
    return Decimal(avg_engagements) * _HUNDRED / Decimal(followers)


def figures(engagement: Engagement, rates: RateCard) -> Figures:
    """Every figure of one engagement."""
    spec, person, deal = engagement.spec, engagement.influencer, engagement.deal
    platforms = tuple(
        PlatformFigures(
            platform=name,
            followers=stats.followers,
            avg_engagements=stats.avg_engagements,
            rate=engagement_rate(stats.followers, stats.avg_engagements),
            tier=rates.tier(stats.followers),
            benchmark=rates.benchmark(name, rates.tier(stats.followers)),
        )
        for name, stats in person.platforms.items()
    )
    gift = spec.payment.gifted_product
    cost = deal.fee + (gift.value if gift is not None and not gift.returnable else Decimal(0))
    pieces = sum(d.count for d in deal.deliverables)

    reach: int | None = 0
    engaged: int | None = 0
    for item in deal.deliverables:
        stats = person.platforms.get(item.platform)  # type: ignore[call-overload]
        if stats is None:
            reach = engaged = None
            break
        reach = None if reach is None else reach + stats.followers * item.count
        engaged = None if engaged is None or stats.avg_engagements is None else engaged + stats.avg_engagements * item.count
    band, why = _band(engagement, rates)
    return Figures(
        platforms=platforms,
        fee=deal.fee,
        cost=cost,
        pieces=pieces,
        reach=reach,
        engagements=engaged,
        cost_per_engagement=(cost / engaged) if engaged and cost else None,
        cost_per_thousand=(cost * 1000 / reach) if reach and cost else None,
        band=band,
        no_band_because=why,
    )


def _band(engagement: Engagement, rates: RateCard) -> tuple[Band | None, str | None]:
    person, deal = engagement.influencer, engagement.deal
    low, high = Decimal(0), Decimal(0)
    open_ended = False
    for item in deal.deliverables:
        prices = rates.prices.get(item.platform)  # type: ignore[call-overload]
        if prices is None:
            return None, f"the rate card has no price band for {item.platform}"
        stats = person.platforms.get(item.platform)  # type: ignore[call-overload]
        if stats is None:
            return None, f"no follower count is recorded for {item.platform}"
        tier = rates.tier(stats.followers)
        band = prices.bands.get(tier)
        if band is None:
            return None, f"the rate card has no {tier}-tier price band for {item.platform}"
        lo_premium, hi_premium = prices.premiums.get(item.format, (Decimal(1), Decimal(1)))  # type: ignore[call-overload]
        low += band[0] * lo_premium * item.count
        if band[1] is None:
            open_ended = True
        else:
            high += band[1] * hi_premium * item.count
    rate = rates.rate(deal.currency)
    if rate is None:
        return None, f"the rate card has no exchange rate for {deal.currency}"
    whole = Decimal(1)
    return Band((low / rate).quantize(whole), None if open_ended else (high / rate).quantize(whole)), None
