"""Numbers a spec gives as text (a KPI target "150000", "4%"), printed by the document's locale.

A :class:`Figure` is the text as written; when a template prints it, the text engine asks the
locale to write it (``150,000``, ``۱۵۰٬۰۰۰``, ``4 %``), so no number reaches a page in
digits or separators its language does not use. Text that is not a plain number or
percentage ("top 3", "1-2k") prints as written.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


class Figure(str):
    """Text from a spec that may be a number the document should print in its own style."""

    __slots__ = ()

    def parts(self) -> tuple[str, bool] | None:
        """(the number, whether it is a percentage), or None when the text is not a plain number."""
        match = _NUMBER.match(self)
        return (match.group(1), bool(match.group(2))) if match else None
