"""Everything loaded once per process to make documents: library, strings, compiled text.

Building hundreds of documents reuses one :class:`Toolkit`, so clause YAML is parsed and
Jinja compiled once, not per influencer.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from jinja2 import FileSystemLoader

from contractgen.errors import Problem, UserError
from contractgen.library.clauses import Library, load_library
from contractgen.library.packs import pack_for
from contractgen.locale import Locale
from contractgen.resources import clauses_dir, templates_dir
from contractgen.spec.loader import load_file
from contractgen.spec.models import CampaignSpec
from contractgen.templating import TextEngine

LANGUAGES = ("en", "fa")


class Toolkit:
    """The clause library (with an optional overlay) and per-language engines."""

    def __init__(self, overlay: Path | None = None) -> None:
        self.overlay = overlay
        self.templates = templates_dir()
        self._engines: dict[tuple[str, str, str, str], TextEngine] = {}
        self._strings: dict[str, dict] = {}

    @cached_property
    def library(self) -> Library:
        """The clause library, loaded on first use."""
        return load_library(clauses_dir(), self.templates / "contract-layout.yaml", self.overlay)

    def strings(self, language: str) -> dict:
        """The fixed strings of a language."""
        if language not in self._strings:
            path = self.templates / language / "strings.yaml"
            if not path.is_file():
                raise UserError(Problem(f"no templates for language '{language}'", where="campaign.language"))
            self._strings[language] = load_file(path).data
        return self._strings[language]

    def locale(self, spec: CampaignSpec) -> Locale:
        """Formatting rules for a spec's language, calendar and currency."""
        language = spec.campaign.language
        return Locale(language, spec.calendar, spec.campaign.currency, self.strings(language), self.date_style(spec))

    def date_style(self, spec: CampaignSpec) -> str:
        """How the campaign's jurisdiction pack writes dates (US: month first)."""
        packs = self.library.packs
        return pack_for(packs, spec.campaign.jurisdiction).date_style if packs else "dmy"

    def engine(self, spec: CampaignSpec) -> TextEngine:
        """The text engine for a spec (one per language, calendar, currency and date style)."""
        key = (spec.campaign.language, spec.calendar, spec.campaign.currency, self.date_style(spec))
        if key not in self._engines:
            loader = FileSystemLoader(str(self.templates / spec.campaign.language))
            self._engines[key] = TextEngine(self.locale(spec), loader)
        return self._engines[key]
