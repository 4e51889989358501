"""Ids made from names: ``Éclat Rose Serum Launch`` → ``eclat-rose-serum-launch``.

Letters keep their base letter (accents are dropped, not the letter), so an id made from a
French or German name still reads as the name. Used for the default campaign id, which names
the output folder and the calendar UIDs and fills ``{campaign_id}`` in tracking patterns.
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not take apart into a base letter and a mark.
_LETTERS = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
                          "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d",
                          "ı": "i"})
_NOT_ID = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 64


def slugify(text: str, fallback: str = "campaign") -> str:
    """Lower-case ASCII letters and digits joined by ``-``; ``fallback`` when nothing is left."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    slug = _NOT_ID.sub("-", bare.lower()).strip("-")[:MAX_LENGTH].rstrip("-")
    return slug or fallback
