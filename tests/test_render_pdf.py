"""The PDF renderer: text out in reading order, layout facts from glyph positions, metadata.

Documents are built by hand so each test knows exactly what went in. Glyph positions come
from pdfplumber (x grows to the right, ``top`` grows downwards); text in reading order from
``extract_text``, which every other test module uses too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf
import pytest
from pdftext import extract_text

from contractgen.document import (
    Clause,
    Document,
    Heading,
    Image,
    ListBlock,
    Meta,
    Numbering,
    PageBreak,
    Paragraph,
    Run,
    Signatory,
    SignatureBlock,
    SubClause,
    Table,
)
from contractgen.locale import load_pack
from contractgen.render import bidi
from contractgen.render.fonts import fonts
from contractgen.render.pdf import render_pdf
from contractgen.resources import templates_dir

HOSTILE = "A & B <Studio> **x** {{ 7*7 }}"
LONG_EN = ("The Influencer shall create and publish the Deliverables described in Schedule 1 on the Platforms, in "
           "accordance with the Brief, the Brand Guidelines and all applicable laws and platform policies. ")
FA_FIRST = "این قرارداد میان"
FA_LONG = ("این قرارداد میان شرکت نمونه و آقای علی رضایی با نام کاربری @ali_rezaei در اینستاگرام منعقد می‌شود. "
           "اینفلوئنسر متعهد است تا تاریخ ۱۴۰۵/۰۲/۱۰ تعداد ۳ ویدئوی Reels و ۵ استوری با لینک https://acme.example/fa "
           "منتشر کند و مبلغ ۱۲۰٬۰۰۰٬۰۰۰ ریال پس از تأیید محتوا پرداخت خواهد شد. لطفاً توجه داشته باشید که "
           "«افشای همکاری تجاری» الزامی است و هرگونه تخلف موجب فسخ قرارداد خواهد شد و پایان متن")
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def r(text: str, bold: bool = False, italic: bool = False) -> tuple[Run, ...]:
    return (Run(text, bold, italic),)


def fa_numbering() -> Numbering:
    # The Persian pack's scheme, as assembly hands it to the writers.
    return load_pack(templates_dir(), "fa").scheme()


def meta(rtl: bool = False, logo: str | None = None) -> Meta:
    if rtl:
        return Meta(title="قرارداد — علی رضایی", subject="کمپین بهار", author="شرکت نمونه", keywords=("spring", "@ali_rezaei"),
                    language="fa", rtl=True, created=dt.datetime(2026, 3, 1, 9, 30), header_text="شرکت نمونه",
                    page_label="صفحه {page} از {pages}", digits="۰۱۲۳۴۵۶۷۸۹", logo=logo,
                    numbering=fa_numbering(), properties={"contractgen.campaign": "spring-2026"})
    return Meta(title="Influencer Marketing Agreement — Jane Doe", subject="Spring Launch", author="Acme Ltd",
                keywords=("spring-2026", "@janedoe"), language="en", rtl=False,
                created=dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC), header_text="Acme Ltd",
                page_label="Page {page} of {pages}", logo=logo,
                properties={"contractgen.clauses": "services@1.0.0 payment@2.1.0", "contractgen.campaign": "spring-2026"})


SIGNATURES_EN = SignatureBlock(
    "Signatures", "Signed by the parties on the dates below.",
    (Signatory("Brand", HOSTILE, "John Smith", "Chief Executive Officer", f"For and on behalf of {HOSTILE}"), Signatory("Influencer", "Jane Doe", "Jane Doe", None, "Jane Doe")),
    {"name": "Name", "title": "Title", "signature": "Signature", "date": "Date"},
)


def english() -> Document:
    return Document(meta(), (
        Heading(r("Influencer Marketing Agreement"), level=1, bookmark=False),
        Paragraph((Run("Made between "), Run(HOSTILE, bold=True), Run(" and "), Run("Jane Doe", italic=True),
                   Run(", known as "), Run("علی رضایی"), Run(" on Aparat.")), style="lead"),
        Heading(r("Terms"), level=2),
        Clause(1, "services", "1.0.0", "Services", (
            SubClause("1.1", r(LONG_EN * 3)),
            SubClause("1.2", r("The Deliverables are:"), (ListBlock((
                (Run("three "), Run("Instagram", bold=True), Run(" Reels;")), r("five stories;"), r("one TikTok video.")),
                ordered=True),)),
        )),
        Clause(2, "payment", "2.1.0", "Payment", (
            SubClause("2.1", (Run("A fee of "), Run("USD 4,500", bold=True), Run(" in two instalments."))),
            ListBlock((r("50% on signature"), r("50% on completion"))),
        )),
        PageBreak(),
        Heading(r("Schedule 1 — Deliverables"), level=2),
        Table(header=(r("#"), r("Platform"), r("Publication date"), r("Notes and requirements")),
              rows=tuple((r(str(i)), r("Instagram"), r(f"{i} April 2026"),
                          r(HOSTILE if i == 7 else "Tag @acme, use #AcmeSpring and disclose the paid partnership "
                                                    "clearly and prominently in every post and story."))
                         for i in range(1, 26))),
        SIGNATURES_EN,
    ))


def persian() -> Document:
    return Document(meta(rtl=True), (
        Heading(r("قرارداد بازاریابی اینفلوئنسر"), level=1, bookmark=False),
        Paragraph(r(FA_LONG)),
        Paragraph((Run("طرف اول: "), Run("شرکت نمونه", bold=True), Run(" و طرف دوم: علی رضایی")), style="lead"),
        Clause(1, "services", "1.0.0", "خدمات", (
            SubClause("۱.۱", r("اینفلوئنسر سه ویدئو منتشر می‌کند.")),
            SubClause("۱.۲", r("تحویل‌دادنی‌ها:"), (ListBlock((r("ویدئوی Reels"), r("استوری")), ordered=True),)),
        )),
        Table(header=(r("ردیف"), r("پلتفرم"), r("توضیحات")),
              rows=tuple((r(str(i).translate(FA_DIGITS)), r("Instagram"), r("برچسب @acme را استفاده کنید."))
                         for i in range(1, 41))),
        SignatureBlock("امضاها", "طرفین امضا کردند.",
                       (Signatory("برند", "شرکت نمونه", "محمد احمدی", "مدیرعامل", "از طرف شرکت نمونه"), Signatory("اینفلوئنسر", "علی رضایی", None, None, "علی رضایی")),
                       {"for": "از طرف", "name": "نام", "title": "سمت", "signature": "امضا", "date": "تاریخ"}),
    ))


@pytest.fixture(scope="module")
def en_pdf() -> bytes:
    return render_pdf(english())


@pytest.fixture(scope="module")
def fa_pdf() -> bytes:
    return render_pdf(persian())


@pytest.fixture(scope="module")
def en_text(en_pdf: bytes) -> str:
    return extract_text(en_pdf)


@pytest.fixture(scope="module")
def fa_text(fa_pdf: bytes) -> str:
    return extract_text(fa_pdf)


def pages_text(text: str) -> list[str]:
    return text.split("\f")


def glyph_lines(pdf: bytes, page: int = 0) -> list[list[dict[str, Any]]]:
    """Glyphs of one page grouped by baseline, top to bottom, each line left to right."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[page].chars if c["text"]]
    lines: list[list[dict[str, Any]]] = []
    for c in sorted(chars, key=lambda c: (round(c["matrix"][5], 1) * -1, c["x0"])):
        if lines and abs(lines[-1][0]["matrix"][5] - c["matrix"][5]) < 1:
            lines[-1].append(c)
        else:
            lines.append([c])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def visual(line: Iterable[dict[str, Any]]) -> str:
    """A line's glyphs left to right, as drawn."""
    return "".join(c["text"] for c in line)


