"""The ASGI app of ``contractgen serve``: the API router behind a token check and a size limit.

Errors answer in the one JSON shape of :mod:`contractgen.web.replies`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from contractgen import __version__
from contractgen.spec.loader import MAX_BYTES
from contractgen.web import wording
from contractgen.web.jobs import BuildQueue
from contractgen.web.replies import error_response, too_large

API = "/api/v1"


@dataclass(frozen=True)
class ServerConfig:
    """How ``contractgen serve`` was started: the output folder, the token, the limits."""

    out_dir: Path
    token: str | None = None
    workers: int = 2
    waiting: int = 4
    timeout: float = 120.0
    max_bytes: int = MAX_BYTES
    retry_after: int = 10  # seconds a client is asked to wait when the queue is full


def create_app(config: ServerConfig) -> FastAPI:
    """The app: ``/api/v1`` (OpenAPI at ``/docs`` and ``/openapi.json``), every request token-checked."""
    from contractgen.web.api import router

    app = FastAPI(title=wording.text("api.title"), description=wording.text("api.description"),
                  version=__version__)
    app.state.config = config
    app.state.builds = BuildQueue(config.out_dir, config.workers, config.waiting, config.timeout)
    app.include_router(router, prefix=API)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Any:
        # The token first, so a stranger learns nothing (not even the size limit) without it.
        if config.token is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), config.token.encode()):
                return error_response(401, "token", {"WWW-Authenticate": "Bearer"}, message=wording.text("errors.token"))
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > config.max_bytes:
            return too_large(int(length), config.max_bytes)
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"message": e.get("msg", ""), "file": None, "line": None,
                     "field": ".".join(str(p) for p in e.get("loc", ())), "hint": None,
                     "text": wording.text("errors.parameter", message=e.get("msg", ""))} for e in exc.errors()]
        return error_response(422, "parameter", problems=problems)

    return app

