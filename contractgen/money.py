"""Amounts of money: rounded to the currency's minor units, split so the parts add up, printed once.

Every amount the documents print passes through :func:`amount_text` (the ``money`` filter and
the checks' messages both use it), after :func:`to_minor_units` or :func:`allocate` made it a
whole number of the currency's smallest unit. So a printed total is always the sum of the
printed parts: nothing is rounded a second time on the way to the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from contractgen.spec import codes


def to_minor_units(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded (half up) to the smallest unit of ``currency``: cents, whole yen, fils."""
    return amount.quantize(codes.minor_unit(currency), rounding=ROUND_HALF_UP)


def too_precise(amount: Decimal, currency: str) -> bool:
    """True when ``amount`` has more decimals than ``currency`` has (100.005 EUR, 10.5 JPY)."""
    return amount != amount.quantize(codes.minor_unit(currency), rounding=ROUND_DOWN)


def allocate(total: Decimal, percents: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split ``total`` by ``percents`` (which sum to 100) into amounts that add up to it exactly.

    Largest remainder: each part is first rounded down to the currency's smallest unit, then
    the units left over go one each to the parts that lost the most, earlier parts first on a tie.
    """
    unit = codes.minor_unit(currency)
    total = to_minor_units(total, currency)
    exact = [total * p / 100 for p in percents]
    parts = [x.quantize(unit, rounding=ROUND_DOWN) for x in exact]
    left = int((total - sum(parts, Decimal(0))) / unit)
    by_loss = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_loss[:max(left, 0)]:
        parts[i] += unit
    return parts


def amount_text(value: Decimal | int | float | str, currency: str) -> str:
    """An amount with thousands separators and the currency's decimals (none for whole amounts).

    ``4500`` → ``4,500``; ``333.3`` → ``333.30`` in EUR; ``1.5`` → ``2`` in JPY; ``1.2345`` →
    ``1.235`` in KWD. English digits: :class:`contractgen.locale.Locale` localises them.
    """
    number = to_minor_units(Decimal(str(value)), currency)
    places = 0 if number == number.to_integral_value() else codes.minor_units(currency)
    return f"{number:,.{places}f}"