def reading_rtl(line: Iterable[dict[str, Any]]) -> str:
    """A line's glyphs from right to left (so Persian words read normally, Latin reversed)."""
    return "".join(c["text"][::-1] for c in sorted(line, key=lambda c: -c["x0"]))


# --- English --------------------------------------------------------------------------------


def test_english_text_comes_out_in_order(en_text: str) -> None:
    flat = " ".join(en_text.split())
    for expected in ("Influencer Marketing Agreement", "1. Services", "1.1 The Influencer shall create",
                     "1.2 The Deliverables are:", "(a) three Instagram Reels;", "(b) five stories;", "(c) one TikTok video.",
                     "2. Payment", "2.1 A fee of USD 4,500 in two instalments.", "• 50% on signature",
                     "Schedule 1 — Deliverables", "Jane Doe", "Name: John Smith",
                     "Title: Chief Executive Officer"):
        assert expected in flat, expected
    assert flat.index("1. Services") < flat.index("2. Payment") < flat.index("Schedule 1 —") < flat.index("Signatures")


def test_hostile_text_appears_literally(en_text: str) -> None:
    flat = " ".join(en_text.split())
    assert f"Made between {HOSTILE} and Jane Doe" in flat
    assert "7 Instagram 7 April 2026 " + HOSTILE in flat  # a table cell
    assert "&amp;" not in flat and "&lt;" not in flat and "49" not in flat
    alone = dataclasses.replace(SIGNATURES_EN, signatories=SIGNATURES_EN.signatories[:1])
    panel = " ".join(extract_text(render_pdf(Document(meta(), (alone,)))).split())
    assert f"For and on behalf of {HOSTILE} Signature Name: John Smith" in panel  # a signature panel


