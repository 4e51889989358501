"""The risk rules: one function per stable rule id, registered in :data:`RULES`.

Each rule looks at a validated campaign and yields :class:`Hit`s: which influencer (or the
campaign), which field, what looks wrong and what to do. Numbers come from the rate card, never
from here. Rule ids are ``R<n>.<name>`` after the risk map (shared/reference/risk-map.md) and
are an interface: scripts filter on them and rate cards set their severity, so never rename one.
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
from contractgen.money import amount_text
from contractgen.spec.models import CampaignSpec

Severity = Literal["info", "warning", "error"]
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Hit:
    """One thing a rule found: ``influencer`` is an index into the spec, or None for the campaign."""

    influencer: int | None
    path: Path_
    message: str
    hint: str
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
    """A registered rule: stable id, default severity, one-line description, the check."""

    id: str
    severity: Severity
    summary: str
    check: Callable[[Context], Iterator[Hit]]

    @property
    def risk(self) -> str:
        """The risk id (R1..R8) the rule is about."""
        return self.id.split(".", 1)[0]


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, summary: str) -> Callable[[Callable[[Context], Iterator[Hit]]], Callable]:
    """Register a check under a stable id."""

    def register(check: Callable[[Context], Iterator[Hit]]) -> Callable[[Context], Iterator[Hit]]:
        assert rule_id not in RULES, rule_id
        RULES[rule_id] = Rule(rule_id, severity, summary, check)
        return check

    return register


# --- helpers ---------------------------------------------------------------------------------

def who(engagement: Engagement) -> str:
    """The influencer as messages name them: their handle (the spec gives it its one leading @)."""
    return engagement.influencer.handle


def money(amount: Decimal, currency: str) -> str:
    """``USD 4,500`` / ``USD 0.31`` for messages, printed as the documents print it."""
    return f"{currency} {amount_text(amount, currency)}"


def _pct(value: Decimal) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


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


def _what(d: DeliverablePlan) -> str:
    return f"{d.count} {d.platform} {d.format}{'' if d.count == 1 else 's'}"


def _cadence(ctx: Context) -> tuple[int | None, int | None, str]:
    """(posts per day, hours apart, where it comes from) in force for the density rules."""
    c = ctx.spec.cadence
    if c.max_sponsored_posts_per_day is not None or c.min_hours_between_brand_posts is not None:
        return c.max_sponsored_posts_per_day, c.min_hours_between_brand_posts, "the spec's cadence"
    d = ctx.rates.cadence
    return d.max_sponsored_posts_per_day, d.min_hours_between_brand_posts, "the rate card's default cadence"


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


def _describe_cadence(per_day: int | None, hours: int | None) -> str:
    parts = []
    if per_day is not None:
        parts.append(f"{per_day} sponsored post{'' if per_day == 1 else 's'} a day")
    if hours is not None:
        parts.append(f"{hours} hours between brand posts")
    return " and ".join(parts)


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

@rule("R1.implausible-figures", "error", "average engagements above the follower count: a typo or bought engagement")
def implausible_figures(ctx: Context) -> Iterator[Hit]:
    for e in ctx.engagements:
        for name, stats in e.influencer.platforms.items():
            if stats.avg_engagements is not None and stats.avg_engagements > stats.followers:
                yield Hit(e.index, ("influencers", e.index, "platforms", name, "avg_engagements"),
                          f"{who(e)}'s {name} figures are implausible: {stats.avg_engagements:,} average engagements "
                          f"per post from {stats.followers:,} followers",
                          "check both numbers against the influencer's native insights; engagement above the "
                          "follower count is a typo or bought engagement")


@rule("R1.low-engagement", "warning", "engagement rate far below the normal band for the follower tier")
def low_engagement(ctx: Context) -> Iterator[Hit]:
    factor = ctx.rates.engagement.far_below
    for e, fig in zip(ctx.engagements, ctx.figures, strict=True):
        for p in fig.platforms:
            if p.rate is None or p.benchmark is None or (p.avg_engagements or 0) > p.followers:
                continue
            if p.rate < p.benchmark * factor:
                yield Hit(e.index, ("influencers", e.index, "platforms", p.platform, "avg_engagements"),
                          f"{who(e)}'s {p.platform} engagement rate is {_pct(p.rate)} ({p.avg_engagements:,} average "
                          f"engagements from {p.followers:,} followers), far below the {p.tier}-tier norm of about "
                          f"{_pct(p.benchmark)}",
                          "before signing, ask for native insights (reach, audience countries, follower growth) "
                          "and check for bought followers; keep the audience-authenticity warranty")


@rule("R1.no-figures", "info", "no follower or engagement figures for a platform the influencer publishes on")
def no_figures(ctx: Context) -> Iterator[Hit]:
    for e in ctx.engagements:
        stats = e.influencer.platforms
        missing = [p for p in e.deal.platforms if p not in stats]
        no_engagement = [p for p in e.deal.platforms if p in stats and stats[p].avg_engagements is None]  # type: ignore[index]
        del missing  # R1.no-account reports a platform with no account listed at all
        for name in no_engagement:
            yield Hit(e.index, ("influencers", e.index, "platforms", name),
                      f"{who(e)} has no average engagements recorded for {name}: the engagement rate cannot be checked",
                      f"add influencers[{e.index}].platforms.{name}.avg_engagements (likes + comments per post)")


@rule("R1.no-account", "warning", "deliverables on a platform the influencer lists no account for")
def no_account(ctx: Context) -> Iterator[Hit]:
    for e in ctx.engagements:
        missing = [p for p in e.deal.platforms if p not in e.influencer.platforms]
        if missing:
            yield Hit(e.index, ("influencers", e.index, "platforms"),
                      f"{who(e)} must publish on {', '.join(missing)} but lists no account there: nobody has checked "
                      "that the account exists, its audience or its engagement",
                      f"add influencers[{e.index}].platforms.{missing[0]} (handle, followers, avg_engagements from "
                      "native insights), or move the deliverable to a platform the influencer uses")


@rule("R1.no-warranty", "warning", "no audience-authenticity warranty in the contract")
def no_warranty(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.authenticity.warranty:
        yield Hit(None, ("authenticity", "warranty"),
                  "the contracts carry no audience-authenticity warranty: nothing lets the brand act if followers "
                  "or engagement turn out to be bought",
                  "set authenticity.warranty: true")


# --- R2: missed dates and slow communication -------------------------------------------------

@rule("R2.draft-before-start", "error", "a draft is due before the campaign (or the agreement) starts")
def draft_before_start(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.review.draft_required:
        return
    c = ctx.spec.campaign
    start = max(c.start, c.agreement_date or c.start)
    what = "the agreement is signed" if start != c.start else "the campaign starts"
    for e in ctx.engagements:
        for j, d in enumerate(e.deal.deliverables):
            if d.draft_due < start:
                yield Hit(e.index if own_deliverables(e) else None, (*deliverable_path(e, j), "draft_due_days_before"),
                          f"{_owner(e)}draft of {_what(d)} is due {d.draft_due} ({d.draft_due_days_before} days before "
                          f"publishing opens on {d.publish_from}), before {what} on {start}",
                          "move the publish window later, lower draft_due_days_before, or start the campaign earlier")


@rule("R2.window-too-short", "warning", "a publish window is too short for the number of pieces at the agreed cadence")
def window_too_short(ctx: Context) -> Iterator[Hit]:
    per_day, hours, source = _cadence(ctx)
    for e in ctx.engagements:
        for j, d in enumerate(e.deal.deliverables):
            days = (d.publish_to - d.publish_from).days + 1
            room = _capacity(days, per_day, hours)
            if room is not None and _slots(d) > room:
                yield Hit(e.index if own_deliverables(e) else None, (*deliverable_path(e, j), "publish_window"),
                          f"{_owner(e)}{_what(d)} must go live between {d.publish_from} and {d.publish_to} "
                          f"({days} day{'' if days == 1 else 's'}), but {source} ({_describe_cadence(per_day, hours)}) "
                          f"fits only {room}",
                          "widen the publish window, lower the count, or agree a looser cadence")


@rule("R7.too-dense", "warning", "deliverables on one account packed denser than the cadence allows")
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
            where = ("cadence",) if source.startswith("the spec") else first
            yield Hit(e.index if own_deliverables(e) else None, where,
                      f"{_owner(e)}{platform} deliverables need {demand} brand posts between {start} and {end} "
                      f"({days} day{'' if days == 1 else 's'}), more than the {room} that {source} "
                      f"({_describe_cadence(per_day, hours)}) allows: the audience sees too many ads too close together",
                      "spread the publish windows, move pieces to another platform, or agree a looser cadence")


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


def _owner(e: Engagement) -> str:
    """``@handle's `` for an influencer's own deliverables; the campaign's need no owner."""
    return f"{who(e)}'s " if own_deliverables(e) else "the campaign's "


