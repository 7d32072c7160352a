"""What the outbound services refuse, in two kinds an HTTP layer maps to 404 and 400."""

from __future__ import annotations


class OutboundError(Exception):
    """A refusal; nothing was changed. `str(error)` is safe to show to the core system."""


class NotFound(OutboundError, LookupError):
    """No such request or attachment in this tenant (another tenant's is not found either)."""


class InvalidInput(OutboundError, ValueError):
    """A malformed cursor, limit, consumer, status code or message."""
