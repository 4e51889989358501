"""PDF page furniture and fields: header, logo, "Page X of Y", initials boxes, bookmarks held
until the page count is known, document metadata, and the signing form fields flowables note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas

from contractgen.document import (
    Meta,
    SignatureBlock,
    Signing,
)
from contractgen.render.fonts import FACE_REGULAR, fonts
from contractgen.render.pdf_text import FRAME_W, INK, RULE, TextBlock, _styles

# ---------------------------------------------------------------------------------------------
# Form fields for signing: noted where the panels draw their lines, written with their page


@dataclass(frozen=True)
class _FieldSpec:
    """A field a flowable asks for: its name, tooltip and e-signature anchor text (or none)."""

    name: str
    tooltip: str
    anchor: str | None = None


@dataclass(frozen=True)
class _Spot:
    """A field at its place: page number and rectangle (x0, y0, x1, y1) in page coordinates."""

    kind: str  # sig | text
    field: _FieldSpec
    page: int
    rect: tuple[float, float, float, float]


FIELD_FILL = colors.HexColor("#f2f5fa")
FIELD_BORDER = colors.HexColor("#8a94a6")
ANCHOR_SIZE = 7.0


def _note_field(canv: Canvas, kind: str, spec: _FieldSpec, box: tuple[float, float, float, float]) -> None:
    """Record a field at ``box`` (flowable coordinates) and draw its anchor text there, in white.

    The position is taken from the canvas's current transformation, so it is exactly where the
    line was drawn. Fields are written when the page is (see :meth:`_Canvas.save`): only then
    does the page have its own object to attach them to.
    """
    x0, y0 = canv.absolutePosition(box[0], box[1])
    x1, y1 = canv.absolutePosition(box[2], box[3])
    spots = getattr(canv, "_fields", None)
    if spots is not None:
        spots.append(_Spot(kind, spec, canv.getPageNumber(), (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))))
    if spec.anchor:
        _draw_anchor(canv, spec.anchor, box[0] + 1, box[1] + 1)


def _draw_anchor(canv: Canvas, text: str, x: float, y: float) -> None:
    # White glyphs: invisible on the page, found by the service in the text layer.
    canv.saveState()
    canv.setFillColor(colors.white)
    canv.setFont(fonts().regular, ANCHOR_SIZE)
    canv.drawString(x, y, text)
    canv.restoreState()


def _write_fields(canv: Canvas, spots: Sequence[_Spot]) -> None:
    """Add the spots' widgets to the page being written: /Sig fields with a visible dashed box,
    text fields with a light fill. Called once per page, before the page is shown."""
    if not spots:
        return
    form = canv.acroForm
    for spot in spots:
        x0, y0, x1, y1 = (round(v, 2) for v in spot.rect)
        w, h = round(x1 - x0, 2), round(y1 - y0, 2)
        if spot.kind == "text":
            form.textfield(name=spot.field.name, tooltip=spot.field.tooltip, x=x0, y=y0, width=w, height=h,
                           fillColor=FIELD_FILL, borderWidth=0, borderColor=None, textColor=INK,
                           fontName="Helvetica", fontSize=9, maxlen=100)
            continue
        # reportlab has no signature fields: the widget dictionary of ISO 32000 12.7.4.5, by hand.
        stream = (f"q {_rgb(FIELD_FILL)} rg 0 0 {w} {h} re f {_rgb(FIELD_BORDER)} RG 0.8 w [3 2] 0 d "
                  f"0.4 0.4 {round(w - 0.8, 2)} {round(h - 0.8, 2)} re S Q")
        appearance = form.getRef(form.makeStream(w, h, stream))
        widget = PDFDictionary({
            "FT": PDFName("Sig"), "T": PDFString(spot.field.name), "TU": PDFString(spot.field.tooltip),
            "Type": PDFName("Annot"), "Subtype": PDFName("Widget"), "F": 4,  # print
            "Rect": PDFArray([x0, y0, x1, y1]), "P": canv._doc.thisPageRef(),
            "AP": PDFDictionary({"N": appearance}),
            "MK": PDFDictionary({"BC": PDFArray(list(FIELD_BORDER.rgb())), "BG": PDFArray(list(FIELD_FILL.rgb()))}),
            "BS": PDFDictionary({"W": 0.8, "S": PDFName("D"), "D": PDFArray([3, 2])}),
        })
        canv._addAnnotation(widget, name=f"cgsig-{spot.field.name}")
        form.fields.append(form.getRef(widget))
        form.sigFlags = 1  # SignaturesExist


def _rgb(color: colors.Color) -> str:
    return " ".join(f"{c:.3f}" for c in color.rgb())



def _spot(signing: Signing, key: str, signer: int, role: str, kind: str, label: str,
          page: int | None = None) -> _FieldSpec | None:
    """The field of one kind for signer number ``signer`` (by role ``key``), or None without a key."""
    if not key:
        return None
    from contractgen.signing.anchors import anchor

    name = key if kind == "signature" else f"{key}_{kind}" + (f"_p{page}" if page is not None else "")
    return _FieldSpec(name, f"{role}: {label}",
                      anchor(signing.anchors, kind, signer, page) if signing.anchors else None)


# ---------------------------------------------------------------------------------------------
# Pages: header, footer "Page X of Y", deferred bookmarks, metadata


class _Info(PDFInfo):
    """The document info dictionary plus custom properties (contractgen.* provenance)."""

    extra: dict[str, str] = {}  # noqa: RUF012 (set per instance)

    def format(self, document: Any) -> bytes:
        d = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Subject": PDFString(self.subject),
            "Keywords": PDFString(self.keywords),
            "Creator": PDFString(self.creator),
            "Producer": PDFString(self.producer),
            "Trapped": PDFName(self.trapped),
        }
        d["CreationDate"] = d["ModDate"] = PDFDate(ts=document._timeStamp, dateFormatter=self._dateFormatter)
        for key, value in sorted(self.extra.items()):
            name = _pdf_name(key)
            if name not in d:
                d[name] = PDFString(value)
        return PDFDictionary(d).format(document)


def _pdf_name(key: str) -> str:
    # PDF name syntax: regular characters as they are, anything else as #xx.
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "".join(f"#{b:02X}" for b in c.encode())
                   for c in key) or "Property"


def _pdf_date(when: dt.datetime) -> str:
    stamp = when.strftime("D:%Y%m%d%H%M%S")
    offset = when.utcoffset()
    if offset is None:
        return stamp
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{stamp}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


@lru_cache(maxsize=64)
def _picture(path: str, mtime: float) -> tuple[str, float, float] | None:
    """(path, width, height) of a PNG/JPEG file, or None when it is not one (cached per mtime)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
        if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8")):
            return None
        from reportlab.lib.utils import ImageReader

        w, h = ImageReader(path).getSize()
    except Exception:  # an unreadable image is left out, not a failed contract
        return None
    return (path, float(w), float(h)) if w and h else None


