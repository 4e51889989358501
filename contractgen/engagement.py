"""Expand a campaign into one :class:`Engagement` per influencer.

An engagement is the campaign's terms merged with one influencer's overrides, plus the values
clauses and templates need ready-made (``deal``): dates, amounts, tracking links, disclosure
duties. Computing them once here keeps clause text free of arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from contractgen import money
from contractgen.library.disclosure import DisclosureRules, placement_kind
from contractgen.spec import codes
from contractgen.spec.models import CampaignSpec, Deliverable, Influencer
from contractgen.spec.rules import fill, handle_forms


@dataclass(frozen=True)
class DeliverablePlan:
    """One deliverable with its dates worked out.

    platform: where it is published (instagram, tiktok, ...)
    format: what it is (reel, story, video, ...)
    count: how many pieces
    publish_from: the first day it may go live
    publish_to: the last day it may go live
    draft_due: the date the draft reaches the brand
    draft_due_days_before: days between the draft and publish_from
    live_days: days it stays up at least
    notes: extra requirements, or none
    """

    platform: str
    format: str
    count: int
    publish_from: dt.date
    publish_to: dt.date
    draft_due: dt.date
    draft_due_days_before: int
    live_days: int
    notes: str | None


@dataclass(frozen=True)
class Instalment:
    """One payment milestone with its amount.

    label: when it is due, e.g. On signature
    percent: its share of the fee
    amount: the amount in the campaign currency; a deal's instalments add up to its fee exactly
    """

    label: str
    percent: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PlatformDisclosure:
    """How content on one platform is labelled.

    platform: the platform key
    label: the ad label to use
    placement: where the label goes (wording from the disclosure rules)
    tool: the platform's own paid-partnership tool, or none
    """

    platform: str
    label: str
    placement: str
    tool: str | None


@dataclass(frozen=True)
class TrackingLink:
    """The influencer's own tracking link on one platform.

    platform: the platform key
    url: the landing URL with this influencer's UTM parameters
    """

    platform: str
    url: str


@dataclass(frozen=True)
class Deal:
    """Values derived for one influencer's contract and brief.

    fee: the influencer's fee (their own, else payment.fee)
    paid: true when the fee is above zero
    gifted_only: true when the fee is zero and a gifted product is given
    currency: the campaign currency code
    brand_name: the brand's display name, else its legal name
    deliverables: this influencer's deliverables with dates worked out
    schedule: payment instalments with amounts (at least one)
    platforms: platform keys the influencer publishes on, sorted
    disclosure: per platform, the label, its placement and the platform's own tool
    disclosure_label: the main ad label, e.g. #ad
    disclosure_authority: wording naming the disclosure rules of the jurisdiction
    disclosure_rejected: labels the jurisdiction does not accept
    tracking_links: the influencer's tracking link per platform
    discount_code: the influencer's discount code, or none
    first_publish: the first day content may go live
    last_publish: the last day content may go live
    report_due: the date the performance report is due
    exclusivity_from: the first day of exclusivity
    exclusivity_to: the last day of exclusivity
    kill_fee_amount: the kill fee, or none
    late_per_day_amount: the late-delivery deduction per day, or none
    late_cap_amount: the most that can be deducted for lateness, or none
    liability_cap_amount: the liability cap, or none when uncapped
    usage_end: the end of the usage period, or none when perpetual
    governing_law: the governing law (spec or the jurisdiction's default)
    venue: where disputes are heard (spec or default)
    territory: the usage territory (spec or the campaign country)
    country_name: the campaign country's name
    slug: the influencer's folder name
    """

    fee: Decimal
    paid: bool
    gifted_only: bool
    currency: str
    brand_name: str
    deliverables: tuple[DeliverablePlan, ...]
    schedule: tuple[Instalment, ...]
    platforms: tuple[str, ...]
    disclosure: tuple[PlatformDisclosure, ...]
    disclosure_label: str
    disclosure_authority: str
    disclosure_rejected: tuple[str, ...]
    tracking_links: tuple[TrackingLink, ...]
    discount_code: str | None
    first_publish: dt.date
    last_publish: dt.date
    report_due: dt.date
    exclusivity_from: dt.date
    exclusivity_to: dt.date
    kill_fee_amount: Decimal | None
    late_per_day_amount: Decimal | None
    late_cap_amount: Decimal | None
    liability_cap_amount: Decimal | None
    usage_end: dt.date | None
    governing_law: str
    venue: str
    territory: str
    country_name: str
    slug: str


@dataclass(frozen=True)
class Engagement:
    """One influencer's side of the campaign: the spec, the person and the deal."""

    spec: CampaignSpec
    influencer: Influencer
    index: int
    deal: Deal

    def context(self) -> dict[str, object]:
        """Names visible to clause and template text (their types: :func:`context_types`)."""
        names: dict[str, object] = {name: getattr(self.spec, name) for name in context_types() if name in _SECTIONS}
        names["influencer"] = self.influencer
        names["deal"] = self.deal
        return names


# Spec sections clause text sees directly; the lists are replaced by one influencer and the deal.
_SECTIONS = tuple(n for n in CampaignSpec.model_fields if n not in ("influencers", "deliverables"))


def context_types() -> dict[str, Any]:
    """The type of every name in :meth:`Engagement.context`, for lint and ``clauses vars``."""
    types: dict[str, Any] = {name: CampaignSpec.model_fields[name].annotation for name in _SECTIONS}
    types["influencer"] = Influencer
    types["deal"] = Deal
    return types


def slugify_handle(handle: str) -> str:
    """A folder name from a handle: ASCII letters, digits, dot, dash, underscore only."""
    bare = handle.lstrip("@").lower()
    slug = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "-" for ch in bare)
    slug = slug.strip(".-") or "influencer"
    return slug[:64]


