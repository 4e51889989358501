"""`contractgen new`: the interactive questionnaire.

Flows run through prompt_toolkit pipe input (``create_pipe_input`` + ``DummyOutput``), as keys a
user types. Blind tests send every key up front, as a fast typist would; the others type each
question's keys just before it is asked (a :class:`Typist` keyed by the question's spec path), so
they keep working when the models gain optional fields. One test runs the real command on a
pseudo-terminal with pexpect.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from contractgen.cli.new import run_new
from contractgen.questionnaire.answers import Answers, collect, from_data
from contractgen.questionnaire.fields import fields_of
from contractgen.questionnaire.prompts import ask
from contractgen.questionnaire.questions import Invalid, apply, plan
from contractgen.questionnaire.wording import load_wording
from contractgen.questionnaire.writer import draft_path, spec_text
from contractgen.spec import load_spec
from contractgen.spec.loader import dotted_path, load_yaml_text
from contractgen.spec.models import CampaignSpec
from contractgen.spec.validate import validate_loaded

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.yaml"))
# Background docs live beside the clone (../shared from the repository root), read-only.
REFERENCE = ROOT.parent / "shared" / "reference" / "campaign.yaml"

ENTER, DOWN, CTRL_C, CLEAR = "\r", "\x1b[B", "\x03", "\x15"  # CLEAR = Ctrl-U: empty the answer


def typed(text: str) -> str:
    """Replace a suggested answer with ``text`` and press Enter."""
    return CLEAR + text + ENTER


class Typist:
    """Types each question's keys into the pipe just before the question is asked.

    ``keys`` maps a question's spec path (``influencers[0].fee``; list questions end in
    ``#more[i]``, optional parts in ``#present``; ``#confirm`` is write?/build?) to the keys
    for it, or to a list of key strings used one per time it is asked. Unlisted: Enter.
    """

    def __init__(self, pipe: Any, keys: dict[str, str | list[str]]) -> None:
        self.pipe = pipe
        self.keys = {name: [value] if isinstance(value, str) else list(value) for name, value in keys.items()}
        self.asked: list[str] = []

    def __call__(self, step: Any, wording: Any) -> Any:
        name = dotted_path(step.key)
        self.asked.append(name)
        queue = self.keys.get(name)
        self.pipe.send_text(queue.pop(0) if queue else ENTER)
        if len(self.asked) > 2000:
            raise AssertionError("the questionnaire does not end")
        return ask(step, wording)


def run(tmp_path: Path, keys: dict[str, str | list[str]] | None = None, blind: str | None = None,
        output: str = "campaign.yaml", **options: Any) -> tuple[int, str, Typist | None]:
    """Run ``contractgen new`` in-process in tmp_path; return (exit code, printed text, typist)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=110, highlight=False)
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            typist = None
            if blind is not None:
                pipe.send_text(blind)
            else:
                typist = Typist(pipe, keys or {})
            code = run_new(Path(output), console=console, asker=typist, **options)
    finally:
        os.chdir(cwd)
    return code, buffer.getvalue(), typist


# The --minimal questions of a new campaign, typed blind: the country, then what has no default.
MINIMAL_KEYS = [
    "Spring Drop\r",  # campaign name
    "United Kingdom\r", ENTER, ENTER, ENTER,  # country; its currency (GBP), language, defaults: accepted
    "2027-04-01\r", "2027-04-30\r",  # start, end
    "Stride Ltd\r",  # brand legal name
    DOWN + ENTER, ENTER,  # deliverable: tiktok, post
    "2027-04-05\r", "2027-04-20\r",  # publish window
    "n",  # another deliverable?
    "800\r",  # payment fee
    "Alex Morgan\r", "@alexruns\r", "alex@example.com\r",  # influencer 1
    "y",  # add another influencer?
    "Bea Ray\r", "@bearay\r", "bea@example.com\r",  # influencer 2
    "n",  # add another?
]
REVIEW_KEEP_NO_BUILD = ENTER + "n"  # Enter on the review writes the spec; then "build now?" no


