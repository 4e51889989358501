"""A spec sent in a request body: read, validated and checked as the CLI reads a spec file.

Nothing is written: the text is parsed in memory and named as :data:`wording` ``spec_name``
says (``<request>``), so a problem reads ``<request>:11: payment.shedule: unknown key ...``
exactly as ``contractgen validate`` prints it for a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from contractgen.errors import Problem, UserError
from contractgen.spec.loader import Loaded, load_json_text, load_yaml_text
from contractgen.spec.validate import validate_loaded
from contractgen.web import wording

if TYPE_CHECKING:
    from contractgen.checks import Finding, RateCard
    from contractgen.spec.models import CampaignSpec
    from contractgen.toolkit import Toolkit

# Content types a spec may come as, to the syntax it is read with (JSON is read as JSON).
MEDIA_TYPES = {
    "application/json": "json",
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
    "text/x-yaml": "yaml",
}


@dataclass(frozen=True)
class Sent:
    """The body of a request: its text and the syntax its content type names (``json``, ``yaml``)."""

    text: str
    syntax: str


def load(sent: Sent) -> Loaded:
    """Parse the text into plain data with lines; UserError when it is no YAML or JSON document."""
    name = wording.text("spec_name")
    return load_json_text(sent.text, name) if sent.syntax == "json" else load_yaml_text(sent.text, name)


def validated(loaded: Loaded, pdf: bool = True) -> CampaignSpec:
    """The validated campaign; UserError with every located problem.

    As the CLI: with ``pdf`` (validate, and a build that makes PDFs), a value no PDF font can
    draw is a problem too. A ``brand.logo`` is refused: it names a file, and the server reads
    nothing but the request.
    """
    from contractgen.glyph_check import glyph_problems

    campaign = validate_loaded(loaded)
    if pdf and (problems := glyph_problems(loaded)):
        raise UserError(problems)
    if campaign.brand.logo is not None:
        raise UserError(Problem(wording.text("errors.logo"), file=loaded.file, line=loaded.line_of(("brand", "logo")),
                                where="brand.logo", hint=wording.text("errors.logo_hint")))
    return campaign


def findings(campaign: CampaignSpec, loaded: Loaded, kit: Toolkit, rates: RateCard) -> list[Finding]:
    """The risk findings (R1-R8) of a valid campaign, each with its line in the sent text."""
    from contractgen.checks import locate, run_checks

    return locate(run_checks(campaign, kit.library, rates), loaded)
