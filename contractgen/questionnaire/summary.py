"""The review screen in a terminal: the sections of :func:`contractgen.questionnaire.review.review`, drawn."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from contractgen.questionnaire.review import ReviewSection
from contractgen.questionnaire.wording import Wording

_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def draw_review(sections: list[ReviewSection], wording: Wording) -> Group:
    """Each section numbered, its answers numbered within it (2.1, 2.2 ...), then its findings."""
    parts: list[Text] = [Text(wording.text("review", "title"), style="bold")]
    for section in sections:
        head = Text(f"{section.number}  {section.heading}", style="bold cyan")
        if not section.lines:
            head.append("  " + wording.text("review", "defaults"), style="dim")
        parts.append(head)
        for i, line in enumerate(section.lines, start=1):
            row = Text(f"   {section.number}.{i:<3}", style="dim")
            row.append(f"{line.label}: ", style="bold")
            row.append(line.value)
            parts.append(row)
        for note in section.notes:
            row = Text("   ")
            row.append(wording.text("review", "severity", note.severity), style=_STYLES.get(note.severity, ""))
            row.append(f" {note.path}: {note.message}")
            if note.hint:
                row.append(f" — {note.hint}", style="dim")
            parts.append(row)
    return Group(*parts)