def test_minimal_campaign_typed_blind(tmp_path: Path) -> None:
    code, shown, _ = run(tmp_path, blind="".join(MINIMAL_KEYS) + REVIEW_KEEP_NO_BUILD, minimal=True)
    assert code == 0, shown
    spec = load_spec(tmp_path / "campaign.yaml")
    assert spec.campaign.name == "Spring Drop"
    assert (spec.campaign.jurisdiction, spec.campaign.currency) == ("GB", "GBP")  # the currency followed the country
    assert [p.handle for p in spec.influencers] == ["@alexruns", "@bearay"]
    assert spec.deliverables[0].platform == "tiktok"
    assert str(spec.payment.fee) == "800"
    assert "Wrote campaign.yaml" in shown
    assert "contractgen build campaign.yaml" in shown  # how to build later
    for heading in ("Campaign", "Brand", "Influencers", "Deliverables", "Money"):
        assert heading in shown
    # The review lists every section's answers, numbered for "edit field" jumps.
    assert "Influencer 2 › Legal name: Bea Ray" in shown and "Fee: 800" in shown


FULL_KEYS: dict[str, str | list[str]] = {
    "campaign.name": "Spring Launch\r",
    "campaign.jurisdiction": "gb\r",
    "campaign.currency": typed("gbp"),
    "campaign.start": "2027-05-01\r",
    "campaign.end": "2027-06-30\r",
    "campaign.objectives": " " + ENTER,  # tick the first: awareness
    "brand.legal_name": "Stride Footwear Ltd\r",
    "brand.signatory.#present": "y",
    "brand.signatory.name": "Dana Doe\r",
    "brand.signatory.title": "CMO\r",
    "influencers[0].legal_name": "Alex Morgan\r",
    "influencers[0].handle": "@alexruns\r",
    "influencers[0].email": "alex@example.com\r",
    "influencers[0].platforms.#more[0]": "y",
    "influencers[0].platforms[0].#key": DOWN + ENTER,  # tiktok
    "influencers[0].platforms[0].followers": "12000\r",
    "influencers[0].fee": "1,500\r",
    "influencers.#more[1]": "y",
    "influencers[1].legal_name": "Bea Ray\r",
    "influencers[1].handle": "@bearay\r",
    "influencers[1].email": "bea@example.com\r",
    "deliverables[0].format": DOWN + ENTER,  # reel
    "deliverables[0].count": typed("2"),
    "deliverables[0].publish_window.from": "2027-05-10\r",
    "deliverables[0].publish_window.to": "2027-05-31\r",
    "payment.fee": "1000\r",
    "payment.schedule.#more[0]": "y",
    "payment.schedule[0].label": "On signature\r",
    "payment.schedule[0].percent": "50\r",
    "payment.schedule.#more[1]": "y",
    "payment.schedule[1].label": "On delivery\r",
    "payment.schedule[1].percent": "30\r",
    "payment.schedule.#more[2]": ["n", "y"],  # 80% in all: refused, then a third instalment
    "payment.schedule[2].label": "On report\r",
    "payment.schedule[2].percent": "20\r",
    "exclusivity.mode": DOWN + DOWN + ENTER,  # competitors
    "exclusivity.competitors": "Rival Shoes, Swift Sports\r",  # a comma list: two competitors
    "brief.hashtags": "#EclatRose, #glowup\r",
    "exclusivity.days_after": typed("30"),
    "#review": ENTER,  # keep everything
    "#confirm": "n",  # build now: no
}


def test_full_campaign_two_influencers(tmp_path: Path) -> None:
    code, shown, typist = run(tmp_path, FULL_KEYS)
    assert code == 0, shown
    spec = load_spec(tmp_path / "campaign.yaml")
    assert (spec.campaign.jurisdiction, spec.campaign.currency) == ("GB", "GBP")  # normalised by the model
    assert spec.campaign.objectives == ["awareness"]
    assert spec.brand.signatory is not None and spec.brand.signatory.title == "CMO"
    maya = spec.influencers[0]
    assert str(maya.fee) == "1500" and maya.platforms["tiktok"].followers == 12000
    assert spec.influencers[1].fee is None
    assert (spec.deliverables[0].format, spec.deliverables[0].count) == ("reel", 2)
    assert [str(m.percent) for m in spec.payment.schedule] == ["50", "30", "20"]
    assert spec.exclusivity.competitors == ["Rival Shoes", "Swift Sports"] and spec.exclusivity.days_after == 30
    assert spec.brief.hashtags == ["#EclatRose", "#glowup"]
    # The schedule was refused at 80% with the model's own message, then completed.
    assert "percentages sum to 80, expected 100" in shown
    # Questions that do not apply were not asked.
    assert typist is not None
    assert "exclusivity.competitors" in typist.asked
    for skipped in ("exclusivity.category", "payment.commission_window_days", "payment.expenses_cap"):
        assert skipped not in typist.asked
    # The review shows each answer, choices in words.
    assert "Influencer 1 › Fee: 1500" in shown and "Fee: 1000" in shown and "Format: reel" in shown
    assert "Competitors: Rival Shoes, Swift Sports" in shown


