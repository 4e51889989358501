"""Risk coverage: `contractgen coverage SPEC` names the clauses that answer each risk and the gaps."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES

from contractgen.assemble.contract import build_contract, clause_refs
from contractgen.build import engagements
from contractgen.coverage import RISKS, campaign_coverage, load_data
from contractgen.spec import load_spec
from contractgen.toolkit import Toolkit


@pytest.fixture(scope="module")
def kit() -> Toolkit:
    return Toolkit()


def coverage_json(cli: Callable[..., Any], spec: Path, *options: str | Path) -> dict[str, dict[str, dict[str, Any]]]:
    """handle → risk → row, from `coverage --json`."""
    result = cli("coverage", "--json", *options, spec)
    assert result.exit_code == 0, result.output
    return {c["influencer"]: {r["risk"]: r for r in c["risks"]} for c in json.loads(result.output)}


def test_full_sample_names_the_clauses(cli: Callable[..., Any]) -> None:
    cov = coverage_json(cli, SAMPLES / "full.yaml")
    assert set(cov) == {"@mayaglows", "@omid.daily", "@sara.makes"}
    maya, sara = cov["@mayaglows"], cov["@sara.makes"]
    assert set(maya) == set(RISKS)
    assert all(row["status"] == "covered" for row in maya.values())
    assert maya["R1"]["clauses"] == ["conduct", "authenticity", "general-terms"]
    assert maya["R2"]["clauses"] == ["timeline", "communication", "late-delivery", "force-majeure", "general-terms"]
    assert maya["R4"]["clauses"] == ["reporting"]
    assert maya["R4"]["sections"] == ["kpis", "must-include", "tracking"]
    assert maya["R5"]["clauses"] == ["payment", "cancellation", "renewal"]
    assert maya["R7"]["clauses"] == ["cadence"]
    assert "disclosure" in maya["R8"]["clauses"] and "confidentiality" in maya["R8"]["clauses"]
    # Sara is paid in product only: no late-delivery deduction and no kill fee in her contract.
    assert "late-delivery" not in sara["R2"]["clauses"]
    assert sara["R2"]["status"] == "partly"
    assert sara["R2"]["open"] == [{"reason": "no deduction for late delivery", "field": "penalties.late_delivery",
                                   "effect": "partly"}]
    assert sara["R5"]["clauses"] == ["payment", "renewal"]
    assert sara["R5"]["status"] == "covered"


def test_clause_ids_are_the_contracts_own(kit: Toolkit) -> None:
    spec = load_spec(SAMPLES / "full.yaml")
    people = engagements(spec, kit)
    for engagement, item in zip(people, campaign_coverage(people, kit), strict=True):
        in_contract = {ref.split("@")[0] for ref in clause_refs(build_contract(engagement, kit))}
        named = {cid for row in item.risks for cid in row.clauses}
        assert named <= in_contract
        covering = {cid for cid in in_contract if kit.library.clauses[cid].covers}
        assert named == covering


def test_minimal_sample_leaves_risks_open(cli: Callable[..., Any]) -> None:
    alex = coverage_json(cli, SAMPLES / "minimal.yaml")["@alexruns"]
    status = {risk: row["status"] for risk, row in alex.items()}
    assert status == {"R1": "partly", "R2": "partly", "R3": "partly", "R4": "partly", "R5": "partly",
                      "R6": "partly", "R7": "open", "R8": "covered"}
    assert alex["R7"]["clauses"] == []
    assert {p["field"] for p in alex["R4"]["open"]} == {"reporting.kpis", "tracking"}
    assert {p["field"] for p in alex["R1"]["open"]} == {"influencers[0].platforms"}
    assert {p["field"] for p in alex["R2"]["open"]} == {"penalties.late_delivery", "brand.contact"}


@pytest.mark.parametrize(("change", "risk", "status", "gone", "field"), [
    (lambda d: d.update(authenticity={"warranty": False}), "R1", "open", "authenticity", "authenticity.warranty"),
    (lambda d: d.update(penalties={}), "R2", "partly", "late-delivery", "penalties.late_delivery"),
    (lambda d: d.update(reporting={"kpis": []}), "R4", "partly", None, "reporting.kpis"),
    (lambda d: d.update(cadence={}), "R7", "open", "cadence", "cadence"),
    (lambda d: d["payment"].pop("kill_fee_percent"), "R5", "partly", None, "payment.kill_fee_percent"),
    (lambda d: d.update(exclusivity={"mode": "none"}), "R6", "partly", "exclusivity", "exclusivity.mode"),
])
def test_spec_choices_open_risks(change: Callable[[dict[str, Any]], None], risk: str, status: str, gone: str | None,
                                 field: str, cli: Callable[..., Any], tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load((SAMPLES / "full.yaml").read_text())
    data["brand"].pop("logo")
    change(data)
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    row = coverage_json(cli, spec)["@mayaglows"][risk]
    assert row["status"] == status
    assert field in [p["field"] for p in row["open"]]
    if gone:
        assert gone not in row["clauses"]


def test_plain_output_lists_every_risk(cli: Callable[..., Any]) -> None:
    result = cli("coverage", SAMPLES / "full.yaml")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    # Influencers whose contracts answer the risks in the same way share one table.
    assert lines[0] == "@mayaglows (Maya Chen), @omid.daily (Omid Rahimi)"
    assert "@sara.makes (Sara Lopez)" in lines
    for risk in RISKS:
        assert any(line.startswith(f"  {risk}  ") for line in lines)
    assert "  R7  covered      Advertising saturation and audience fatigue" in lines
    assert "      answered by: cadence; brief: deliverables" in lines
    assert "      partly open: no deduction for late delivery (penalties.late_delivery)" in lines


def test_user_library_changes_coverage(cli: Callable[..., Any], tmp_path: Path) -> None:
    library = tmp_path / "clauses"
    library.mkdir()
    (library / "cadence.yaml").write_text(
        "family: cadence\nclauses:\n  - id: cadence\n    version: 2.0.0\n    title: {en: Cadence}\n"
        "    covers: [R7, R3]\n    text: {en: The Influencer spaces sponsored posts sensibly.}\n")
    alex = coverage_json(cli, SAMPLES / "minimal.yaml", "--library", library)["@alexruns"]
    assert alex["R7"]["clauses"] == ["cadence"]
    assert alex["R7"]["status"] == "covered"  # the user's clause has no `when`: it is always in
    assert "cadence" in alex["R3"]["clauses"]


def test_every_brief_section_and_gap_names_known_risks() -> None:
    data = load_data()
    assert set(data.risks) == set(RISKS)
    assert {r for s in data.brief for r in s.covers} <= set(RISKS)
    assert {g.risk for g in data.gaps} <= set(RISKS)


def test_coverage_of_a_bad_spec_is_a_located_error(cli: Callable[..., Any], make_spec: Callable[..., Path]) -> None:
    result = cli("coverage", make_spec(lambda d: d["payment"].update(fee=-5)))
    assert result.exit_code == 1
    assert "payment.fee" in result.output