def test_same_document_same_bytes(en_pdf: bytes) -> None:
    assert render_pdf(english()) == en_pdf
    assert render_pdf(persian()) == render_pdf(persian())


def test_metadata_and_custom_properties(en_pdf: bytes) -> None:
    info = pypdf.PdfReader(io.BytesIO(en_pdf)).metadata
    assert info.title == "Influencer Marketing Agreement — Jane Doe"
    assert info.author == "Acme Ltd"
    assert info.subject == "Spring Launch"
    assert info["/Keywords"] == "spring-2026, @janedoe"
    assert info.creator == "contractgen"
    assert info["/contractgen.clauses"] == "services@1.0.0 payment@2.1.0"
    assert info["/contractgen.campaign"] == "spring-2026"
    assert info["/CreationDate"].startswith("D:20260301093000")


def test_outline_has_clauses_and_bookmarked_headings(en_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(en_pdf))
    entries = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]
    assert entries == [("Terms", 0), ("1. Services", 0), ("2. Payment", 0), ("Schedule 1 — Deliverables", 1)]


def test_page_x_of_y_on_every_page(en_text: str) -> None:
    pages = pages_text(en_text)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert page.strip().startswith("Acme Ltd")  # the header


def test_table_header_repeats_on_the_next_page(en_text: str) -> None:
    pages = [p for p in pages_text(en_text) if "April 2026" in p]
    assert len(pages) >= 2, "the 25-row table should run over a page"
    for page in pages:
        assert "# Platform Publication date Notes and requirements" in " ".join(page.split())
    assert "25 Instagram 25 April 2026" in pages[-1]


def test_only_the_embedded_font_with_real_bold(en_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(en_pdf))
    fonts_used = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts_used.add(font["/BaseFont"].split("+")[-1])
            assert "/FontFile2" in font["/FontDescriptor"], "every font is embedded"
    assert fonts_used == {"IBMPlexSansArabic-Regular", "IBMPlexSansArabic-Bold"}
    line = next(line for line in glyph_lines(en_pdf) if visual(line).startswith("2.1A fee"))
    bold = "".join(c["text"] for c in line if c["fontname"].endswith("Bold"))
    assert bold.strip() == "USD 4,500"


def test_hanging_numbers_and_list_markers(en_pdf: bytes) -> None:
    lines = glyph_lines(en_pdf)
    first = next(line for line in lines if visual(line).startswith("1.1The"))
    second = lines[lines.index(first) + 1]
    number_x, text_x = first[0]["x0"], first[3]["x0"]
    assert text_x - number_x > 20  # the text hangs right of the number …
    assert abs(second[0]["x0"] - text_x) < 0.5  # … and its next line lines up with the text
    item = next(line for line in lines if visual(line).startswith("(a)three"))
    assert item[0]["x0"] == pytest.approx(text_x, abs=0.5)  # list markers sit under the sub-clause text


