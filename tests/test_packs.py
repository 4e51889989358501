"""Language packs: every fact of templates/<lang>/language.yaml reaches both writers, and Word's
automatic numbering says what the document tree says."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree

from contractgen.build import assemble, engagements, render
from contractgen.document import Clause, ListBlock, SubClause
from contractgen.resources import templates_dir
from contractgen.spec.validate import load_spec
from contractgen.toolkit import Toolkit
from tests.conftest import SAMPLES, docx_text, pdf_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# A test-only pack: facts no real pack has, so each one is seen to come from the data.
TEST_PACK = {
    "name": "Testish", "tag": "en-ZZ", "direction": "ltr",
    "digits": "۰۱۲۳۴۵۶۷۸۹", "decimal": "'", "group": "_",
    "percent": "{number} pct", "money": "{amount} {code}", "money_symbol": "{symbol}{amount}",
    "money_decimals": "always", "symbols": {}, "date": "{year}/{month}/{day}",
    "calendar": "gregorian", "paper": "a4",
    "numbering": {"clause": "Art. {n}", "subclause": "{clause}-{n}", "list": "{n})", "counter": "decimal",
                  "bullet": "-", "word": {}},
}


@pytest.fixture(scope="module")
def overlay(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A templates folder whose English pack has the test-only facts (English words and clauses, odd facts)."""
    root = tmp_path_factory.mktemp("templates")
    shutil.copytree(templates_dir(), root, dirs_exist_ok=True)
    (root / "en" / "language.yaml").write_text(yaml.safe_dump(TEST_PACK, allow_unicode=True), encoding="utf-8")
    return root


def _documents(spec_path: Path, kit: Toolkit) -> tuple:
    spec = load_spec(spec_path)
    engagement = engagements(spec, kit)[0]
    tree = assemble(engagement, "contract", kit, None)
    return tree, render(tree, "docx"), render(tree, "pdf")


@pytest.fixture(scope="module")
def test_pack_build(overlay: Path) -> tuple:
    return _documents(SAMPLES / "gb-gifting.yaml", Toolkit(templates=overlay))


@pytest.fixture(scope="module")
def english_build() -> tuple:
    return _documents(SAMPLES / "minimal.yaml", Toolkit())


@pytest.fixture(scope="module")
def persian_build() -> tuple:
    return _documents(SAMPLES / "persian.yaml", Toolkit())


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_every_pack_fact_reaches_both_writers(test_pack_build: tuple, fmt: str) -> None:
    tree, docx, pdf = test_pack_build
    text = _flat(docx_text(docx) if fmt == "docx" else pdf_text(pdf))
    clauses = [b for b in tree.blocks if isinstance(b, Clause)]
    # Numbering scheme and digits: "Art. ۱", "۱-۱", lists "۱)".
    assert clauses[0].label == "Art. ۱" and f"{clauses[0].label} {clauses[0].title}" in text
    subs = [s for c in clauses for s in c.body if isinstance(s, SubClause)]
    assert subs[0].number == "۱-۱" and subs[0].number in text
    lists = [lst for s in subs for lst in s.lists]
    assert lists and all(lst.markers == tuple(f"{n})" for n in "۱۲۳۴۵۶۷۸۹"[:len(lst.items)]) if lst.ordered
                             else set(lst.markers) == {"-"} for lst in lists)
    # Money with the currency's minor units always, the pack's separators and digits.
    assert re.search(r"[۰-۹]+(_[۰-۹]{3})*'[۰-۹]{2} GBP", text), "money in the test pack's style"
    assert "GBP " not in text.replace(" GBP", "")  # the code follows the amount
    # Dates in the pack's order.
    assert re.search(r"[۰-۹]{4}/[A-Z][a-z]+/[۰-۹]{1,2}", text)
    # Page numbers in the pack's digits.
    assert re.search(r"Page [۰-۹]+ of [۰-۹]+", text) or fmt == "docx"  # the DOCX's are fields


def test_direction_and_tag_come_from_the_pack(test_pack_build: tuple, persian_build: tuple) -> None:
    _, docx, pdf = test_pack_build
    styles = zipfile.ZipFile(io.BytesIO(docx)).read("word/styles.xml").decode()
    assert 'w:val="en-ZZ"' in styles and b"/Lang (en-ZZ)" in pdf
    _, fa_docx, fa_pdf = persian_build
    document = zipfile.ZipFile(io.BytesIO(fa_docx)).read("word/document.xml").decode()
    assert "<w:bidi/>" in document and b"/Lang (fa-IR)" in fa_pdf


def test_regional_english(tmp_path: Path) -> None:
    kit = Toolkit()
    us = kit.locale(load_spec(SAMPLES / "us-paid.yaml"))
    gb = kit.locale(load_spec(SAMPLES / "gb-gifting.yaml"))
    assert us.money(3000) == "$3,000" and gb.money(3000) == "£3,000"
    assert us.money("3000.5") == "$3,000.50"  # ISO 4217: two decimals when there are any
    assert us.date(dt.date(2027, 2, 1)) == "February 1, 2027" and gb.date(dt.date(2027, 2, 1)) == "1 February 2027"
    assert us.pack.paper == "letter" and gb.pack.paper == "a4"


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_kpi_targets_print_through_the_locale_in_brief_and_contract(fmt: str) -> None:
    kit = Toolkit()
    spec = load_spec(SAMPLES / "full.yaml")  # campaign KPIs: link_clicks 1500, code_redemptions 120
    omid = next(e for e in engagements(spec, kit) if e.influencer.handle == "@omid.daily")
    for kind, wanted in (("brief", "1,500"), ("contract", "a target of 1,500")):
        data = render(assemble(omid, kind, kit, None), fmt)
        text = _flat(docx_text(data) if fmt == "docx" else pdf_text(data))
        assert wanted in text and "1500" not in text, kind


