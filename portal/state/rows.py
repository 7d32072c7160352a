"""Typed rows several pages show (a page's own rows live beside its state)."""

from __future__ import annotations

import dataclasses

from portal import i18n
from portal.models.enums import RequestStatus


@dataclasses.dataclass(frozen=True)
class Option:
    """One choice of a select: the value sent back, and the words shown."""

    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class RequestLine:
    """A request in a list (Home, Richieste, the service desk)."""

    code: str
    title: str
    customer: str  # the customer's name, for the service desk
    status: str  # the RequestStatus code, for the badge's colour
    status_label: str
    updated: str
    url: str


def request_line(
    *, code: str, title: str, status: RequestStatus, updated: str, url: str, lang: str, customer: str = ""
) -> RequestLine:
    """A RequestLine, its status worded in `lang`."""
    return RequestLine(
        code=code,
        title=title,
        customer=customer,
        status=status.value,
        status_label=i18n.translate(lang, f"request_status.{status.value}"),
        updated=updated,
        url=url,
    )
