"""Risk checks (R1–R8) as a user meets them: `contractgen validate`, its exit codes and --json.

Every rule fires on a spec made to trigger it, from a clean spec that has no finding at all,
and the samples give exactly the findings listed in SAMPLE_FINDINGS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SAMPLES

from contractgen.checks import BUILTIN, RULES

# What the samples trigger, and why (each is a real finding, not noise):
SAMPLE_FINDINGS = {
    # Sara is paid in product only: a reminder that gifts still need the ad label, and the
    # campaign's exclusivity, paid usage and first refusal would bind her unpaid.
    # The agency's signature block names nobody (its signatory is left for the agency to fill in).
    "full.yaml": {"R8.gifted-without-disclosure", "R6.gifted-extras", "R8.unnamed-signatory"},
    # The smallest spec leaves things open: no account listed for Instagram, no brand contact or
    # signatory, no company number (GB), no Cancellation Fee, no KPIs, no tracking.
    "minimal.yaml": {"R1.no-account", "R2.no-brand-contact", "R2.no-kill-fee", "R4.no-kpis", "R4.no-tracking",
                     "R8.unnamed-signatory", "R8.pack-requirement"},
    # Telegram has followers but no engagement figure; Mahsa is paid in product only. Its NDA
    # clause is checked in Persian (the carve-out says تبلیغ and رابطه تجاری).
    "persian.yaml": {"R1.no-figures", "R8.gifted-without-disclosure", "R6.gifted-extras", "R8.pack-requirement"},
}


def clean(data: dict[str, Any]) -> None:
    """samples/minimal.yaml made complete enough that no rule fires."""
    data["brand"]["contact"] = {"name": "Jo Bloggs", "email": "jo@stride.example"}
    data["brand"]["signatory"] = {"name": "Jo Bloggs", "title": "Director"}
    data["brand"]["registration"] = "company number 01234567"
    data["influencers"][0]["platforms"] = {"instagram": {"followers": 48200, "avg_engagements": 2650}}
    data["deliverables"][0]["publish_window"] = {"from": "2027-04-08", "to": "2027-04-20"}
    data["payment"]["kill_fee_percent"] = 25
    data["reporting"] = {"kpis": [{"metric": "link_clicks", "target": 1500}]}
    data["tracking"] = {"landing_url": "https://stride.example/drop", "discount_code": "{HANDLE}10"}


def findings(cli: Callable[..., Any], spec: Path, *options: str | Path) -> list[dict[str, Any]]:
    """The findings `validate --json` prints for one spec."""
    result = cli("validate", "--json", *options, spec)
    out = json.loads(result.output)
    assert out[0]["valid"], out[0]["problems"]
    return out[0]["findings"]


def rule_ids(items: list[dict[str, Any]]) -> set[str]:
    return {f["rule"] for f in items}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets one dotted key (list indexes as numbers) after cleaning the spec."""

    def change(data: dict[str, Any]) -> None:
        clean(data)
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
        node[int(last) if last.isdigit() else last] = value

    return change


