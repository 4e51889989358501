"""Raw OOXML for the DOCX renderer: the prepared template's parts and a deterministic zip writer.

python-docx has no API for numbering definitions, custom properties or right-to-left layout,
and its default template carries ~900 KB of styles and a thumbnail that every document would
pay to parse and save. So the template is written here, small and exact, once per process
(per direction and language), and :mod:`contractgen.render.docx` fills a copy of it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Mapping
from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

from contractgen.document import Numbering

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS = (
    f'xmlns:w="{W_NS}" xmlns:r="{R_NS}" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
_DECL = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"

# Fonts: Calibri is Word's default (LibreOffice substitutes Carlito where installed); Tahoma is
# the complex-script font Word and Windows ship with full Persian coverage.
LATIN_FONT = "Calibri"
CS_FONT = "Tahoma"
ACCENT = "1F3864"  # dark navy for title and headings: sober, prints well in greyscale

# A4 in twentieths of a point (twips), 2.5 cm side margins.
PAGE_W, PAGE_H = 11906, 16838
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 1418, 1701, 1418
HEADER_DIST, FOOTER_DIST = 567, 567
TEXT_W = PAGE_W - 2 * MARGIN_SIDE

# Numbering ids shared by the template and the renderer.
NUM_CLAUSES = 1  # multilevel: 1. / 1.1 / (a) / bullet inside clauses
NUM_BULLETS = 2  # bullets outside clauses
ABSTRACT_ORDERED = 2  # ordered lists outside clauses, "(a)"; each list gets a copy of it to restart
CLAUSE_INDENT = 680  # 1.2 cm: clause titles and sub-clause text line up after their numbers
LIST_INDENT = CLAUSE_INDENT + 567
ORDERED_INDENT = 567  # an ordered list outside clauses: room for "(aa)"


def _bidi(rtl: bool) -> str:
    return "<w:bidi/>" if rtl else ""


def _style(kind: str, sid: str, name: str, *, based: str | None = None, nxt: str | None = None,
           ppr: str = "", rpr: str = "", extra: str = "", default: bool = False, hidden: bool = False) -> str:
    attrs = f' w:type="{kind}" w:styleId="{sid}"' + (' w:default="1"' if default else "")
    parts = [f"<w:style{attrs}><w:name w:val={quoteattr(name)}/>"]
    if based:
        parts.append(f'<w:basedOn w:val="{based}"/>')
    if nxt:
        parts.append(f'<w:next w:val="{nxt}"/>')
    parts.append("<w:semiHidden/><w:unhideWhenUsed/>" if hidden else "<w:qFormat/>")
    if ppr:
        parts.append(f"<w:pPr>{ppr}</w:pPr>")
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    parts.append(extra + "</w:style>")
    return "".join(parts)


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def styles_xml(rtl: bool, lang: str) -> bytes:
    """styles.xml: every paragraph, table and numbering style the renderer uses, defined once."""
    # w:lang: the document's language for Latin, East Asian and complex-script text alike.
    latin = bidi_lang = lang
    bidi = _bidi(rtl)
    bold = "<w:b/><w:bCs/>"
    color = f'<w:color w:val="{ACCENT}"/>'
    grey = '<w:color w:val="595959"/>'
    cell_mar = ('<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
                '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>')
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    # One end-aligned tab stop: header text after the logo goes to the far side.
    tabs = f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_W}"/></w:tabs>'
    styles = [
        _style("paragraph", "Normal", "Normal", default=True, ppr=bidi),
        _style("character", "DefaultParagraphFont", "Default Paragraph Font", default=True, hidden=True),
        _style("table", "TableNormal", "Normal Table", default=True, hidden=True,
               extra=f'<w:tblPr><w:tblInd w:w="0" w:type="dxa"/>{cell_mar}</w:tblPr>'),
        _style("numbering", "NoList", "No List", default=True, hidden=True),
        _style("paragraph", "Title", "Title", based="Normal", nxt="Normal",
               ppr=f'<w:keepNext/>{bidi}<w:spacing w:before="0" w:after="360"/><w:jc w:val="center"/>',
               rpr=f"{bold}{color}{_size(34)}"),
        _style("paragraph", "Heading1", "heading 1", based="Normal", nxt="Normal",
               ppr=f'<w:keepNext/><w:keepLines/>{bidi}<w:spacing w:before="280" w:after="100"/>'
                   '<w:outlineLvl w:val="0"/>',
               rpr=f"{bold}{color}{_size(24)}"),
        _style("paragraph", "Heading2", "heading 2", based="Normal", nxt="Normal",
               ppr=f'<w:keepNext/><w:keepLines/>{bidi}<w:spacing w:before="200" w:after="80"/>'
                   '<w:outlineLvl w:val="1"/>',
               rpr=f"{bold}{color}{_size(22)}"),
        _style("paragraph", "Lead", "Lead", based="Normal", nxt="Normal",
               ppr=f'{bidi}<w:spacing w:after="200"/>', rpr=_size(24)),
        _style("paragraph", "Small", "Small", based="Normal", rpr=f'<w:color w:val="404040"/>{_size(18)}'),
        _style("paragraph", "Centered", "Centered", based="Normal", ppr=f'{bidi}<w:jc w:val="center"/>'),
        _style("paragraph", "ListParagraph", "List Paragraph", based="Normal",
               ppr=f'{bidi}<w:spacing w:after="80"/>'),
        _style("paragraph", "TableText", "Table Text", based="Normal",
               ppr=f'{bidi}<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
               rpr=_size(20)),
        _style("paragraph", "TableHeading", "Table Heading", based="TableText", nxt="TableText",
               ppr="<w:keepNext/>", rpr=bold),
        _style("paragraph", "SignaturePanel", "Signature Panel", based="Normal",
               ppr=f'{bidi}<w:spacing w:before="0" w:after="60"/>'),
        _style("paragraph", "SignatureLine", "Signature Line", based="SignaturePanel",
               ppr=f'{bidi}<w:spacing w:before="400" w:after="60"/>'),
        _style("paragraph", "Header", "header", based="Normal",
               ppr=f'<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="4" w:color="A6A6A6"/></w:pBdr>'
                   f'{tabs}{bidi}<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
               rpr=f"{grey}{_size(18)}", hidden=True),
        _style("paragraph", "Footer", "footer", based="Normal",
               ppr=f'{tabs}{bidi}<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>',
               rpr=f"{grey}{_size(17)}", hidden=True),
        _style("table", "TableGrid", "Table Grid", based="TableNormal",
               extra=f"<w:tblPr><w:tblBorders>{borders}</w:tblBorders>{cell_mar}</w:tblPr>"),
    ]
    defaults = (
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{LATIN_FONT}" w:cs="{CS_FONT}"/>'
        f'{_size(21)}<w:lang w:val="{latin}" w:eastAsia="{latin}" w:bidi="{bidi_lang}"/>'
        "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
        '<w:widowControl/><w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    return f"{_DECL}<w:styles {_NS}>{defaults}{''.join(styles)}</w:styles>".encode()


_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"
# Number alignment in right-to-left levels. ECMA-376 17.9.7: an omitted lvlJc means start
# justification, which in a right-to-left paragraph puts the number at the right margin with
# the text after it; Word does that. LibreOffice (7.4) reads lvlJc as a physical side instead:
# "left" (or omitted) hangs the number into the right margin, "right" puts it where Word does.
# So the level says nothing to applications that know Word 2013's w15 namespace (Word takes
# the empty Choice) and "right" to the others (LibreOffice takes the Fallback; so would Word
# 2010, the one reader left for whom the number then sits in the margin).
_RTL_LVL_JC = ('<mc:AlternateContent><mc:Choice Requires="w15"/>'
               '<mc:Fallback><w:lvlJc w:val="right"/></mc:Fallback></mc:AlternateContent>')


def _lvl(ilvl: int, fmt: str, text: str, left: int, hanging: int, rtl: bool) -> str:
    # Levels carry bidi/rtl in RTL documents so the number sits at the right, before the text;
    # w:left is the start indent there (ECMA-376 17.3.1.12), the right side of the page.
    ppr = f'{_bidi(rtl)}<w:ind w:left="{left}" w:hanging="{hanging}"/>'
    rpr = "<w:rtl/>" if rtl else ""
    jc = _RTL_LVL_JC if rtl else '<w:lvlJc w:val="left"/>'
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f"<w:lvlText w:val={quoteattr(text)}/>{jc}"
            f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:lvl>")


def level_text(pattern: str, level: int) -> str:
    """A label pattern as Word level text: ``{clause}.{n}`` at level 1 → ``%1.%2``."""
    return pattern.replace("%", "%%").replace("{clause}", "%1").replace("{n}", f"%{level + 1}")


def automatic(numbering: Numbering) -> tuple[bool, bool, bool]:
    """Which of clause, sub-clause and list labels Word's automatic numbering draws.

    A level is automatic when its pack names a Word numFmt that counts as the label does, and
    (inside clauses) so is every level above it, since Word counts a level under its parent's
    paragraphs. The others are written as literal labels.
    """
    clause = numbering.word_format("clause") is not None
    sub = clause and numbering.word_format("subclause") is not None
    return clause, sub, numbering.word_format("list") is not None


def numbering_xml(rtl: bool, numbering: Numbering) -> bytes:
    """numbering.xml: clause numbering (1. / 1.1 / (a) / •), bullets, and ordered lists, from the scheme.

    The level texts and formats come from the document's :class:`Numbering`; a level the
    scheme cannot hand to Word (see :func:`automatic`) is drawn as literal text by the writer,
    and its level here only supplies the indents. Persian digits are such a case: LibreOffice
    7.4 reads no numFmt as Extended Arabic-Indic digits (hindiNumbers and the w14 custom
    format "۱, ۲, ۳, ..." come out as 1, 2, 3, and LibreOffice itself saves its own Persian
    list numbering as "decimal"), and Word's arabicAbjad counts «ا», not «الف».
    """
    def fmt(level: str) -> str:
        return numbering.word_format(level) or "decimal"

    bullet = numbering.bullet
    clauses = "".join([
        _lvl(0, fmt("clause"), level_text(numbering.clause, 0), CLAUSE_INDENT, CLAUSE_INDENT, rtl),
        _lvl(1, fmt("subclause"), level_text(numbering.subclause, 1), CLAUSE_INDENT, CLAUSE_INDENT, rtl),
        _lvl(2, fmt("list"), level_text(numbering.list, 2), LIST_INDENT, 567, rtl),
        _lvl(3, "bullet", bullet, LIST_INDENT, 340, rtl),
    ])
    bullets = _lvl(0, "bullet", bullet, 360, 360, rtl) + _lvl(1, "bullet", "\u2013", 720, 360, rtl)
    ordered = _lvl(0, fmt("list"), level_text(numbering.list, 0), ORDERED_INDENT, ORDERED_INDENT, rtl)
    abstracts = [
        (0, "5C1A0001", "Clauses", clauses),
        (1, "5C1A0002", "Bullets", bullets),
        (ABSTRACT_ORDERED, "5C1A0003", "Numbered list", ordered),
    ]
    body = "".join(
        f'<w:abstractNum w:abstractNumId="{aid}"><w:nsid w:val="{nsid}"/>'
        f'<w:multiLevelType w:val="multilevel"/><w:name w:val="{name}"/>{levels}</w:abstractNum>'
        for aid, nsid, name, levels in abstracts
    )
    nums = f'<w:num w:numId="{NUM_CLAUSES}"><w:abstractNumId w:val="0"/></w:num>'
    nums += f'<w:num w:numId="{NUM_BULLETS}"><w:abstractNumId w:val="1"/></w:num>'
    mce = f' xmlns:mc="{_MC_NS}" xmlns:w15="{_W15_NS}"' if rtl else ""  # as Word declares them: on the root
    return f"{_DECL}<w:numbering {_NS}{mce}>{body}{nums}</w:numbering>".encode()


def _document_xml(rtl: bool) -> bytes:
    sect = (
        '<w:sectPr><w:headerReference w:type="default" r:id="rId5"/>'
        '<w:footerReference w:type="default" r:id="rId6"/>'
        f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
        f'<w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_SIDE}" w:bottom="{MARGIN_BOTTOM}" '
        f'w:left="{MARGIN_SIDE}" w:header="{HEADER_DIST}" w:footer="{FOOTER_DIST}" w:gutter="0"/>'
        f'<w:cols w:space="708"/>{_bidi(rtl)}<w:docGrid w:linePitch="360"/></w:sectPr>'
    )
    return f"{_DECL}<w:document {_NS}><w:body>{sect}</w:body></w:document>".encode()


def _settings_xml(rtl: bool, lang: str) -> bytes:
    latin = bidi_lang = lang
    return (
        f'{_DECL}<w:settings xmlns:w="{W_NS}"><w:zoom w:percent="100"/>'
        '<w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" '
        'w:val="15"/></w:compat>'
        f'<w:themeFontLang w:val="{latin}" w:bidi="{bidi_lang}"/>'
        '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>'
    ).encode()


def _font_table_xml() -> bytes:
    fonts = (
        (LATIN_FONT, "020F0502020204030204", "swiss"),
        (CS_FONT, "020B0604030504040204", "swiss"),
    )
    body = "".join(
        f'<w:font w:name="{name}"><w:panose1 w:val="{panose}"/><w:charset w:val="00"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        for name, panose, family in fonts
    )
    return f'{_DECL}<w:fonts xmlns:w="{W_NS}">{body}</w:fonts>'.encode()


_CT = "application/vnd.openxmlformats-officedocument"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    # partname: content type (the template's own parts)
    "/word/document.xml": f"{_CT}.wordprocessingml.document.main+xml",
    "/word/styles.xml": f"{_CT}.wordprocessingml.styles+xml",
    "/word/numbering.xml": f"{_CT}.wordprocessingml.numbering+xml",
    "/word/settings.xml": f"{_CT}.wordprocessingml.settings+xml",
    "/word/fontTable.xml": f"{_CT}.wordprocessingml.fontTable+xml",
    "/word/header1.xml": f"{_CT}.wordprocessingml.header+xml",
    "/word/footer1.xml": f"{_CT}.wordprocessingml.footer+xml",
    "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    "/docProps/app.xml": f"{_CT}.extended-properties+xml",
}
CUSTOM_PROPERTIES_CT = f"{_CT}.custom-properties+xml"
CUSTOM_PROPERTIES_RT = f"{_RT}/custom-properties"


def _rels(rels: Iterable[tuple[str, str, str]]) -> bytes:
    body = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in rels)
    return (f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{body}</Relationships>").encode()


def template_docx(rtl: bool, lang: str, numbering: Numbering) -> bytes:
    """A minimal .docx holding our styles, numbering, A4 section, empty header and footer (``lang``: BCP 47)."""
    types = "".join(f'<Override PartName="{name}" ContentType="{ct}"/>' for name, ct in _PARTS.items())
    hdr = f"{_DECL}<w:hdr {_NS}/>".encode()
    ftr = f"{_DECL}<w:ftr {_NS}/>".encode()
    files = {
        "[Content_Types].xml": (
            f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{types}</Types>'
        ).encode(),
        "_rels/.rels": _rels([
            ("rId1", f"{_RT}/officeDocument", "word/document.xml"),
            ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
             "docProps/core.xml"),
            ("rId3", f"{_RT}/extended-properties", "docProps/app.xml"),
        ]),
        "word/_rels/document.xml.rels": _rels([
            ("rId1", f"{_RT}/styles", "styles.xml"),
            ("rId2", f"{_RT}/numbering", "numbering.xml"),
            ("rId3", f"{_RT}/settings", "settings.xml"),
            ("rId4", f"{_RT}/fontTable", "fontTable.xml"),
            ("rId5", f"{_RT}/header", "header1.xml"),
            ("rId6", f"{_RT}/footer", "footer1.xml"),
        ]),
        "word/document.xml": _document_xml(rtl),
        "word/styles.xml": styles_xml(rtl, lang),
        "word/numbering.xml": numbering_xml(rtl, numbering),
        "word/settings.xml": _settings_xml(rtl, lang),
        "word/fontTable.xml": _font_table_xml(),
        "word/header1.xml": hdr,
        "word/footer1.xml": ftr,
        "docProps/core.xml": (
            f'{_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
        ).encode(),
        "docProps/app.xml": (
            f'{_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>contractgen</Application><DocSecurity>0</DocSecurity></Properties>"
        ).encode(),
    }
    return zip_entries(files.items(), compress=False)  # read once per document: skip inflating it


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold (control characters, lone surrogates)."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def custom_properties_xml(properties: Mapping[str, str]) -> bytes:
    """docProps/custom.xml holding string properties, in the given order."""
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one FMTID Office uses for user properties
    body = "".join(
        f'<property fmtid="{fmtid}" pid="{pid}" name={quoteattr(xml_safe(str(name)))}>'
        f"<vt:lpwstr>{escape(xml_safe(str(value)))}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(properties.items(), start=2)  # pid 0 and 1 are reserved
    )
    return (
        f'{_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{body}</Properties>'
    ).encode()


_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def zip_entries(entries: Iterable[tuple[str, bytes]], *, compress: bool = True) -> bytes:
    """A zip with fixed entry times, ``[Content_Types].xml`` first and the rest sorted: same input, same bytes."""
    items = sorted(entries, key=lambda kv: (kv[0] != "[Content_Types].xml", kv[0]))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, data, compresslevel=6)
    return out.getvalue()