def test_conditional_questions_follow_earlier_answers(tmp_path: Path) -> None:
    keys = {
        "campaign.name": "Autumn Drop\r",  # typing replaces the suggested answer
        "brand.legal_name": "\x7f" * 3 + "PLC\r",  # Backspace edits it instead
        "payment.commission_percent": "10\r",
        "payment.expenses": DOWN + DOWN + ENTER,  # capped
        "payment.expenses_cap": ENTER + "250\r",  # empty is refused while expenses are capped
        "exclusivity.mode": DOWN + ENTER,  # category
        "exclusivity.category": "trainers\r",
        "confidentiality.nda": "n",
        "#review": ["1\r", "2\r", "4\r", "7\r", ENTER],  # edit the sections campaign, brand, money, rights
        "#confirm": "n",
    }
    code, shown, typist = run(tmp_path, keys, source=ROOT / "samples" / "minimal.yaml")
    assert code == 0, shown
    assert typist is not None
    asked = typist.asked
    assert "payment.commission_window_days" in asked and "payment.expenses_cap" in asked
    assert "exclusivity.category" in asked and "exclusivity.competitors" not in asked
    assert "influencers[0].legal_name" not in asked  # sections not chosen on the review are not asked
    assert "confidentiality.years" not in asked
    spec = load_spec(tmp_path / "campaign.yaml")
    assert str(spec.payment.expenses_cap) == "250" and spec.exclusivity.category == "trainers"
    assert (spec.campaign.name, spec.brand.legal_name) == ("Autumn Drop", "Stride Footwear PLC")


def test_from_a_spec_opens_on_the_review_and_enter_keeps_it(tmp_path: Path) -> None:
    code, shown, typist = run(tmp_path, {"#confirm": "n"}, source=ROOT / "samples" / "minimal.yaml", minimal=True)
    assert code == 0, shown
    assert typist is not None
    assert typist.asked == ["#review", "#confirm"]  # one key keeps everything; then "build now?"
    assert load_spec(tmp_path / "campaign.yaml") == load_spec(ROOT / "samples" / "minimal.yaml")


def test_minimal_asks_the_country_then_what_has_no_default() -> None:
    plan_keys = [dotted_path(s.key) for s in plan(Answers(), load_wording(), minimal=True)]
    assert plan_keys[:4] == ["campaign.name", "campaign.jurisdiction", "campaign.currency", "campaign.language"]
    assert plan_keys.index("deliverables[0].platform") < plan_keys.index("payment.fee") < plan_keys.index(
        "influencers[0].legal_name")  # what is made, then money, then who


def _step(answers: Answers, name: str) -> Any:
    return next(s for s in plan(answers, load_wording()) if dotted_path(s.key) == name)


