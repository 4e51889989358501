"""PDF renderer: a :class:`~contractgen.document.Document` → PDF bytes (reportlab platypus).

Layout: A4 or Letter, IBM Plex Sans Arabic embedded (Regular + real Bold), a header with the
document's header text and logo on every page, "Page X of Y" in the document's digits, an
outline entry per clause and bookmarked heading, metadata including custom properties, and
the same bytes for the same document (reportlab's invariant mode and a fixed date).

The work is split by job: ``pdf_text`` (the text engine), ``pdf_story`` (blocks →
flowables), ``pdf_page`` (page furniture and signing fields); this module puts them together.
"""

from __future__ import annotations

import io
from functools import partial

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer

from contractgen.document import Document, SignatureBlock
from contractgen.render.fonts import fonts
from contractgen.render.pdf_page import _Canvas, _Page
from contractgen.render.pdf_story import _Builder
from contractgen.render.pdf_text import FRAME_W, MARGIN_BOTTOM, MARGIN_TOP, TextBlock

__all__ = ["TextBlock", "render_pdf"]


def render_pdf(doc: Document) -> bytes:
    """Render a document to PDF bytes: the same document always gives the same bytes."""
    meta = doc.meta
    fontset = fonts()
    story = _Builder(meta).flow(doc.blocks) or [Spacer(1, 1)]
    out = io.BytesIO()
    pagesize = LETTER if meta.paper == "letter" else A4
    margin_x = (pagesize[0] - FRAME_W) / 2
    template = BaseDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=margin_x,
        rightMargin=margin_x,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        creator="contractgen",
        keywords=list(meta.keywords),
        invariant=1,
        lang=meta.tag or meta.language or None,
        displayDocTitle=1,
        direction="R2L" if meta.rtl else None,
        initialFontName=fontset.regular,  # else reportlab references Helvetica on every page
    )
    frame = Frame(margin_x, MARGIN_BOTTOM, FRAME_W, pagesize[1] - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    signatures = next((b for b in doc.blocks if isinstance(b, SignatureBlock)), None)
    template.build(story, canvasmaker=partial(_Canvas, page=_Page(meta, signatures)))
    return out.getvalue()