def test_persian_name_inside_english_line_reads_right_to_left(en_pdf: bytes) -> None:
    line = next(line for line in glyph_lines(en_pdf) if "known" in visual(line))
    assert "known as ییاضر یلع on" in visual(line)  # the name's glyphs run right to left, in place
    x = {c["text"]: c["x0"] for c in line}
    assert x["k"] < x["ر"] < x["ع"] < x["o"]  # "known", then رضایی left of علی, then "on"
    assert "known as علی رضایی on Aparat" in " ".join(extract_text(en_pdf).split())


def test_italic_runs_use_the_regular_face(en_pdf: bytes) -> None:
    line = next(line for line in glyph_lines(en_pdf) if "Jane" in visual(line))
    jane = [c for c in line if c["text"] in "Jane"]
    assert jane and all(c["fontname"].endswith("Regular") for c in jane)


def test_logo_on_every_page_and_a_missing_logo_is_ignored(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    logo = tmp_path / "logo.png"
    PILImage.new("RGB", (120, 40), (200, 80, 20)).save(logo)
    doc = Document(meta(logo=str(logo)), (Paragraph(r("one")), PageBreak(), Paragraph(r("two"))))
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(doc)))
    assert len(reader.pages) == 2
    assert all(len(page.images) == 1 for page in reader.pages)
    missing = Document(meta(logo=str(tmp_path / "nope.png")), (Paragraph(r("one")),))
    assert "one" in extract_text(render_pdf(missing))


def test_image_block_and_empty_document(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    picture = tmp_path / "mood.jpg"
    PILImage.new("RGB", (400, 300), (20, 120, 200)).save(picture)
    doc = Document(meta(), (Image(str(picture), 80, "Mood board"),))
    pdf = render_pdf(doc)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images) == 1
    assert "Mood board" in extract_text(pdf)
    assert len(pypdf.PdfReader(io.BytesIO(render_pdf(Document(meta(), ())))).pages) == 1


# --- Persian (right to left) -----------------------------------------------------------------


def paragraph_lines(fa_pdf: bytes) -> list[list[dict[str, Any]]]:
    """The glyph lines of FA_LONG: from the line that starts it to the one that ends it."""
    lines = glyph_lines(fa_pdf)
    start = next(i for i, line in enumerate(lines) if "@ali_rezaei" in visual(line))
    end = next(i for i, line in enumerate(lines) if "پایان" in reading_rtl(line))
    return lines[start:end + 1]


def test_persian_paragraph_wraps_with_first_words_on_the_first_line(fa_pdf: bytes) -> None:
    lines = paragraph_lines(fa_pdf)
    assert len(lines) >= 3
    top = [line[0]["top"] for line in lines]
    assert top == sorted(top)  # lines go down the page
    first, last = reading_rtl(lines[0]), reading_rtl(lines[-1])
    assert first.startswith(FA_FIRST), first[:20]  # the rightmost glyphs are the first words
    assert last.endswith("و پایان متن"), last[-20:]
    right = [line[-1]["x1"] for line in lines]
    assert max(right) - min(right) < 1.0  # every line starts at the right margin
    left = [line[0]["x0"] for line in lines[:-1]]
    assert max(left) - min(left) < 1.0  # justified: full lines also reach the left margin
    assert lines[-1][0]["x0"] > left[0] + 10  # the last line is not stretched


def test_latin_handles_urls_and_numbers_read_left_to_right_in_place(fa_pdf: bytes) -> None:
    lines = paragraph_lines(fa_pdf)
    text = [visual(line) for line in lines]
    assert any("@ali_rezaei" in t for t in text)
    assert any("https://acme.example/fa" in t for t in text)
    assert any("۱۴۰۵/۰۲/۱۰" in t for t in text)
    assert any("۱۲۰٬۰۰۰٬۰۰۰" in t for t in text)
    line = next(line for line in lines if "@ali_rezaei" in visual(line))
    assert "رد @ali_rezaei یربراک" in visual(line)  # "کاربری" on its right, "در" on its left


