"""Risk coverage: which of R1–R8 each influencer's paperwork answers, and what this spec leaves open.

A risk is answered by the clauses actually in that influencer's contract (their ``covers:``)
and by the brief sections printed for them (``templates/coverage.yaml``). The same file lists
the gaps: spec choices that leave a risk partly or wholly open (no late-delivery deduction →
R2 partly open; no authenticity warranty → R1 open). ``contractgen coverage SPEC`` prints it
(:mod:`contractgen.cli.coverage`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from contractgen.assemble.common import RENDER_ERRORS
from contractgen.engagement import Engagement
from contractgen.errors import Problem, UserError
from contractgen.library.clauses import Risk
from contractgen.resources import templates_dir
from contractgen.spec.loader import load_file
from contractgen.spec.validate import pydantic_problems
from contractgen.templating import describe
from contractgen.toolkit import Toolkit

RISKS: tuple[str, ...] = ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8")
Status = Literal["covered", "partly", "open"]
Wording = dict[str, str]  # language code → text


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BriefSection(_Data):
    """A section of the creative brief and the risks it answers."""

    id: str
    title: Wording
    covers: list[Risk]
    when: str | None = None


class Gap(_Data):
    """A spec choice that leaves a risk open."""

    risk: Risk
    when: str
    effect: Literal["partly", "open"]
    field: str | None = None
    reason: Wording


class CoverageData(_Data):
    """The whole of ``templates/coverage.yaml``."""

    risks: dict[Risk, Wording]
    brief: list[BriefSection]
    gaps: list[Gap]


@dataclass(frozen=True)
class OpenPoint:
    """Why a risk is (partly) open, and the field that would close it."""

    reason: str
    field: str | None
    effect: str


@dataclass(frozen=True)
class RiskCoverage:
    """One risk for one contract."""

    risk: str
    title: str
    status: Status
    clauses: tuple[str, ...]
    sections: tuple[str, ...]
    open: tuple[OpenPoint, ...]


@dataclass(frozen=True)
class ContractCoverage:
    """Every risk for one influencer's contract and brief."""

    influencer: str
    legal_name: str
    risks: tuple[RiskCoverage, ...]

    def by_risk(self) -> dict[str, RiskCoverage]:
        """The rows keyed by risk id."""
        return {r.risk: r for r in self.risks}


def data_file() -> Path:
    """Where the coverage data lives."""
    return templates_dir() / "coverage.yaml"


@cache
def load_data(path: Path | None = None) -> CoverageData:
    """The brief sections and gaps, validated; errors name the file and line."""
    source = path or data_file()
    loaded = load_file(source)
    try:
        return CoverageData.model_validate(loaded.data)
    except ValidationError as exc:
        raise UserError(pydantic_problems(exc, loaded, CoverageData)) from None


def contract_clause_ids(engagement: Engagement, kit: Toolkit) -> list[str]:
    """Ids of the clauses in this influencer's contract, as assembly chooses them."""
    from contractgen.assemble.contract import build_contract
    from contractgen.document import Clause

    return [b.clause_id for b in build_contract(engagement, kit).blocks if isinstance(b, Clause)]


def contract_coverage(engagement: Engagement, kit: Toolkit, clause_ids: Sequence[str] | None = None) -> ContractCoverage:
    """Coverage of one influencer; ``clause_ids`` (from a build) saves assembling the contract again."""
    spec = engagement.spec
    data = load_data()
    library = kit.library
    ids = list(clause_ids) if clause_ids is not None else contract_clause_ids(engagement, kit)
    chosen = set(ids)
    engine = kit.engine(spec)
    language = spec.campaign.language
    context: dict[str, Any] = {**engagement.context(), "has": lambda cid: cid in chosen}

    def holds(condition: str | None, where: str) -> bool:
        if condition is None:
            return True
        try:
            return engine.test(condition, context)
        except RENDER_ERRORS as exc:
            raise UserError(Problem(f"condition '{condition}' failed: {describe(exc)}", file=str(data_file()),
                                    where=where)) from None

    sections = [s for s in data.brief if holds(s.when, f"brief.{s.id}")]
    gaps = [g for g in data.gaps if holds(g.when, f"gaps ({g.risk})")]
    rows = []
    for risk in RISKS:
        clauses = tuple(cid for cid in ids if cid in library.clauses and risk in library.clauses[cid].covers)
        parts = tuple(s.id for s in sections if risk in s.covers)
        points = tuple(OpenPoint(_word(g.reason, language), _field(g.field, engagement.index), g.effect)
                       for g in gaps if g.risk == risk)
        if not clauses and not parts:
            status: Status = "open"
        elif any(p.effect == "open" for p in points):
            status = "open"
        else:
            status = "partly" if points else "covered"
        rows.append(RiskCoverage(risk, _word(data.risks.get(risk, {}), language) or risk,  # type: ignore[call-overload]
                                 status, clauses, parts, points))
    person = engagement.influencer
    return ContractCoverage(person.handle, person.legal_name, tuple(rows))


def campaign_coverage(engagements: Iterable[Engagement], kit: Toolkit,
                      clause_ids: Mapping[str, Sequence[str]] | None = None) -> list[ContractCoverage]:
    """Coverage of every influencer; ``clause_ids`` by handle where a build already knows them."""
    known = clause_ids or {}
    return [contract_coverage(e, kit, known.get(e.influencer.handle)) for e in engagements]


def _field(field: str | None, index: int) -> str | None:
    # ``influencers[]`` in the data file means this influencer's entry.
    return field.replace("influencers[]", f"influencers[{index}]") if field else None


def _word(wording: Mapping[str, str], language: str) -> str:
    # A language the coverage file has no wording for reads its first wording (the file's own order).
    return wording.get(language) or next(iter(wording.values()), "")


def as_dict(item: ContractCoverage) -> dict[str, Any]:
    """Plain data for ``--json`` and the manifest."""
    return asdict(item)
