"""The neutral document tree both renderers draw: the one place a document's content lives.

Assembly builds it; the DOCX and PDF renderers only lay it out, so the two formats cannot
say different things.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """A tracked change on a run of a redline: inserted, deleted, or formatting changed.

    ``bold`` and ``italic`` are the run's formatting before a ``format`` change. A paragraph
    (or table row) whose every run is inserted is an inserted paragraph (row), and likewise
    for deleted: the writers mark its paragraph mark (row) too.
    """

    kind: str  # "ins" | "del" | "format"
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Run:
    """A piece of inline text with its emphasis (and, in a redline, its tracked change)."""

    text: str
    bold: bool = False
    italic: bool = False
    change: Change | None = None


Inline = tuple[Run, ...]


def plain(runs: Inline) -> str:
    """The text of runs without formatting."""
    return "".join(r.text for r in runs)


@dataclass(frozen=True)
class Heading:
    """An unnumbered heading (level 1 or 2); ``bookmark`` puts it in the PDF outline."""

    runs: Inline
    level: int = 1
    bookmark: bool = True


@dataclass(frozen=True)
class Paragraph:
    """Body text. ``style``: body, lead (larger intro), small, center."""

    runs: Inline
    style: str = "body"


@dataclass(frozen=True)
class Numbering:
    """How a document labels its clauses, sub-clauses and list items: its language pack's scheme.

    Assembly labels the tree with it once; the writers draw those labels. ``word`` names, per
    level (clause, subclause, list), the Word ``w:numFmt`` that counts exactly as the label
    does, so the DOCX can keep Word's automatic numbering; a level without one is literal text.
    The defaults are for trees built by hand (tests): 1. / 1.1 / (a).
    """

    clause: str = "{n}."
    subclause: str = "{clause}.{n}"
    list: str = "({n})"
    letters: tuple[str, ...] = tuple("abcdefghijklmnopqrstuvwxyz")  # an ordered list's counter; empty: numbers
    bullet: str = "\u2022"
    digits: str = "0123456789"
    word: tuple[tuple[str, str], ...] = (("clause", "decimal"), ("subclause", "decimal"), ("list", "lowerLetter"))

    def word_format(self, level: str) -> str | None:
        """The Word numFmt that counts ``level`` (clause, subclause, list) as its label does, or None."""
        return dict(self.word).get(level)

    def number(self, n: int) -> str:
        """``n`` in the document's digits."""
        return str(n).translate(str.maketrans("0123456789", self.digits))

    def clause_label(self, n: int) -> str:
        """The label of clause ``n``: ``5.``, ``§ 5``, ``۵.``."""
        return self.clause.format(n=self.number(n))

    def sub_label(self, clause: int, n: int) -> str:
        """The label of sub-clause ``n`` of a clause: ``5.2``, ``(2)``."""
        return self.subclause.format(clause=self.number(clause), n=self.number(n))

    def counter(self, index: int) -> str:
        """The counter of the item at ``index`` (0-based): ``c``, ``ج``, ``3``; after the last letter ``aa``, ``bb``."""
        if not self.letters:
            return self.number(index + 1)
        return self.letters[index % len(self.letters)] * (index // len(self.letters) + 1)

    def markers(self, count: int, ordered: bool) -> tuple[str, ...]:
        """The markers of a list of ``count`` items."""
        if not ordered:
            return (self.bullet,) * count
        return tuple(self.list.format(n=self.counter(i)) for i in range(count))


@dataclass(frozen=True)
class ListBlock:
    """A bulleted or numbered list; each item is one paragraph of runs.

    ``markers``: each item's label as assembly decided it (``(a)``, ``•``); a list built
    without them (a redline's merged list) takes them from the document's :class:`Numbering`.
    """

    items: tuple[Inline, ...]
    ordered: bool = False
    markers: tuple[str, ...] = ()

    def labels(self, numbering: Numbering) -> tuple[str, ...]:
        """Each item's marker."""
        if len(self.markers) == len(self.items):
            return self.markers
        return numbering.markers(len(self.items), self.ordered)


@dataclass(frozen=True)
class SubClause:
    """A numbered paragraph inside a clause, labelled ``number`` (``5.2``, ``۵.۲``, ``(2)``), with its lists."""

    number: str
    runs: Inline
    lists: tuple[ListBlock, ...] = ()


@dataclass(frozen=True)
class Clause:
    """A numbered clause: heading ``5. Payment`` (``label`` ``5.``) and its sub-clauses."""

    number: int
    clause_id: str
    version: str
    title: str
    body: tuple[SubClause | ListBlock, ...]
    title_runs: Inline = ()  # a redline's title with its changes; empty: the plain title
    label: str = ""  # as the document prints the number: "5.", "§ 5", "۵."

    def label_in(self, numbering: Numbering) -> str:
        """The printed number (a tree built without labels takes the document's scheme)."""
        return self.label or numbering.clause_label(self.number)

    def title_inline(self) -> Inline:
        """The title as runs."""
        return self.title_runs or (Run(self.title),)


@dataclass(frozen=True)
class Table:
    """A table whose first row is a header repeated on every page."""

    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]
    widths: tuple[float, ...] | None = None  # relative column widths