def test_persian_text_extracts_in_logical_order(fa_pdf: bytes, fa_text: str) -> None:
    flat = " ".join(fa_text.split())
    assert FA_LONG in flat  # ZWNJ and all
    assert "صفحه ۱ از ۳" in flat and "صفحه ۳ از ۳" in flat
    assert "۱. خدمات" in flat and "۱.۱ اینفلوئنسر سه ویدئو منتشر می‌کند." in flat
    assert "(الف) ویدئوی Reels" in flat
    assert "از طرف شرکت نمونه" in flat and "نام: محمد احمدی" in flat and "سمت: مدیرعامل" in flat
    # What is drawn says the same: glyph order read back through the bidi algorithm.
    glyphs = " ".join(extract_text(fa_pdf, glyphs_only=True).split())
    assert FA_LONG.replace("\u200c", "") in glyphs


def test_persian_glyphs_are_joined_forms_mapped_back_to_letters(fa_pdf: bytes) -> None:
    lines = paragraph_lines(fa_pdf)
    drawn = "".join(visual(line) for line in lines)
    assert not any("\ufb50" <= c <= "\ufeff" for c in drawn)  # copy and search see plain letters
    with pdfplumber.open(io.BytesIO(fa_pdf)) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"] == "ق"]
    widths = {round(c["x1"] - c["x0"], 1) for c in chars}
    assert len(widths) > 1  # initial and isolated/final qaf are different glyphs: shaping happened


def test_bold_run_keeps_its_place_in_a_right_to_left_line(fa_pdf: bytes) -> None:
    line = next(line for line in glyph_lines(fa_pdf) if "طرف" in reading_rtl(line))
    bold = [c for c in line if c["fontname"].endswith("Bold")]
    regular = [c for c in line if c["fontname"].endswith("Regular")]
    assert reading_rtl(bold).strip() == "شرکت نمونه"
    first_word = [c for c in regular if c["x0"] > bold[-1]["x1"]]  # right of the bold run
    after = [c for c in regular if c["x1"] < bold[0]["x0"]]  # left of it
    assert reading_rtl(first_word).strip() == "طرف اول:"
    assert reading_rtl(after).strip().startswith("و طرف دوم")


def test_rtl_numbers_and_markers_sit_on_the_right(fa_pdf: bytes) -> None:
    lines = glyph_lines(fa_pdf)
    sub = next(line for line in lines if visual(line).endswith("۱.۱"))
    number, text = sub[-3:], [c for c in sub[:-3] if c["text"].strip()]
    assert min(c["x0"] for c in number) > max(c["x1"] for c in text) + 10
    heading = next(line for line in lines if reading_rtl(line) == "۱. خدمات")
    assert number[-1]["x1"] == pytest.approx(heading[-1]["x1"], abs=0.5)  # at the right margin
    item = next(line for line in lines if visual(line).startswith("Reels"))
    # On the right, the marker (الف) with mirrored brackets: the opening one is drawn as ")".
    assert visual(item).endswith("(فلا)")
    assert item[-1]["x1"] == pytest.approx(text[-1]["x1"], abs=0.5)  # under the sub-clause text, mirrored


def test_rtl_table_is_mirrored_and_its_header_repeats(fa_pdf: bytes, fa_text: str) -> None:
    header = next(line for line in glyph_lines(fa_pdf) if "ردیف" in reading_rtl(line))
    x = {c["text"]: c["x0"] for c in header}
    assert x["ی"] > x["پ"] > x["ت"]  # ردیف | پلتفرم | توضیحات from right to left
    pages = [p for p in pages_text(fa_text) if "Instagram" in p]
    assert len(pages) >= 2
    for page in pages:
        assert "ردیف پلتفرم توضیحات" in page
    assert "۴۰ Instagram برچسب @acme را استفاده کنید." in pages[-1]


def test_rtl_document_metadata_and_direction(fa_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(fa_pdf))
    root = reader.trailer["/Root"]
    assert root["/ViewerPreferences"]["/Direction"] == "/R2L"
    assert root["/Lang"] == "fa"
    assert reader.metadata.title == "قرارداد — علی رضایی"
    assert [o.title for o in reader.outline] == ["۱. خدمات"]


# --- Shaping and reordering ------------------------------------------------------------------


