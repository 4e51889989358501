"""Expand a campaign into one :class:`Engagement` per influencer.

An engagement is the campaign's terms merged with one influencer's overrides, plus the values
clauses and templates need ready-made (``deal``): dates, amounts, tracking links, disclosure
duties. Computing them once here keeps clause text free of arithmetic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import yaml

from contractgen import money
from contractgen.library.disclosure import DisclosureRules, placement_kind
from contractgen.library.packs import Pack, pack_for
from contractgen.numbers import Figure
from contractgen.spec import codes
from contractgen.spec.models import CampaignSpec, Deliverable, Influencer, Kpi
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
    allocated_fee: the share of the Fee allocated to this line of Schedule 1 (all its pieces)
    live_until: the last day the last piece must still be up (a story: its Highlight)
    late_per_day_amount: the late-delivery deduction per day for this line, or none
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
    allocated_fee: Decimal = Decimal(0)
    live_until: dt.date | None = None
    late_per_day_amount: Decimal | None = None


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
    term_end: the last day of the Term (usage, live periods, exclusivity, report, commission)
    live_until: the last day any Deliverable must still be up
    kpis: the KPIs in this influencer's contract (their own, else the campaign's)
    kpis_own: true when the KPIs are the influencer's own targets, false for campaign-wide ones
    commission_until: the last day a sale can earn commission, or none without commission
    liability_limit: the cap on each party's liability (fee, or the spec's amount, never below the floor), or none
    liability_floor: the least the cap can be (spec or jurisdiction pack), or none
    product_due: the date the brand delivers a gifted product by, or none without one
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
    term_end: dt.date | None = None
    live_until: dt.date | None = None
    kpis: tuple[Kpi, ...] = ()
    kpis_own: bool = False
    commission_until: dt.date | None = None
    liability_limit: Decimal | None = None
    liability_floor: Decimal | None = None
    product_due: dt.date | None = None


_DEFAULT_PACK = Pack(code="default")  # a spec expanded without the library's packs


@dataclass(frozen=True)
class Engagement:
    """One influencer's side of the campaign: the spec, the person and the deal."""

    spec: CampaignSpec
    influencer: Influencer
    index: int
    deal: Deal
    pack: Pack = _DEFAULT_PACK

    def context(self) -> dict[str, object]:
        """Names visible to clause and template text (their types: :func:`context_types`)."""
        names: dict[str, object] = {name: getattr(self.spec, name) for name in context_types() if name in _SECTIONS}
        names["reporting"] = self.spec.reporting.model_copy(update={"kpis": figures(self.spec.reporting.kpis)})
        names["influencer"] = self.influencer
        names["deal"] = self.deal
        names["pack"] = self.pack
        return names


def figures(kpis: Any) -> tuple[Kpi, ...]:
    """KPIs whose targets print through the locale (150000 → 150,000 / ۱۵۰٬۰۰۰): marked as figures."""
    return tuple(k.model_copy(update={"target": Figure(k.target)}) if k.target is not None else k for k in kpis)


# Spec sections clause text sees directly; the lists are replaced by one influencer and the deal.
_SECTIONS = tuple(n for n in CampaignSpec.model_fields if n not in ("influencers", "deliverables"))


def context_types() -> dict[str, Any]:
    """The type of every name in :meth:`Engagement.context`, for lint and ``clauses vars``."""
    types: dict[str, Any] = {name: CampaignSpec.model_fields[name].annotation for name in _SECTIONS}
    types["influencer"] = Influencer
    types["deal"] = Deal
    types["pack"] = Pack
    return types


def slugify_handle(handle: str) -> str:
    """A folder name from a handle: ASCII letters, digits, dot, dash, underscore only."""
    bare = handle.lstrip("@").lower()
    slug = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "-" for ch in bare)
    slug = slug.strip(".-") or "influencer"
    return slug[:64]


def expand(spec: CampaignSpec, rules: DisclosureRules, language: str, on_completion: str,
           placement_sep: str = "; ", packs: dict[str, Pack] | None = None) -> list[Engagement]:
    """One engagement per influencer, in spec order.

    ``on_completion`` names the single instalment of a deal without a schedule and
    ``placement_sep`` joins a platform's label placements: both are wording of the document's
    language (templates/<lang>/strings.yaml), so Persian gets «؛ » rather than "; ".
    ``packs`` are the jurisdiction packs (the campaign's country, else ``default``).
    """
    pack = pack_for(packs, spec.campaign.jurisdiction) if packs else _DEFAULT_PACK
    return [
        Engagement(spec, person, i, _deal(spec, person, rules, language, on_completion, placement_sep, pack), pack)
        for i, person in enumerate(spec.influencers)
    ]


def _word(wording: dict[str, str], language: str) -> str:
    return wording.get(language) or wording["en"]