def _then(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for c in changes:
            c(data)

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        clean(data)
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        del node[last]

    return change


def _reel(count: int, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"platform": "instagram", "format": "reel", "count": count,
            "publish_window": {"from": start, "to": end}, **extra}


def _second_influencer(data: dict[str, Any]) -> None:
    """A second influencer on the clean spec: both get the landing URL with no per-person UTM."""
    clean(data)
    data["influencers"].append({"legal_name": "Sam Lee", "handle": "@samruns", "email": "sam@example.co.uk",
                                "platforms": {"instagram": {"followers": 30000, "avg_engagements": 1500}}})


# rule id → (change to the clean spec, field of the finding, words its message must hold)
TRIGGERS: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    "R1.implausible-figures": (
        _set("influencers.0.platforms", {"instagram": {"followers": 1000, "avg_engagements": 5000}}),
        "influencers[0].platforms.instagram.avg_engagements", "@alexruns's instagram figures are implausible"),
    "R1.low-engagement": (
        _set("influencers.0.platforms", {"instagram": {"followers": 500000, "avg_engagements": 300}}),
        "influencers[0].platforms.instagram.avg_engagements", "engagement rate is 0.06%"),
    "R1.no-figures": (_set("influencers.0.platforms", {"instagram": {"followers": 48200}}),
                      "influencers[0].platforms.instagram", "no average engagements recorded for instagram"),
    "R1.no-account": (_drop("influencers.0.platforms"), "influencers[0].platforms", "lists no account there"),
    "R3.brief-claim-unlisted": (_set("brief", {"key_message": "Run faster in 7 days"}), "brief.key_message",
                                "a claim about results"),
    "R4.shared-tracking-link": (_second_influencer, "tracking.utm", "would all get the tracking link"),
    "R6.conduct-overrides-exclusivity": (_set("conduct", {"prohibited": ["promoting competitors"]}),
                                         "conduct.prohibited[0]", "override the exclusivity terms"),
    "R6.gifted-extras": (
        _then(_set("payment.fee", 0), _set("payment.gifted_product", {"description": "Trail shoes", "value": 120}),
              _set("legal", {"renewal_option": True})),
        "legal.renewal_option", "@alexruns is paid only in product"),
    "R8.unnamed-signatory": (_drop("brand.signatory"), "brand.signatory", "no brand signatory"),
    "R8.pack-requirement": (_drop("brand.registration"), "brand.registration", "company number is missing"),
    "R1.no-warranty": (_set("authenticity", {"warranty": False}), "authenticity.warranty", "authenticity warranty"),
    "R2.draft-before-start": (
        _set("deliverables.0.publish_window", {"from": "2027-04-03", "to": "2027-04-20"}),
        "deliverables[0].draft_due_days_before", "is due 2027-03-29"),
    "R2.window-too-short": (
        _set("deliverables", [_reel(5, "2027-04-10", "2027-04-11")]),
        "deliverables[0].publish_window", "fits only 2"),
    "R7.too-dense": (
        _set("deliverables", [_reel(2, "2027-04-10", "2027-04-11"), _reel(2, "2027-04-10", "2027-04-12")]),
        "deliverables[0].publish_window", "need 4 brand posts between 2027-04-10 and 2027-04-12"),
    "R2.no-review": (_set("review", {"draft_required": False}), "review.draft_required", "not reviewed"),
    "R2.review-too-tight": (
        _set("deliverables.0.draft_due_days_before", 1), "deliverables[0].draft_due_days_before",
        "the brand has 2 business days"),
    "R2.slow-response": (_set("communication", {"response_hours": 96}), "communication.response_hours", "96 hours"),
    "R2.no-brand-contact": (_drop("brand.contact"), "brand.contact", "brand's contact"),
    "R2.no-kill-fee": (_drop("payment.kill_fee_percent"), "payment.kill_fee_percent", "@alexruns"),
    "R2.penalty-cap-above-fee": (
        _set("penalties", {"late_delivery": {"percent_per_day": 10, "cap_percent": 80}}),
        "penalties.late_delivery.cap_percent", "capped at 80% of the fee, above the 50%"),
    "R3.training-after-draft": (
        _set("brief", {"training": {"session": "product call", "date": "2027-04-25"}}), "brief.training.date",
        "@alexruns's product training is on 2027-04-25"),
    "R4.no-kpis": (_drop("reporting"), "reporting.kpis", "no KPIs"),
    "R4.report-deadline": (_set("reporting.report_due_days", 60), "reporting.report_due_days", "60 days"),
    "R4.no-tracking": (_drop("tracking"), "tracking", "no tracking link or discount code"),
    "R5.fee-above-band": (_set("payment.fee", 50000), "payment.fee", "@alexruns costs GBP 50,000, above the market band"),
    "R5.fee-below-band": (
        _then(_set("influencers.0.platforms", {"instagram": {"followers": 480000, "avg_engagements": 20000}}),
              _set("influencers.0.fee", 10)),
        "influencers[0].fee", "well below the market band"),
    "R5.no-consideration": (_set("payment.fee", 0), "payment.fee", "no fee, no gifted product and no commission"),
    "R6.long-exclusivity": (
        _set("exclusivity", {"mode": "category", "category": "running shoes", "days_after": 400}),
        "exclusivity.days_after", "longer than 12 months"),
    "R6.perpetual-usage": (_set("usage_rights", {"term_months": None}), "usage_rights.term_months", "forever"),
    "R6.worldwide-usage": (_set("usage_rights", {"territory": "Worldwide"}), "usage_rights.territory", "'Worldwide'"),
    "R6.buyout-small-fee": (
        _then(_set("usage_rights", {"mode": "buyout"}), _set("payment.fee", 150)),
        "usage_rights.mode", "a full buyout for GBP 150"),
    "R6.no-conduct-termination": (
        _set("conduct", {"termination_for_conduct": False}), "conduct.termination_for_conduct", "cannot terminate"),
    "R8.rejected-label": (_set("disclosure", {"label": "#spon"}), "disclosure.label", "'#spon' is not a clear disclosure"),
    "R8.unlisted-label": (_set("disclosure", {"label": "#partner"}), "disclosure.label", "not among the labels accepted"),
    "R8.jurisdiction-defaulted": (lambda data: data["campaign"].pop("jurisdiction"), "campaign.jurisdiction",
                                  "campaign.jurisdiction is not given, so the contracts follow the defaults of US"),
    "R8.gifted-without-disclosure": (
        _then(_set("payment.fee", 0), _set("payment.gifted_product", {"description": "Trail shoes", "value": 120})),
        "payment.fee", "@alexruns is paid only in product (Trail shoes)"),
    "R8.brief-hides-ad": (
        _set("brief", {"donts": ["mention that this is sponsored"]}), "brief.donts[0]", "hide that the content is advertising"),
    "R8.platform-tools-off": (_set("disclosure", {"platform_tools": False}), "disclosure.platform_tools", "not required"),
}


