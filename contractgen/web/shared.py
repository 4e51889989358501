"""The toolkit (clause library, templates) and rate card every request reads, loaded once per process."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contractgen.checks import RateCard
    from contractgen.toolkit import Toolkit


@cache
def kit() -> Toolkit:
    """The built-in toolkit, its library loaded on first use."""
    from contractgen.toolkit import Toolkit

    return Toolkit()


@cache
def rates() -> RateCard:
    """The built-in rate card."""
    from contractgen.checks import load_rates

    return load_rates()
