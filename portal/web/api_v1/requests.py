"""The customers' requests handed to the core system (docs/INTEGRATION.md §8): the feed, its
acknowledgement, a request's file and status changes, as thin HTTP over portal/integration/outbound
in the leasing company of the caller's key (never one the request names).

The consumer, whose acknowledged point a feed read starts from and an acknowledgement moves, is the
key's name unless the call names one (`consumer`): two integrations with keys of their own never
move each other's point, and one that replaces its key keeps its point by naming its consumer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from portal.config import settings
from portal.db import session_scope
from portal.integration import keys
from portal.integration.outbound import feed, status
from portal.integration.outbound.errors import InvalidInput, NotFound
from portal.services.common import clock
from portal.services.requests.file_kinds import KINDS
from portal.web.api_v1.auth import authorize
from portal.web.api_v1.bodies import media_type, read_limited
from portal.web.api_v1.imports import FLAGS, JSON, refuse_constant
from portal.web.api_v1.problems import NO_STORE, problem

# What the outbound services accept, checked here as strictly as the OpenAPI document states it
# (openapi_requests.py uses these patterns): the services themselves forgive blanks around a cursor.
CURSOR = "0|[1-9][0-9]{0,17}"
CONSUMER = "[A-Za-z0-9][A-Za-z0-9._-]{0,59}"
LIMIT = "[0-9]{1,4}"
FEED_PARAMETERS = ("since", "limit", "consumer", "replay")
# A file goes with its stored type only if it is a type the portal accepts at upload (checked by
# content then); any other type, which nothing should have stored, goes as opaque bytes.
SAFE_TYPES = frozenset().union(*(types for types, _ in KINDS.values()))
OPAQUE = "application/octet-stream"


class _Refused(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def anchored(pattern: str) -> str:
    """The pattern as a JSON Schema writes it (JSON Schema's `pattern` is unanchored)."""
    return f"^({pattern})$"


def _matches(pattern: str, value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(pattern, value) is not None


def _consumer(caller: keys.Caller, given: Any) -> str:
    if given is None:
        if not _matches(CONSUMER, caller.name):
            raise _Refused("this key's name is longer than a consumer name may be (60): name the consumer")
        return caller.name
    if not _matches(CONSUMER, given):
        raise _Refused("consumer: 1 to 60 letters, digits, '.', '-' or '_', starting with a letter or digit")
    return given


def _cursor(name: str, value: Any) -> str:
    if not _matches(CURSOR, value):
        raise _Refused(f'{name}: the decimal number of an event, as a string ("42")')
    return value


def _feed_options(request: Request, caller: keys.Caller) -> dict[str, Any]:
    params = request.query_params
    unknown = sorted(set(params) - set(FEED_PARAMETERS))
    if unknown:
        raise _Refused(f"unknown parameter {unknown[0][:40]!r}: the parameters are {', '.join(FEED_PARAMETERS)}")
    repeated = [name for name in FEED_PARAMETERS if len(params.getlist(name)) > 1]
    if repeated:
        raise _Refused(f"{repeated[0]} is given more than once")
    limit = params.get("limit", str(feed.DEFAULT_LIMIT))
    if not _matches(LIMIT, limit) or not 1 <= int(limit) <= feed.MAX_LIMIT:
        raise _Refused(f"limit: a whole number from 1 to {feed.MAX_LIMIT}")
    replay = FLAGS.get(params.get("replay", "false"))
    if replay is None:
        raise _Refused("replay: true, false, 1 or 0")
    since = params.get("since")
    return {
        "since": None if since is None else _cursor("since", since),
        "limit": int(limit),
        "consumer": _consumer(caller, params.get("consumer")),
        "replay": replay,
    }


async def _json_object(request: Request, fields: dict[str, bool]) -> dict[str, Any] | Response:
    """The body as a JSON object of those fields (name: required), or the answer to send."""
    if media_type(request) != JSON:
        return problem(415, f"send the body as {JSON}")
    body = await read_limited(request, settings.api_json_max_bytes)
    if isinstance(body, Response):
        return body
    try:
        data = json.loads(body, parse_constant=refuse_constant)
    except (ValueError, RecursionError):
        return problem(400, "the body is not valid JSON")
    if not isinstance(data, dict):
        return problem(400, "the body must be a JSON object")
    unknown = sorted(set(data) - fields.keys())
    missing = [name for name, required in fields.items() if required and name not in data]
    if unknown or missing:
        named = ", ".join(f"{name} (required)" if required else name for name, required in fields.items())
        return problem(400, f"the body's fields are {named}")
    return data


def _answer(work: Callable[[], dict[str, Any]]) -> Response:
    try:
        return JSONResponse(work(), headers=NO_STORE)
    except _Refused as refused:
        return problem(400, refused.detail)
    except InvalidInput as error:
        return problem(400, str(error))
    except NotFound as error:
        return problem(404, str(error))


def _read_feed(caller: keys.Caller, request: Request) -> dict[str, Any]:
    options = _feed_options(request, caller)
    with session_scope() as db:
        return feed.feed(db, tenant_id=caller.tenant_id, **options)


async def get_feed(request: Request) -> Response:
    """GET /api/v1/requests: the events after a cursor, with the requests they touched."""
    caller = await authorize(request, keys.REQUESTS_READ)
    if isinstance(caller, Response):
        return caller
    return await run_in_threadpool(_answer, lambda: _read_feed(caller, request))


def _acknowledge(caller: keys.Caller, data: dict[str, Any]) -> dict[str, Any]:
    if "consumer" in data and not isinstance(data["consumer"], str):  # null is not "absent"
        raise _Refused("consumer: a name, as a string")
    cursor, consumer = _cursor("cursor", data["cursor"]), _consumer(caller, data.get("consumer"))
    with session_scope() as db:
        return feed.acknowledge(db, tenant_id=caller.tenant_id, cursor=cursor, consumer=consumer, now=clock.now())


async def post_ack(request: Request) -> Response:
    """POST /api/v1/requests/ack: the consumer has stored every event up to the cursor."""
    caller = await authorize(request, keys.REQUESTS_READ)
    if isinstance(caller, Response):
        return caller
    data = await _json_object(request, {"cursor": True, "consumer": False})
    if isinstance(data, Response):
        return data
    return await run_in_threadpool(_answer, lambda: _acknowledge(caller, data))


def _change_status(caller: keys.Caller, code: str, data: dict[str, Any]) -> dict[str, Any]:
    wanted, message, reference = data["status"], data.get("message", ""), data.get("reference")
    # As the OpenAPI document says, to the letter: the service would also take a longer message
    # that its blanks bring back within the limit.
    if not isinstance(wanted, str) or wanted not in {settable.value for settable in status.SETTABLE}:
        raise _Refused(f"status must be one of {', '.join(s.value for s in status.SETTABLE)}")
    if not isinstance(message, str) or len(message) > status.MAX_MESSAGE:
        raise _Refused(f"message: text of at most {status.MAX_MESSAGE} characters")
    with session_scope() as db:
        return status.apply_status(
            db,
            tenant_id=caller.tenant_id,
            code=code,
            status=wanted,
            message=message,
            reference=reference,
            now=clock.now(),
            public_url=settings.public_url,
        )


async def post_status(request: Request) -> Response:
    """POST /api/v1/requests/{code}/status: a status change, optionally with a message to the customer."""
    caller = await authorize(request, keys.REQUESTS_WRITE)
    if isinstance(caller, Response):
        return caller
    data = await _json_object(request, {"status": True, "message": False, "reference": False})
    if isinstance(data, Response):
        return data
    code = request.path_params["code"]
    return await run_in_threadpool(_answer, lambda: _change_status(caller, code, data))


def _find_file(caller: keys.Caller, code: str, attachment_id: int) -> feed.AttachmentFile:
    with session_scope() as db:
        return feed.attachment(db, tenant_id=caller.tenant_id, code=code, attachment_id=attachment_id)


async def get_attachment(request: Request) -> Response:
    """GET /api/v1/requests/{code}/attachments/{id}: the file's bytes, streamed, always as a
    download; its stored type only when a browser would not run it as a page of the portal."""
    caller = await authorize(request, keys.REQUESTS_READ)
    if isinstance(caller, Response):
        return caller
    code, attachment_id = request.path_params["code"], request.path_params["attachment_id"]
    if not re.fullmatch("[0-9]{1,18}", attachment_id):
        return problem(404, f"no attachment {attachment_id[:40]!r} of request {code[:40]!r}")
    try:
        found = await run_in_threadpool(_find_file, caller, code, int(attachment_id))
    except NotFound as error:
        return problem(404, str(error))
    media = found.content_type if found.content_type in SAFE_TYPES else OPAQUE
    return FileResponse(
        found.path,
        media_type=media,
        filename=found.name,
        content_disposition_type="attachment",
        headers={**NO_STORE, "Content-Security-Policy": "sandbox"},
    )