class _Page:
    """Draws what every page carries: header text, logo, rule, "Page X of Y" (and initials boxes)."""

    INITIALS_W = 10 * mm
    INITIALS_H = 6.5 * mm

    def __init__(self, meta: Meta, signatures: SignatureBlock | None = None) -> None:
        self.meta = meta
        # With --initials, every signing party initials every page, in the footer's end corner.
        self.initials = signatures if meta.signing.initials and signatures else None
        self.rtl = meta.rtl
        st = _styles(meta.rtl)
        self.header = TextBlock([(meta.header_text, FACE_REGULAR)], st["header"], meta.rtl) if meta.header_text else None
        self.footer_style = st["footer"]
        self.digits = str.maketrans("0123456789", meta.digits) if len(meta.digits) == 10 else {}
        self.logo = None
        if meta.logo:
            p = Path(meta.logo)
            if p.is_file():
                self.logo = _picture(str(p.resolve()), p.stat().st_mtime)

    def setup(self, canv: Canvas) -> None:
        """Per-document canvas settings: fixed date, custom properties, outline shown."""
        info = canv._doc.info
        info.__class__ = _Info
        info.extra = dict(self.meta.properties)
        stamp = _pdf_date(self.meta.created)
        canv.setDateFormatter(lambda *_: stamp)
        canv.showOutline()

    def decorate(self, canv: Canvas, page: int, pages: int) -> None:
        """Header and footer of one page, once the page count is known."""
        canv.saveState()
        page_w, page_h = canv._pagesize
        margin_x = (page_w - FRAME_W) / 2  # Letter is wider than A4: the text column stays the same
        top = page_h - 8 * mm
        logo_w = 0.0
        if self.logo:
            path, w, h = self.logo
            lh = 12 * mm
            logo_w = min(w * lh / h, FRAME_W / 3)
            x = page_w - margin_x - logo_w if self.rtl else margin_x
            canv.drawImage(path, x, top - lh, width=logo_w, height=lh, mask="auto", preserveAspectRatio=True)
        if self.header:
            room = FRAME_W - logo_w - (6 * mm if logo_w else 0)
            _, h = self.header.wrap(room, 40)
            x = margin_x if self.rtl or not logo_w else page_w - margin_x - room
            self.header.drawOn(canv, x, top - 6 * mm - h / 2)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(margin_x, top - 15 * mm, page_w - margin_x, top - 15 * mm)
        label = self.meta.page_label.replace("{pages}", str(pages)).replace("{page}", str(page))
        footer = TextBlock([(label.translate(self.digits), FACE_REGULAR)], self.footer_style, self.rtl)
        footer.wrap(FRAME_W, 40)
        footer.drawOn(canv, margin_x, 10 * mm)
        if self.initials:
            self._initials(canv, page)
        canv.restoreState()

    def _initials(self, canv: Canvas, page: int) -> None:
        block = self.initials
        assert block is not None
        people = [s for s in block.signatories if s.key]
        w, h, gap = self.INITIALS_W, self.INITIALS_H, 2 * mm
        row = len(people) * w + (len(people) - 1) * gap
        page_w = canv._pagesize[0]
        margin_x = (page_w - FRAME_W) / 2  # the same column on A4 and Letter
        start = margin_x if self.rtl else page_w - margin_x - row
        y = 7 * mm
        canv.setStrokeColor(FIELD_BORDER)
        canv.setLineWidth(0.5)
        for i, s in enumerate(people):
            x = start + i * (w + gap) if not self.rtl else start + row - (i + 1) * w - i * gap
            spec = _spot(self.meta.signing, s.key, block.signatories.index(s) + 1, s.role, "initials",
                         block.labels["initials"], page)
            assert spec is not None
            canv.rect(x, y, w, h, stroke=1, fill=0)
            _note_field(canv, "text", spec, (x + 1, y + 1, x + w - 1, y + h - 1))
        caption = TextBlock([(block.labels["initials"], FACE_REGULAR)], self.footer_style, self.rtl)
        cw = caption.prep.measure(0, len(caption.prep.text)) + 2
        caption.wrap(cw, 40)
        caption.drawOn(canv, start + row + 2 * mm if self.rtl else start - cw - 2 * mm, y + 1)