def _deal(spec: CampaignSpec, person: Influencer, rules: DisclosureRules, language: str, on_completion: str,
          placement_sep: str, pack: Pack | None = None) -> Deal:
    fee = person.fee if person.fee is not None else spec.payment.fee
    items = person.deliverables or spec.deliverables
    plans = _allocate(tuple(_plan(d) for d in items), items, fee, spec.campaign.currency)
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
        tool = (jurisdiction.platform_tools.get(platform) or rules.platform_tools.get(platform)
                if spec.disclosure.platform_tools else None)
        disclosure.append(PlatformDisclosure(platform, label, placement_sep.join(placements),
                                             _word(tool, language) if tool else None))

    forms = {**handle_forms(person.handle), "campaign_id": spec.campaign_id}
    links = tuple(
        TrackingLink(platform, _tracking_url(spec, {**forms, "platform": platform})) for platform in platforms
    ) if spec.tracking.landing_url else ()
    code = fill(spec.tracking.discount_code, forms).upper() if spec.tracking.discount_code else None

    late = spec.penalties.late_delivery
    if late:
        plans = tuple(dataclasses.replace(p, late_per_day_amount=money.to_minor_units(
            p.allocated_fee * late.percent_per_day / 100, currency)) for p in plans)
    cap = spec.legal.liability_cap
    ex = spec.exclusivity
    usage_months = spec.usage_rights.term_months
    country = _word(jurisdiction.country, language) if jurisdiction.country and jurisdiction is not rules.jurisdictions.get(
        "default") else codes.country_name(spec.campaign.jurisdiction, language)
    live_until = max(p.live_until or p.publish_to for p in plans)
    commission_until = (spec.campaign.end + dt.timedelta(days=payment.commission_window_days)
                        if payment.commission_percent is not None else None)
    usage_end = _add_months(last, usage_months) if usage_months else None
    ends = [live_until, last + dt.timedelta(days=spec.reporting.report_due_days)]
    ends += [d for d in (usage_end, commission_until) if d is not None]
    if ex.mode != "none":
        ends.append(last + dt.timedelta(days=ex.days_after))
    floor = spec.legal.liability_floor
    if floor is None and pack is not None:
        floor = pack.liability_floor.get(spec.campaign.currency)
    consideration = fee + (payment.gifted_product.value if payment.gifted_product else Decimal(0))
    gift = payment.gifted_product
    first_work = min(p.draft_due if spec.review.draft_required else p.publish_from for p in plans)
    product_due = (gift.delivered_by or max(spec.campaign.start, first_work - dt.timedelta(days=7))) if gift else None
    return Deal(
        product_due=product_due,
        liability_limit=None if cap == "none" else max(
            consideration if cap == "total_fee" else Decimal(cap), floor or Decimal(0)),
        liability_floor=floor,
        term_end=max(ends),
        live_until=live_until,
        kpis=figures(person.kpis or spec.reporting.kpis),
        kpis_own=bool(person.kpis),
        commission_until=commission_until,
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
        usage_end=usage_end,
        governing_law=spec.legal.governing_law or _word(jurisdiction.governing_law, language),
        venue=spec.legal.venue or _word(jurisdiction.venue, language),
        territory=spec.usage_rights.territory or country,
        country_name=country,
        slug=slugify_handle(person.handle),
    )


def _plan(item: Deliverable) -> DeliverablePlan:
    window = item.publish_window
    # A story is up for a day, then in a Highlight: live_days counts both (at least one day).
    live_until = window.to + dt.timedelta(days=max(item.live_days, 1) - 1)
    return DeliverablePlan(
        live_until=live_until,
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


@functools.cache
def fee_weights() -> dict[str, Decimal]:
    """Format weights that split a fee over Schedule 1 (``contractgen/data/fee-weights.yaml``)."""
    path = Path(__file__).resolve().parent / "data" / "fee-weights.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: Decimal(str(weight)) for name, weight in data["weights"].items()}


def _allocate(plans: tuple[DeliverablePlan, ...], items: list[Deliverable], fee: Decimal,
              currency: str) -> tuple[DeliverablePlan, ...]:
    """Each line's allocated fee: the spec's own figure, else a weighted share of what is left.

    The shares are split like instalments (largest remainder in the currency's smallest unit),
    so the Schedule 1 column adds up to the fee exactly.
    """
    weights = fee_weights()

    def weight(d: Deliverable) -> Decimal:
        # "tiktok.video" before "video": a platform may price a format differently.
        return weights.get(f"{d.platform}.{d.format}", weights.get(d.format, Decimal(1)))

    given = sum((d.fee for d in items if d.fee is not None), Decimal(0))
    rest = max(fee - given, Decimal(0))
    open_lines = [i for i, d in enumerate(items) if d.fee is None]
    total_weight = sum((weight(items[i]) * items[i].count for i in open_lines), Decimal(0))
    percents = [weight(items[i]) * items[i].count * 100 / total_weight for i in open_lines] if total_weight else []
    shares = dict(zip(open_lines, money.allocate(rest, percents, currency), strict=True)) if percents else {}
    return tuple(
        dataclasses.replace(p, allocated_fee=money.to_minor_units(
            items[i].fee if items[i].fee is not None else shares.get(i, Decimal(0)), currency))
        for i, p in enumerate(plans)
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
