"""The rights ledger: what the brand may do with each influencer's content, and until when.

Every right comes from the same engagement values the contract is built from (``deal``), and
cites the clauses of the assembled contract that grant it, so the ledger cannot say something
the contract does not. A right that starts on an event (publication) has a window of possible
start dates: the publishing window of Schedule 1. Wording lives in ``templates/<lang>/rights.yaml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from contractgen.engagement import Engagement
from contractgen.toolkit import Toolkit

# Which clause of the contract grants each kind of right (and where its period is defined).
GRANTS: dict[str, tuple[str, ...]] = {
    "organic": ("usage-rights", "definitions"),
    "paid": ("usage-rights", "definitions"),
    "whitelisting": ("whitelisting", "definitions"),
    "live": ("scope",),
    "exclusivity": ("exclusivity",),
}
KINDS = tuple(GRANTS)


@dataclass(frozen=True)
class Cite:
    """A clause of the assembled contract: its id, number and title."""

    clause_id: str
    number: int
    title: str


@dataclass(frozen=True)
class Right:
    """One right (or duty) with its window.

    deliverable: 1-based row of Schedule 1, or None for the whole engagement (exclusivity)
    granted: False for a right the contract withholds (paid usage in an organic-only deal)
    start_from, start_to: the earliest and latest first day (equal when the date is fixed)
    end_from, end_to: the earliest and latest last day; None when the right has no end
    on_publication: True when the right starts when the piece is published
    """

    handle: str
    deliverable: int | None
    kind: str
    granted: bool
    start_from: dt.date
    start_to: dt.date
    end_from: dt.date | None
    end_to: dt.date | None
    on_publication: bool
    clauses: tuple[Cite, ...]


@dataclass(frozen=True)
class Answer:
    """What a ledger says for one day.

    status: paid, paid_account (also through the influencer's account), organic, expired,
    not_yet (before publication), exclusive or free (exclusivity not in force)
    """

    handle: str
    deliverable: int | None
    status: str
    until: dt.date | None  # the last day the status holds, when it ends
    since: dt.date | None  # for not_yet: the first day it changes
    clauses: tuple[Cite, ...]


def cites(engagement: Engagement, kit: Toolkit) -> dict[str, Cite]:
    """Clause id → its number and title in this engagement's assembled contract."""
    from contractgen.assemble.contract import build_contract
    from contractgen.document import Clause

    document = build_contract(engagement, kit)
    return {b.clause_id: Cite(b.clause_id, b.number, b.title) for b in document.blocks if isinstance(b, Clause)}


def ledger(engagement: Engagement, clauses: dict[str, Cite]) -> list[Right]:
    """Every right of one engagement: per deliverable organic, paid, whitelisting and live; then exclusivity."""
    spec, deal = engagement.spec, engagement.deal
    usage = spec.usage_rights
    handle = engagement.influencer.handle
    paid = usage.mode in ("paid_usage", "buyout")

    def cite(kind: str) -> tuple[Cite, ...]:
        return tuple(clauses[c] for c in GRANTS[kind] if c in clauses)

    out: list[Right] = []
    for i, d in enumerate(deal.deliverables, start=1):
        # The licence takes effect for each piece when it is published and ends with the Usage Period.
        end = deal.usage_end
        out.append(Right(handle, i, "organic", True, d.publish_from, d.publish_to, end, end, True, cite("organic")))
        out.append(Right(handle, i, "paid", paid, d.publish_from, d.publish_to, end, end, True, cite("paid")))
        if usage.whitelisting:
            out.append(Right(handle, i, "whitelisting", True, d.publish_from, d.publish_to, end, end, True,
                             cite("whitelisting")))
        if d.live_days > 0:
            # "at least N days, counted from the day it is published": that day is the first of them.
            last = dt.timedelta(days=d.live_days - 1)
            out.append(Right(handle, i, "live", True, d.publish_from, d.publish_to, d.publish_from + last,
                             d.publish_to + last, True, cite("live")))
    if spec.exclusivity.mode != "none":
        out.append(Right(handle, None, "exclusivity", True, deal.exclusivity_from, deal.exclusivity_from,
                         deal.exclusivity_to, deal.exclusivity_to, False, cite("exclusivity")))
    return out


def answer(rights: Sequence[Right], day: dt.date) -> list[Answer]:
    """For one engagement's rights, what the brand may do on ``day``: per deliverable, then exclusivity."""
    by: dict[tuple[int | None, str], Right] = {(r.deliverable, r.kind): r for r in rights}
    out: list[Answer] = []
    for n in sorted({r.deliverable for r in rights if r.deliverable is not None}):
        organic, paid = by[(n, "organic")], by[(n, "paid")]
        ads = by.get((n, "whitelisting"))
        if day < organic.start_from:
            out.append(Answer(organic.handle, n, "not_yet", None, organic.start_from, organic.clauses))
        elif organic.end_to is not None and day > organic.end_to:
            out.append(Answer(organic.handle, n, "expired", None, None, organic.clauses))
        elif paid.granted:
            status = "paid_account" if ads is not None else "paid"
            cited = paid.clauses + tuple(c for c in (ads.clauses if ads else ()) if c not in paid.clauses)
            out.append(Answer(paid.handle, n, status, paid.end_to, None, cited))
        else:
            out.append(Answer(organic.handle, n, "organic", organic.end_to, None, organic.clauses))
    ex = by.get((None, "exclusivity"))
    if ex is not None:
        assert ex.end_to is not None  # exclusivity always ends
        if ex.start_from <= day <= ex.end_to:
            out.append(Answer(ex.handle, None, "exclusive", ex.end_to, None, ex.clauses))
        else:
            out.append(Answer(ex.handle, None, "free", None, ex.start_from if day < ex.start_from else None,
                              ex.clauses))
    return out


# ---------------------------------------------------------------------------------------------
# Presentation: wording from templates/<lang>/rights.yaml


class Words:
    """The ledger wording of one language, with the spec's date and number formatting."""

    def __init__(self, kit: Toolkit, engagement: Engagement) -> None:
        from contractgen.spec.loader import load_file

        spec = engagement.spec
        path = kit.templates / spec.campaign.language / "rights.yaml"
        self.words: dict[str, Any] = load_file(path).data
        self.locale = kit.locale(spec)

    def say(self, key: str, **values: Any) -> str:
        """A pattern by dotted key with its values filled in (numbers in the document's digits)."""
        node: Any = self.words
        for part in key.split("."):
            node = node[part]
        return str(node).format(**{k: self.locale.digits(str(v)) if isinstance(v, int) else str(v)
                                   for k, v in values.items()})

    def span(self, a: dt.date | None, b: dt.date | None) -> str:
        """One date, or the range of dates it may fall on."""
        if a is None:
            return self.say("no_end")
        if b is None or a == b:
            return self.locale.date(a)
        return self.say("between", first=self.locale.date(a), last=self.locale.date(b))

    def piece(self, engagement: Engagement, n: int | None) -> str:
        """Deliverable ``n`` as Schedule 1 names it, e.g. ``1: 2 Reels on Instagram``."""
        if n is None:
            return self.say("whole_engagement")
        d = engagement.deal.deliverables[n - 1]
        loc = self.locale
        return self.say("piece", number=n, count=d.count, platform=loc.term(d.platform, "platform"),
                        format=loc.term(d.format, "format" if d.count == 1 else "format_plural"))

    def clauses(self, cited: Iterable[Cite]) -> str:
        """The cited clauses, e.g. ``clause 19; clause 1`` (the pattern may add each title)."""
        return self.say("clause_sep").join(
            self.say("clause", ref=self.locale.text("clause_ref", number=c.number), title=c.title) for c in cited)


def right_row(r: Right, engagement: Engagement, words: Words) -> dict[str, str]:
    """One ledger row as the table shows it."""
    if r.on_publication:
        start = words.say("on_publication", dates=words.span(r.start_from, r.start_to))
    else:
        start = words.locale.date(r.start_from)
    end = words.span(r.end_from, r.end_to) if r.granted else words.say("not_granted")
    if r.kind == "live" and r.granted:
        d = engagement.deal.deliverables[(r.deliverable or 1) - 1]
        end = words.say("live_end_one" if d.live_days == 1 else "live_end", days=d.live_days, dates=end)
    return {
        "influencer": r.handle,
        "deliverable": words.piece(engagement, r.deliverable),
        "right": words.say(f"kinds.{r.kind}"),
        "from": start if r.granted else "",
        "until": end,
        "clause": words.clauses(r.clauses),
    }


def answer_row(a: Answer, engagement: Engagement, words: Words) -> dict[str, str]:
    """One answer as the table shows it."""
    loc = words.locale
    return {
        "influencer": a.handle,
        "deliverable": words.piece(engagement, a.deliverable),
        "answer": words.say(f"answers.{a.status}", until=loc.date(a.until) if a.until else words.say("no_end"),
                            since=loc.date(a.since) if a.since else ""),
        "clause": words.clauses(a.clauses),
    }


def right_record(r: Right) -> dict[str, Any]:
    """One right for --json and --csv: ISO dates, clause ids and numbers."""
    return {
        "influencer": r.handle,
        "deliverable": r.deliverable,
        "right": r.kind,
        "granted": r.granted,
        "starts": "publication" if r.on_publication else "fixed",
        "start_from": r.start_from.isoformat(),
        "start_to": r.start_to.isoformat(),
        "end_from": r.end_from.isoformat() if r.end_from and r.granted else None,
        "end_to": r.end_to.isoformat() if r.end_to and r.granted else None,
        "clauses": [f"{c.clause_id}:{c.number}" for c in r.clauses],
    }


def answer_record(a: Answer, day: dt.date) -> dict[str, Any]:
    """One answer for --json and --csv."""
    return {
        "influencer": a.handle,
        "deliverable": a.deliverable,
        "on": day.isoformat(),
        "answer": a.status,
        "until": a.until.isoformat() if a.until else None,
        "from": a.since.isoformat() if a.since else None,
        "clauses": [f"{c.clause_id}:{c.number}" for c in a.clauses],
    }