class _Canvas(Canvas):
    """A canvas that holds pages until the end, so each footer can say "of Y".

    Bookmarks are held with their page too: a destination binds to the page being written,
    and while pages are held that would be the first page for every bookmark.
    """

    def __init__(self, *args: Any, page: _Page, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decor = page
        self._held: list[dict[str, Any]] = []
        self._marks: list[tuple[str, dict[str, Any]]] = []
        self._fields: list[_Spot] = []  # shared by every held page's state (one list)
        page.setup(self)

    def bookmarkPage(self, key: str, **kw: Any) -> None:
        """Record a bookmark on the current page; bound when the page is written."""
        self._marks.append((key, kw))

    def showPage(self) -> None:
        """Hold the finished page."""
        self._held.append(dict(self.__dict__))
        self._marks = []
        self._startPage()

    def save(self) -> None:
        """Write every held page with its header, footer and bookmarks, then the file."""
        total = len(self._held)
        # Annotation names must stay unique while each page's own (older) count is restored.
        count = max((state.get("_annotationCount", 0) for state in self._held), default=0)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._annotationCount = count
            for key, kw in self._marks:
                Canvas.bookmarkPage(self, key, **kw)
            self._decor.decorate(self, number, total)
            _write_fields(self, [spot for spot in self._fields if spot.page == number])
            count = self._annotationCount
            Canvas.showPage(self)
        Canvas.save(self)
