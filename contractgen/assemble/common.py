"""What contract and brief assembly share: rendering a template file into blocks, metadata."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jinja2 import TemplateError, TemplateNotFound

from contractgen.document import Block, ListBlock, Meta, Numbering
from contractgen.engagement import Engagement
from contractgen.errors import Problem, UserError
from contractgen.markup import Parsed, parse
from contractgen.templating import BudgetExceeded, EmptyValue, TextEngine, describe

RENDER_ERRORS = (TemplateError, EmptyValue, BudgetExceeded, TypeError, ValueError, ArithmeticError, AttributeError)


def render_template(engine: TextEngine, name: str, context: Mapping[str, Any], folder: str) -> tuple[Parsed, ...]:
    """Render ``templates/<lang>/<name>`` and parse it; errors name the template and line."""
    try:
        text = engine.render(engine.template(name), context)
    except TemplateNotFound:
        raise UserError(Problem("template is missing", file=f"{folder}/{name}")) from None
    except RENDER_ERRORS as exc:
        line = getattr(exc, "lineno", None)
        raise UserError(Problem(describe(exc).split(": ", 1)[-1] if line else describe(exc),
                                file=f"{folder}/{name}", line=line)) from None
    return parse(text)


def label_lists(blocks: tuple[Block, ...] | list[Block], numbering: Numbering) -> tuple[Block, ...]:
    """Blocks with each list's markers decided (``(a)``, ``•``), so both writers print the same."""
    return tuple(ListBlock(b.items, b.ordered, numbering.markers(len(b.items), b.ordered))
                 if isinstance(b, ListBlock) else b for b in blocks)


def document_meta(engagement: Engagement, engine: TextEngine, strings: Mapping[str, Any], title: str,
                  kind_label: str, properties: Mapping[str, str] | None = None) -> Meta:
    """Metadata shared by an influencer's documents: parties, language, fixed timestamp."""
    spec = engagement.spec
    person = engagement.influencer
    pack = engine.locale.pack
    return Meta(
        title=title,
        subject=spec.campaign.name,
        author=spec.brand.legal_name,
        keywords=(spec.campaign_id, person.handle, kind_label),
        language=spec.campaign.language,
        rtl=engine.locale.rtl,
        created=created(engagement),
        header_text=engagement.deal.brand_name,
        page_label=strings["page"],
        digits=pack.digits,
        paper=pack.paper,
        tag=pack.tag,
        numbering=pack.scheme(),
        properties={"contractgen.campaign": spec.campaign_id, "contractgen.influencer": person.handle,
                    **(properties or {})},
    )


def created(engagement: Engagement) -> dt.datetime:
    """The fixed timestamp stamped into files, so rebuilding gives the same bytes."""
    c = engagement.spec.campaign
    day = c.agreement_date or c.start
    return dt.datetime(day.year, day.month, day.day, 9, 0, 0)