def test_shaping_matches_arabic_reshaper_and_respects_zwnj() -> None:
    import unicodedata

    import arabic_reshaper

    has = fonts().has
    text = "این قرارداد لطفاً اسلام پژوهش گزارش"
    expected = arabic_reshaper.ArabicReshaper({"delete_harakat": False, "ARABIC LIGATURE ALLAH": False}).reshape(text)
    expected = "".join(c if has(c) else unicodedata.normalize("NFKC", c) for c in expected)
    assert "".join(bidi.shape(text, has)) == expected
    shaped = bidi.shape("می‌شود", has)
    assert shaped[2] == ""  # the ZWNJ is gone after it kept ی and ش apart
    assert shaped[1] == "\ufbfd" and shaped[3] == "\ufeb7"  # final yeh, initial sheen


def test_reorder_keeps_tags_with_their_characters() -> None:
    chars = list("AB @x_y CD")
    tags = [1, 1, 0, 2, 2, 2, 2, 0, 3, 3]
    out = bidi.reorder(chars, tags, rtl=False)
    assert [c for c, _ in out] == chars  # nothing to reorder in Latin
    text = "متن @ali_rezaei و (۱۲) متن"
    shown = "".join(c for c, _ in bidi.reorder(list(text), [0] * len(text), rtl=True))
    assert "@ali_rezaei" in shown
    assert bidi.logical_line(shown, rtl=True) == text


# --- Latin inside Persian: the spans that read left to right ---------------------------------

# The parties paragraph of the Persian sample: a bold name, then the handle after «کاربری».
PARTIES = ("، با نام کاربری @negar.glow، به نشانی اصفهان، خیابان چهارباغ بالا، کوچه ۱۲، پلاک ۴۵، ایمیل "
           "negar.rezaei@example.com، شناسه مالیاتی ۱۲۷۰۴۵۶۷۸۹ (که از این پس ")
MIXED = (
    (Run("نگار رضایی", bold=True), Run(PARTIES), Run("«اینفلوئنسر»", bold=True), Run(" نامیده می‌شود).")),
    r("اینستاگرام: عبارت #تبلیغ را بنویسید و از #sp، #spon یا #collab استفاده نکنید."),
    r("Nila Beauty (https://nilabeauty.example) از شما می‌خواهد سرم را معرفی کنید."),
    r("سارا کریمی، sara.karimi@nilabeauty.example، +98 21 8800 1234؛"),
    r("اینستاگرام (@negar.glow): ۴۲۰٬۰۰۰ دنبال‌کننده"),
    r("امضای الکترونیکی (برای نمونه به‌صورت فایل PDF)، معتبر است."),
)


@pytest.fixture(scope="module")
def mixed_pdf() -> bytes:
    return render_pdf(Document(meta(rtl=True), tuple(Paragraph(runs) for runs in MIXED)))


def test_handle_after_a_bold_name_keeps_its_at_sign_on_the_left(mixed_pdf: bytes) -> None:
    line = next(line for line in glyph_lines(mixed_pdf) if "negar.glow" in visual(line))
    assert line[-1]["fontname"].endswith("Bold")  # the bold name starts the line, at the right
    drawn = [c for c in line if c["text"].strip()]
    at = next(i for i, c in enumerate(drawn) if c["text"] == "@")
    assert [c["text"] for c in drawn[at:at + 11]] == list("@negar.glow")  # left to right, @ first
    assert drawn[at]["x1"] <= drawn[at + 1]["x0"] + 0.1  # @ is drawn left of n
    assert drawn[at - 1]["text"] == "،"  # the Persian comma after the handle is on its left
    assert reading_rtl(drawn[at + 11:at + 17]) == "کاربری"  # and the word before it on its right
    assert reading_rtl(drawn[:at]).startswith("،بهنشانی")  # (spaces left out)


def test_hashtags_read_from_their_start(mixed_pdf: bytes) -> None:
    line = next(line for line in glyph_lines(mixed_pdf) if "collab" in visual(line))
    drawn = [c for c in line if c["text"].strip()]
    persian_tag = next(i for i, c in enumerate(drawn) if c["text"] == "#" and drawn[i - 1]["text"] == "ت")
    assert reading_rtl(drawn[persian_tag - 5:persian_tag + 1]) == "#تبلیغ"  # "#" at the right: its start
    for tag in ("sp", "spon", "collab"):
        assert f"#{tag}" in visual(line)  # "#" at the left of a Latin tag
    assert "#collab ای #spon ،#sp زا" in visual(line)  # the tags in reading order, right to left


