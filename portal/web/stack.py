"""The middlewares wrapped around the whole app, outermost first (portal.py hands `protect` to
Reflex as an api_transformer, after the portal's own routes are mounted)."""

from __future__ import annotations

from starlette.types import ASGIApp

from portal.config import settings
from portal.web.headers import SecurityHeaders
from portal.web.metrics import HttpMetrics
from portal.web.request_context import RequestContext
from portal.web.session_digest import SessionCookieDigest
from portal.web.upload_guard import UploadGuard


def protect(app: ASGIApp) -> ASGIApp:
    guarded = SecurityHeaders(UploadGuard(SessionCookieDigest(app), max_bytes=settings.upload_max_bytes), settings)
    # The metrics just inside RequestContext: they count the upload gate's refusals too, and see the
    # scope the routers write the route into (RequestContext may hand on a copy, the others do not).
    return RequestContext(HttpMetrics(guarded), trusted_proxy_hops=settings.trusted_proxy_hops)
