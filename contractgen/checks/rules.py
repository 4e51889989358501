"""The risk rules: one function per stable rule id, registered in :data:`RULES`.

Each rule looks at a validated campaign and yields :class:`Hit`s: which influencer (or the
campaign), which field, and the values of what looks wrong. The sentences (what looks wrong,
what to do) are ``templates/<lang>/checks.yaml`` entries under the rule's id, made where the
finding is shown (:mod:`contractgen.messages`). Numbers come from the rate card. Rule ids are
``R<n>.<name>`` after the risk map (shared/reference/risk-map.md) and are an interface: scripts
filter on them and rate cards set their severity, so never rename one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from contractgen.checks.figures import Figures
from contractgen.checks.rates import RateCard
from contractgen.engagement import DeliverablePlan, Engagement
from contractgen.library.clauses import Library
from contractgen.library.disclosure import Jurisdiction
from contractgen.messages import Amount, Code, FieldPath, Items, Percent, Term, Text, Words, message
from contractgen.spec.models import CampaignSpec

Severity = Literal["info", "warning", "error"]
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Hit:
    """One thing a rule found: ``influencer`` is an index into the spec, or None for the campaign.

    ``values`` fill the sentences of the rule's ``variant`` in checks.yaml (``""``: the rule's
    own ``message`` and ``hint``; ``"uncapped"``: ``<rule>.uncapped.message`` ...).
    """

    influencer: int | None
    path: Path_
    values: dict[str, object]
    variant: str = ""
    severity: Severity | None = None  # a data-driven rule's own severity; None: the rule's


@dataclass
class Context:
    """What every rule may look at."""

    spec: CampaignSpec
    engagements: list[Engagement]
    figures: list[Figures]
    rates: RateCard
    library: Library


@dataclass(frozen=True)
class Rule:
    """A registered rule: stable id, default severity, the check (its description: checks.yaml)."""

    id: str
    severity: Severity
    check: Callable[[Context], Iterator[Hit]]

    @property
    def summary(self) -> str:
        """The one-line description, in the terminal's language."""
        return message(f"{self.id}.summary")

    @property
    def risk(self) -> str:
        """The risk id (R1..R8) the rule is about."""
        return self.id.split(".", 1)[0]


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity) -> Callable[[Callable[[Context], Iterator[Hit]]], Callable]:
    """Register a check under a stable id."""

    def register(check: Callable[[Context], Iterator[Hit]]) -> Callable[[Context], Iterator[Hit]]:
        assert rule_id not in RULES, rule_id
        RULES[rule_id] = Rule(rule_id, severity, check)
        return check

    return register


# --- helpers ---------------------------------------------------------------------------------

def who(engagement: Engagement) -> str:
    """The influencer as messages name them: their handle (the spec gives it its one leading @)."""
    return engagement.influencer.handle


def money(amount: Decimal, currency: str) -> Amount:
    """An amount for a message: the reader's locale prints it."""
    return Amount(amount, currency)


def _pct(value: Decimal) -> Percent:
    return Percent(value)


def deliverable_path(engagement: Engagement, index: int) -> Path_:
    """Where a deliverable of this engagement is written in the spec."""
    if engagement.influencer.deliverables:
        return ("influencers", engagement.index, "deliverables", index)
    return ("deliverables", index)


def own_deliverables(engagement: Engagement) -> bool:
    """True when the influencer has their own deliverables (else the campaign's apply)."""
    return bool(engagement.influencer.deliverables)


def fee_path(engagement: Engagement) -> Path_:
    """The field the influencer's fee comes from."""
    return ("influencers", engagement.index, "fee") if engagement.influencer.fee is not None else ("payment", "fee")


def _what(d: DeliverablePlan) -> Text:
    return Text("words.what", {"count": d.count, "platform": Term("platform", d.platform),
                               "format": Term("format", d.format), "formats": Term("format_plural", d.format)})


def _cadence(ctx: Context) -> tuple[int | None, int | None, Text]:
    """(posts per day, hours apart, where it comes from) in force for the density rules."""
    c = ctx.spec.cadence
    if c.max_sponsored_posts_per_day is not None or c.min_hours_between_brand_posts is not None:
        return c.max_sponsored_posts_per_day, c.min_hours_between_brand_posts, Text("words.spec_cadence")
    d = ctx.rates.cadence
    return d.max_sponsored_posts_per_day, d.min_hours_between_brand_posts, Text("words.default_cadence")