def test_figures_in_the_locale() -> None:
    kit = Toolkit()
    locale = kit.locale(load_spec(SAMPLES / "persian.yaml"))
    assert locale.figure("150000") == "۱۵۰٬۰۰۰" and locale.figure("4%") == "۴٪" and locale.figure("top 3") == "top 3"
    assert kit.locale(load_spec(SAMPLES / "minimal.yaml")).figure("150000") == "150,000"


def test_unknown_language_names_the_packs(make_spec, cli) -> None:
    result = cli("validate", make_spec(lambda d: d["campaign"].update(language="xx")))
    assert result.exit_code == 1
    assert "campaign.language" in result.output + result.stderr and "en, fa" in result.output + result.stderr


# -- Word's numbering equals the tree ------------------------------------------------------------

def _word_format(fmt: str, n: int) -> str:
    if fmt == "decimal":
        return str(n)
    if fmt == "lowerLetter":
        return "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26] * ((n - 1) // 26 + 1)
    raise AssertionError(f"the test does not know numFmt {fmt}")


def word_labels(docx: bytes) -> list[str]:
    """Each numbered paragraph's label as Word computes it (numbering.xml level text, numFmt and
    the paragraph's position), or its literal label text where it has no Word numbering."""
    package = zipfile.ZipFile(io.BytesIO(docx))
    numbering = etree.fromstring(package.read("word/numbering.xml"))
    body = etree.fromstring(package.read("word/document.xml"))
    abstracts = {a.get(W + "abstractNumId"): a for a in numbering.iter(W + "abstractNum")}
    nums = {n.get(W + "numId"): n.find(W + "abstractNumId").get(W + "val") for n in numbering.iter(W + "num")}
    starts = {(n.get(W + "numId"), o.get(W + "ilvl")): int(o.find(W + "startOverride").get(W + "val"))
              for n in numbering.iter(W + "num") for o in n.iter(W + "lvlOverride")}
    counters: dict[str, list[int]] = {}
    labels = []
    for p in body.iter(W + "p"):
        num_pr = p.find(f"{W}pPr/{W}numPr")
        texts = [t.text or "" for t in p.iter(W + "t", W + "tab")]
        if num_pr is None:
            first = "".join("\t" if t == "" else t for t in texts)
            if "\t" in first and p.find(f"{W}pPr/{W}ind") is not None:
                labels.append(first.split("\t", 1)[0])  # a literal label before its tab
            continue
        num_id = num_pr.find(W + "numId").get(W + "val")
        ilvl = int(num_pr.find(W + "ilvl").get(W + "val"))
        levels = {int(lv.get(W + "ilvl")): lv for lv in abstracts[nums[num_id]].iter(W + "lvl")}
        count = counters.setdefault(nums[num_id], [0] * 9)
        if count[ilvl] == 0:
            count[ilvl] = starts.get((num_id, str(ilvl)), 1) - 1
        count[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            count[deeper] = 0
        level = levels[ilvl]
        text = level.find(W + "lvlText").get(W + "val")
        if level.find(W + "numFmt").get(W + "val") == "bullet":
            labels.append(text)
            continue
        for k in range(ilvl + 1):
            fmt = levels[k].find(W + "numFmt").get(W + "val")
            text = text.replace(f"%{k + 1}", _word_format(fmt, count[k]))
        labels.append(text)
    return labels


def tree_labels(tree) -> list[str]:
    """The labels the tree decided, in reading order."""
    out: list[str] = []
    for block in tree.blocks:
        if isinstance(block, Clause):
            out.append(block.label)
            for part in block.body:
                if isinstance(part, SubClause):
                    out.append(part.number)
                    out.extend(m for lst in part.lists for m in lst.markers)
                else:
                    out.extend(part.markers)
        elif isinstance(block, ListBlock):
            out.extend(block.markers)
    return out


@pytest.mark.parametrize("build", ["english_build", "persian_build", "test_pack_build"])
def test_word_numbering_says_what_the_tree_says(build: str, request: pytest.FixtureRequest) -> None:
    tree, docx, _ = request.getfixturevalue(build)
    expected = tree_labels(tree)
    assert len(expected) > 20
    assert word_labels(docx) == expected


def test_us_documents_use_american_spelling() -> None:
    # The library is written in British spelling; the US region of the English pack respells
    # library words (never spec values, which sit inside Jinja expressions).
    kit = Toolkit()
    for sample, wanted, unwanted in (("us-paid.yaml", "authorized", "authorised"),
                                     ("gb-gifting.yaml", "labelled", "labeled")):
        engagement = engagements(load_spec(SAMPLES / sample), kit)[0]
        text = _flat(docx_text(render(assemble(engagement, "contract", kit, None), "docx")))
        assert wanted in text and unwanted not in text, sample


def test_respelling_leaves_expressions_alone() -> None:
    from contractgen.locale import respell

    source = "The Licence {{ spec.licence }} is {% if cancelled %}cancelled{% endif %}."
    assert respell(source, {"licence": "license", "cancelled": "canceled"}) == (
        "The License {{ spec.licence }} is {% if cancelled %}canceled{% endif %}.")