@pytest.mark.parametrize(("cap", "field", "words"), [
    ("none", "legal.liability_cap", "liability is not capped"),
    (5000, "legal.liability_cap", "@alexruns's liability is capped at GBP 5,000, above what the deal pays them (GBP 800)"),
])
def test_liability_cap_above_fee(cap: object, field: str, words: str, cli: Callable[..., Any],
                                 make_spec: Callable[..., Path]) -> None:
    found = [f for f in findings(cli, make_spec(_set("legal", {"liability_cap": cap})))
             if f["rule"] == "R2.penalty-cap-above-fee"]
    assert [(f["field"], words in f["message"]) for f in found] == [(field, True)]


def test_every_rule_has_a_trigger() -> None:
    # R8.nda-blocks-disclosure needs a clause library of the user's own: see its own test.
    assert set(RULES) == {*TRIGGERS, "R8.nda-blocks-disclosure"}


def test_clean_spec_has_no_findings(cli: Callable[..., Any], make_spec: Callable[..., Path]) -> None:
    spec = make_spec(clean)
    assert findings(cli, spec) == []
    result = cli("validate", "--strict", spec)
    assert result.exit_code == 0
    assert "findings: 0 errors, 0 warnings, 0 info" in result.output


@pytest.mark.parametrize("rule", sorted(TRIGGERS))
def test_rule_fires(rule: str, cli: Callable[..., Any], make_spec: Callable[..., Path]) -> None:
    change, field, words = TRIGGERS[rule]
    found = [f for f in findings(cli, make_spec(change)) if f["rule"] == rule]
    assert found, f"{rule} did not fire"
    finding = found[0]
    assert finding["field"] == field
    assert words in finding["message"]
    assert finding["severity"] == RULES[rule].severity
    assert finding["risk"] == rule[:2]
    assert finding["hint"]
    assert finding["file"].endswith("spec.yaml")


@pytest.mark.parametrize("sample", sorted(SAMPLE_FINDINGS))
def test_samples_fire_only_what_applies(sample: str, cli: Callable[..., Any]) -> None:
    assert rule_ids(findings(cli, SAMPLES / sample)) == SAMPLE_FINDINGS[sample]


def test_per_influencer_findings_name_the_influencer_and_line(cli: Callable[..., Any], tmp_path: Path) -> None:
    # The issue's "done when": the full sample plus an influencer with 500,000 followers and
    # 300 average engagements.
    data = yaml.safe_load((SAMPLES / "full.yaml").read_text())
    data["brand"].pop("logo")
    data["influencers"].append({"legal_name": "Big Reach", "handle": "@bigreach", "email": "big@example.com",
                                "platforms": {"instagram": {"followers": 500000, "avg_engagements": 300}}})
    spec = tmp_path / "full-plus.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    result = cli("validate", spec)
    assert result.exit_code == 0  # warnings alone do not fail...
    assert "findings: 0 errors, 6 warnings, 1 info" in result.output  # Big Reach has no TikTok account listed
    lines = result.output.splitlines()
    group = lines.index("  @bigreach")
    assert "R1.low-engagement" in lines[group + 1]
    assert "influencers[3].platforms.instagram.avg_engagements" in lines[group + 1]
    assert "full-plus.yaml:" in lines[group + 1]
    assert "@bigreach's instagram engagement rate is 0.06%" in lines[group + 2]
    assert "macro-tier norm" in lines[group + 2]
    assert lines[group + 3].strip().startswith("→ ")

    assert cli("validate", "--strict", spec).exit_code == 1  # ...but do with --strict