def test_brand_and_bracketed_url_at_the_start_of_a_persian_paragraph(mixed_pdf: bytes) -> None:
    line = next(line for line in glyph_lines(mixed_pdf) if "Nila" in visual(line))
    # From the right: the brand, then the URL in brackets, then the Persian sentence.
    assert visual(line).endswith("امش زا (https://nilabeauty.example) Nila Beauty")
    assert line[-1]["text"] == "y" and line[-1]["x1"] == pytest.approx(max(c["x1"] for c in glyph_lines(mixed_pdf)[1]), abs=0.5)


def test_email_then_phone_and_numbers_after_a_bracketed_handle(mixed_pdf: bytes) -> None:
    lines = [visual(line) for line in glyph_lines(mixed_pdf)]
    # Read right to left: the name, the e-mail, then the whole phone number (LTR inside).
    assert "؛+98 21 8800 1234 ،sara.karimi@nilabeauty.example ،یمیرک اراس" in lines
    # The count stays after the bracketed handle: «اینستاگرام (@negar.glow): ۴۲۰٬۰۰۰ دنبال‌کننده».
    assert "هدننکلابند ۴۲۰٬۰۰۰ :(@negar.glow) مارگاتسنیا" in lines
    # Latin inside Persian brackets: the brackets belong to the Persian sentence.
    assert any("،(PDF لیاف تروصهب هنومن یارب) یکینورتکلا" in line for line in lines)


def test_mixed_lines_extract_in_logical_order(mixed_pdf: bytes) -> None:
    expected = ["".join(run.text for run in runs) for runs in MIXED]
    recorded = " ".join(extract_text(mixed_pdf).split())
    drawn = " ".join(extract_text(mixed_pdf, glyphs_only=True).split())
    for text in expected:
        assert " ".join(text.split()) in recorded
        assert " ".join(text.replace("\u200c", "").split()) in drawn  # what is drawn reads back the same


def test_ltr_spans_are_whole_latin_phrases_without_edge_punctuation() -> None:
    def spans(text: str) -> list[str]:
        return [text[a:b] for a, b in bidi.ltr_spans(text)]

    assert spans("با نام کاربری @negar.glow، به نشانی") == ["@negar.glow"]
    assert spans("عبارت #تبلیغ و #collab.") == ["#collab"]  # a Persian tag is left to the algorithm
    assert spans("Nila Beauty (https://nilabeauty.example/) از") == ["Nila Beauty", "https://nilabeauty.example/"]
    assert spans("کریمی، a@b.example، +98 21 8800 1234؛") == ["a@b.example", "+98 21 8800 1234"]
    assert spans("«Paid partnership» (همکاری تجاری)") == ["Paid partnership"]
    assert spans("شرکت Nila Beauty, Inc. است") == ["Nila Beauty, Inc"]


def test_bidi_algorithm_isolates_and_bracket_pairs() -> None:
    def shown(text: str, base: int) -> str:
        order, _ = bidi.visual_order(list(text), base)
        return "".join(text[i] for i in order)

    # An isolate is a neutral to its surroundings: the number after it stays outside the bracket.
    assert shown("ا (\u2066@x\u2069): ۴۲ ب", 1) == "ب ۴۲ :)\u2069@x\u2066( ا"  # mirrored when drawn
    # N0: brackets around Latin after Latin go with the Latin; around Persian, with the Persian.
    assert shown("ab (cd) ا", 1) == "ا ab (cd)"
    assert shown("ا (bc) د", 1) == "د )bc( ا"  # right to left: drawn mirrored, as "(bc)"
    # W2/W7: European digits after Arabic letters are Arabic numbers; after Latin, Latin.
    assert shown("ab 12 ا", 0) == "ab 12 ا"
    assert shown("ا 12 b", 0) == "12 ا b"