def expand(spec: CampaignSpec, rules: DisclosureRules, language: str, on_completion: str,
           placement_sep: str = "; ") -> list[Engagement]:
    """One engagement per influencer, in spec order.

    ``on_completion`` names the single instalment of a deal without a schedule and
    ``placement_sep`` joins a platform's label placements: both are wording of the document's
    language (templates/<lang>/strings.yaml), so Persian gets «؛ » rather than "; ".
    """
    return [
        Engagement(spec, person, i, _deal(spec, person, rules, language, on_completion, placement_sep))
        for i, person in enumerate(spec.influencers)
    ]


def _word(wording: dict[str, str], language: str) -> str:
    return wording.get(language) or wording["en"]


def _deal(spec: CampaignSpec, person: Influencer, rules: DisclosureRules, language: str, on_completion: str,
          placement_sep: str) -> Deal:
    fee = person.fee if person.fee is not None else spec.payment.fee
    items = person.deliverables or spec.deliverables
    plans = tuple(_plan(d) for d in items)
    first = min(p.publish_from for p in plans)
    last = max(p.publish_to for p in plans)
    platforms = tuple(sorted({p.platform for p in plans}))
    payment = spec.payment
    currency = spec.campaign.currency
    fee = money.to_minor_units(fee, currency)  # validation refused more decimals; this is a no-op
    schedule = payment.schedule or ()
    amounts = money.allocate(fee, [m.percent for m in schedule], currency)
    instalments = tuple(
        Instalment(m.label, m.percent, amount) for m, amount in zip(schedule, amounts, strict=True)
    ) or (Instalment(on_completion, Decimal(100), fee),)

    def share(percent: Decimal) -> Decimal:
        return money.to_minor_units(fee * percent / 100, currency)

    jurisdiction = rules.for_country(spec.campaign.jurisdiction)
    label = spec.disclosure.label or jurisdiction.label
    disclosure = []
    for platform in platforms:
        kinds = sorted({placement_kind(p.format) for p in plans if p.platform == platform})
        placements = []
        # The spec's own placement (for captions) applies everywhere; videos, stories and live
        # streams keep the jurisdiction's extra duties (spoken, on every frame, repeated).
        if spec.disclosure.placement:
            placements.append(spec.disclosure.placement)
        for kind in kinds:
            if kind == "default" and spec.disclosure.placement:
                continue
            wording = getattr(jurisdiction.placement, kind) or jurisdiction.placement.default
            text = _word(wording, language)
            if text not in placements:
                placements.append(text)
        tool = rules.platform_tools.get(platform) if spec.disclosure.platform_tools else None
        disclosure.append(PlatformDisclosure(platform, label, placement_sep.join(placements),
                                             _word(tool, language) if tool else None))

    forms = {**handle_forms(person.handle), "campaign_id": spec.campaign_id}
    links = tuple(
        TrackingLink(platform, _tracking_url(spec, {**forms, "platform": platform})) for platform in platforms
    ) if spec.tracking.landing_url else ()
    code = fill(spec.tracking.discount_code, forms).upper() if spec.tracking.discount_code else None

    late = spec.penalties.late_delivery
    cap = spec.legal.liability_cap
    ex = spec.exclusivity
    usage_months = spec.usage_rights.term_months
    country = _word(jurisdiction.country, language) if jurisdiction.country and jurisdiction is not rules.jurisdictions.get(
        "default") else codes.country_name(spec.campaign.jurisdiction, language)
    return Deal(
        fee=fee,
        paid=fee > 0,
        gifted_only=fee == 0 and payment.gifted_product is not None,
        currency=currency,
        brand_name=spec.brand.display_name or spec.brand.legal_name,
        deliverables=plans,
        schedule=instalments,
        platforms=platforms,
        disclosure=tuple(disclosure),
        disclosure_label=label,
        disclosure_authority=_word(jurisdiction.authority, language),
        disclosure_rejected=tuple(jurisdiction.rejected),
        tracking_links=links,
        discount_code=code,
        first_publish=first,
        last_publish=last,
        report_due=last + dt.timedelta(days=spec.reporting.report_due_days),
        exclusivity_from=first - dt.timedelta(days=ex.days_before),
        exclusivity_to=last + dt.timedelta(days=ex.days_after),
        kill_fee_amount=share(payment.kill_fee_percent) if payment.kill_fee_percent is not None else None,
        late_per_day_amount=share(late.percent_per_day) if late else None,
        late_cap_amount=share(late.cap_percent) if late else None,
        liability_cap_amount=None if cap == "none" else (fee if cap == "total_fee" else Decimal(cap)),
        usage_end=_add_months(last, usage_months) if usage_months else None,
        governing_law=spec.legal.governing_law or _word(jurisdiction.governing_law, language),
        venue=spec.legal.venue or _word(jurisdiction.venue, language),
        territory=spec.usage_rights.territory or country,
        country_name=country,
        slug=slugify_handle(person.handle),
    )


def _plan(item: Deliverable) -> DeliverablePlan:
    window = item.publish_window
    return DeliverablePlan(
        platform=item.platform,
        format=item.format,
        count=item.count,
        publish_from=window.from_,
        publish_to=window.to,
        draft_due=window.from_ - dt.timedelta(days=item.draft_due_days_before),
        draft_due_days_before=item.draft_due_days_before,
        live_days=item.live_days,
        notes=item.notes,
    )


def _tracking_url(spec: CampaignSpec, values: dict[str, str]) -> str:
    assert spec.tracking.landing_url  # callers check
    params = [(f"utm_{k}", fill(v, values)) for k, v in spec.tracking.utm.model_dump().items() if v]
    parts = urlsplit(spec.tracking.landing_url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")
