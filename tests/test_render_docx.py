"""The DOCX renderer: structure read back with python-docx and from the raw WordprocessingML."""

from __future__ import annotations

import datetime as dt
import gc
import io
import re
import struct
import weakref
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from conftest import docx_text
from lxml import etree

from contractgen.document import (
    Clause,
    Document,
    Heading,
    ListBlock,
    Meta,
    PageBreak,
    Paragraph,
    Run,
    Signatory,
    SignatureBlock,
    SubClause,
    Table,
)
from contractgen.errors import UserError
from contractgen.locale import load_pack
from contractgen.render import docx_xml
from contractgen.render.docx import render_docx
from contractgen.resources import templates_dir

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
NS = {"w": W[1:-1], "mc": MC[1:-1]}
LRI, PDI = "\u2066", "\u2069"
HOSTILE = "A & B <Studio> **x** {{ 7*7 }}"
LABELS = {"for": "For and on behalf of", "name": "Name", "title": "Title", "signature": "Signature", "date": "Date"}
CREATED = dt.datetime(2027, 1, 15, 9, 30)


def png(path: Path, width: int = 60, height: int = 20) -> Path:
    """A small valid RGB PNG."""
    raw = b"".join(b"\x00" + bytes((30, 60, 120)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def meta(**changes: object) -> Meta:
    base = {
        "title": "Influencer Marketing Agreement — Sara Ahmadi", "subject": "Glow Serum Launch",
        "author": "Lumen Skincare Inc.", "keywords": ("GLOW-2027-Q1", "@sara", "Agreement"), "language": "en",
        "rtl": False, "created": CREATED, "header_text": "Lumen", "page_label": "Page {page} of {pages}",
        "properties": {"contractgen.clauses": "scope@1.0.0 fees@2.1.0", "contractgen.campaign": "GLOW-2027-Q1"},
    }
    base.update(changes)
    return Meta(**base)  # type: ignore[arg-type]


def english(logo: str | None = None, **changes: object) -> Document:
    fee_list = ListBlock(((Run("50% on signature;"),), (Run("50% on "), Run("publication", bold=True), Run("."))), ordered=True)
    clauses = (
        Clause(1, "scope", "1.0.0", "Scope", (
            SubClause("1.1", (Run("The Influencer creates the "), Run("Content", italic=True), Run("."))),
            SubClause("1.2", (Run("The Brand pays the Fee as follows:"),), (fee_list,)),
            ListBlock(((Run("Instagram Reel"),), (Run("TikTok video"),))),
        )),
        Clause(2, "fees", "2.1.0", "Fees", (SubClause("2.1", (Run(HOSTILE),)), SubClause("2.2", (Run("Persian name: سارا احمدی."),)))),
    )
    table = Table(
        header=((Run("Deliverable"),), (Run("Platform"),), (Run("Due"),)),
        rows=tuple(((Run(f"Reel {i} with product close-up"),), (Run("Instagram"),), (Run(f"{i} March 2027"),)) for i in range(1, 26)),
    )
    signatures = SignatureBlock("Signatures", "Signed by the parties on the dates below.", (
        Signatory("Brand", "Lumen Skincare Inc.", "Dana Whitfield", "VP Marketing", "For and on behalf of Lumen Skincare Inc."),
        Signatory("Agency", "Northlight Media LLC", None, None, "For and on behalf of Northlight Media LLC"),
        Signatory("Influencer", "Sara Ahmadi", "Sara Ahmadi", None, "Sara Ahmadi"),
    ), LABELS)
    blocks = (
        Heading((Run("Influencer Marketing Agreement"),), 1),
        Paragraph((Run("Between "), Run("Lumen", bold=True), Run(" and Sara.")), "lead"),
        Heading((Run("Background"),), 2),
        Heading((Run("Detail"),), 3),
        ListBlock(((Run("first"),), (Run("second"),)), ordered=True),
        ListBlock(((Run("again first"),),), ordered=True),
        *clauses,
        PageBreak(),
        table,
        Paragraph((Run("small print"),), "small"),
        PageBreak(),
        signatures,
    )
    return Document(meta(logo=logo, **changes), blocks)


def persian() -> Document:
    clause = Clause(1, "scope", "1.0.0", "موضوع قرارداد", (
        SubClause("۱.۱", (Run("اینفلوئنسر محتوا را "), Run("منتشر", bold=True), Run(" می‌کند (Instagram)."))),
        SubClause("۱.۲", (Run("پرداخت:"),), (ListBlock(((Run("۵۰٪ هنگام امضا"),), (Run("۵۰٪ پس از انتشار"),)), ordered=True),)),
    ))
    table = Table(((Run("محتوا"),), (Run("مبلغ"),)), (((Run("ریلز"),), (Run("۴٬۵۰۰ ریال"),)),))
    signatures = SignatureBlock("امضاها", "طرفین امضا کردند.", (Signatory("برند", "شرکت لومن", "دانا", "مدیر", "از طرف شرکت لومن"),),
                                {"for": "از طرف", "name": "نام", "title": "سمت", "signature": "امضا", "date": "تاریخ"})
    blocks = (Heading((Run("قرارداد"),), 1), Paragraph((Run("متن "), Run("Lumen"), Run(" ۱۲۳")),), clause, table, signatures)
    return Document(meta(title="قرارداد", language="fa", rtl=True, header_text="لومن", page_label="صفحه {page} از {pages}",
                         digits="۰۱۲۳۴۵۶۷۸۹", numbering=load_pack(templates_dir(), "fa").scheme(),
                         tag=load_pack(templates_dir(), "fa").tag), blocks)


@pytest.fixture(scope="module")
def english_docx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    logo = png(tmp_path_factory.mktemp("logo") / "logo.png")
    return render_docx(english(logo=str(logo)))


@pytest.fixture(scope="module")
def persian_docx() -> bytes:
    return render_docx(persian())


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def num_pr(paragraph: docx.text.paragraph.Paragraph) -> tuple[int, int] | None:
    found = paragraph._p.find("w:pPr/w:numPr", NS)
    if found is None:
        return None
    return int(found.find("w:numId", NS).get(W + "val")), int(found.find("w:ilvl", NS).get(W + "val"))


def test_styles_and_text(english_docx: bytes) -> None:
    paragraphs = read(english_docx).paragraphs
    styled = [(p.style.name, p.text) for p in paragraphs if p.text]
    assert styled[0] == ("Title", "Influencer Marketing Agreement")
    assert ("Lead", "Between Lumen and Sara.") in styled
    assert ("Heading 1", "Background") in styled and ("Heading 2", "Detail") in styled
    assert ("Normal", "The Influencer creates the Content.") in styled
    assert ("Small", "small print") in styled
    lead = next(p for p in paragraphs if p.style.name == "Lead")
    assert [(r.text, r.bold) for r in lead.runs] == [("Between ", None), ("Lumen", True), (" and Sara.", None)]
    italic = next(r for p in paragraphs for r in p.runs if r.text == "Content")
    assert italic.italic


def test_clauses_use_automatic_numbering_not_literal_numbers(english_docx: bytes) -> None:
    paragraphs = read(english_docx).paragraphs
    headings = [p for p in paragraphs if p.style.name == "Heading 1" and num_pr(p)]
    assert [p.text for p in headings] == ["Scope", "Fees"]
    assert {num_pr(p) for p in headings} == {(docx_xml.NUM_CLAUSES, 0)}
    subs = [p for p in paragraphs if num_pr(p) == (docx_xml.NUM_CLAUSES, 1)]
    assert [p.text for p in subs][:2] == ["The Influencer creates the Content.", "The Brand pays the Fee as follows:"]
    assert [p.text for p in paragraphs if num_pr(p) == (docx_xml.NUM_CLAUSES, 2)] == ["50% on signature;", "50% on publication."]
    assert [p.text for p in paragraphs if num_pr(p) == (docx_xml.NUM_CLAUSES, 3)] == ["Instagram Reel", "TikTok video"]
    assert not any(re.match(r"\d+(\.\d+)*\.?\s", p.text) for p in paragraphs)  # no "1.1 " typed in by hand


def test_numbering_definitions(english_docx: bytes) -> None:
    numbering = part(english_docx, "word/numbering.xml")
    clause_num = numbering.find(f"w:num[@w:numId='{docx_xml.NUM_CLAUSES}']", NS)
    abstract_id = clause_num.find("w:abstractNumId", NS).get(W + "val")
    levels = numbering.findall(f"w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl", NS)
    described = [(lvl.find("w:numFmt", NS).get(W + "val"), lvl.find("w:lvlText", NS).get(W + "val")) for lvl in levels]
    assert described[:3] == [("decimal", "%1."), ("decimal", "%1.%2"), ("lowerLetter", "(%3)")]
    assert described[3][0] == "bullet"
    assert all(lvl.find("w:pPr/w:ind", NS).get(W + "hanging") for lvl in levels)
    # Each ordered list outside clauses is a list of its own that starts at 1.
    paragraphs = read(english_docx).paragraphs
    ids = [num_pr(p)[0] for p in paragraphs if p.text in ("first", "second", "again first")]
    assert ids[0] == ids[1] != ids[2]
    for num_id in set(ids):
        num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
        assert num.find("w:lvlOverride/w:startOverride", NS).get(W + "val") == "1"
    # Schema order: every abstractNum before every num.
    tags = [etree.QName(el).localname for el in numbering]
    assert tags == sorted(tags, key=lambda t: t != "abstractNum")


def test_hostile_text_is_literal(english_docx: bytes) -> None:
    document = read(english_docx)
    assert HOSTILE in [p.text for p in document.paragraphs]
    raw = zipfile.ZipFile(io.BytesIO(english_docx)).read("word/document.xml").decode()
    assert "A &amp; B &lt;Studio&gt; **x** {{ 7*7 }}" in raw
    weird = Document(meta(), (Paragraph((Run("bell\x07 tab\tline\nend"),)),))
    paragraph = read(render_docx(weird)).paragraphs[0]
    assert paragraph.text == "bell\ufffd tab\tline\nend"


def test_table(english_docx: bytes) -> None:
    table = read(english_docx).tables[0]
    assert table.style.name == "Table Grid"
    assert len(table.rows) == 26
    assert [c.text for c in table.rows[0].cells] == ["Deliverable", "Platform", "Due"]
    assert [c.text for c in table.rows[25].cells] == ["Reel 25 with product close-up", "Instagram", "25 March 2027"]
    assert table.rows[0]._tr.find("w:trPr/w:tblHeader", NS) is not None
    assert table.rows[1]._tr.find("w:trPr/w:tblHeader", NS) is None
    assert table.rows[0].cells[0].paragraphs[0].style.name == "Table Heading"
    assert table.rows[0].cells[0]._tc.find("w:tcPr/w:shd", NS).get(W + "fill")
    grid = [int(c.get(W + "w")) for c in table._tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert sum(grid) == docx_xml.TEXT_W and grid[0] > grid[1] and grid[0] > grid[2]  # the long column is widest


def test_given_column_widths() -> None:
    table = Table(((Run("a"),), (Run("b"),)), (((Run("x"),), (Run("y"),)),), widths=(1, 3))
    tbl = read(render_docx(Document(meta(), (table,)))).tables[0]._tbl
    grid = [int(c.get(W + "w")) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert sum(grid) == docx_xml.TEXT_W and abs(grid[1] - 3 * grid[0]) < 4


def test_signature_block(english_docx: bytes) -> None:
    document = read(english_docx)
    assert "Signatures" in [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    panels = document.tables[1]
    texts = [[p.text for p in cell.paragraphs] for row in panels.rows for cell in row.cells]
    blank = "_" * 10
    brand, agency, influencer = texts[0], texts[1], texts[2]
    assert brand[:2] == ["Brand", "For and on behalf of Lumen Skincare Inc."]
    assert brand[2].startswith("Signature: " + blank)
    assert "Name: Dana Whitfield" in brand and "Title: VP Marketing" in brand and brand[-1].startswith("Date: " + blank)
    assert agency[3].startswith("Name: " + blank) and not any(t.startswith("Title") for t in agency)
    assert influencer[1] == "Sara Ahmadi"  # a person signs for themselves, not "on behalf of"
    assert panels._tbl.find("w:tblPr/w:tblStyle", NS) is None  # borderless
    assert all(tr.find("w:trPr/w:cantSplit", NS) is not None for tr in panels._tbl.findall("w:tr", NS))


def test_page_breaks(english_docx: bytes) -> None:
    body = part(english_docx, "word/document.xml").find("w:body", NS)
    children = list(body)
    first_table = next(i for i, el in enumerate(children) if el.tag == W + "tbl")
    assert children[first_table - 1].find("w:r/w:br[@w:type='page']", NS) is not None
    signatures = next(el for el in children if el.findtext("w:r/w:t", namespaces=NS) == "Signatures")
    assert signatures.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert children[-1].tag == W + "sectPr" and children[-2].tag == W + "p"  # a paragraph closes the body


def test_header_footer_and_logo(english_docx: bytes, tmp_path: Path) -> None:
    section = read(english_docx).sections[0]
    assert section.page_width == docx.shared.Twips(docx_xml.PAGE_W) and section.page_height == docx.shared.Twips(docx_xml.PAGE_H)
    header = section.header._element
    assert "Lumen" in "".join(header.itertext())
    extent = header.find(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent")
    assert abs(int(extent.get("cy")) - docx.shared.Mm(12)) < 1000
    footer = part(english_docx, "word/footer1.xml")
    assert [t.strip() for t in footer.xpath(".//w:instrText/text()", namespaces=NS)] == ["PAGE", "NUMPAGES"]
    assert "".join(footer.xpath(".//w:t/text()", namespaces=NS)) == "Page 1 of 1"
    names = zipfile.ZipFile(io.BytesIO(english_docx)).namelist()
    assert any(n.startswith("word/media/") for n in names)
    missing = render_docx(english(logo=str(tmp_path / "nope.png")))
    assert not any(n.startswith("word/media/") for n in zipfile.ZipFile(io.BytesIO(missing)).namelist())
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(UserError, match="logo"):
        render_docx(english(logo=str(bad)))


def test_core_properties(english_docx: bytes) -> None:
    props = read(english_docx).core_properties
    assert props.title == "Influencer Marketing Agreement — Sara Ahmadi"
    assert (props.subject, props.author, props.language) == ("Glow Serum Launch", "Lumen Skincare Inc.", "en")
    assert props.keywords == "GLOW-2027-Q1; @sara; Agreement"
    assert props.created == props.modified == CREATED.replace(tzinfo=dt.UTC)
    assert (props.last_modified_by, props.revision) == ("contractgen", 1)


def test_custom_properties(english_docx: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(english_docx))
    custom = etree.fromstring(archive.read("docProps/custom.xml"))
    values = {p.get("name"): p[0].text for p in custom}
    assert values == {"contractgen.clauses": "scope@1.0.0 fees@2.1.0", "contractgen.campaign": "GLOW-2027-Q1"}
    assert [p.get("pid") for p in custom] == ["2", "3"]
    assert 'PartName="/docProps/custom.xml"' in archive.read("[Content_Types].xml").decode()
    assert "relationships/custom-properties" in archive.read("_rels/.rels").decode()


def test_deterministic_bytes(tmp_path: Path) -> None:
    logo = str(png(tmp_path / "logo.png"))
    first, second = render_docx(english(logo=logo)), render_docx(english(logo=logo))
    assert first == second
    infos = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert render_docx(persian()) == render_docx(persian())


def test_document_is_not_kept_alive() -> None:
    document = english()
    ref = weakref.ref(document)
    gc.disable()
    try:
        render_docx(document)
        del document
        assert ref() is None  # freed by reference counting alone, without waiting for gc
    finally:
        gc.enable()


def test_no_xml_tree_waits_for_the_garbage_collector() -> None:
    document = english()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        render_docx(document)
        gc.collect()
        trees = [o for o in gc.garbage if isinstance(o, etree._Element)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not trees  # python-docx's cycles remain, but they no longer hold the parts' XML


def test_persian_right_to_left(persian_docx: bytes) -> None:
    body = part(persian_docx, "word/document.xml")
    paragraphs = body.findall(".//w:p", NS)
    assert paragraphs and all(p.find("w:pPr/w:bidi", NS) is not None for p in paragraphs)
    runs = body.findall(".//w:r", NS)
    # Every run is right to left except the isolated Latin spans (here "Lumen", "Instagram").
    assert runs and all((r.find("w:rPr/w:rtl", NS) is None) == isolated(r) for r in runs)
    assert sorted(run_text(r) for r in runs if isolated(r)) == [f"{LRI}Instagram{PDI}", f"{LRI}Lumen{PDI}"]
    assert not body.xpath(".//w:jc[@w:val='right']", namespaces=NS)
    tables = body.findall(".//w:tbl", NS)
    assert len(tables) == 2 and all(t.find("w:tblPr/w:bidiVisual", NS) is not None for t in tables)
    assert body.find("w:body/w:sectPr/w:bidi", NS) is not None
    for name in ("word/header1.xml", "word/footer1.xml"):
        hf = part(persian_docx, name)
        assert all(p.find("w:pPr/w:bidi", NS) is not None for p in hf.findall(".//w:p", NS))
        assert all(r.find("w:rPr/w:rtl", NS) is not None for r in hf.findall(".//w:r", NS))
    numbering = part(persian_docx, "word/numbering.xml")
    levels = numbering.findall(".//w:lvl", NS)
    assert all(lvl.find("w:pPr/w:bidi", NS) is not None and lvl.find("w:rPr/w:rtl", NS) is not None for lvl in levels)
    # Word (which knows w15) sees no lvlJc: start-justified, the number at the right margin
    # (ECMA-376 17.9.7); LibreOffice, reading lvlJc as a physical side, takes "right".
    for lvl in levels:
        assert lvl.find("w:lvlJc", NS) is None
        choice, fallback = lvl.find("mc:AlternateContent", NS)
        assert choice.tag == MC + "Choice" and choice.get("Requires") == "w15" and len(choice) == 0
        assert choice.nsmap["w15"] == "http://schemas.microsoft.com/office/word/2012/wordml"
        assert [(e.tag, e.get(W + "val")) for e in fallback] == [(W + "lvlJc", "right")]
    # No Word numFmt draws Persian digits in Word and LibreOffice alike: the labels are the tree's text.
    assert not body.xpath(".//w:numPr", namespaces=NS)
    texts = ["".join(t.text or "" for t in p.iter(W + "t")) for p in body.iter(W + "p")]
    assert any(t.startswith("۱.۱") for t in texts) and any(t.startswith("(الف)") for t in texts)
    # Clause numbers stay "decimal" (the application's numeral setting gives Persian digits):
    # hindiNumbers is Devanagari, and LibreOffice drops a w14 custom "۱, ۲, ۳, ..." level.
    formats = [lvl.find("w:numFmt", NS) for lvl in levels]
    assert [f.get(W + "val") for f in formats[:2]] == ["decimal", "decimal"]
    assert not [f for f in formats if f.get(W + "val") in ("hindiNumbers", "custom")]
    styles = part(persian_docx, "word/styles.xml")
    assert styles.find(".//w:rPrDefault//w:lang", NS).get(W + "bidi") == "fa-IR"
    assert styles.find(".//w:rPrDefault//w:rFonts", NS).get(W + "cs") == docx_xml.CS_FONT
    assert styles.find(".//w:rPrDefault//w:szCs", NS) is not None
    text = [p.text for p in read(persian_docx).paragraphs]
    assert f"۱.۱\tاینفلوئنسر محتوا را منتشر می‌کند ({LRI}Instagram{PDI})." in text
    assert "۱.۱\tاینفلوئنسر محتوا را منتشر می‌کند (Instagram)." in docx_text(persian_docx).splitlines()  # the label is text
    assert "".join(part(persian_docx, "word/footer1.xml").xpath(".//w:t/text()", namespaces=NS)) == "صفحه ۱ از ۱"


def run_text(r: etree._Element) -> str:
    return "".join(t.text or "" for t in r.findall("w:t", NS))


def isolated(r: etree._Element) -> bool:
    """A run inside a left-to-right isolate: from its LRI to its PDI (or a piece between)."""
    return r.find("w:rPr/w:rtl", NS) is None and not re.search("[\u0600-\u06ff]", run_text(r))


def runs_of(data: bytes) -> list[list[tuple[str, bool, bool]]]:
    """Each body paragraph's runs as (text, bold, right to left)."""
    body = part(data, "word/document.xml")
    return [[(run_text(r), r.find("w:rPr/w:b", NS) is not None, r.find("w:rPr/w:rtl", NS) is not None)
             for r in p.findall("w:r", NS)] for p in body.iter(W + "p")]


def test_latin_spans_in_persian_are_isolated_as_word_and_libreoffice_need() -> None:
    # Word and LibreOffice run the bidi algorithm themselves: without isolates they showed the
    # handle as "negar.glow@", "#collab" as "collab#", and broke the brackets around a URL.
    paragraphs = [
        (Run("نگار رضایی", bold=True), Run("، با نام کاربری @negar.glow، به نشانی اصفهان")),
        (Run("مانند #sp، #spon یا #collab؛ برچسب #تبلیغ"),),
        (Run("Nila Beauty (https://nilabeauty.example) از شما می‌خواهد"),),
        (Run("سارا کریمی، sara.karimi@nilabeauty.example، +98 21 8800 1234؛"),),
        (Run("برند "), Run("Nila", bold=True), Run(" Beauty"), Run(" (برای نمونه فایل PDF).")),
    ]
    doc = Document(meta(language="fa", rtl=True, header_text="Nila Beauty", page_label="صفحه {page} از {pages}"),
                   tuple(Paragraph(runs) for runs in paragraphs))
    data = render_docx(doc)
    assert runs_of(data) == [
        [("نگار رضایی", True, True), ("، با نام کاربری ", False, True), (f"{LRI}@negar.glow{PDI}", False, False),
         ("، به نشانی اصفهان", False, True)],
        [("مانند ", False, True), (f"{LRI}#sp{PDI}", False, False), ("، ", False, True), (f"{LRI}#spon{PDI}", False, False),
         (" یا ", False, True), (f"{LRI}#collab{PDI}", False, False), ("؛ برچسب #تبلیغ", False, True)],  # Persian tag: as it is
        [(f"{LRI}Nila Beauty{PDI}", False, False), (" (", False, True), (f"{LRI}https://nilabeauty.example{PDI}", False, False),
         (") از شما می‌خواهد", False, True)],
        [("سارا کریمی، ", False, True), (f"{LRI}sara.karimi@nilabeauty.example{PDI}", False, False), ("، ", False, True),
         (f"{LRI}+98 21 8800 1234{PDI}", False, False), ("؛", False, True)],
        # A span across runs keeps each run's formatting: LRI opens in the bold run, PDI closes the next.
        [("برند ", False, True), (f"{LRI}Nila", True, False), (f" Beauty{PDI}", False, False), (" (برای نمونه فایل ", False, True),
         (f"{LRI}PDF{PDI}", False, False), (").", False, True)],
    ]
    header = part(data, "word/header1.xml")
    assert [run_text(r) for r in header.iter(W + "r") if isolated(r)] == [f"{LRI}Nila Beauty{PDI}"]
    # The text is the plain value once the isolates are taken out.
    plain = ["".join(r.text for r in runs) for runs in paragraphs]
    assert [re.sub("[\u2066-\u2069]", "", p.text) for p in read(data).paragraphs][:5] == plain
    assert docx_text(data).splitlines()[:5] == plain


def test_english_runs_stay_left_to_right(english_docx: bytes) -> None:
    body = part(english_docx, "word/document.xml")
    assert not body.findall(".//w:bidi", NS) and not body.findall(".//w:rtl", NS)


# Schema order of the w:pPr children the renderer writes (ECMA-376 CT_PPr), and of w:rPr's.
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "numPr", "pBdr", "tabs", "bidi", "spacing", "ind",
             "jc", "outlineLvl", "rPr"]
RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "color", "sz", "szCs", "rtl", "lang"]


@pytest.mark.parametrize("which", ["english", "persian"])
def test_properties_in_schema_order(which: str, english_docx: bytes, persian_docx: bytes) -> None:
    data = english_docx if which == "english" else persian_docx
    for name in ("word/document.xml", "word/header1.xml", "word/footer1.xml", "word/styles.xml", "word/numbering.xml"):
        root = part(data, name)
        for element, order in [(e, PPR_ORDER) for e in root.iter(W + "pPr")] + [(e, RPR_ORDER) for e in root.iter(W + "rPr")]:
            tags = [etree.QName(child).localname for child in element]
            assert tags == sorted(tags, key=order.index), (name, tags)


def test_image_block_is_embedded_with_its_caption(tmp_path: Path) -> None:
    from contractgen.document import Image

    picture = png(tmp_path / "chart.png", 300, 100)
    doc = Document(meta(), (Image(str(picture), 120, "Fee per influencer"),))
    data = render_docx(doc)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert any(n.startswith("word/media/") for n in names)
    assert "Fee per influencer" in docx_text(data)
    assert render_docx(doc) == data
