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
from contractgen.locale import LanguagePack, Locale, load_pack
from contractgen.resources import available_languages, clauses_dir, templates_dir
from contractgen.spec.loader import load_file
from contractgen.spec.models import CampaignSpec
from contractgen.templating import TextEngine


class Toolkit:
    """The clause library (with an optional overlay) and per-language engines."""

    def __init__(self, overlay: Path | None = None, templates: Path | None = None) -> None:
        self.overlay = overlay
        self.templates = templates or templates_dir()
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

    def languages(self) -> tuple[str, ...]:
        """The language codes that have a pack."""
        return available_languages(self.templates)

    def pack(self, spec: CampaignSpec) -> LanguagePack:
        """The language pack of a spec, with its jurisdiction's regional overrides (en-US, en-GB)."""
        return load_pack(self.templates, spec.campaign.language).for_region(spec.campaign.jurisdiction)

    def calendar(self, spec: CampaignSpec) -> str:
        """The spec's calendar, else its language's."""
        return spec.campaign.calendar or load_pack(self.templates, spec.campaign.language).calendar

    def locale(self, spec: CampaignSpec) -> Locale:
        """Formatting rules for a spec's language, region, calendar and currency."""
        return Locale(self.pack(spec), self.calendar(spec), spec.campaign.currency, self.strings(spec.campaign.language))

    def engine(self, spec: CampaignSpec) -> TextEngine:
        """The text engine for a spec (one per language, region, calendar and currency)."""
        key = (spec.campaign.language, spec.campaign.jurisdiction, self.calendar(spec), spec.campaign.currency)
        if key not in self._engines:
            loader = FileSystemLoader(str(self.templates / spec.campaign.language))
            self._engines[key] = TextEngine(self.locale(spec), loader)
        return self._engines[key]