def test_answers_are_checked_by_the_models_and_the_rules() -> None:
    answers = Answers()
    apply(answers, _step(answers, "campaign.name"), "Spring Drop")
    start = _step(answers, "campaign.start")
    with pytest.raises(Invalid, match="not a real date"):
        start.answer("2027-02-31")
    with pytest.raises(Invalid, match="an answer is needed"):
        start.answer("  ")
    apply(answers, start, start.answer("2027-04-01"))
    end = _step(answers, "campaign.end")
    with pytest.raises(Invalid, match="ends 2027-03-01 before it starts 2027-04-01; swap or correct the dates"):
        end.answer("2027-03-01")  # spec/rules.py's own words
    apply(answers, end, end.answer("2027-04-30"))
    with pytest.raises(Invalid, match="'Frnace' is not a country we know; did you mean FR"):
        _step(answers, "campaign.jurisdiction").answer("Frnace")
    with pytest.raises(Invalid, match="email"):
        _step(answers, "influencers[0].email").answer("not-an-email")
    for name, value in (("platform", "tiktok"), ("format", "post"), ("publish_window.from", "2027-04-05")):
        step = _step(answers, f"deliverables[0].{name}")
        apply(answers, step, step.answer(value))
    with pytest.raises(Invalid, match="2027-04-05 to 2027-05-02 is not inside the campaign"):
        _step(answers, "deliverables[0].publish_window.to").answer("2027-05-02")
    with pytest.raises(Invalid, match="greater than or equal to 0"):
        _step(answers, "payment.fee").answer("-5")
    assert str(_step(answers, "payment.fee").answer("12,500.50")) == "12500.50"
    assert str(_step(answers, "payment.fee").answer("€1,500")) == "1500"
    with pytest.raises(Invalid, match=r"'1\.500' could be 1500 or 1\.5"):
        _step(answers, "payment.fee").answer("1.500")


@pytest.mark.parametrize(("typed_as", "code"), [("France", "FR"), ("Deutschland", "DE"), ("ایران", "IR"), ("fr", "FR"),
                                                  ("united kingdom", "GB")])
def test_the_country_is_typed_as_people_name_it(typed_as: str, code: str) -> None:
    assert _step(Answers(), "campaign.jurisdiction").answer(typed_as) == code


def test_the_country_decides_the_defaults_it_shows() -> None:
    answers = Answers()
    country = _step(answers, "campaign.jurisdiction")
    apply(answers, country, country.answer("France"))
    assert _step(answers, "campaign.currency").default == "EUR"
    defaults = _step(answers, "campaign.#defaults")
    assert "«Publicité»" in defaults.label and "the laws of France" in defaults.label
    names = [dotted_path(s.key) for s in plan(answers, load_wording(), minimal=True)]
    assert "disclosure.label" not in names  # accepted by default: the build derives it from FR
    apply(answers, defaults, False)
    label = _step(answers, "disclosure.label")  # declined: asked, with the country's label offered
    assert label.default == "Publicité"


def test_choices_are_shown_in_words() -> None:
    titles = dict(_step(Answers(), "usage_rights.mode").choices)
    assert titles["Organic only"] == "organic_only"
    assert dict(_step(Answers(), "penalties.disclosure_breach").choices)["Remove and repost"] == "remove_and_repost"


def test_the_id_question_shows_the_id_the_name_gives() -> None:
    answers = Answers()
    apply(answers, _step(answers, "campaign.name"), "Éclat Rose Serum Launch")
    assert "the id is eclat-rose-serum-launch" in _step(answers, "campaign.id").help


def test_a_gifted_only_deal_is_asked_no_payment_schedule() -> None:
    answers = Answers()
    fee = _step(answers, "payment.fee")
    apply(answers, fee, fee.answer("0"))
    names = [dotted_path(s.key) for s in plan(answers, load_wording())]
    assert "payment.schedule.#more[0]" not in names and "payment.kill_fee_percent" not in names
    apply(answers, fee, fee.answer("900"))
    assert "payment.schedule.#more[0]" in [dotted_path(s.key) for s in plan(answers, load_wording())]


def test_a_logo_is_checked_when_typed(tmp_path: Path) -> None:
    answers = Answers(folder=str(tmp_path))
    with pytest.raises(Invalid, match="does not exist; the path is relative to the spec file"):
        _step(answers, "brand.logo").answer("logo.png")


def test_invalid_answer_is_asked_again(tmp_path: Path) -> None:
    keys = list(MINIMAL_KEYS)
    keys[6] = "2027-04-31\r" + typed("2027-03-01") + typed("2027-04-30")  # the end: impossible, then too early
    code, shown, _ = run(tmp_path, blind="".join(keys) + REVIEW_KEEP_NO_BUILD, minimal=True)
    assert code == 0, shown
    assert str(load_spec(tmp_path / "campaign.yaml").campaign.end) == "2027-04-30"


