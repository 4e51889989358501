"""The one JSON shape every error of the API answers with, and the answers the app and API share.

``error`` (a key of ``errors`` in web.yaml), ``message`` and ``hint`` in words, ``problems``
located as the CLI prints them (each with ``text``: the CLI's line), ``findings`` as
``validate --json`` lists them.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from contractgen.web import wording


def error_body(error: str, message: str = "", hint: str = "", problems: list[dict[str, Any]] | None = None,
               findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON every error answers with."""
    return {"error": error, "message": message, "hint": hint, "problems": problems or [], "findings": findings or []}


def error_response(status: int, error: str, headers: dict[str, str] | None = None, **parts: Any) -> JSONResponse:
    """An error answer with its status code."""
    return JSONResponse(error_body(error, **parts), status_code=status, headers=headers)


def too_large(size: int | None, limit: int) -> JSONResponse:
    """413: the body is larger than the server takes (``size`` None: more than the limit, still coming)."""
    shown = size if size is not None else f"> {limit}"
    return error_response(413, "too_large", message=wording.text("errors.too_large", size=shown, limit=limit),
                          hint=wording.text("errors.too_large_hint"))
