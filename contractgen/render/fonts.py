"""The PDF's fonts: a fallback chain, and which characters it can draw.

The first font is IBM Plex Sans Arabic (Latin and Persian in one face, real Regular and Bold).
Characters it lacks are drawn with the next font in the chain that has them: Noto Sans (Latin
Extended, Vietnamese, Greek, Cyrillic, Devanagari), Noto Sans Thai and Heebo (Hebrew), then
the fonts a user adds with ``--font FILE``. All come from Python packages (``fontpkg-*``) or
the user's files, never from the system, so every machine embeds the same glyphs.

The fallback packages ship variable fonts. reportlab draws a variable font's default instance,
which for these is the Regular weight; their Bold is drawn synthetically (the glyph outline
filled and stroked, see ``pdf.py``), which costs nothing and needs no instancing step. A user's
font is one file: its Bold is synthetic too.

Which font draws a character is decided here once (:meth:`Coverage.assign`), and so is which
characters no font can draw (:meth:`Coverage.missing`): the spec check refuses those before
anything is written, so a character is either drawn or refused, never lost. Coverage is read
from the files themselves (``sfnt.py``), so checking a spec or writing a DOCX needs no
reportlab; :func:`fonts` registers the same chain with reportlab, once per process, when a
PDF is first rendered. Fonts have no
italic: italic runs use the upright face drawn with a slant (see ``pdf.py``).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from contractgen.errors import Problem, UserError
from contractgen.render.sfnt import FontFileError, font_info

REGULAR = "IBMPlexSansArabic"
BOLD = "IBMPlexSansArabic-Bold"

# Face numbers used throughout the renderer: bit 0 = bold, bit 1 = italic (drawn slanted), and
# the bits from FONT_SHIFT up = the font's place in the chain (0: IBM Plex Sans Arabic).
FACE_REGULAR, FACE_BOLD, FACE_ITALIC, FACE_BOLD_ITALIC = 0, 1, 2, 3
FONT_SHIFT = 2


@dataclass(frozen=True)
class Source:
    """One font of the chain: where its files are and what a message calls it."""

    name: str  # reportlab's name for the Regular face (Bold: name + "-Bold")
    regular: Path
    bold: Path | None  # None: Bold is drawn synthetically
    label: str  # for messages: the package or the file

    @property
    def bold_name(self) -> str:
        """reportlab's name for the Bold face (the Regular one when Bold is synthetic)."""
        return f"{self.name}-Bold" if self.bold else self.name


# The built-in fallbacks, in order: (module of the fontpkg package, file, reportlab name).
_FALLBACKS = (
    ("fontpkg_noto_sans", "NotoSans[wdth,wght].ttf", "NotoSans"),
    ("fontpkg_noto_sans_thai", "NotoSansThai[wdth,wght].ttf", "NotoSansThai"),
    ("fontpkg_heebo", "Heebo[wght].ttf", "Heebo"),
)


def font_files() -> tuple[Path, Path]:
    """Paths of the Regular and Bold TrueType files of the first font (IBM Plex Sans Arabic)."""
    import fontpkg_ibm_plex_sans_arabic as pkg

    files = Path(pkg.ROOT) / "files"
    return files / "IBMPlexSansArabic-Regular.ttf", files / "IBMPlexSansArabic-Bold.ttf"


def builtin_sources() -> list[Source]:
    """The chain without user fonts: IBM Plex Sans Arabic, then the packaged fallbacks."""
    import importlib

    regular, bold = font_files()
    sources = [Source(REGULAR, regular, bold, "fontpkg-ibm-plex-sans-arabic")]
    for module, file, name in _FALLBACKS:
        pkg = importlib.import_module(module)
        sources.append(Source(name, Path(pkg.ROOT) / "files" / file, None, module.replace("_", "-")))
    return sources


def needs_glyph(char: str) -> bool:
    """False for what is never drawn: controls, format characters (ZWJ, ZWNJ, LRM, soft
    hyphen), line and paragraph separators, variation selectors. Everything else needs a glyph."""
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
        return False
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


