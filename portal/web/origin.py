"""Is a state-changing request the portal's own page talking? (login and logout CSRF, issue 11)

Browsers send Origin on every POST made by fetch and Sec-Fetch-Site on every request; a forged
cross-site form can send neither a foreign-looking Origin that passes, nor a JSON Content-Type
(that would need a CORS preflight, which only the portal's own origins pass)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from portal.config import Settings


def origin_of(url: str) -> str:
    """scheme://host[:port], lower case, as browsers write the Origin header ("" if not a URL)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def portal_origins(settings: Settings) -> frozenset[str]:
    return frozenset(o for o in (origin_of(url) for url in (*settings.allowed_origins, settings.public_url)) if o)


def same_origin(headers: Mapping[str, str], allowed: Iterable[str]) -> bool:
    """True for a request the portal's own page sent: an Origin among the portal's, or no Origin
    and Sec-Fetch-Site "same-origin"; never a cross-site request, never one that says nothing."""
    fetch_site = headers.get("sec-fetch-site", "").strip().lower()
    if fetch_site == "cross-site":
        return False
    origin = headers.get("origin", "").strip().lower()
    if origin:
        return origin in set(allowed)
    return fetch_site == "same-origin"


def is_json(headers: Mapping[str, str]) -> bool:
    """The body is declared as JSON (application/json, with or without parameters)."""
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media == "application/json"