def test_errors_fail_without_strict(cli: Callable[..., Any], make_spec: Callable[..., Path]) -> None:
    result = cli("validate", make_spec(TRIGGERS["R8.rejected-label"][0]))
    assert result.exit_code == 1
    assert "error   R8.rejected-label" in result.output


def test_campaign_level_findings_are_grouped_first(cli: Callable[..., Any]) -> None:
    result = cli("validate", SAMPLES / "minimal.yaml")
    lines = result.output.splitlines()
    assert lines[1] == "  campaign"
    assert lines.index("  @alexruns") > lines.index("  campaign")


def test_json_reports_invalid_specs_too(cli: Callable[..., Any], make_spec: Callable[..., Path]) -> None:
    spec = make_spec(lambda d: d["payment"].update(fee="lots"))
    result = cli("validate", "--json", spec)
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out[0]["valid"] is False
    assert out[0]["problems"][0]["field"] == "payment.fee"


def test_duplicate_campaign_findings_are_reported_once(cli: Callable[..., Any], make_spec: Callable[..., Path]) -> None:
    def two(data: dict[str, Any]) -> None:
        data["deliverables"][0]["publish_window"] = {"from": "2027-04-03", "to": "2027-04-20"}
        data["influencers"].append({**data["influencers"][0], "handle": "@second", "email": "s@example.com"})

    found = [f for f in findings(cli, make_spec(two)) if f["rule"] == "R2.draft-before-start"]
    assert len(found) == 1
    assert found[0]["influencer"] is None


def test_own_deliverables_are_the_influencers_finding(cli: Callable[..., Any], make_spec: Callable[..., Path]) -> None:
    def own(data: dict[str, Any]) -> None:
        clean(data)
        data["influencers"][0]["deliverables"] = [_reel(5, "2027-04-10", "2027-04-11")]

    found = [f for f in findings(cli, make_spec(own)) if f["rule"] == "R2.window-too-short"]
    assert found[0]["influencer"] == "@alexruns"
    assert found[0]["field"] == "influencers[0].deliverables[0].publish_window"
    assert found[0]["message"].startswith("@alexruns's 5 instagram reels")


def test_spec_cadence_is_used_and_named(cli: Callable[..., Any], make_spec: Callable[..., Path]) -> None:
    def spaced(data: dict[str, Any]) -> None:
        clean(data)
        data["cadence"] = {"min_hours_between_brand_posts": 72}
        data["deliverables"] = [_reel(2, "2027-04-10", "2027-04-13"), _reel(1, "2027-04-11", "2027-04-13")]

    found = [f for f in findings(cli, make_spec(spaced)) if f["rule"] == "R7.too-dense"]
    assert found[0]["field"] == "cadence"
    assert "the spec's cadence (72 hours between brand posts)" in found[0]["message"]


def test_stories_in_one_set_count_as_one_post(cli: Callable[..., Any], make_spec: Callable[..., Path]) -> None:
    def stories(data: dict[str, Any]) -> None:
        clean(data)
        data["deliverables"] = [{"platform": "instagram", "format": "story", "count": 5,
                                 "publish_window": {"from": "2027-04-10", "to": "2027-04-10"}}]

    assert findings(cli, make_spec(stories)) == []


def test_brief_concealment_in_free_text(cli: Callable[..., Any], make_spec: Callable[..., Path]) -> None:
    def hide(data: dict[str, Any]) -> None:
        clean(data)
        data["brief"] = {"dos": ["keep it natural and don't say it is an ad"], "donts": ["mention competitors"]}
        data["deliverables"][0]["notes"] = "Make it look organic, not like an advert"

    found = [f for f in findings(cli, make_spec(hide)) if f["rule"] == "R8.brief-hides-ad"]
    assert [f["field"] for f in found] == ["brief.dos[0]", "deliverables[0].notes"]