def _capacity(days: int, per_day: int | None, hours: int | None) -> int | None:
    """Most brand posts that fit in ``days`` whole days; None when nothing limits them."""
    limits = []
    if per_day is not None:
        limits.append(days * per_day)
    if hours is not None:
        limits.append((days * 24 - 1) // hours + 1)
    return min(limits) if limits else None


def _slots(d: DeliverablePlan) -> int:
    # A set of story frames published together counts as one post (as the cadence clause says).
    return 1 if d.format == "story" else d.count


def _describe_cadence(per_day: int | None, hours: int | None) -> Items:
    parts = []
    if per_day is not None:
        parts.append(Text("words.per_day", {"count": per_day}))
    if hours is not None:
        parts.append(Text("words.hours_apart", {"hours": hours}))
    return Items(tuple(parts))


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _norm(label: str) -> str:
    return " ".join(label.casefold().split())


# --- R1: wrong or untrustworthy influencer ---------------------------------------------------

@rule("R1.implausible-figures", "error")
def implausible_figures(ctx: Context) -> Iterator[Hit]:
    for e in ctx.engagements:
        for name, stats in e.influencer.platforms.items():
            if stats.avg_engagements is not None and stats.avg_engagements > stats.followers:
                yield Hit(e.index, ("influencers", e.index, "platforms", name, "avg_engagements"),
                          {"who": who(e), "platform": Term("platform", name),
                           "engagements": stats.avg_engagements, "followers": stats.followers})


@rule("R1.low-engagement", "warning")
def low_engagement(ctx: Context) -> Iterator[Hit]:
    factor = ctx.rates.engagement.far_below
    for e, fig in zip(ctx.engagements, ctx.figures, strict=True):
        for p in fig.platforms:
            if p.rate is None or p.benchmark is None or (p.avg_engagements or 0) > p.followers:
                continue
            if p.rate < p.benchmark * factor:
                yield Hit(e.index, ("influencers", e.index, "platforms", p.platform, "avg_engagements"),
                          {"who": who(e), "platform": Term("platform", p.platform), "rate": _pct(p.rate),
                           "engagements": p.avg_engagements, "followers": p.followers, "tier": Term("tier", p.tier),
                           "benchmark": _pct(p.benchmark)})


@rule("R1.no-figures", "info")
def no_figures(ctx: Context) -> Iterator[Hit]:
    for e in ctx.engagements:
        stats = e.influencer.platforms
        missing = [p for p in e.deal.platforms if p not in stats]
        no_engagement = [p for p in e.deal.platforms if p in stats and stats[p].avg_engagements is None]  # type: ignore[index]
        del missing  # R1.no-account reports a platform with no account listed at all
        for name in no_engagement:
            yield Hit(e.index, ("influencers", e.index, "platforms", name),
                      {"who": who(e), "platform": Term("platform", name),
                       "field": FieldPath(f"influencers[{e.index}].platforms.{name}.avg_engagements")})


@rule("R1.no-account", "warning")
def no_account(ctx: Context) -> Iterator[Hit]:
    for e in ctx.engagements:
        missing = [p for p in e.deal.platforms if p not in e.influencer.platforms]
        if missing:
            yield Hit(e.index, ("influencers", e.index, "platforms"),
                      {"who": who(e), "platforms": Items(tuple(Term("platform", m) for m in missing), "list_sep"),
                       "field": FieldPath(f"influencers[{e.index}].platforms.{missing[0]}")})


@rule("R1.no-warranty", "warning")
def no_warranty(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.authenticity.warranty:
        yield Hit(None, ("authenticity", "warranty"), {})


# --- R2: missed dates and slow communication -------------------------------------------------

@rule("R2.draft-before-start", "error")
def draft_before_start(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.review.draft_required:
        return
    c = ctx.spec.campaign
    start = max(c.start, c.agreement_date or c.start)
    what = Text("words.agreement_signed") if start != c.start else Text("words.campaign_starts")
    for e in ctx.engagements:
        for j, d in enumerate(e.deal.deliverables):
            if d.draft_due < start:
                yield Hit(e.index if own_deliverables(e) else None, (*deliverable_path(e, j), "draft_due_days_before"),
                          {"owner": _owner(e), "what": _what(d), "due": d.draft_due,
                           "days": d.draft_due_days_before, "opens": d.publish_from, "event": what, "start": start})


@rule("R2.window-too-short", "warning")
def window_too_short(ctx: Context) -> Iterator[Hit]:
    per_day, hours, source = _cadence(ctx)
    for e in ctx.engagements:
        for j, d in enumerate(e.deal.deliverables):
            days = (d.publish_to - d.publish_from).days + 1
            room = _capacity(days, per_day, hours)
            if room is not None and _slots(d) > room:
                yield Hit(e.index if own_deliverables(e) else None, (*deliverable_path(e, j), "publish_window"),
                          {"owner": _owner(e), "what": _what(d), "start": d.publish_from, "end": d.publish_to,
                           "days": days, "source": source, "cadence": _describe_cadence(per_day, hours), "room": room})


@rule("R7.too-dense", "warning")
def too_dense(ctx: Context) -> Iterator[Hit]:
    per_day, hours, source = _cadence(ctx)
    if per_day is None and hours is None:
        return
    for e in ctx.engagements:
        plans = e.deal.deliverables
        # Single windows that are too short are R2.window-too-short's finding, not this one.
        if any((room := _capacity((d.publish_to - d.publish_from).days + 1, per_day, hours)) is not None
               and _slots(d) > room for d in plans):
            continue
        for platform in e.deal.platforms:
            items = [d for d in plans if d.platform == platform]
            worst = _densest(items, per_day, hours)
            if worst is None:
                continue
            start, end, demand, room = worst
            days = (end - start).days + 1
            first = (*deliverable_path(e, plans.index(items[0])), "publish_window")
            where = ("cadence",) if source.key == "words.spec_cadence" else first
            yield Hit(e.index if own_deliverables(e) else None, where,
                      {"owner": _owner(e), "platform": Term("platform", platform), "demand": demand,
                       "start": start, "end": end, "days": days, "room": room, "source": source,
                       "cadence": _describe_cadence(per_day, hours)})


def _densest(items: list[DeliverablePlan], per_day: int | None, hours: int | None) -> tuple[dt.date, dt.date, int, int] | None:
    """The period whose deliverables cannot all fit the cadence (Hall's condition), if any."""
    starts = sorted({d.publish_from for d in items})
    ends = sorted({d.publish_to for d in items})
    for a in starts:
        for b in ends:
            if b < a:
                continue
            demand = sum(_slots(d) for d in items if d.publish_from >= a and d.publish_to <= b)
            room = _capacity((b - a).days + 1, per_day, hours)
            if room is not None and demand > room:
                return a, b, demand, room
    return None


def _owner(e: Engagement) -> Text:
    """``@handle's`` for an influencer's own deliverables, else ``the campaign's``."""
    return Text("words.owner", {"who": who(e)}) if own_deliverables(e) else Text("words.campaigns")


@rule("R2.no-review", "warning")
def no_review(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.review.draft_required:
        yield Hit(None, ("review", "draft_required"), {})


@rule("R2.review-too-tight", "warning")
def review_too_tight(ctx: Context) -> Iterator[Hit]:
    review = ctx.spec.review
    if not review.draft_required:
        return
    for e in ctx.engagements:
        for j, d in enumerate(e.deal.deliverables):
            if d.draft_due_days_before < review.brand_feedback_days:
                yield Hit(e.index if own_deliverables(e) else None, (*deliverable_path(e, j), "draft_due_days_before"),
                          {"owner": _owner(e), "what": _what(d), "days": d.draft_due_days_before,
                           "feedback": review.brand_feedback_days})


@rule("R2.slow-response", "info")
def slow_response(ctx: Context) -> Iterator[Hit]:
    hours = ctx.spec.communication.response_hours
    limit = ctx.rates.limits.response_hours_max
    if hours > limit:
        yield Hit(None, ("communication", "response_hours"),
                  {"hours": hours, "limit": limit})


@rule("R2.no-brand-contact", "warning")
def no_brand_contact(ctx: Context) -> Iterator[Hit]:
    spec = ctx.spec
    if spec.brand.contact is None and (spec.agency is None or spec.agency.contact is None):
        yield Hit(None, ("brand", "contact"),
                  {})


@rule("R2.no-kill-fee", "info")
def no_kill_fee(ctx: Context) -> Iterator[Hit]:
    if ctx.spec.payment.kill_fee_percent is not None:
        return
    paid = [who(e) for e in ctx.engagements if e.deal.paid]
    if paid:
        yield Hit(None, ("payment", "kill_fee_percent"),
                  {"people": _people(paid)})


@rule("R2.penalty-cap-above-fee", "warning")
def penalty_cap_above_fee(ctx: Context) -> Iterator[Hit]:
    late = ctx.spec.penalties.late_delivery
    limit = ctx.rates.limits.penalty_cap_max_percent
    if late is not None and late.cap_percent > limit:
        yield Hit(None, ("penalties", "late_delivery", "cap_percent"),
                  {"cap": _pct(late.cap_percent), "limit": _pct(limit)}, "late")
    cap = ctx.spec.legal.liability_cap
    if cap == "none":
        yield Hit(None, ("legal", "liability_cap"), {}, "uncapped")
        return
    if cap == "total_fee":
        return
    for e, fig in zip(ctx.engagements, ctx.figures, strict=True):
        if e.deal.liability_cap_amount is not None and e.deal.liability_cap_amount > fig.cost:
            yield Hit(e.index, ("legal", "liability_cap"),
                      {"who": who(e), "cap": money(e.deal.liability_cap_amount, e.deal.currency),
                       "cost": money(fig.cost, e.deal.currency)}, "liability")


# --- R3: content quality ---------------------------------------------------------------------

@rule("R3.training-after-draft", "warning")
def training_after_draft(ctx: Context) -> Iterator[Hit]:
    training = ctx.spec.brief.training
    if training is None or training.date is None:
        return
    for e in ctx.engagements:
        plans = e.deal.deliverables
        first = min(d.draft_due for d in plans) if ctx.spec.review.draft_required else e.deal.first_publish
        if training.date > first:
            what = Text("words.first_draft_due") if ctx.spec.review.draft_required else Text("words.first_post_live")
            yield Hit(e.index, ("brief", "training", "date"),
                      {"who": who(e), "date": training.date, "event": what, "first": first})


# --- R4: reporting ---------------------------------------------------------------------------

@rule("R4.no-kpis", "warning")
def no_kpis(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.reporting.kpis:
        yield Hit(None, ("reporting", "kpis"),
                  {})


@rule("R4.report-deadline", "warning")
def report_deadline(ctx: Context) -> Iterator[Hit]:
    days = ctx.spec.reporting.report_due_days
    limits = ctx.rates.limits
    if days < limits.report_due_days_min:
        yield Hit(None, ("reporting", "report_due_days"),
                  {"days": days, "least": limits.report_due_days_min}, "early")
    elif days > limits.report_due_days_max:
        yield Hit(None, ("reporting", "report_due_days"),
                  {"days": days, "most": limits.report_due_days_max}, "late")


@rule("R4.no-tracking", "warning")
def no_tracking(ctx: Context) -> Iterator[Hit]:
    t = ctx.spec.tracking
    if t.landing_url is None and t.discount_code is None:
        yield Hit(None, ("tracking",),
                  {})


@rule("R4.shared-tracking-link", "error")
def shared_tracking_link(ctx: Context) -> Iterator[Hit]:
    owners: dict[str, list[Text]] = {}
    for e in ctx.engagements:
        for link in e.deal.tracking_links:
            owners.setdefault(link.url, []).append(Text("words.on_platform", {
                "who": who(e), "platform": Term("platform", link.platform)}))
    for url, names in owners.items():
        if len(names) > 1:
            yield Hit(None, ("tracking", "utm"),
                      {"names": Items(tuple(names)), "url": Code(url)})


# --- R5: fees out of line with value ---------------------------------------------------------

@rule("R5.fee-above-band", "warning")
def fee_above_band(ctx: Context) -> Iterator[Hit]:
    above = ctx.rates.fee_band.above
    for e, fig in zip(ctx.engagements, ctx.figures, strict=True):
        band = fig.band
        if band is None or band.high is None or not e.deal.paid:
            continue
        if fig.cost > band.high * above:
            yield Hit(e.index, fee_path(e),
                      {"who": who(e), "cost": money(fig.cost, e.deal.currency), "band": _band_text(fig, e),
                       "what": _deliverables(e), "tiers": _tiers(fig, e)})


@rule("R5.fee-below-band", "info")
def fee_below_band(ctx: Context) -> Iterator[Hit]:
    below = ctx.rates.fee_band.below
    for e, fig in zip(ctx.engagements, ctx.figures, strict=True):
        band = fig.band
        if band is None or not e.deal.paid:
            continue
        if fig.cost < band.low * below:
            yield Hit(e.index, fee_path(e),
                      {"who": who(e), "cost": money(fig.cost, e.deal.currency), "band": _band_text(fig, e),
                       "what": _deliverables(e), "tiers": _tiers(fig, e)})


@rule("R5.no-consideration", "warning")
def no_consideration(ctx: Context) -> Iterator[Hit]:
    payment = ctx.spec.payment
    if payment.gifted_product is not None or payment.commission_percent:
        return
    for e in ctx.engagements:
        if not e.deal.paid:
            yield Hit(e.index, fee_path(e),
                      {"who": who(e)})


def _band_text(fig: Figures, e: Engagement) -> Text:
    assert fig.band is not None
    low = money(fig.band.low, e.deal.currency)
    if fig.band.high is None:
        return Text("words.band_open", {"low": low})
    return Text("words.band", {"low": low, "high": fig.band.high})


def _deliverables(e: Engagement) -> Items:
    return Items(tuple(_what(d) for d in e.deal.deliverables))


def _tiers(fig: Figures, e: Engagement) -> Items:
    return Items(tuple(Text("words.tier_on", {"tier": Term("tier", p.tier), "platform": Term("platform", p.platform)})
                       for p in fig.platforms if p.platform in e.deal.platforms))


NAMED = 10  # handles a campaign-wide finding names before "and N others": 10,000 would bury the point


def _people(handles: list[str]) -> Items | Text:
    if len(handles) <= NAMED:
        return Items(tuple(handles))
    return Text("words.and_others", {"names": Items(tuple(handles[:NAMED]), "list_sep"),
                                     "more": len(handles) - NAMED})


# --- R6: control of the message, rights ------------------------------------------------------

@rule("R6.long-exclusivity", "warning")
def long_exclusivity(ctx: Context) -> Iterator[Hit]:
    if ctx.spec.exclusivity.mode == "none":
        return
    months = ctx.rates.limits.exclusivity_max_months
    for e in ctx.engagements:
        start, end = e.deal.exclusivity_from, e.deal.exclusivity_to
        if end > _add_months(start, months):
            yield Hit(e.index, ("exclusivity", "days_after"),
                      {"who": who(e), "start": start, "end": end, "months": months})


@rule("R6.perpetual-usage", "warning")
def perpetual_usage(ctx: Context) -> Iterator[Hit]:
    if ctx.spec.usage_rights.term_months is None:
        yield Hit(None, ("usage_rights", "term_months"),
                  {})


@rule("R6.worldwide-usage", "warning")
def worldwide_usage(ctx: Context) -> Iterator[Hit]:
    territory = ctx.spec.usage_rights.territory
    if territory is None:
        return
    words = [w.casefold() for w in ctx.rates.worldwide_words]
    text = territory.casefold()
    if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
        yield Hit(None, ("usage_rights", "territory"),
                  {"territory": territory})


@rule("R6.buyout-small-fee", "warning")
def buyout_small_fee(ctx: Context) -> Iterator[Hit]:
    usage = ctx.spec.usage_rights
    if usage.mode != "buyout" and usage.ownership != "brand":
        return
    where = ("usage_rights", "mode") if usage.mode == "buyout" else ("usage_rights", "ownership")
    what = Text("words.full_buyout") if usage.mode == "buyout" else Text("words.ownership")
    limits = ctx.rates.limits
    for e, fig in zip(ctx.engagements, ctx.figures, strict=True):
        currency = e.deal.currency
        if fig.band is not None:
            floor = fig.band.low * limits.buyout_min_multiple
            basis = Text("words.band_multiple", {"multiple": limits.buyout_min_multiple})
        else:
            rate = ctx.rates.rate(currency)
            if rate is None:
                continue
            floor = (limits.buyout_min_fee / rate).quantize(Decimal(1))
            basis = Text("words.least_buyout")
        if fig.cost < floor:
            yield Hit(e.index, where,
                      {"who": who(e), "what": what, "cost": money(fig.cost, currency), "basis": basis,
                       "floor": money(floor, currency)})


@rule("R6.no-conduct-termination", "warning")
def no_conduct_termination(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.conduct.termination_for_conduct:
        yield Hit(None, ("conduct", "termination_for_conduct"),
                  {})


# --- R8: legal exposure ----------------------------------------------------------------------

@rule("R8.rejected-label", "error")
def rejected_label(ctx: Context) -> Iterator[Hit]:
    label = ctx.spec.disclosure.label
    if label is None or not ctx.engagements:
        return
    deal = ctx.engagements[0].deal
    if _norm(label) in {_norm(r) for r in deal.disclosure_rejected}:
        yield Hit(None, ("disclosure", "label"),
                  {"label": label, "authority": deal.disclosure_authority,
                   "country": Term("country", ctx.spec.campaign.jurisdiction), "accepted": _jurisdiction(ctx).label})


@rule("R8.unlisted-label", "warning")
def unlisted_label(ctx: Context) -> Iterator[Hit]:
    label = ctx.spec.disclosure.label
    if label is None:
        return
    rules = _jurisdiction(ctx)
    norm = _norm(label)
    if rules.accepted and norm not in {_norm(a) for a in rules.accepted} and norm not in {_norm(r) for r in rules.rejected}:
        yield Hit(None, ("disclosure", "label"),
                  {"label": label, "country": Term("country", ctx.spec.campaign.jurisdiction),
                   "accepted": Items(tuple(rules.accepted), "list_sep")})


@rule("R8.jurisdiction-defaulted", "warning")
def jurisdiction_defaulted(ctx: Context) -> Iterator[Hit]:
    # A spec without a campaign.jurisdiction key gets the model's default: "chosen" is the key being there.
    if "jurisdiction" not in ctx.spec.campaign.model_fields_set:
        yield Hit(None, ("campaign", "jurisdiction"),
                  {"country": Term("country", ctx.spec.campaign.jurisdiction), "code": Code(ctx.spec.campaign.jurisdiction),
                   "label": _jurisdiction(ctx).label})


def _jurisdiction(ctx: Context) -> Jurisdiction:
    return ctx.library.disclosure.for_country(ctx.spec.campaign.jurisdiction)


@rule("R8.gifted-without-disclosure", "info")
def gifted_without_disclosure(ctx: Context) -> Iterator[Hit]:
    gift = ctx.spec.payment.gifted_product
    for e in ctx.engagements:
        if e.deal.gifted_only and gift is not None:
            yield Hit(e.index, fee_path(e),
                      {"who": who(e), "product": gift.description, "label": e.deal.disclosure_label})


@rule("R8.nda-blocks-disclosure", "error")
def nda_blocks_disclosure(ctx: Context) -> Iterator[Hit]:
    library = ctx.library
    if not ctx.spec.confidentiality.nda or "confidentiality" not in library.layout:
        return
    clause = library.clauses.get("confidentiality")
    if clause is None:
        return
    language = ctx.spec.campaign.language
    must = [w.casefold() for w in ctx.rates.nda_must_mention.get(language, [])]
    for variant in clause.wordings():
        wording = variant.text.get(language)  # type: ignore[call-overload]
        if wording is None:
            continue  # no wording in this language: the build reports that itself
        text = wording.casefold()
        missing = [w for w in must if w not in text]
        if missing:
            source = library.sources["confidentiality"]
            yield Hit(None, ("confidentiality", "nda"),
                      {"clause": Code(clause.ref), "source": Code(f"{source.display()}:{source.line}"),
                       "word": missing[0]})
            return


@rule("R8.brief-hides-ad", "error")
def brief_hides_ad(ctx: Context) -> Iterator[Hit]:
    rates = ctx.rates
    for path, text, donts in _brief_texts(ctx.spec):
        patterns = rates.concealment_donts if donts else rates.concealment_text
        if any(p.search(text) for p in patterns):
            yield Hit(None, path,
                      {"text": text})


def _brief_texts(spec: CampaignSpec) -> Iterator[tuple[Path_, str, bool]]:
    """Every free text an influencer is told to follow: (path, text, is a don't)."""
    brief = spec.brief
    for name in ("key_message", "audience", "visual_guidelines", "call_to_action"):
        if (value := getattr(brief, name)) is not None:
            yield ("brief", name), value, False
    for name in ("tone_of_voice", "mandatory", "dos", "keywords"):
        for k, value in enumerate(getattr(brief, name)):
            yield ("brief", name, k), value, False
    for k, value in enumerate(brief.donts):
        yield ("brief", "donts", k), value, True
    if brief.product is not None and brief.product.how_to_use is not None:
        yield ("brief", "product", "how_to_use"), brief.product.how_to_use, False
    for j, d in enumerate(spec.deliverables):
        if d.notes:
            yield ("deliverables", j, "notes"), d.notes, False
    for i, person in enumerate(spec.influencers):
        for j, d in enumerate(person.deliverables):
            if d.notes:
                yield ("influencers", i, "deliverables", j, "notes"), d.notes, False


@rule("R8.platform-tools-off", "info")
def platform_tools_off(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.disclosure.platform_tools:
        yield Hit(None, ("disclosure", "platform_tools"),
                  {})



# --- consistency between the spec's parts (added with the jurisdiction packs) ----------------

_CLAIM = re.compile(
    r"\b\d+\s*(?:days?|weeks?|months?|hours?|%|percent|times|x)\b|\b(?:guarantee[ds]?|clinically|proven|"
    r"visibly|cures?|heals?|reduces?|removes?|results?)\b", re.IGNORECASE)


@rule("R3.brief-claim-unlisted", "warning")
def brief_claim_unlisted(ctx: Context) -> Iterator[Hit]:
    brief = ctx.spec.brief
    benefits = [b.casefold() for b in (brief.product.benefits if brief.product else [])]
    texts: list[tuple[Path_, str]] = []
    if brief.key_message:
        texts.append((("brief", "key_message"), brief.key_message))
    if brief.call_to_action:
        texts.append((("brief", "call_to_action"), brief.call_to_action))
    texts += [(("brief", "mandatory", i), t) for i, t in enumerate(brief.mandatory)]
    for path, text in texts:
        match = _CLAIM.search(text)
        if match is None:
            continue
        folded, claim = text.casefold(), match.group(0).casefold()
        if any(b in folded or claim in b for b in benefits):
            continue
        yield Hit(None, path,
                  {"text": text})


@rule("R6.conduct-overrides-exclusivity", "warning")
def conduct_overrides_exclusivity(ctx: Context) -> Iterator[Hit]:
    for i, item in enumerate(ctx.spec.conduct.prohibited):
        if re.search(r"competitor|rival|other brands?", item, re.IGNORECASE):
            yield Hit(None, ("conduct", "prohibited", i),
                      {"item": item})


@rule("R6.gifted-extras", "warning")
def gifted_extras(ctx: Context) -> Iterator[Hit]:
    spec = ctx.spec
    for e in ctx.engagements:
        if not e.deal.gifted_only:
            continue
        extras = []
        if spec.exclusivity.mode != "none":
            extras.append(("exclusivity", "mode"))
        if spec.legal.renewal_option:
            extras.append(("legal", "renewal_option"))
        if spec.usage_rights.mode != "organic_only" or spec.usage_rights.whitelisting:
            extras.append(("usage_rights", "mode"))
        for path in extras:
            yield Hit(e.index, path,
                      {"who": who(e), "right": Text(f"words.right.{dotted(path)}")})


def dotted(path: Path_) -> str:
    """``exclusivity.mode`` from a path, for messages."""
    return ".".join(str(p) for p in path)


@rule("R8.unnamed-signatory", "warning")
def unnamed_signatory(ctx: Context) -> Iterator[Hit]:
    spec = ctx.spec
    if spec.brand.signatory is None:
        yield Hit(None, ("brand", "signatory"), {}, "brand")
    if spec.agency is not None and spec.agency.signatory is None:
        yield Hit(None, ("agency", "signatory"), {}, "agency")


@rule("R8.pack-requirement", "warning")
def pack_requirement(ctx: Context) -> Iterator[Hit]:
    packs = ctx.library.packs
    if not packs:
        return
    pack = packs.get(ctx.spec.campaign.jurisdiction) or packs["default"]
    for need in pack.requires:
        head, _, rest = need.field.partition(".")
        if head == "influencers[]":
            for e in ctx.engagements:
                if _empty(e.influencer, rest):
                    yield Hit(e.index, ("influencers", e.index, *rest.split(".")),
                              {"who": who(e), "need": Words.of(need.message), "hint": Words.of(need.hint)},
                              "person", need.severity)
        elif _empty(ctx.spec, need.field):
            yield Hit(None, tuple(need.field.split(".")), {"need": Words.of(need.message), "hint": Words.of(need.hint)}, "",
                      need.severity)


def _empty(obj: object, dotted_field: str) -> bool:
    for name in dotted_field.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return True
    return obj in ("", [], {})
