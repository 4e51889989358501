"""Risk checks: what looks wrong in a campaign before anything is signed (R1–R8).

:func:`run_checks` runs every rule of :mod:`contractgen.checks.rules` against a validated spec
and returns :class:`Finding`s, each with a stable rule id, a severity, the influencer (or None
for the campaign as a whole), the field and the values its sentences are made of: the sentences
(what looks wrong, what to do) are made where the finding is shown, in the reader's language
(:meth:`Finding.text`; ``message`` and ``hint`` are the terminal's). Thresholds come from the
rate card (:mod:`contractgen.checks.rates`), which ``--rates FILE`` replaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from contractgen.checks import rates as _rates
from contractgen.checks.figures import Figures, figures
from contractgen.checks.rates import BUILTIN, RateCard
from contractgen.checks.rules import RULES, Context, Rule, Severity
from contractgen.engagement import Engagement, expand
from contractgen.library.clauses import Library
from contractgen.messages import Formatter, message, terminal
from contractgen.spec.loader import Loaded, dotted_path
from contractgen.spec.models import CampaignSpec

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

__all__ = [
    "BUILTIN",
    "RULES",
    "SEVERITIES",
    "Figures",
    "Finding",
    "RateCard",
    "Rule",
    "counts",
    "figures",
    "load_rates",
    "locate",
    "run_checks",
]


@dataclass(frozen=True)
class Finding:
    """One thing a rule found in a campaign."""

    rule: str
    severity: Severity
    influencer: str | None  # the handle as written in the spec; None for the campaign
    field: str  # dotted path of the field to change, e.g. influencers[3].platforms.instagram
    values: dict[str, Any] = field(default_factory=dict, compare=False)  # what fills its sentences
    variant: str = ""  # which of the rule's sentences (checks.yaml): "" the rule's own
    file: str | None = None
    line: int | None = None

    @property
    def key(self) -> str:
        """The catalogue key its sentences are under: the rule id, then the variant."""
        return f"{self.rule}.{self.variant}" if self.variant else self.rule

    def text(self, language: str, formatter: Formatter) -> tuple[str, str]:
        """(what looks wrong, what to do) in a language, values formatted by its locale."""
        return (message(f"{self.key}.message", language, formatter, **self.values),
                message(f"{self.key}.hint", language, formatter, **self.values))

    @property
    def message(self) -> str:
        """What looks wrong, in the terminal's language."""
        return self.text(*terminal())[0]

    @property
    def hint(self) -> str:
        """What to do, in the terminal's language."""
        return self.text(*terminal())[1]

    @property
    def risk(self) -> str:
        """R1..R8."""
        return self.rule.split(".", 1)[0]

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON output and the manifest."""
        return {"rule": self.rule, "risk": self.risk, "severity": self.severity, "influencer": self.influencer,
                "field": self.field, "message": self.message, "hint": self.hint, "file": self.file, "line": self.line}


def load_rates(path: Path | str | None = None) -> RateCard:
    """The built-in rate card, or the file at ``path`` (``--rates``); its ``severity`` may name any rule."""
    return _rates.load_rates(path, RULES)


def run_checks(spec: CampaignSpec, library: Library, rates: RateCard,
               engagements: Sequence[Engagement] | None = None) -> list[Finding]:
    """Every finding of every rule, campaign-level first, then by influencer, worst first."""
    people = list(engagements) if engagements is not None else expand(
        spec, library.disclosure, spec.campaign.language, "", packs=library.packs)
    ctx = Context(spec, people, [figures(e, rates) for e in people], rates, library)
    found: list[tuple[tuple[int, int, int], Finding]] = []
    seen: set[tuple[str, str, str]] = set()
    for order, rule in enumerate(RULES.values()):
        override = rates.severity.get(rule.id)
        if override == "off":
            continue
        for hit in rule.check(ctx):
            severity = override or hit.severity or rule.severity
            handle = spec.influencers[hit.influencer].handle if hit.influencer is not None else None
            finding = Finding(rule.id, severity, handle, dotted_path(hit.path), hit.values, hit.variant)
            key = (rule.id, finding.field, finding.message)
            if key in seen:  # campaign-level hits repeat once per influencer sharing the setting
                continue
            seen.add(key)
            who = -1 if hit.influencer is None else hit.influencer
            found.append(((who, SEVERITIES.index(severity), order), finding))
    return [f for _, f in sorted(found, key=lambda item: item[0])]


def locate(findings: list[Finding], loaded: Loaded) -> list[Finding]:
    """Findings with the spec file and the line of their field (or its nearest written parent)."""
    out = []
    for finding in findings:
        path = _parse(finding.field)
        line = None
        for end in range(len(path), 0, -1):  # the root would point at line 1: not helpful
            line = loaded.lines.get(path[:end])
            if line is not None:
                break
        out.append(replace(finding, file=loaded.file, line=line))
    return out


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    """How many findings of each severity."""
    return {s: sum(f.severity == s for f in findings) for s in SEVERITIES}


def _parse(dotted: str) -> tuple[str | int, ...]:
    """``influencers[3].platforms.x`` → ``('influencers', 3, 'platforms', 'x')``."""
    parts: list[str | int] = []
    for piece in dotted.split("."):
        name, *indexes = piece.split("[")
        if name:
            parts.append(name)
        parts.extend(int(i.rstrip("]")) for i in indexes)
    return tuple(parts)