@rule("R2.no-review", "warning", "no draft review before publishing")
def no_review(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.review.draft_required:
        yield Hit(None, ("review", "draft_required"),
                  "drafts are not reviewed before publishing: mistakes and missed points are found only once live",
                  "set review.draft_required: true, with draft_due_days_before on each deliverable")


@rule("R2.review-too-tight", "warning", "drafts arrive too late for the brand's own review time")
def review_too_tight(ctx: Context) -> Iterator[Hit]:
    review = ctx.spec.review
    if not review.draft_required:
        return
    for e in ctx.engagements:
        for j, d in enumerate(e.deal.deliverables):
            if d.draft_due_days_before < review.brand_feedback_days:
                yield Hit(e.index if own_deliverables(e) else None, (*deliverable_path(e, j), "draft_due_days_before"),
                          f"{_owner(e)}draft of {_what(d)} arrives {d.draft_due_days_before} day(s) before publishing, "
                          f"but the brand has {review.brand_feedback_days} business days to answer",
                          "raise draft_due_days_before, or shorten review.brand_feedback_days")


@rule("R2.slow-response", "info", "the agreed response time is long")
def slow_response(ctx: Context) -> Iterator[Hit]:
    hours = ctx.spec.communication.response_hours
    limit = ctx.rates.limits.response_hours_max
    if hours > limit:
        yield Hit(None, ("communication", "response_hours"),
                  f"both sides may take {hours} hours to answer a message, longer than the {limit} hours the rate "
                  "card expects: approvals and delays will be slow",
                  f"agree {limit} hours or less in communication.response_hours")


@rule("R2.no-brand-contact", "warning", "no named contact on the brand or agency side")
def no_brand_contact(ctx: Context) -> Iterator[Hit]:
    spec = ctx.spec
    if spec.brand.contact is None and (spec.agency is None or spec.agency.contact is None):
        yield Hit(None, ("brand", "contact"),
                  "no one is named as the brand's contact: the contract makes the brand name one after signing, and "
                  "influencers have no one to ask in the meantime",
                  "add brand.contact with a name and email")


@rule("R2.no-kill-fee", "info", "a paid deal with no Cancellation Fee if the brand cancels")
def no_kill_fee(ctx: Context) -> Iterator[Hit]:
    if ctx.spec.payment.kill_fee_percent is not None:
        return
    paid = [who(e) for e in ctx.engagements if e.deal.paid]
    if paid:
        yield Hit(None, ("payment", "kill_fee_percent"),
                  f"no Cancellation Fee is set for {_people(paid)}: if the brand cancels without cause, the influencer "
                  "is paid only for what was delivered",
                  "set payment.kill_fee_percent (25-50% is common)")


@rule("R2.penalty-cap-above-fee", "warning", "late-delivery deductions or liability capped above what the deal pays")
def penalty_cap_above_fee(ctx: Context) -> Iterator[Hit]:
    late = ctx.spec.penalties.late_delivery
    limit = ctx.rates.limits.penalty_cap_max_percent
    if late is not None and late.cap_percent > limit:
        yield Hit(None, ("penalties", "late_delivery", "cap_percent"),
                  f"late-delivery deductions are capped at {_pct(late.cap_percent)} of the fee, above the "
                  f"{_pct(limit)} the rate card allows: a deduction that large reads as a penalty and may not be "
                  "enforceable",
                  f"cap the deduction at {_pct(limit)} of the fee or less")
    cap = ctx.spec.legal.liability_cap
    if cap == "none":
        yield Hit(None, ("legal", "liability_cap"),
                  "liability is not capped: an influencer could owe far more than the fee, which creators and "
                  "their agents refuse and courts may not uphold",
                  "set legal.liability_cap: total_fee")
        return
    if cap == "total_fee":
        return
    for e, fig in zip(ctx.engagements, ctx.figures, strict=True):
        if e.deal.liability_cap_amount is not None and e.deal.liability_cap_amount > fig.cost:
            yield Hit(e.index, ("legal", "liability_cap"),
                      f"{who(e)}'s liability is capped at {money(e.deal.liability_cap_amount, e.deal.currency)}, above "
                      f"what the deal pays them ({money(fig.cost, e.deal.currency)}): they could owe more than they earn",
                      "set legal.liability_cap: total_fee, or an amount no higher than the smallest fee")


# --- R3: content quality ---------------------------------------------------------------------

@rule("R3.training-after-draft", "warning", "product training is dated after the first draft is due")
def training_after_draft(ctx: Context) -> Iterator[Hit]:
    training = ctx.spec.brief.training
    if training is None or training.date is None:
        return
    for e in ctx.engagements:
        plans = e.deal.deliverables
        first = min(d.draft_due for d in plans) if ctx.spec.review.draft_required else e.deal.first_publish
        if training.date > first:
            what = "the first draft is due" if ctx.spec.review.draft_required else "the first post goes live"
            yield Hit(e.index, ("brief", "training", "date"),
                      f"{who(e)}'s product training is on {training.date}, after {what} ({first})",
                      "hold the training before the first draft is due, or move the deliverables later")


# --- R4: reporting ---------------------------------------------------------------------------

@rule("R4.no-kpis", "warning", "no KPIs agreed")
def no_kpis(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.reporting.kpis:
        yield Hit(None, ("reporting", "kpis"),
                  "no KPIs are agreed: the report has no targets, so the campaign's return cannot be judged",
                  "add reporting.kpis, e.g. {metric: engagement_rate, target: 4%} and {metric: link_clicks, target: 1500}")


@rule("R4.report-deadline", "warning", "the report is due too soon or too late after the last post")
def report_deadline(ctx: Context) -> Iterator[Hit]:
    days = ctx.spec.reporting.report_due_days
    limits = ctx.rates.limits
    if days < limits.report_due_days_min:
        yield Hit(None, ("reporting", "report_due_days"),
                  f"the report is due {days} day(s) after the last post: insights have not settled by then",
                  f"allow at least {limits.report_due_days_min} day(s), typically 7")
    elif days > limits.report_due_days_max:
        yield Hit(None, ("reporting", "report_due_days"),
                  f"the report is due {days} days after the last post, too late to act on the results",
                  f"ask for it within {limits.report_due_days_max} days")


@rule("R4.no-tracking", "warning", "no tracking link or discount code")
def no_tracking(ctx: Context) -> Iterator[Hit]:
    t = ctx.spec.tracking
    if t.landing_url is None and t.discount_code is None:
        yield Hit(None, ("tracking",),
                  "no tracking link or discount code is set: sales and clicks cannot be traced to each influencer",
                  "add tracking.landing_url with utm parameters and a tracking.discount_code pattern such as {HANDLE}15")


@rule("R4.shared-tracking-link", "error", "the same tracking link for several influencers or platforms")
def shared_tracking_link(ctx: Context) -> Iterator[Hit]:
    owners: dict[str, list[str]] = {}
    for e in ctx.engagements:
        for link in e.deal.tracking_links:
            owners.setdefault(link.url, []).append(f"{who(e)} on {link.platform}")
    for url, names in owners.items():
        if len(names) > 1:
            yield Hit(None, ("tracking", "utm"),
                      f"{_list(names)} would all get the tracking link {url}: clicks and sales cannot be credited "
                      "to the right person or platform",
                      "put {handle} and {platform} in the utm patterns (e.g. content: \"{handle}\", source: "
                      "\"{platform}\"), or pay commission on discount codes only")


# --- R5: fees out of line with value ---------------------------------------------------------

@rule("R5.fee-above-band", "warning", "fee well above the market band for the tier, platform and format")
def fee_above_band(ctx: Context) -> Iterator[Hit]:
    above = ctx.rates.fee_band.above
    for e, fig in zip(ctx.engagements, ctx.figures, strict=True):
        band = fig.band
        if band is None or band.high is None or not e.deal.paid:
            continue
        if fig.cost > band.high * above:
            yield Hit(e.index, fee_path(e),
                      f"{who(e)} costs {money(fig.cost, e.deal.currency)}, above the market band of "
                      f"{_band_text(fig, e)} for {_deliverables(e)} at {_tiers(fig, e)}",
                      "negotiate, or record what justifies it (usage rights, exclusivity, whitelisting); the bands "
                      "are the rate card's (use --rates for your own)")


@rule("R5.fee-below-band", "info", "fee well below the market band (risk of a rushed job or a late dropout)")
def fee_below_band(ctx: Context) -> Iterator[Hit]:
    below = ctx.rates.fee_band.below
    for e, fig in zip(ctx.engagements, ctx.figures, strict=True):
        band = fig.band
        if band is None or not e.deal.paid:
            continue
        if fig.cost < band.low * below:
            yield Hit(e.index, fee_path(e),
                      f"{who(e)} costs {money(fig.cost, e.deal.currency)}, well below the market band of "
                      f"{_band_text(fig, e)} for {_deliverables(e)} at {_tiers(fig, e)}",
                      "check the influencer has agreed the scope in full; underpaid work is often rushed or dropped")


@rule("R5.no-consideration", "warning", "no fee, no gifted product and no commission")
def no_consideration(ctx: Context) -> Iterator[Hit]:
    payment = ctx.spec.payment
    if payment.gifted_product is not None or payment.commission_percent:
        return
    for e in ctx.engagements:
        if not e.deal.paid:
            yield Hit(e.index, fee_path(e),
                      f"{who(e)} gets no fee, no gifted product and no commission: a contract with nothing in return "
                      "may not bind",
                      "set a fee, payment.gifted_product or payment.commission_percent")


def _band_text(fig: Figures, e: Engagement) -> str:
    assert fig.band is not None
    low = money(fig.band.low, e.deal.currency)
    return f"{low}–{fig.band.high:,}" if fig.band.high is not None else f"{low} or more"


def _deliverables(e: Engagement) -> str:
    return _list([_what(d) for d in e.deal.deliverables])


def _tiers(fig: Figures, e: Engagement) -> str:
    parts = [f"{p.tier} tier on {p.platform}" for p in fig.platforms if p.platform in e.deal.platforms]
    return _list(parts)


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


NAMED = 10  # handles a campaign-wide finding names before "and N others": 10,000 would bury the point


def _people(handles: list[str]) -> str:
    if len(handles) <= NAMED:
        return _list(handles)
    return ", ".join(handles[:NAMED]) + f" and {len(handles) - NAMED:,} others"


# --- R6: control of the message, rights ------------------------------------------------------

@rule("R6.long-exclusivity", "warning", "exclusivity longer than the rate card's limit (12 months)")
def long_exclusivity(ctx: Context) -> Iterator[Hit]:
    if ctx.spec.exclusivity.mode == "none":
        return
    months = ctx.rates.limits.exclusivity_max_months
    for e in ctx.engagements:
        start, end = e.deal.exclusivity_from, e.deal.exclusivity_to
        if end > _add_months(start, months):
            yield Hit(e.index, ("exclusivity", "days_after"),
                      f"{who(e)}'s exclusivity runs from {start} to {end}, longer than {months} months: a restraint "
                      "that long is costly to buy and may not be enforceable",
                      f"shorten exclusivity.days_before/days_after to keep it within {months} months, or pay for it "
                      "explicitly")


@rule("R6.perpetual-usage", "warning", "usage rights without an end date")
def perpetual_usage(ctx: Context) -> Iterator[Hit]:
    if ctx.spec.usage_rights.term_months is None:
        yield Hit(None, ("usage_rights", "term_months"),
                  "the brand may use the content forever: perpetual rights are priced high and invite disputes "
                  "when the influencer's image changes",
                  "set usage_rights.term_months (6-12 is common), or price a buyout explicitly")


@rule("R6.worldwide-usage", "warning", "usage rights worldwide")
def worldwide_usage(ctx: Context) -> Iterator[Hit]:
    territory = ctx.spec.usage_rights.territory
    if territory is None:
        return
    words = [w.casefold() for w in ctx.rates.worldwide_words]
    text = territory.casefold()
    if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
        yield Hit(None, ("usage_rights", "territory"),
                  f"usage rights cover '{territory}': worldwide use is priced high and exposes the brand to every "
                  "country's advertising rules",
                  "limit usage_rights.territory to the countries the campaign runs in")


@rule("R6.buyout-small-fee", "warning", "a buyout or copyright assignment for a small fee")
def buyout_small_fee(ctx: Context) -> Iterator[Hit]:
    usage = ctx.spec.usage_rights
    if usage.mode != "buyout" and usage.ownership != "brand":
        return
    where = ("usage_rights", "mode") if usage.mode == "buyout" else ("usage_rights", "ownership")
    what = "a full buyout" if usage.mode == "buyout" else "ownership of the content"
    limits = ctx.rates.limits
    for e, fig in zip(ctx.engagements, ctx.figures, strict=True):
        currency = e.deal.currency
        if fig.band is not None:
            floor = fig.band.low * limits.buyout_min_multiple
            basis = f"{limits.buyout_min_multiple:g} × the low end of the posting band"
        else:
            rate = ctx.rates.rate(currency)
            if rate is None:
                continue
            floor = (limits.buyout_min_fee / rate).quantize(Decimal(1))
            basis = "the rate card's least buyout fee"
        if fig.cost < floor:
            yield Hit(e.index, where,
                      f"{who(e)} gives the brand {what} for {money(fig.cost, currency)}, less than {basis} "
                      f"({money(floor, currency)})",
                      "price the buyout separately (usually a multiple of the posting fee) or grant a time-limited "
                      "licence; a buyout for a small fee invites dispute")


@rule("R6.no-conduct-termination", "warning", "the brand cannot end the deal for harmful conduct")
def no_conduct_termination(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.conduct.termination_for_conduct:
        yield Hit(None, ("conduct", "termination_for_conduct"),
                  "the brand cannot terminate if the influencer's conduct harms it: the morality clause has no teeth",
                  "set conduct.termination_for_conduct: true")


# --- R8: legal exposure ----------------------------------------------------------------------

@rule("R8.rejected-label", "error", "the ad label is one the jurisdiction's rules reject (e.g. #sp, #spon)")
def rejected_label(ctx: Context) -> Iterator[Hit]:
    label = ctx.spec.disclosure.label
    if label is None or not ctx.engagements:
        return
    deal = ctx.engagements[0].deal
    if _norm(label) in {_norm(r) for r in deal.disclosure_rejected}:
        yield Hit(None, ("disclosure", "label"),
                  f"the ad label '{label}' is not a clear disclosure under {deal.disclosure_authority} "
                  f"({ctx.spec.campaign.jurisdiction})",
                  f"use the jurisdiction's label, e.g. '{_jurisdiction(ctx).label}', or remove disclosure.label to get it")


@rule("R8.unlisted-label", "warning", "the ad label is not one the jurisdiction's rules list as accepted")
def unlisted_label(ctx: Context) -> Iterator[Hit]:
    label = ctx.spec.disclosure.label
    if label is None:
        return
    rules = _jurisdiction(ctx)
    norm = _norm(label)
    if rules.accepted and norm not in {_norm(a) for a in rules.accepted} and norm not in {_norm(r) for r in rules.rejected}:
        yield Hit(None, ("disclosure", "label"),
                  f"the ad label '{label}' is not among the labels accepted in {ctx.spec.campaign.jurisdiction} "
                  f"({', '.join(rules.accepted)})",
                  "use one of the accepted labels, or check this one with a lawyer")


def _jurisdiction(ctx: Context) -> Jurisdiction:
    return ctx.library.disclosure.for_country(ctx.spec.campaign.jurisdiction)


@rule("R8.gifted-without-disclosure", "info", "a gifted-only deal: remind the influencer that gifts need the ad label")
def gifted_without_disclosure(ctx: Context) -> Iterator[Hit]:
    gift = ctx.spec.payment.gifted_product
    for e in ctx.engagements:
        if e.deal.gifted_only and gift is not None:
            yield Hit(e.index, fee_path(e),
                      f"{who(e)} is paid only in product ({gift.description}): the content is still advertising and "
                      f"must carry the label '{e.deal.disclosure_label}'; gifted posts are the ones most often left "
                      "unlabelled",
                      "remind the influencer before publishing; the brief and the contract's disclosure clause say it")


@rule("R8.nda-blocks-disclosure", "error", "the NDA wording would forbid disclosing the paid relationship")
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
                      f"the confidentiality clause ({clause.ref}, {source.display()}:{source.line}) never says the paid "
                      f"relationship may be disclosed (no '{missing[0]}'): read as written, it could stop influencers "
                      "labelling the content as advertising",
                      "restore the paragraph that keeps the relationship itself outside the NDA, or set "
                      "confidentiality.nda: false")
            return


@rule("R8.brief-hides-ad", "error", "brief or deliverable wording that asks to hide the advertising")
def brief_hides_ad(ctx: Context) -> Iterator[Hit]:
    rates = ctx.rates
    for path, text, donts in _brief_texts(ctx.spec):
        patterns = rates.concealment_donts if donts else rates.concealment_text
        if any(p.search(text) for p in patterns):
            yield Hit(None, path,
                      f"'{text}' asks the influencer to hide that the content is advertising: the brand is liable for "
                      "undisclosed ads too",
                      "delete it; every post must carry the ad label")


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


@rule("R8.platform-tools-off", "info", "the platforms' paid-partnership tools are not required")
def platform_tools_off(ctx: Context) -> Iterator[Hit]:
    if not ctx.spec.disclosure.platform_tools:
        yield Hit(None, ("disclosure", "platform_tools"),
                  "the platforms' paid-partnership settings are not required: regulators say a label alone may not "
                  "be enough, and platforms may hide undisclosed branded content",
                  "set disclosure.platform_tools: true")



# --- consistency between the spec's parts (added with the jurisdiction packs) ----------------

_CLAIM = re.compile(
    r"\b\d+\s*(?:days?|weeks?|months?|hours?|%|percent|times|x)\b|\b(?:guarantee[ds]?|clinically|proven|"
    r"visibly|cures?|heals?|reduces?|removes?|results?)\b", re.IGNORECASE)


@rule("R3.brief-claim-unlisted", "warning", "the brief requires a product claim the contract does not list as approved")
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
                  f"the brief requires '{text}', a claim about results, but brief.product.benefits does not list it: "
                  "the contract lets the influencer make only the listed claims and never present results as typical",
                  "add the claim to brief.product.benefits if the brand can substantiate it, or take it out of the brief")


@rule("R6.conduct-overrides-exclusivity", "warning", "the conduct list restricts other brands, which is exclusivity's job")
def conduct_overrides_exclusivity(ctx: Context) -> Iterator[Hit]:
    for i, item in enumerate(ctx.spec.conduct.prohibited):
        if re.search(r"competitor|rival|other brands?", item, re.IGNORECASE):
            yield Hit(None, ("conduct", "prohibited", i),
                      f"conduct.prohibited lists '{item}': banning competitors for the whole term without defining "
                      "them would override the exclusivity terms (its brands and dates)",
                      "remove it from conduct.prohibited and set the exclusivity section instead")


@rule("R6.gifted-extras", "warning", "a gifted-only deal takes exclusivity, first refusal or paid usage for free")
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
                      f"{who(e)} is paid only in product, yet the contract would take {dotted(path)} from them "
                      "unpaid: such rights are usually paid for, and may not bind without consideration",
                      f"pay a fee for it, or give {who(e)} their own deal without it")


def dotted(path: Path_) -> str:
    """``exclusivity.mode`` from a path, for messages."""
    return ".".join(str(p) for p in path)


@rule("R8.unnamed-signatory", "warning", "a company's signature block names nobody")
def unnamed_signatory(ctx: Context) -> Iterator[Hit]:
    spec = ctx.spec
    if spec.brand.signatory is None:
        yield Hit(None, ("brand", "signatory"), "no brand signatory is named: the signature block is left blank",
                  "set brand.signatory with the name and title of the person authorised to sign")
    if spec.agency is not None and spec.agency.signatory is None:
        yield Hit(None, ("agency", "signatory"), "no agency signatory is named: the signature block is left blank",
                  "set agency.signatory with the name and title of the person authorised to sign")


@rule("R8.pack-requirement", "warning", "a field the jurisdiction's law requires in the contract is empty")
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
                              f"{who(e)}: {need.message}", need.hint, need.severity)
        elif _empty(ctx.spec, need.field):
            yield Hit(None, tuple(need.field.split(".")), need.message, need.hint, need.severity)


def _empty(obj: object, dotted_field: str) -> bool:
    for name in dotted_field.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return True
    return obj in ("", [], {})