@dataclass(frozen=True, eq=False)  # one per process and set of user fonts: compared by identity
class Coverage:
    """The chain's fonts and what each can draw (read from the files; no reportlab needed)."""

    sources: tuple[Source, ...]
    coverage: tuple[frozenset[int], ...]  # code points with a glyph, per font
    families: tuple[str, ...]  # each font's family name, as a word processor knows it

    def has(self, char: str) -> bool:
        """True when the first font has a glyph for ``char`` (Persian shaping asks this)."""
        return ord(char) in self.coverage[0]

    @cached_property
    def _first(self) -> frozenset[int]:
        # What text may hold to be the first font's alone: its glyphs, and the characters that
        # need none (newlines, ZWNJ in Persian, soft hyphens): the quick test for most text.
        invisible = {c for c in (*range(0x20), *range(0x7F, 0xA0), 0xAD, *range(0x2000, 0x2070), 0xFEFF)
                     if not needs_glyph(chr(c))}
        return self.coverage[0] | invisible

    def _font_for(self, char: str) -> int | None:
        code = ord(char)
        for index, covered in enumerate(self.coverage):
            if code in covered:
                return index
        return None

    def missing(self, text: str) -> str:
        """The characters of ``text`` (each once, in order) that no font of the chain can draw."""
        if self._first.issuperset(map(ord, text)):
            return ""
        first = self.coverage[0]
        seen = dict.fromkeys(c for c in text if ord(c) not in first and needs_glyph(c) and self._font_for(c) is None)
        return "".join(seen)

    def assign(self, text: str) -> list[int] | None:
        """The font of every character of ``text`` (its index in the chain); None: all the first.

        A word is drawn in one font when one font has all its letters (so "Dvořák" does not
        mix two designs); otherwise each character takes the first font that has it. Spaces
        and invisible characters keep the font of what precedes them. A character no font
        has stays with the first font: the spec check refuses it before a PDF is made.
        """
        if self._first.issuperset(map(ord, text)):
            return None
        fonts = [0] * len(text)
        start = 0
        n = len(text)
        while start < n:
            if text[start].isspace():
                fonts[start] = fonts[start - 1] if start and ord(text[start]) in self.coverage[fonts[start - 1]] else 0
                start += 1
                continue
            end = start
            while end < n and not text[end].isspace():
                end += 1
            word = [ord(c) for c in text[start:end] if needs_glyph(c)]
            whole = next((i for i, covered in enumerate(self.coverage) if covered.issuperset(word)), None)
            for i in range(start, end):
                if whole is not None:
                    fonts[i] = whole
                elif not needs_glyph(text[i]):
                    fonts[i] = fonts[i - 1] if i > start else 0
                else:
                    fonts[i] = self._font_for(text[i]) or 0
            start = end
        return fonts if any(fonts) else None

    def family_runs(self, text: str) -> list[tuple[str, str | None]]:
        """``text`` in pieces, each with the family of the fallback font that draws it in the
        PDF (None: the first font), so a DOCX can name the same face for the same letters."""
        chosen = self.assign(text)
        if chosen is None:
            return [(text, None)]
        out: list[tuple[str, str | None]] = []
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or chosen[i] != chosen[start]:
                out.append((text[start:i], self.families[chosen[start]] if chosen[start] else None))
                start = i
        return out


@dataclass(frozen=True, eq=False)
class FontSet(Coverage):
    """The chain registered with reportlab: font names and widths as well as coverage."""

    widths: dict[int, Callable[[str, float], float]]  # face (without italic) → stringWidth

    @property
    def regular(self) -> str:
        """reportlab's name of the first font's Regular face."""
        return self.sources[0].name

    @property
    def bold(self) -> str:
        """reportlab's name of the first font's Bold face."""
        return self.sources[0].bold_name

    def name(self, face: int) -> str:
        """The reportlab font name for a face number (italic falls back to the upright face)."""
        source = self.sources[face >> FONT_SHIFT]
        return source.bold_name if face & FACE_BOLD else source.name

    def synthetic_bold(self, face: int) -> bool:
        """True when a bold face has no Bold file and is drawn filled and stroked."""
        return bool(face & FACE_BOLD) and self.sources[face >> FONT_SHIFT].bold is None


_SHOWN = 8  # characters listed in one message; the rest are counted
# Scripts that a font package on PyPI covers, though no built-in fallback does:
# (first code point, last code point, package). Others need a font file the user has.
_PACKAGES = (
    (0x0980, 0x09FF, "fontpkg-hind-siliguri"),  # Bengali
    (0x0B80, 0x0BFF, "fontpkg-noto-sans-tamil"),
    (0x0C00, 0x0C7F, "fontpkg-noto-sans-telugu"),
    (0x1780, 0x17FF, "fontpkg-noto-sans-khmer"),
)


def describe_missing(missing: str) -> tuple[str, str]:
    """(message, hint) for characters no font of the chain has: each as U+XXXX and as text,
    and what to install or pass."""
    listed = ", ".join(f"U+{ord(c):04X} {c}" for c in missing[:_SHOWN])
    more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
    packages = sorted({pkg for c in missing for lo, hi, pkg in _PACKAGES if lo <= ord(c) <= hi})
    font = (f"pip install {' '.join(packages)} and pass its .ttf file with --font FILE" if packages
            else "pass a TrueType font (.ttf) that has them with --font FILE")
    return f"no PDF font has {listed}{more}; the PDF would lose them", f"{font}; or build only the DOCX with --format docx"


_extra: tuple[Path, ...] = ()


def use_fonts(files: Sequence[Path]) -> None:
    """Add the user's TrueType files (``--font FILE``) to the end of the chain for this process.

    Checked here, before anything is built: a missing or unusable file is a UserError.
    """
    global _extra
    chosen = tuple(Path(f).resolve() for f in files)
    for path in chosen:
        _check_font_file(path)
    _extra = chosen


def extra_fonts() -> tuple[Path, ...]:
    """The user fonts in use (for handing to worker processes)."""
    return _extra


def coverage() -> Coverage:
    """What the chain for this process can draw (built-in fonts, then the user's)."""
    return _coverage(_extra)


def fonts() -> FontSet:
    """The chain for this process registered with reportlab, for drawing."""
    return _chain(_extra)


def _check_font_file(path: Path) -> None:
    hint = "give a TrueType font file (.ttf) that has the characters"
    if not path.is_file():
        raise UserError(Problem("font file not found", file=str(path), where="--font", hint=hint))
    try:
        font_info(path)
    except (OSError, FontFileError) as exc:
        raise UserError(Problem(f"cannot use this font: {exc}", file=str(path), where="--font", hint=hint)) from None


def _sources(extra: tuple[Path, ...]) -> list[Source]:
    return builtin_sources() + [Source(_user_name(path), path, None, str(path)) for path in extra]


@cache
def _coverage(extra: tuple[Path, ...]) -> Coverage:
    sources = _sources(extra)
    infos = [font_info(source.regular) for source in sources]
    # A character counts for a font when Regular and Bold both have it.
    covered = [info.coverage & font_info(source.bold).coverage if source.bold else info.coverage
               for source, info in zip(sources, infos, strict=True)]
    return Coverage(tuple(sources), tuple(covered), tuple(info.family for info in infos))


def _user_name(path: Path) -> str:
    # Named by content, so the same file gives the same PDF bytes wherever it lives.
    return "UserFont-" + hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@cache
def _load(path: Path, name: str) -> object:
    from reportlab.pdfbase.ttfonts import TTFont

    return TTFont(name, str(path))


@cache
def _chain(extra: tuple[Path, ...]) -> FontSet:
    """Register every font of the chain with reportlab (once per process and set of user fonts)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics

    known = _coverage(extra)
    widths: dict[int, Callable[[str, float], float]] = {}
    sources = known.sources
    for index, source in enumerate(sources):
        regular = _load(source.regular, source.name)
        pdfmetrics.registerFont(regular)
        bold = regular
        if source.bold:
            bold = _load(source.bold, source.bold_name)
            pdfmetrics.registerFont(bold)
        # Map the family so <b>/<i> markup in any plain reportlab Paragraph resolves to real faces;
        # italic has no face of its own, so it maps to the upright ones.
        for is_bold, is_italic in ((0, 0), (1, 0), (0, 1), (1, 1)):
            addMapping(source.name, is_bold, is_italic, source.bold_name if is_bold else source.name)
        widths[index << FONT_SHIFT] = regular.stringWidth  # type: ignore[attr-defined]
        widths[index << FONT_SHIFT | FACE_BOLD] = bold.stringWidth  # type: ignore[attr-defined]
    first_regular, first_bold = _load(sources[0].regular, sources[0].name), _load(sources[0].bold, sources[0].bold_name)
    _map_presentation_forms_to_letters({_ps_name(first_regular), _ps_name(first_bold)})
    return FontSet(known.sources, known.coverage, known.families, widths)


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