def test_nda_that_forbids_disclosure(cli: Callable[..., Any], make_spec: Callable[..., Path], tmp_path: Path) -> None:
    spec = make_spec(_set("confidentiality", {"nda": True}))
    assert "R8.nda-blocks-disclosure" not in rule_ids(findings(cli, spec))  # the built-in clause keeps the carve-out

    library = tmp_path / "my-clauses"
    library.mkdir()
    (library / "confidentiality.yaml").write_text(
        "family: confidentiality\n"
        "clauses:\n"
        "  - id: confidentiality\n"
        "    version: 9.0.0\n"
        "    title: {en: Confidentiality}\n"
        "    covers: [R6]\n"
        "    when: confidentiality.nda\n"
        "    text:\n"
        "      en: The Influencer keeps everything about the Campaign, including the Brand's involvement, secret.\n")
    found = [f for f in findings(cli, spec, "--library", library) if f["rule"] == "R8.nda-blocks-disclosure"]
    assert found[0]["severity"] == "error"
    assert "confidentiality@9.0.0" in found[0]["message"]
    assert cli("validate", "--library", library, spec).exit_code == 1


# --- the rate card ---------------------------------------------------------------------------

def _rate_card(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = yaml.safe_load(BUILTIN.read_text())
    change(data)
    path = tmp_path / "rates.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_rates_file_replaces_thresholds(cli: Callable[..., Any], make_spec: Callable[..., Path], tmp_path: Path) -> None:
    spec = make_spec(TRIGGERS["R1.low-engagement"][0])
    assert "R1.low-engagement" in rule_ids(findings(cli, spec))
    lenient = _rate_card(tmp_path, lambda d: d["engagement"].update(far_below=0.1))  # 0.06% > 10% of 0.33%
    assert "R1.low-engagement" not in rule_ids(findings(cli, spec, "--rates", lenient))


def test_rates_file_replaces_bands(cli: Callable[..., Any], make_spec: Callable[..., Path], tmp_path: Path) -> None:
    spec = make_spec(_set("payment.fee", 50000))
    assert "R5.fee-above-band" in rule_ids(findings(cli, spec))
    rich = _rate_card(tmp_path, lambda d: d["prices"]["instagram"]["bands"].update(micro=[20000, 40000]))
    assert "R5.fee-above-band" not in rule_ids(findings(cli, spec, "--rates", rich))


def test_rates_file_sets_severity(cli: Callable[..., Any], make_spec: Callable[..., Path], tmp_path: Path) -> None:
    spec = SAMPLES / "minimal.yaml"
    strict = _rate_card(tmp_path, lambda d: d.update(severity={"R4.no-kpis": "error", "R2.no-kill-fee": "off"}))
    found = findings(cli, spec, "--rates", strict)
    assert "R2.no-kill-fee" not in rule_ids(found)
    assert [f["severity"] for f in found if f["rule"] == "R4.no-kpis"] == ["error"]
    assert cli("validate", "--rates", strict, spec).exit_code == 1


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d["tiers"][1].update(min_followers=200000), "list them from the smallest"),
    (lambda d: d.update(severity={"R9.made-up": "off"}), "unknown rule(s) R9.made-up"),
    (lambda d: d["prices"]["tiktok"]["bands"].update(giant=[1, 2]), "unknown tier(s) giant"),
    (lambda d: d["fee_band"].update(abov=2), "unknown key 'abov'; did you mean 'above'?"),
])
def test_bad_rate_card_is_located(change: Callable[[dict[str, Any]], None], words: str, cli: Callable[..., Any],
                                  tmp_path: Path) -> None:
    rates = _rate_card(tmp_path, change)
    result = cli("validate", "--rates", rates, SAMPLES / "minimal.yaml")
    assert result.exit_code == 1
    assert f"{rates}:" in result.output
    assert words in result.output


def test_missing_rate_card(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("validate", "--rates", tmp_path / "nope.yaml", SAMPLES / "minimal.yaml")
    assert result.exit_code == 1
    assert "rate card not found" in result.output


def test_build_prints_a_count_and_records_findings(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("build", SAMPLES / "minimal.yaml", "--out", out, "--format", "pdf", "--only", "brief")
    assert result.exit_code == 0, result.output
    assert "findings: 0 errors, 6 warnings, 1 info (details: contractgen validate" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert rule_ids(manifest["findings"]) == SAMPLE_FINDINGS["minimal.yaml"]
