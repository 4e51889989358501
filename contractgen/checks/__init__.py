"""Risk checks: what looks wrong in a campaign before anything is signed (R1–R8).

:func:`run_checks` runs every rule of :mod:`contractgen.checks.rules` against a validated spec
and returns :class:`Finding`s, each with a stable rule id, a severity, the influencer (or None
for the campaign as a whole), the field, a message and what to do. Thresholds come from the
rate card (:mod:`contractgen.checks.rates`), which ``--rates FILE`` replaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

from contractgen.checks.figures import Figures, figures
from contractgen.checks.rates import BUILTIN, RateCard, load_rates
from contractgen.checks.rules import RULES, Context, Rule, Severity
from contractgen.engagement import Engagement, expand
from contractgen.library.clauses import Library
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
    message: str
    hint: str
    file: str | None = None
    line: int | None = None

    @property
    def risk(self) -> str:
        """R1..R8."""
        return self.rule.split(".", 1)[0]

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON output and the manifest."""
        return {"rule": self.rule, "risk": self.risk, **asdict(self)}


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
            finding = Finding(rule.id, severity, handle, dotted_path(hit.path), hit.message, hit.hint)
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
