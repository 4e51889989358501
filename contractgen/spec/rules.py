"""Rules that span several fields of a valid-looking spec.

Each rule yields ``(path, message, hint)`` so the error names the one field to change.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Collection, Iterator, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from contractgen import money
from contractgen.spec import codes
from contractgen.spec.models import CampaignSpec, Deliverable

Finding = tuple[tuple[str | int, ...], str, str | None]

PLACEHOLDERS = ("platform", "campaign_id", "handle", "HANDLE")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check(spec: CampaignSpec, valid: Collection[str] | None = None) -> list[Finding]:
    """Every cross-field problem in ``spec`` (empty when it is consistent).

    With ``valid`` (the top-level sections that passed validation, the others being broken),
    only the rules that read nothing but valid sections run: their problems are reported with
    the others, not after those are fixed.
    """
    return [finding for rule, sections in _RULES if valid is None or sections <= set(valid)
            for finding in rule(spec)]


def check_answers(data: Mapping[str, Any], where: tuple[str | int, ...]) -> list[Finding]:
    """The cross-field problems of partial spec data (answers so far) that concern ``where``.

    For a questionnaire or a form checking one answer: each top-level section given in ``data``
    is validated on its own; the rules that read only valid (or defaulted) sections run, and
    the findings on ``where``, above it or below it are returned, in the rules' own words.
    """
    values: dict[str, Any] = {}
    valid: set[str] = set()
    for name, info in CampaignSpec.model_fields.items():
        key = info.alias or name
        if key not in data:
            if not info.is_required():
                valid.add(name)  # model_construct gives it its default
            elif typing.get_origin(info.annotation) is list:
                values[name] = []  # no items yet: the rules over items have nothing to say
                valid.add(name)
            continue
        try:
            values[name] = _section_adapter(name).validate_python(data[key])
        except ValidationError:
            continue
        valid.add(name)
    spec = CampaignSpec.model_construct(**values)
    n = len(where)
    return [finding for finding in check(spec, valid) if finding[0][:n] == where or where[: len(finding[0])] == finding[0]]


@cache
def _section_adapter(name: str) -> TypeAdapter:
    return TypeAdapter(CampaignSpec.model_fields[name].annotation)


def _dates(spec: CampaignSpec) -> Iterator[Finding]:
    c = spec.campaign
    if c.end < c.start:
        yield ("campaign", "end"), f"ends {c.end} before it starts {c.start}", "swap or correct the dates"


def _publish_windows(spec: CampaignSpec) -> Iterator[Finding]:
    if spec.campaign.end < spec.campaign.start:
        return  # the campaign's own dates are wrong: no window can be judged against them
    yield from _windows(spec, spec.deliverables, ("deliverables",))
    for i, person in enumerate(spec.influencers):
        yield from _windows(spec, person.deliverables, ("influencers", i, "deliverables"))


def _training(spec: CampaignSpec) -> Iterator[Finding]:
    c = spec.campaign
    training = spec.brief.training
    if c.end >= c.start and training and training.date and training.date > c.end:
        yield ("brief", "training", "date"), f"{training.date} is after the campaign ends ({c.end})", None


def _windows(spec: CampaignSpec, items: list[Deliverable], base: tuple) -> Iterator[Finding]:
    c = spec.campaign
    for i, item in enumerate(items):
        window = item.publish_window
        where = (*base, i, "publish_window")
        if window.to < window.from_:
            yield (*where, "to"), f"{window.to} is before 'from' ({window.from_})", "swap the dates"
        elif window.from_ < c.start or window.to > c.end:
            yield where, (
                f"{window.from_} to {window.to} is not inside the campaign ({c.start} to {c.end})"
            ), "move the window or widen campaign.start/end"


def _money(spec: CampaignSpec) -> Iterator[Finding]:
    if spec.payment.expenses == "capped" and spec.payment.expenses_cap is None:
        yield ("payment", "expenses_cap"), "expenses are 'capped' but no cap is given", "add expenses_cap"
    late = spec.penalties.late_delivery
    if late and late.cap_percent < late.percent_per_day:
        yield ("penalties", "late_delivery", "cap_percent"), "is below percent_per_day", None


def _decimals(spec: CampaignSpec) -> Iterator[Finding]:
    """Amounts with more decimals than the currency has: a contract cannot pay 100.005 EUR."""
    currency = spec.campaign.currency
    p = spec.payment
    amounts: list[tuple[tuple[str | int, ...], Decimal | None]] = [
        (("payment", "fee"), p.fee),
        (("payment", "gifted_product", "value"), p.gifted_product.value if p.gifted_product else None),
        (("payment", "expenses_cap"), p.expenses_cap),
        (("legal", "liability_cap"), spec.legal.liability_cap if isinstance(spec.legal.liability_cap, Decimal) else None),
        *((("influencers", i, "fee"), person.fee) for i, person in enumerate(spec.influencers)),
    ]
    places = codes.minor_units(currency)
    for where, amount in amounts:
        if amount is not None and money.too_precise(amount, currency):
            yield where, f"{amount} has more decimals than {currency} allows ({places})", (
                f"write it as {money.to_minor_units(amount, currency)}, or another amount with at most {places} decimals"
                if places else "write it as a whole number")


def _allocations(spec: CampaignSpec) -> Iterator[Finding]:
    """Fees given per deliverable must fit the influencer's fee (the rest is split by weight)."""
    for i, person in enumerate(spec.influencers):
        fee = person.fee if person.fee is not None else spec.payment.fee
        own = bool(person.deliverables)
        items = person.deliverables or spec.deliverables
        given = [d.fee for d in items if d.fee is not None]
        if not given:
            continue
        base: tuple = ("influencers", i, "deliverables") if own else ("deliverables",)
        total = sum(given)
        everything = len(given) == len(items)
        if total > fee or (everything and total != fee):
            yield base, (
                f"the deliverable fees add up to {total:,} but {person.handle}'s fee is {fee:,}"
            ), "make the deliverables' fee values add up to the fee (or leave some out to share the rest)"


