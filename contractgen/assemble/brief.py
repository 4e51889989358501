"""Assemble one influencer's creative brief from ``templates/<lang>/brief.md.j2``."""

from __future__ import annotations

from contractgen.assemble.common import document_meta, label_lists, render_template
from contractgen.document import Block, Document
from contractgen.engagement import Engagement
from contractgen.errors import Problem, UserError
from contractgen.markup import Directive
from contractgen.toolkit import Toolkit


def build_brief(engagement: Engagement, kit: Toolkit) -> Document:
    """The creative brief of one engagement as a document tree."""
    spec = engagement.spec
    language = spec.campaign.language
    engine = kit.engine(spec)
    strings = kit.strings(language)
    context = {**engagement.context(), "t": strings}
    folder = f"templates/{language}"
    blocks: list[Block] = []
    for item in render_template(engine, "brief.md.j2", context, folder):
        if isinstance(item, Directive):
            raise UserError(Problem(f"[[{item.name}]] has no meaning in a brief", file=f"{folder}/brief.md.j2"))
        blocks.append(item)
    title = f"{strings['brief_title']} — {spec.campaign.name} — {engagement.influencer.legal_name}"
    meta = document_meta(engagement, engine, strings, title, strings["brief_title"])
    return Document(meta, label_lists(blocks, meta.numbering))