def test_going_back_keeps_later_answers(tmp_path: Path) -> None:
    keys: dict[str, str | list[str]] = {
        "campaign.name": "Spring Drop\r",
        "campaign.start": "2027-04-01\r",
        "campaign.end": "2027-04-30\r",
        "brand.legal_name": "Stride Ltd\r",
        "campaign.jurisdiction": "GB\r",
        "influencers[0].legal_name": ["<", "Alex Morgan\r"],  # back to the fee, which is answered again
        "influencers[0].handle": "@alexruns\r",
        "influencers[0].email": ["alex@example.com\r", typed("alex@stride.example")],
        "deliverables[0].platform": DOWN + ENTER,  # tiktok
        "influencers.#more[1]": ["<", ENTER, ENTER],  # back to the email; later once more, from the review
        "deliverables[0].publish_window.from": "2027-04-05\r",
        "deliverables[0].publish_window.to": "2027-04-20\r",
        "payment.fee": ["900\r", typed("800")],
        "#review": ["<", ENTER],  # back from the review to the last question
        "#confirm": "n",
    }
    code, shown, typist = run(tmp_path, keys, minimal=True)
    assert code == 0, shown
    spec = load_spec(tmp_path / "campaign.yaml")
    assert spec.influencers[0].email == "alex@stride.example"  # changed after going back
    assert spec.deliverables[0].platform == "tiktok"  # answered before going back, kept
    assert str(spec.payment.fee) == "800"
    assert typist is not None and typist.asked.count("influencers[0].email") == 2


def test_back_at_the_first_question_says_so(tmp_path: Path) -> None:
    code, shown, _ = run(tmp_path, blind="<" + "".join(MINIMAL_KEYS) + REVIEW_KEEP_NO_BUILD, minimal=True)
    assert code == 0 and "first question" in shown


def test_ctrl_c_saves_a_draft_that_resumes(tmp_path: Path) -> None:
    first, rest = MINIMAL_KEYS[:8], MINIMAL_KEYS[8:]
    code, shown, _ = run(tmp_path, blind="".join(first) + CTRL_C, minimal=True)
    assert code == 130
    draft = tmp_path / "campaign.draft.yaml"
    assert draft.is_file() and not (tmp_path / "campaign.yaml").exists()
    assert "contractgen new --from campaign.draft.yaml -o campaign.yaml --minimal" in shown
    saved = yaml.safe_load(draft.read_text())
    assert saved["campaign"]["name"] == "Spring Drop" and saved["brand"]["legal_name"] == "Stride Ltd"

    # Resuming asks only what is left: no answer is typed twice.
    code, shown, _ = run(tmp_path, blind="".join(rest) + REVIEW_KEEP_NO_BUILD, source=draft, minimal=True)
    assert code == 0, shown
    assert "Resuming" in shown
    spec = load_spec(tmp_path / "campaign.yaml")
    assert spec.campaign.name == "Spring Drop" and [p.legal_name for p in spec.influencers] == [
        "Alex Morgan", "Bea Ray"]
    assert not draft.exists()  # done with it


def test_ctrl_c_before_any_answer_writes_nothing(tmp_path: Path) -> None:
    code, shown, _ = run(tmp_path, blind=CTRL_C)
    assert code == 130 and "nothing was saved" in shown
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_enter_through_from_a_sample_gives_the_same_spec(tmp_path: Path, sample: Path) -> None:
    code, shown, _ = run(tmp_path, {"#confirm": "n"}, source=sample, output="again.yaml")
    assert code == 0, shown
    assert load_spec(tmp_path / "again.yaml").model_dump() == load_spec(sample).model_dump()


def test_written_spec_is_readable(tmp_path: Path) -> None:
    answers, unknown = from_data(yaml.safe_load((ROOT / "samples" / "full.yaml").read_text()))
    assert unknown == []
    text = spec_text(collect(answers), load_wording(), tmp_path / "campaign.yaml")
    lines = text.splitlines()
    assert lines[0].startswith("# yaml-language-server: $schema=")
    assert "#   contractgen build" in text  # the header says how to build
    wording = load_wording()
    data = yaml.safe_load(text)
    for key in data:  # a comment line above each section
        assert lines[lines.index(f"{key}:") - 1] == f"# {wording.get('comments', key)}"
    assert "    publish_window: {from: 2027-02-10, to: 2027-02-24}" in text
    assert "  objectives: [awareness, sales]" in text
    assert validate_loaded(load_yaml_text(text, "x.yaml")) == load_spec(ROOT / "samples" / "full.yaml")


