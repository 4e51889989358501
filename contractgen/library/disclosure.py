"""The ad-disclosure rules data file (``clauses/data/disclosure.yaml``), validated."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contractgen.errors import Problem, UserError
from contractgen.spec.loader import load_file
from contractgen.spec.validate import pydantic_problems

Wording = dict[str, str]  # language code → text


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Placement(_Data):
    """Where the label goes, by kind of content."""

    default: Wording
    video: Wording | None = None
    story: Wording | None = None
    live: Wording | None = None


class Jurisdiction(_Data):
    """Disclosure rules and legal defaults of one country."""

    country: Wording | None = None  # the country as the wording names it, e.g. "the United States"
    authority: Wording
    label: str
    accepted: list[str] = Field(default_factory=list)
    rejected: list[str] = Field(default_factory=list)
    placement: Placement
    governing_law: Wording
    venue: Wording
    platform_tools: dict[str, Wording] = Field(default_factory=dict)  # replaces the general wording here


class DisclosureRules(_Data):
    """Every jurisdiction's rules (with a ``default``) and the platforms' own tools."""

    jurisdictions: dict[str, Jurisdiction]
    platform_tools: dict[str, Wording] = Field(default_factory=dict)

    def for_country(self, code: str) -> Jurisdiction:
        """The rules of a country, or the cautious default."""
        return self.jurisdictions.get(code) or self.jurisdictions["default"]


_KIND = {"reel": "video", "video": "video", "short": "video", "episode": "video", "story": "story", "live": "live"}


def placement_kind(fmt: str) -> str:
    """Which placement rule applies to a content format."""
    return _KIND.get(fmt, "default")


def load_rules(path: Path) -> DisclosureRules:
    """Read and validate the disclosure data file."""
    loaded = load_file(path)
    try:
        rules = DisclosureRules.model_validate(loaded.data)
    except ValidationError as exc:
        raise UserError(pydantic_problems(exc, loaded, DisclosureRules)) from None
    if "default" not in rules.jurisdictions:
        raise UserError(Problem("needs a 'default' jurisdiction", file=str(path), where="jurisdictions"))
    return rules
