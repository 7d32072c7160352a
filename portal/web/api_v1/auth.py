"""Who calls the API: `Authorization: Bearer <token>` of a live API key holding the route's scope.

Every failed attempt gets the same 401, whether the header is missing, the token malformed, unknown
or revoked: the answer never says which. Failed attempts are counted per client address (the
portal's rate limiter, services/common/throttle.py, action "api_key"): past the limit they get 429.
A valid key is never refused by that limit. A key acts only on its own leasing company's data: the
routes take the tenant from the key, never from the request.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from portal.db import session_scope
from portal.integration import keys
from portal.services.common import clock, throttle
from portal.web.api_v1.problems import problem

REALM = "portal-api"
CHALLENGE = f'Bearer realm="{REALM}"'
RETRY_AFTER_SECONDS = 60  # the limit's window (throttle.DEFAULT_RULES["api_key"])


def bearer_token(request: Request) -> str:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def _resolve(token: str) -> keys.Caller | None:
    if not token:
        return None
    with session_scope() as db:
        return keys.resolve(session=db, token=token, now=clock.now())


async def authorize(request: Request, scope: str) -> keys.Caller | Response:
    """The caller's key when it is live and holds `scope`; otherwise the answer to send (401, 403, 429)."""
    caller = await run_in_threadpool(_resolve, bearer_token(request))
    if caller is None:
        client = request.client.host if request.client else ""
        if not throttle.allow("api_key", client=client, subject=""):
            return problem(
                429, "too many failed attempts from this address: wait", {"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
        return problem(
            401, "a valid API key is required as `Authorization: Bearer <token>`", {"WWW-Authenticate": CHALLENGE}
        )
    if scope not in caller.scopes:
        challenge = f'{CHALLENGE}, error="insufficient_scope", scope="{scope}"'
        return problem(403, f"this API key does not hold the scope {scope}", {"WWW-Authenticate": challenge})
    return caller
