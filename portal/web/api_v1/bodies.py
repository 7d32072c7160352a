"""Request bodies read within a limit: a declared Content-Length above it is refused before
anything is read, and a body that runs past it (sent chunked, or longer than declared) is refused
as soon as it does, so a client never makes the server hold or store more than the limit."""

from __future__ import annotations

from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import Response

from portal.web.api_v1.problems import problem


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _declared_too_large(request: Request, limit: int) -> Response | None:
    declared = request.headers.get("content-length")
    if declared is None:
        return None
    if not declared.strip().isdigit():
        return problem(400, "Content-Length is not a number")
    return _too_large(limit) if int(declared) > limit else None


def _too_large(limit: int) -> Response:
    return problem(413, f"the body is larger than this API accepts ({limit} bytes)")


async def read_limited(request: Request, limit: int) -> bytes | Response:
    """The whole body, or the 413 (400) to answer."""
    refused = _declared_too_large(request, limit)
    if refused is not None:
        return refused
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def spool_limited(request: Request, limit: int, path: Path) -> Response | None:
    """Write the body to `path` as it arrives; the 413 (400) to answer, or None when written."""
    refused = _declared_too_large(request, limit)
    if refused is not None:
        return refused
    size = 0
    async with await anyio.open_file(path, "wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return _too_large(limit)
            await out.write(chunk)
    return None
