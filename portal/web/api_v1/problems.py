"""The API's error answers: RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from http import HTTPStatus

from starlette.responses import JSONResponse

PROBLEM = "application/problem+json"
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers={**NO_STORE, **(headers or {})})