@pytest.mark.skipif(not REFERENCE.is_file(), reason="../shared (the background docs) is not beside this clone")
def test_written_spec_keeps_the_reference_key_order(tmp_path: Path) -> None:
    answers, _ = from_data(yaml.safe_load((ROOT / "samples" / "full.yaml").read_text()))
    data = yaml.safe_load(spec_text(collect(answers), load_wording(), tmp_path / "campaign.yaml"))
    reference = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    assert [k for k in reference if k in data] == list(data)
    for section in ("campaign", "brand", "payment", "usage_rights", "legal"):
        ours = [k for k in data[section] if k in reference[section]]
        assert ours and ours == [k for k in reference[section] if k in data[section]]


def test_tricky_text_is_written_literally(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "samples" / "minimal.yaml").read_text())
    data["brand"]["legal_name"] = "A & B <Studio> **x** {{7*7}}"
    data["brand"]["registration"] = "NO"
    data["brand"]["address"] = "1e3"
    data["brand"]["website"] = "# not a comment"
    data["influencers"][0]["tax_id"] = "0012"
    data["usage_rights"] = {"term_months": None}  # perpetual: null must be written, not left out
    answers, _ = from_data(data)
    text = spec_text(collect(answers), load_wording(), tmp_path / "x.yaml")
    spec = validate_loaded(load_yaml_text(text, "x.yaml"))
    assert spec == validate_loaded(load_yaml_text(yaml.safe_dump(data), "y.yaml"))


def test_drafts_are_read_leniently() -> None:
    answers, unknown = from_data({"campaign": {"start": "2027-02-30", "name": None}, "influencers": "oops",
                                  "payment": None, "brand": {"signatory": "Dana"}, "tempo": 1})
    assert unknown == ["tempo"]
    start = _step(answers, "campaign.start")
    assert start.default == "2027-02-30"  # offered as it was, refused when accepted
    with pytest.raises(Invalid, match="not a real date"):
        start.answer(start.default)


def test_sections_cover_the_model_once() -> None:
    from contractgen.questionnaire.model import question_model

    keys = [key for section in question_model().sections for key in section.keys]
    assert sorted(keys) == sorted(f.key for f in fields_of(CampaignSpec)) and len(keys) == len(set(keys))
    for section in question_model().sections:
        assert load_wording().section(section.id).heading  # every section has its words


def test_draft_names() -> None:
    assert draft_path(Path("q2/campaign.yaml")) == Path("q2/campaign.draft.yaml")
    assert draft_path(Path("spec.yml")) == Path("spec.draft.yml")
    assert draft_path(Path("campaign.draft.yaml")) == Path("campaign.draft.yaml")
    assert draft_path(Path("plain")) == Path("plain.draft.yaml")


def test_without_a_terminal_it_points_to_build(cli: Callable[..., Any]) -> None:
    result = cli("new")
    assert result.exit_code == 2
    assert "contractgen build" in result.stderr


def _spawn(tmp_path: Path, *args: str) -> Any:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "110", "LINES": "40"}
    return pexpect.spawn(sys.executable, ["-m", "contractgen", "new", *args], cwd=str(tmp_path), env=env,
                         encoding="utf-8", timeout=20, dimensions=(40, 110))


def _styled(*parts: str) -> str:
    """A pattern for words the terminal shows with styles (escape codes) and spaces between them."""
    return r"(?:\x1b\[[0-9;]*m|\s)+".join(re.escape(part) for part in parts)


