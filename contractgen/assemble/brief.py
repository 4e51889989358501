"""Assemble one influencer's creative brief from ``templates/<lang>/brief.md.j2``."""

from __future__ import annotations

from contractgen.assemble.common import created, render_template
from contractgen.document import Block, Document, Meta
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
    person = engagement.influencer
    meta = Meta(
        title=f"{strings['brief_title']} — {spec.campaign.name} — {person.legal_name}",
        subject=spec.campaign.name,
        author=spec.brand.legal_name,
        keywords=(spec.campaign_id, person.handle, strings["brief_title"]),
        language=language,
        rtl=engine.locale.rtl,
        created=created(engagement),
        header_text=engagement.deal.brand_name,
        page_label=strings["page"],
        digits=engine.locale.digits("0123456789"),
        properties={"contractgen.campaign": spec.campaign_id, "contractgen.influencer": person.handle},
    )
    return Document(meta, tuple(blocks))
