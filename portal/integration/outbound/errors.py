"""What the outbound services refuse, in three kinds an HTTP layer maps to 404, 400 and 409."""

from __future__ import annotations


class OutboundError(Exception):
    """A refusal; nothing was changed. `str(error)` is safe to show to the core system."""


class NotFound(OutboundError, LookupError):
    """No such request or attachment in this tenant (another tenant's is not found either)."""


class InvalidInput(OutboundError, ValueError):
    """A malformed cursor, limit, consumer, status code or message."""


class Refused(OutboundError):
    """A well-formed change the request's state does not allow."""
