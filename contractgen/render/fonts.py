"""The one font family the PDF renderer uses: IBM Plex Sans Arabic (Latin and Persian in one face).

Fonts come from the ``fontpkg-ibm-plex-sans-arabic`` wheel, never from the system, so every
machine embeds the same glyphs. Registration parses two TrueType files; it happens once per
process (cached) and only when a PDF is first rendered, so importing contractgen stays cheap.
The face has no italic: italic runs use the upright face drawn with a slant (see ``pdf.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

REGULAR = "IBMPlexSansArabic"
BOLD = "IBMPlexSansArabic-Bold"

# Face indices used throughout the renderer: bit 0 = bold, bit 1 = italic (drawn slanted).
FACE_REGULAR, FACE_BOLD, FACE_ITALIC, FACE_BOLD_ITALIC = 0, 1, 2, 3


def font_files() -> tuple[Path, Path]:
    """Paths of the Regular and Bold TrueType files inside the font package."""
    import fontpkg_ibm_plex_sans_arabic as pkg

    files = Path(pkg.ROOT) / "files"
    return files / "IBMPlexSansArabic-Regular.ttf", files / "IBMPlexSansArabic-Bold.ttf"


@dataclass(frozen=True)
class FontSet:
    """Registered font names and what they can draw."""

    regular: str
    bold: str
    coverage: frozenset[int]  # code points with a glyph (Regular and Bold share one cmap)

    def name(self, face: int) -> str:
        """The reportlab font name for a face index (italic falls back to the upright face)."""
        return self.bold if face & FACE_BOLD else self.regular

    def has(self, char: str) -> bool:
        """True when the font has a glyph for ``char``."""
        return ord(char) in self.coverage


@cache
def fonts() -> FontSet:
    """Register IBM Plex Sans Arabic Regular and Bold with reportlab (once per process)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular_path, bold_path = font_files()
    regular = TTFont(REGULAR, str(regular_path))
    bold = TTFont(BOLD, str(bold_path))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    # Map the family so <b>/<i> markup in any plain reportlab Paragraph resolves to real faces;
    # italic has no face of its own, so it maps to the upright ones.
    for is_bold, is_italic in ((0, 0), (1, 0), (0, 1), (1, 1)):
        addMapping(REGULAR, is_bold, is_italic, BOLD if is_bold else REGULAR)
    coverage = frozenset(regular.face.charToGlyph) & frozenset(bold.face.charToGlyph)
    _map_presentation_forms_to_letters({_ps_name(regular), _ps_name(bold)})
    return FontSet(REGULAR, BOLD, coverage)


def _ps_name(font: object) -> str:
    name = font.face.name  # type: ignore[attr-defined]
    return name.decode() if isinstance(name, bytes) else str(name)


def _map_presentation_forms_to_letters(ps_names: set[str]) -> None:
    """Make the embedded fonts' ToUnicode map presentation forms to the plain letters.

    Shaping draws Arabic-script text with presentation-form characters (ﻗ ﺮ ﺍ ...). Their
    glyphs are right, but a viewer that copies or searches them gets compatibility
    characters nobody types. Mapped back to the letters (ﻻ → ا + ل), the PDF reads like one
    made by a word processor: letters in visual order, which viewers (poppler, PDFium,
    Acrobat) put back into reading order themselves. Only fonts registered here are touched.
    """
    import unicodedata

    from reportlab.pdfbase import ttfonts

    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "_contractgen", False):
        original._contractgen.update(ps_names)  # type: ignore[attr-defined]
        return

    def letters(code: int) -> str:
        if 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
            # A ligature's letters in visual order (ﻻ → ا ل), like the glyphs around it:
            # viewers reverse the whole right-to-left run, ligature included (PDFium does).
            base = unicodedata.normalize("NFKC", chr(code))[::-1]
            return "".join(f"{ord(c):04X}" for c in base)
        return f"{code:04X}"

    def make_to_unicode_cmap(fontname: str, subset: list[int]) -> str:
        cmap = original(fontname, subset)
        if fontname.partition("+")[2] not in ps_names:
            return cmap
        head, sep, rest = cmap.partition("beginbfchar\n")
        _, sep2, tail = rest.partition("endbfchar")
        entries = "\n".join(f"<{i:02X}> <{letters(code)}>" for i, code in enumerate(subset))
        return f"{head}{sep}{entries}\n{sep2}{tail}" if sep and sep2 else cmap

    make_to_unicode_cmap._contractgen = ps_names  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap
