"""Just enough of a TrueType file to know what it can draw, without reportlab.

``validate``, the batch planner and the DOCX renderer need a font's character coverage and
family name, but not its glyphs; reading them here keeps reportlab out of those processes
(see ``contractgen/cli.py``: the renderers are imported only where something is drawn).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path


class FontFileError(ValueError):
    """The file is not a TrueType font reportlab can embed."""


@dataclass(frozen=True)
class FontInfo:
    """What a font file can draw and what it is called."""

    coverage: frozenset[int]  # code points the cmap maps to a real glyph (not .notdef)
    family: str


@cache
def font_info(path: Path) -> FontInfo:
    """Coverage and family name of a TrueType file (cached per path for the process)."""
    data = path.read_bytes()
    if len(data) < 12:
        raise FontFileError("too short to be a font")
    tag = data[:4]
    if tag == b"OTTO":
        raise FontFileError("it has PostScript (CFF) outlines; only TrueType outlines can be embedded")
    if tag == b"ttcf":
        raise FontFileError("it is a font collection (.ttc); give a single .ttf")
    if tag not in (b"\x00\x01\x00\x00", b"true"):
        raise FontFileError("not a TrueType font")
    try:
        tables = _tables(data)
        if b"glyf" not in tables or b"cmap" not in tables:
            raise FontFileError("it has no TrueType glyphs or no character map")
        return FontInfo(_coverage(data, tables[b"cmap"]), _family(data, tables.get(b"name")) or path.stem)
    except struct.error:
        raise FontFileError("the font file is damaged") from None


def _tables(data: bytes) -> dict[bytes, int]:
    (count,) = struct.unpack_from(">H", data, 4)
    return {data[12 + 16 * i:16 + 16 * i]: struct.unpack_from(">I", data, 20 + 16 * i)[0] for i in range(count)}


def _coverage(data: bytes, cmap: int) -> frozenset[int]:
    (count,) = struct.unpack_from(">H", data, cmap + 2)
    subtables: dict[int, int] = {}  # format → offset of the preferred Unicode subtable
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        if (platform, encoding) in ((3, 10), (3, 1), (0, 3), (0, 4), (0, 6)):
            (fmt,) = struct.unpack_from(">H", data, cmap + offset)
            subtables.setdefault(fmt, cmap + offset)
    if 12 in subtables:  # all of Unicode, emoji included
        return _format12(data, subtables[12])
    if 4 in subtables:
        return _format4(data, subtables[4])
    raise FontFileError("it has no Unicode character map")


def _format4(data: bytes, at: int) -> frozenset[int]:
    (seg_x2,) = struct.unpack_from(">H", data, at + 6)
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, at + 14)
    starts = struct.unpack_from(f">{segs}H", data, at + 16 + seg_x2)
    deltas = struct.unpack_from(f">{segs}h", data, at + 16 + 2 * seg_x2)
    range_at = at + 16 + 3 * seg_x2
    ranges = struct.unpack_from(f">{segs}H", data, range_at)
    codes: set[int] = set()
    for i in range(segs):
        start, end, delta, offset = starts[i], ends[i], deltas[i], ranges[i]
        if start == 0xFFFF:
            continue
        if offset == 0:
            codes.update(c for c in range(start, end + 1) if (c + delta) & 0xFFFF)
            continue
        base = range_at + 2 * i + offset
        for c in range(start, end + 1):
            (glyph,) = struct.unpack_from(">H", data, base + 2 * (c - start))
            if glyph and (glyph + delta) & 0xFFFF:
                codes.add(c)
    return frozenset(codes)


def _format12(data: bytes, at: int) -> frozenset[int]:
    (groups,) = struct.unpack_from(">I", data, at + 12)
    codes: set[int] = set()
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
        codes.update(range(start + (1 if glyph == 0 else 0), end + 1))
    return frozenset(codes)


def _family(data: bytes, at: int | None) -> str | None:
    if at is None:
        return None
    _, count, strings = struct.unpack_from(">HHH", data, at)
    found: dict[int, str] = {}
    for i in range(count):
        platform, _, language, name_id, length, offset = struct.unpack_from(">HHHHHH", data, at + 6 + 12 * i)
        if name_id not in (1, 16):  # family; typographic family
            continue
        raw = data[at + strings + offset:at + strings + offset + length]
        if platform == 3 and language in (0x409, 0):
            found.setdefault(name_id, raw.decode("utf-16-be", "replace"))
        elif platform == 1 and language == 0:
            found.setdefault(name_id, raw.decode("latin-1"))
    return found.get(16) or found.get(1)
