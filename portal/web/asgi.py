"""Reading an ASGI request's headers, for the middlewares of this package."""

from __future__ import annotations

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> str | None:
    """Header `name` (lower case) of the request; repeated headers joined as HTTP joins them
    (cookies with "; ", others with ","); None when the request has none."""
    values = [value for key, value in scope.get("headers", []) if key.lower() == name]
    if not values:
        return None
    joiner = b"; " if name == b"cookie" else b","
    return joiner.join(values).decode("latin-1")
