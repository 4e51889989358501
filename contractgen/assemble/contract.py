"""Assemble one influencer's contract: layout template, chosen clauses, schedules, signatures."""

from __future__ import annotations

from typing import Any

from contractgen.assemble.common import RENDER_ERRORS, document_meta, label_lists, render_template
from contractgen.document import (
    Block,
    Clause,
    Document,
    ListBlock,
    Numbering,
    Paragraph,
    Signatory,
    SignatureBlock,
    SubClause,
)
from contractgen.engagement import Engagement
from contractgen.errors import Problem, UserError
from contractgen.library.clauses import Clause as ClauseSource
from contractgen.library.clauses import Library
from contractgen.locale import respell
from contractgen.markup import Directive, parse
from contractgen.templating import TextEngine, describe
from contractgen.toolkit import Toolkit


def build_contract(engagement: Engagement, kit: Toolkit) -> Document:
    """The contract of one engagement as a document tree."""
    spec = engagement.spec
    library = kit.library
    engine = kit.engine(spec)
    locale = engine.locale
    language = spec.campaign.language
    context: dict[str, Any] = engagement.context()

    chosen = _select(library, engine, context, language)
    numbers = {c.id: n for n, c in enumerate(chosen, start=1)}
    context["ref"] = lambda cid: _ref(cid, numbers, locale.text)
    context["has"] = lambda cid: cid in numbers
    context["t"] = kit.strings(language)

    scheme = locale.pack.scheme()
    clauses = [_clause(c, numbers[c.id], library, engine, context, language, scheme) for c in chosen]
    blocks: list[Block] = []
    for item in render_template(engine, "contract.md.j2", context, f"templates/{language}"):
        if isinstance(item, Directive):
            if item.name == "clauses":
                blocks.extend(clauses)
            elif item.name == "signatures":
                blocks.append(signature_block(engagement, kit.strings(language)))
            else:
                raise UserError(Problem(f"unknown directive [[{item.name}]]", file=f"templates/{language}/contract.md.j2"))
        else:
            blocks.append(item)

    strings = kit.strings(language)
    title = f"{strings['contract_title']} — {engagement.influencer.legal_name}"
    meta = document_meta(engagement, engine, strings, title, strings["contract_title"], {
        "contractgen.clauses": " ".join(c.ref for c in chosen),
        "contractgen.library": library.digest(),
    })
    return Document(meta, label_lists(blocks, scheme))


def clause_refs(document: Document) -> list[str]:
    """``id@version`` of every clause in an assembled contract, in order."""
    return [f"{b.clause_id}@{b.version}" for b in document.blocks if isinstance(b, Clause)]


def _ref(cid: str, numbers: dict[str, int], text: Any) -> str:
    if cid not in numbers:
        raise ValueError(f"ref('{cid}'): that clause is not in this contract; guard it with has('{cid}')")
    return text("clause_ref", number=numbers[cid])


def _fail(clause: ClauseSource, library: Library, exc: BaseException, what: str) -> UserError:
    source = library.sources[clause.id]
    return UserError(Problem(f"{what}: {describe(exc)}", file=source.display(), line=source.line, where=clause.ref))


def _select(library: Library, engine: TextEngine, context: dict[str, Any], language: str) -> list[ClauseSource]:
    chosen = []
    for cid in library.layout:
        clause = library.clauses[cid]
        if clause.when:
            try:
                if not engine.test(clause.when, context):
                    continue
            except RENDER_ERRORS as exc:
                raise _fail(clause, library, exc, "condition 'when' failed") from None
        chosen.append(clause)
    return chosen


def _clause(clause: ClauseSource, number: int, library: Library, engine: TextEngine,
            context: dict[str, Any], language: str, scheme: Numbering) -> Clause:
    """One clause with every label decided: its own, its sub-clauses', its list markers."""
    variant = None
    for candidate in clause.wordings():
        try:
            if candidate.when is None or engine.test(candidate.when, context):
                variant = candidate
                break
        except RENDER_ERRORS as exc:
            raise _fail(clause, library, exc, "variant condition failed") from None
    if variant is None:
        raise _fail(clause, library, LookupError("no variant applies and none is the fallback"), "no wording")
    source = variant.text.get(language)
    title = (variant.title or clause.title).get(language)
    title = respell(title, engine.locale.pack.spelling) if title else title
    if source is None or title is None:
        raise _fail(clause, library, LookupError(f"no '{language}' wording"), "missing language")
    try:
        text = engine.render(engine.compile(source), context)
    except RENDER_ERRORS as exc:
        raise _fail(clause, library, exc, "text failed") from None

    body: list[SubClause | ListBlock] = []
    for block in parse(text):
        if isinstance(block, Paragraph):
            body.append(SubClause(scheme.sub_label(number, sum(isinstance(b, SubClause) for b in body) + 1), block.runs))
        elif isinstance(block, ListBlock):
            block = ListBlock(block.items, block.ordered, scheme.markers(len(block.items), block.ordered))
            if body and isinstance(body[-1], SubClause):
                last = body[-1]
                body[-1] = SubClause(last.number, last.runs, (*last.lists, block))
            else:
                body.append(block)
    return Clause(number, clause.id, clause.version, title, tuple(body), label=scheme.clause_label(number))


def signature_block(engagement: Engagement, strings: dict[str, Any]) -> SignatureBlock:
    """Who signs one contract, in signing order: the brand, the agency, the influencer, the agent.

    The one place the signing parties are decided: the renderers' signature fields and the
    e-signature envelope (``signers.json``) both read it.
    """
    spec = engagement.spec
    labels = strings["signatures"]
    roles = labels["roles"]

    def company(role: str, party: str, signer: Any, contact: Any) -> Signatory:
        # The request goes to the signatory's own address, else to the party's contact.
        email = (signer.email if signer else None) or (contact.email if contact else None)
        return Signatory(roles[role], party, _name(signer), _title(signer), f"{labels['for']} {party}", role, email)

    people = [company("brand", spec.brand.legal_name, spec.brand.signatory, spec.brand.contact)]
    if spec.agency:
        people.append(company("agency", spec.agency.legal_name, spec.agency.signatory, spec.agency.contact))
    person = engagement.influencer
    # A person signs for themselves: no "for and on behalf of".
    people.append(Signatory(roles["influencer"], person.legal_name, person.legal_name, None, person.legal_name,
                            "influencer", str(person.email) if person.email else None))
    if person.guardian:
        people.append(Signatory(roles["guardian"], person.guardian.name, person.guardian.name, None,
                                person.guardian.name, "guardian", person.guardian.email))
    if person.agent:
        people.append(Signatory(roles["agent"], person.agent.name, person.agent.name, _title(person.agent),
                                person.agent.name, "agent", person.agent.email))
    field_labels = {key: labels[key] for key in ("signature", "name", "title", "date", "initials")}
    return SignatureBlock(labels["heading"], labels["intro"], tuple(people), field_labels)


def _name(person: Any) -> str | None:
    return person.name if person else None


def _title(person: Any) -> str | None:
    return person.title if person else None
