"""Security headers on every HTTP response of the app (issue 11, finding 10).

The Content-Security-Policy is what the built Reflex frontend needs and no more: its pages carry
inline scripts (the router's hydration data) and Reflex runs `rx.call_script` through `eval`, so
scripts need 'unsafe-inline' and 'unsafe-eval'; Radix and Emotion write inline styles. Everything
is loaded from the portal itself; the websocket is same-origin ('self' covers ws: and wss:).
Documents that are not HTML (PDFs, images, attachments) get only frame-ancestors, which is all
that applies to them and leaves the browser's PDF viewer working; an answer without a content
type (a 304 for a cached page, a 204) gets the page's policy.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.config import Settings

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
DOCUMENT_POLICY = "frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def common_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    """What every response carries, whatever it is (the CSP is added by content type)."""
    headers = [
        (b"x-frame-options", b"DENY"),
        # The password-reset link carries its token in the URL: no Referer may repeat it.
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if settings.is_https:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


class SecurityHeaders:
    """ASGI middleware: adds the headers above to each HTTP response, keeping any a route set."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.common = common_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": self._completed(list(message.get("headers", [])))}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _completed(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        added = [(name, value) for name, value in self.common if name not in present]
        content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
        # No content type: a 304 revalidating a cached page (the browser keeps its new headers) or an
        # empty answer; either way the page's policy, never a weaker one.
        document = content_type and not content_type.lower().startswith(b"text/html")
        policy = DOCUMENT_POLICY if document else PAGE_POLICY
        # A route's own policy (attachments: sandbox) stays; browsers enforce both.
        added.append((b"content-security-policy", policy.encode()))
        return headers + added
