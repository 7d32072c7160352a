"""HTTP routes next to Reflex's websocket, for what must not travel through UI state.

Each route authenticates with the portal's own session cookie (sent by the browser on
same-origin requests) and answers only about the signed-in user.
"""

from __future__ import annotations

import html

import segno
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from portal.db import session_scope
from portal.models import Tenant, UserAccount
from portal.services import clock, downloads, two_factor
from portal.services.sessions import resolve_session
from portal.state.session import POLICY, SESSION_COOKIE

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _signed_in_user(request: Request, db) -> UserAccount | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    return resolve_session(session=db, token=token, now=clock.now(), policy=POLICY) if token else None


def _grouped_lines(secret: str) -> list[str]:
    """The key in groups of four, four groups a line, as authenticator apps display it."""
    groups = [secret[i:i + 4] for i in range(0, len(secret), 4)]
    return [" ".join(groups[i:i + 4]) for i in range(0, len(groups), 4)]


async def totp_qr(request: Request) -> Response:
    """The QR code of a pending authenticator enrolment, with the key to type by hand."""
    with session_scope() as db:
        user = _signed_in_user(request, db)
        if user is None or not user.totp_pending_secret:
            return Response(status_code=404, headers=NO_STORE)
        tenant = db.get(Tenant, user.tenant_id)
        uri = two_factor.provisioning_uri(user=user, issuer=tenant.name)
        secret = user.totp_pending_secret
    qr = segno.make(uri, error="m")
    width, height = qr.symbol_size(scale=6, border=2)
    code = qr.svg_inline(scale=6, border=2, dark="#111111", light="#ffffff", omitsize=False)
    lines = _grouped_lines(secret)
    text = "".join(
        f'<text x="{width / 2}" y="{height + 18 + 18 * index}" text-anchor="middle" font-family="monospace" '
        f'font-size="14" fill="#111111">{html.escape(line)}</text>'
        for index, line in enumerate(lines)
    )
    total = height + 18 * len(lines) + 10
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" viewBox="0 0 {width} {total}">'
        f'<rect width="100%" height="100%" fill="#ffffff"/>{code}{text}</svg>'
    )
    return Response(svg, media_type="image/svg+xml", headers=NO_STORE)


async def download(request: Request) -> Response:
    """A generated file, for the user its ticket was made for, once. The file stays until the
    ticket expires (see downloads.purge_expired): the server may still be sending it from disk
    after this handler has returned."""
    with session_scope() as db:
        user = _signed_in_user(request, db)
        found = None
        if user is not None:
            found = downloads.redeem(session=db, token=request.path_params["token"], user_id=user.id, now=clock.now())
    if found is None:
        return Response(status_code=404, headers=NO_STORE)
    return FileResponse(
        found.path,
        media_type=found.content_type,
        filename=found.filename,
        headers=NO_STORE,
    )


api = Starlette(routes=[
    Route("/api/totp/qr.svg", totp_qr),
    Route("/api/download/{token}", download),
])