def _converse(child: Any, steps: list[tuple[str, str]]) -> None:
    import pexpect

    try:
        for expected, keys in steps:
            child.expect(expected)
            child.send(keys)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_pseudo_terminal_minimal_french_campaign(tmp_path: Path) -> None:
    """--minimal asks the country; France gives EUR and the ad label «Publicité» as defaults to accept."""
    child = _spawn(tmp_path, "--minimal", "-o", "spec.yaml")
    _converse(child, [
        ("Campaign name, printed", "Eclat Rose Serum Launch\r"),
        ("Country whose law applies", "Frnace\r"),
        ("did you mean FR", CLEAR + "France\r"),  # the typo is refused under the prompt, with a suggestion
        ("Currency.*EUR", ENTER),  # derived from the country, offered as the answer
        ("Language", ENTER),
        ("From France: currency EUR; ad label «Publicité»", ENTER),  # the country's defaults, accepted
        ("First day of the campaign", "2027-03-01\r"),
        ("Last day of the campaign", "2027-03-31\r"),
        ("Registered company name", "Eclat Rose SAS\r"),
        ("Where it is published", ENTER),
        ("What kind of content", ENTER),
        ("First day it may be published", "2027-03-10\r"),
        ("Last day it may be published", "2027-03-20\r"),
        ("Add another deliverable", "n"),
        ("Default fee where", "1 500 €\r"),
        ("Full legal name", "Camille Martin\r"),
        ("Primary handle", "@camille\r"),
        ("Email address for notices", "camille@example.fr\r"),
        ("Postal address for notices", "3 rue de la Paix, 75002 Paris\r"),  # French law wants these two in
        ("Country of tax residence", "France\r"),  # the contract, so --minimal asks them for FR
        ("Add another influencer", "n"),
        ("Enter writes the spec", ENTER),
        ("Build the contract and brief", "n"),
        ("contractgen build spec.yaml", ""),
    ])
    assert child.exitstatus == 0
    spec = load_spec(tmp_path / "spec.yaml")
    assert (spec.campaign.jurisdiction, spec.campaign.currency, str(spec.payment.fee)) == ("FR", "EUR", "1500")
    assert spec.disclosure.label is None  # accepted: the build takes «Publicité» from the FR rules


def test_pseudo_terminal_review_jumps_to_one_field_and_back(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "--from", str(ROOT / "samples" / "minimal.yaml"), "-o", "spec.yaml")
    _converse(child, [
        (_styled("2.1", "Legal name:", "Stride Footwear Ltd"), ""),  # the review comes first, numbered answers
        ("Enter writes the spec", "2.1\r"),
        ("Registered company name", CLEAR + "Stride Footwear PLC\r"),
        (_styled("2.1", "Legal name:", "Stride Footwear PLC"), ""),  # straight back to the review, nothing else asked
        ("Enter writes the spec", ENTER),
        ("Build the contract and brief", "n"),
    ])
    assert child.exitstatus == 0
    edited = load_spec(tmp_path / "spec.yaml")
    original = load_spec(ROOT / "samples" / "minimal.yaml")
    assert edited.brand.legal_name == "Stride Footwear PLC"
    assert edited.model_copy(update={"brand": original.brand}) == original  # every other answer as it was


def test_from_a_file_with_unknown_keys_warns_and_goes_on(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "samples" / "minimal.yaml").read_text())
    data["colour"] = "red"
    data["brand"]["slogan"] = "Run"
    source = tmp_path / "old.yaml"
    source.write_text(yaml.safe_dump(data))
    code, shown, _ = run(tmp_path, {"#confirm": "n"}, source=source, minimal=True)
    assert code == 0, shown
    assert "ignored 'colour'" in shown and "ignored 'brand.slogan'" in shown
    assert load_spec(tmp_path / "campaign.yaml") == load_spec(ROOT / "samples" / "minimal.yaml")


def test_an_unwritable_output_is_refused_before_any_question(tmp_path: Path) -> None:
    from contractgen.errors import UserError

    (tmp_path / "folder").mkdir()
    with pytest.raises(UserError, match="cannot write the spec here"):
        run(tmp_path, blind="", output="folder")


def test_new_is_listed_in_help(cli: Callable[..., Any]) -> None:
    result = cli("--help")
    assert "new" in result.output and "Answer questions" in result.output


def test_pseudo_terminal_ctrl_c_saves_a_draft(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    child = pexpect.spawn(sys.executable, ["-m", "contractgen", "new", "-o", "q3.yaml"], cwd=str(tmp_path),
                          env=env, encoding="utf-8", timeout=20, dimensions=(40, 110))
    try:
        child.expect("Campaign name, printed")
        child.send("Autumn Drop\r")
        child.expect("Country whose law applies")
        child.sendcontrol("c")
        child.expect("Resume with:")
        child.expect("contractgen new --from q3.draft.yaml -o q3.yaml")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130
    assert yaml.safe_load((tmp_path / "q3.draft.yaml").read_text())["campaign"]["name"] == "Autumn Drop"
