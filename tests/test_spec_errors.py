"""Invalid specs: each gives a located, actionable message, exit code 1 and no files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest


def _set(path: str, value: Any):
    """A change that sets a dotted path (``deliverables.0.count``) in the spec data."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        node[int(last) if last.isdigit() else last] = value

    return change


def _dup_influencer(data: dict[str, Any]) -> None:
    data["influencers"].append(dict(data["influencers"][0], email="other@example.com"))


def _rename_key(data: dict[str, Any]) -> None:
    data["deliverabels"] = data.pop("deliverables")


CASES = [
    ("end-before-start", _set("campaign.end", "2027-03-01"), r"campaign\.end: ends 2027-03-01 before it starts"),
    ("window-outside", _set("deliverables.0.publish_window", {"from": "2027-05-02", "to": "2027-05-09"}),
     r"deliverables\[0\]\.publish_window: 2027-05-02 to 2027-05-09 is not inside the campaign"),
    ("window-reversed", _set("deliverables.0.publish_window", {"from": "2027-04-20", "to": "2027-04-10"}),
     r"deliverables\[0\]\.publish_window\.to: 2027-04-10 is before 'from'"),
    ("schedule-sum", _set("payment.schedule", [{"label": "Now", "percent": 50}, {"label": "Later", "percent": 40}]),
     r"payment\.schedule: percentages sum to 90, expected 100"),
    ("percent-range", _set("payment.kill_fee_percent", 120), r"payment\.kill_fee_percent: input should be less than or equal to 100"),
    ("count-zero", _set("deliverables.0.count", 0), r"deliverables\[0\]\.count: input should be greater than or equal to 1"),
    ("negative-fee", _set("payment.fee", -5), r"payment\.fee: input should be greater than or equal to 0"),
    ("duplicate-handle", _dup_influencer, r"influencers\[1\]\.handle: '@alexruns' is already used by influencers\[0\]"),
    ("currency", _set("campaign.currency", "USDD"), r"campaign\.currency: .*'USDD' is not an ISO 4217 currency code"),
    ("country", _set("campaign.jurisdiction", "XX"), r"campaign\.jurisdiction: .*'XX' is not an ISO 3166 country code"),
    ("email", _set("influencers.0.email", "alex-at-example"), r"influencers\[0\]\.email: value is not a valid email address"),
    ("competitors-empty", _set("exclusivity", {"mode": "competitors"}),
     r"exclusivity\.competitors: mode is 'competitors' but the list is empty"),
    ("unknown-top-key", _rename_key, r"deliverabels: unknown key 'deliverabels'; did you mean 'deliverables'\?"),
    ("unknown-nested-key", _set("payment.fe", 3), r"payment\.fe: unknown key 'fe'; did you mean 'fee'\?"),
    ("impossible-date", _set("campaign.start", "2027-02-30"), r"campaign\.start: '2027-02-30' is not a real date; write it as YYYY-MM-DD"),
    ("missing-name", lambda d: d["campaign"].pop("name"), r"campaign\.name: required key is missing"),
    ("language", _set("campaign.language", "xx"), r"campaign\.language: 'xx' is not allowed; expected one of de, en, fa"),
    ("platform", _set("deliverables.0.platform", "instagramm"), r"deliverables\[0\]\.platform: 'instagramm' is not allowed; did you mean 'instagram'\?"),
    ("platform-key", _set("influencers.0.platforms", {"instagramm": {"followers": 10}}),
     r"influencers\[0\]\.platforms\.instagramm: unknown key 'instagramm'; did you mean 'instagram'\?"),
    ("placeholder", _set("tracking", {"discount_code": "{HANDEL}10"}), r"tracking\.discount_code: unknown placeholder '\{HANDEL\}'"),
    ("same-code", lambda d: (d["influencers"].append({"legal_name": "B", "handle": "@bee", "email": "b@example.com"}),
                             d.setdefault("tracking", {}).update(discount_code="SPRING10")),
     r"tracking\.discount_code: gives the same code SPRING10"),
    ("expenses-cap", _set("payment.expenses", "capped"), r"payment\.expenses_cap: expenses are 'capped' but no cap"),
    ("bad-handle", _set("influencers.0.handle", "../../etc"), r"influencers\[0\]\.handle: string should match pattern"),
]


@pytest.mark.parametrize(("change", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_spec_is_located_and_builds_nothing(make_spec, cli, tmp_path: Path, change, fragment) -> None:
    spec = make_spec(change)
    out = tmp_path / "out"
    result = cli("build", spec, "--out", out)
    assert result.exit_code == 1
    assert re.search(rf"{re.escape(str(spec))}:\d+: {fragment}", result.stderr), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()
    assert cli("validate", spec).exit_code == 1


TEXT_CASES = [
    ("yaml-syntax", "campaign: [unclosed\n", r"spec\.yaml:2: invalid YAML"),
    ("root-list", "- a\n- b\n", r"spec\.yaml:1: the top level must be a mapping"),
    ("python-tag", "campaign: !!python/object/apply:os.system ['echo hi']\n", r"spec\.yaml:1: tag .*python.* is not allowed"),
    ("duplicate-key", "campaign: {}\ncampaign: {}\n", r"spec\.yaml:2: duplicate key 'campaign'"),
    ("empty", "", r"spec\.yaml: the file is empty"),
]


@pytest.mark.parametrize(("text", "fragment"), [c[1:] for c in TEXT_CASES], ids=[c[0] for c in TEXT_CASES])
def test_broken_files(make_spec, cli, text: str, fragment: str) -> None:
    spec = make_spec(text=text)
    result = cli("validate", spec)
    assert result.exit_code == 1
    assert re.search(fragment, result.stderr), result.stderr


def test_every_error_at_once_with_lines(make_spec, cli) -> None:
    text = (Path(__file__).parent.parent / "samples" / "minimal.yaml").read_text()
    text = text.replace("currency: GBP", "currency: GBPX").replace("fee: 800", "fee: -1")
    spec = make_spec(text=text)
    result = cli("validate", spec)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 2
    assert re.search(rf"{re.escape(str(spec))}:6: campaign\.currency", lines[0])
    assert re.search(r":\d\d: payment\.fee", lines[1])


def test_json_spec_is_accepted(tmp_path: Path, minimal_data, cli) -> None:
    import json

    path = tmp_path / "spec.json"
    path.write_text(json.dumps(minimal_data, default=str))
    assert cli("validate", path).exit_code == 0


def test_norway_stays_a_country_code(make_spec, cli) -> None:
    text = (Path(__file__).parent.parent / "samples" / "minimal.yaml").read_text()
    text = text.replace("jurisdiction: GB", "jurisdiction: NO").replace("currency: GBP", "currency: NOK")
    assert cli("validate", make_spec(text=text)).exit_code == 0
