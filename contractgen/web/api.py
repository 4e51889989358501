"""``/api/v1``: validate, build, coverage, schema and clauses over HTTP, as the CLI does them.

Specs come as the body (``application/json`` or ``application/yaml``) and are read in memory;
their problems are located as ``contractgen validate`` prints them (see :mod:`.specs`).
A body that is no YAML or JSON answers 400, an invalid spec 422 with every problem, a body
too large 413, another content type 415, a full build queue 429 with Retry-After.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from contractgen.build import KINDS
from contractgen.errors import UserError
from contractgen.render.writers import FORMATS
from contractgen.web import specs, wording
from contractgen.web.jobs import BuildOrder, QueueFull, problem_dicts
from contractgen.web.replies import error_response, too_large
from contractgen.web.shared import kit as _kit
from contractgen.web.shared import rates as _rates

router = APIRouter()

# What OpenAPI shows as the body of the endpoints that take a spec (read raw, not by FastAPI).
_SPEC_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object"}},
    "application/yaml": {"schema": {"type": "string"}},
}}}
_ZIP = {200: {"content": {"application/zip": {}, "application/json": {}}}}


class _Refused(Exception):
    """A request answered with an error before (or instead of) its work."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


async def _sent(request: Request) -> specs.Sent:
    """The spec in the body: 415 for another content type, 413 past the limit, 400 when not UTF-8."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    syntax = specs.MEDIA_TYPES.get(media)
    if syntax is None:
        raise _Refused(error_response(415, "media_type", message=wording.text("errors.media_type", media=media),
                                      hint=wording.text("errors.media_type_hint")))
    limit = request.app.state.config.max_bytes
    body = bytearray()
    async for chunk in request.stream():  # counted as it comes: a body without a length is limited too
        body += chunk
        if len(body) > limit:
            raise _Refused(too_large(None, limit))
    try:
        return specs.Sent(bytes(body).decode("utf-8-sig"), syntax)
    except UnicodeDecodeError as exc:
        raise _Refused(error_response(400, "not_utf8", message=wording.text("errors.not_utf8", offset=exc.start),
                                      hint=wording.text("errors.not_utf8_hint"))) from None


def _checked(sent: specs.Sent) -> tuple[Any, Any]:
    """The loaded text and the valid campaign; 400 when unreadable, 422 with every problem when invalid."""
    try:
        loaded = specs.load(sent)
    except UserError as exc:
        raise _Refused(error_response(400, "spec", problems=problem_dicts(exc))) from None
    try:
        return loaded, specs.validated(loaded)
    except UserError as exc:
        raise _Refused(error_response(422, "spec", problems=problem_dicts(exc))) from None


async def _answer(work: Any) -> Any:
    try:
        return await work
    except _Refused as refused:
        return refused.response


@router.post("/validate", openapi_extra=_SPEC_BODY)
async def validate(request: Request) -> Any:
    """Check a spec, then its risks (R1-R8): ``findings`` as ``contractgen validate --json`` lists them.

    ``blocking`` is true when a finding is an error (``contractgen build`` would refuse it).
    """
    async def work() -> dict[str, Any]:
        sent = await _sent(request)

        def check() -> dict[str, Any]:
            loaded, campaign = _checked(sent)
            found = [f.to_dict() for f in specs.findings(campaign, loaded, _kit(), _rates())]
            return {"valid": True, "campaign": campaign.campaign_id, "influencers": len(campaign.influencers),
                    "blocking": any(f["severity"] == "error" for f in found), "problems": [], "findings": found}

        return await run_in_threadpool(check)

    return await _answer(work())


@router.post("/build", openapi_extra=_SPEC_BODY, responses=_ZIP)
async def build(request: Request,
                formats: str = Query(",".join(FORMATS), description=", ".join(FORMATS)),
                only: Literal["contract", "brief"] | None = None,
                force: bool = False, strict: bool = False) -> Any:
    """Build every influencer's documents: a zip of the files ``contractgen build`` writes, with
    ``manifest.json`` and the summary (``Accept: application/json``: the manifest alone).

    A finding of severity error (``strict``: or warning) stops the build (422) unless ``force``.
    """
    async def work() -> Response:
        chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
        if not chosen or any(f not in FORMATS for f in chosen):
            raise _Refused(error_response(422, "parameter", message=wording.text("errors.formats", value=formats),
                                          hint=wording.text("errors.formats_hint", choices=", ".join(FORMATS))))
        if force and strict:
            raise _Refused(error_response(422, "parameter", message=wording.text("errors.force_strict")))
        sent = await _sent(request)
        order = BuildOrder(sent, chosen, (only,) if only else KINDS, force, strict)
        builds = request.app.state.builds
        config = request.app.state.config
        try:
            with builds.slot():
                result = await run_in_threadpool(builds.run, order)
        except QueueFull as full:
            raise _Refused(error_response(
                429, "queue_full", {"Retry-After": str(config.retry_after)},
                message=wording.text("errors.queue_full", running=full.running, waiting=full.waiting),
                hint=wording.text("errors.queue_full_hint", seconds=config.retry_after))) from None
        if result.status != 200:
            headers = {"Retry-After": str(config.retry_after)} if result.status == 503 else None
            raise _Refused(error_response(result.status, result.error, headers, message=result.message, hint=result.hint,
                                          problems=result.problems, findings=result.findings))
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(result.manifest)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", result.campaign) or "campaign"
        return Response(result.archive, media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})

    return await _answer(work())


@router.post("/coverage", openapi_extra=_SPEC_BODY)
async def coverage(request: Request) -> Any:
    """Which risks (R1-R8) each influencer's contract and brief answer, as ``contractgen coverage --json``."""
    async def work() -> list[dict[str, Any]]:
        sent = await _sent(request)

        def cover() -> list[dict[str, Any]]:
            from contractgen.build import engagements
            from contractgen.coverage import as_dict, campaign_coverage

            _, campaign = _checked(sent)
            return [as_dict(c) for c in campaign_coverage(engagements(campaign, _kit()), _kit())]

        return await run_in_threadpool(cover)

    return await _answer(work())


@router.get("/schema")
def schema() -> dict[str, Any]:
    """The JSON Schema of spec files, as ``contractgen schema`` prints it."""
    from contractgen.spec.schema import spec_schema

    return spec_schema()


@router.get("/clauses")
def clauses() -> list[dict[str, Any]]:
    """Every clause of the built-in library: id, version, title per language, family, languages."""
    library = _kit().library
    rows = []
    for cid in sorted(library.clauses):
        clause, source = library.clauses[cid], library.sources[cid]
        rows.append({"id": cid, "version": clause.version, "title": dict(clause.title), "family": source.family,
                     "languages": sorted({lang for v in clause.wordings() for lang in v.text}),
                     "in_layout": cid in library.layout})
    return rows