def _people(spec: CampaignSpec) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for i, person in enumerate(spec.influencers):
        key = person.handle.lstrip("@").lower()
        if key in seen:
            yield ("influencers", i, "handle"), (
                f"'{person.handle}' is already used by influencers[{seen[key]}]"
            ), "handles name the output folders and must be unique"
        seen.setdefault(key, i)


def _exclusivity(spec: CampaignSpec) -> Iterator[Finding]:
    ex = spec.exclusivity
    if ex.mode == "competitors" and not ex.competitors:
        yield ("exclusivity", "competitors"), "mode is 'competitors' but the list is empty", "name at least one"
    if ex.mode == "category" and not ex.category:
        yield ("exclusivity", "category"), "mode is 'category' but no category is given", None


def _tracking(spec: CampaignSpec) -> Iterator[Finding]:
    t = spec.tracking
    patterns: list[tuple[tuple, str]] = [
        (("tracking", "utm", name), value) for name, value in t.utm.model_dump().items() if value
    ]
    if t.discount_code:
        patterns.append((("tracking", "discount_code"), t.discount_code))
    for where, pattern in patterns:
        for name in _PLACEHOLDER.findall(pattern):
            if name not in PLACEHOLDERS:
                yield where, f"unknown placeholder '{{{name}}}'", "use {platform}, {campaign_id}, {handle} or {HANDLE}"
    if t.discount_code and len(spec.influencers) > 1:
        codes: dict[str, int] = {}
        for i, person in enumerate(spec.influencers):
            code = discount_code(t.discount_code, person.handle)
            if code in codes:
                yield ("tracking", "discount_code"), (
                    f"gives the same code {code} to influencers[{codes[code]}] and influencers[{i}]"
                ), "put {HANDLE} or {handle} in the pattern"
                break
            codes[code] = i


# Each rule and the top-level sections it reads.
_RULES: tuple[tuple[Callable[[CampaignSpec], Iterator[Finding]], frozenset[str]], ...] = (
    (_dates, frozenset({"campaign"})),
    (_publish_windows, frozenset({"campaign", "deliverables", "influencers"})),
    (_training, frozenset({"campaign", "brief"})),
    (_decimals, frozenset({"campaign", "payment", "legal", "influencers"})),
    (_money, frozenset({"payment", "penalties"})),
    (_allocations, frozenset({"payment", "influencers", "deliverables"})),
    (_people, frozenset({"influencers"})),
    (_exclusivity, frozenset({"exclusivity"})),
    (_tracking, frozenset({"tracking", "influencers"})),
)


def handle_forms(handle: str) -> dict[str, str]:
    """Placeholder values for a handle: ``{handle}`` and ``{HANDLE}``."""
    bare = handle.lstrip("@")
    return {"handle": bare.lower(), "HANDLE": re.sub(r"[^A-Za-z0-9]", "", bare).upper()}


def fill(pattern: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders; unknown ones were refused by validation."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), pattern)


def discount_code(pattern: str, handle: str) -> str:
    """The discount code a pattern gives one influencer."""
    return fill(pattern, handle_forms(handle)).upper()