@dataclass(frozen=True)
class Signatory:
    """A signature panel: the party, and who signs for it."""

    role: str  # e.g. "Brand"
    party: str  # legal name of the party
    name: str | None  # person signing, when known
    title: str | None
    heading: str = ""  # the line under the role: "For and on behalf of X", or just the signer's name
    key: str = ""  # the role's key (brand, agency, influencer, agent): names its signature fields
    email: str | None = None  # where an e-signature service sends the request


@dataclass(frozen=True)
class SignatureBlock:
    """Signature panels for every party."""

    heading: str
    intro: str
    signatories: tuple[Signatory, ...]
    labels: dict[str, str]  # signature, name, title, date (from strings.yaml)


@dataclass(frozen=True)
class Signing:
    """What a contract carries for signing tools besides its signature fields.

    initials: an initials field for every signing party on every page
    anchors: the e-signature service (docusign, dropbox, documenso, adobe) whose invisible
    anchor texts are written where its fields go, or None
    """

    initials: bool = False
    anchors: str | None = None


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


@dataclass(frozen=True)
class Image:
    """A picture (PNG or JPEG file) drawn ``width_mm`` wide, with an optional caption below it."""

    path: str
    width_mm: float
    caption: str | None = None


@dataclass(frozen=True)
class Revised:
    """A whole block inserted (``ins``) or deleted (``del``) in a redline."""

    kind: str
    block: Heading | Paragraph | ListBlock | Clause | Table | SignatureBlock | Image


Block = Heading | Paragraph | ListBlock | Clause | Table | SignatureBlock | PageBreak | Image | Revised


@dataclass(frozen=True)
class Meta:
    """What the document is, for properties, headers and footers."""

    title: str
    subject: str
    author: str
    keywords: tuple[str, ...]
    language: str
    rtl: bool
    created: dt.datetime
    header_text: str
    page_label: str  # "Page {page} of {pages}"
    logo: str | None = None
    digits: str = "0123456789"  # the document's digits, for page numbers
    paper: str = "a4"  # a4 or letter: from the language pack's region
    tag: str = ""  # BCP 47 language tag (DOCX w:lang, PDF /Lang); empty: ``language``
    numbering: Numbering = Numbering()
    properties: dict[str, str] = field(default_factory=dict)  # provenance, custom properties
    signing: Signing = Signing()
    revision_author: str = ""  # a redline: who the tracked changes are by
    revision_date: dt.datetime | None = None  # and when


@dataclass(frozen=True)
class Document:
    """A whole document: metadata and blocks in reading order."""

    meta: Meta
    blocks: tuple[Block, ...]

    def text(self) -> str:
        """All text in reading order, one block per line (for tests and search)."""
        return "\n".join(_block_text(b) for b in self.blocks)


def _block_text(block: Block) -> str:
    if isinstance(block, Heading | Paragraph):
        return plain(block.runs)
    if isinstance(block, ListBlock):
        return "\n".join(plain(i) for i in block.items)
    if isinstance(block, Clause):
        return "\n".join([block.title, *(_block_text(b) if isinstance(b, ListBlock) else _sub_text(b) for b in block.body)])
    if isinstance(block, Table):
        return "\n".join(" | ".join(plain(c) for c in row) for row in (block.header, *block.rows))
    if isinstance(block, SignatureBlock):
        return "\n".join([block.heading, block.intro, *(f"{s.role} {s.party}" for s in block.signatories)])
    if isinstance(block, Revised):
        return _block_text(block.block)
    return ""


def _sub_text(sub: SubClause) -> str:
    return "\n".join([plain(sub.runs), *(_block_text(lst) for lst in sub.lists)])
