"""Typed rows several pages show (a page's own rows live beside its state)."""

from __future__ import annotations

import dataclasses

from portal import i18n, routes
from portal.services.requests.form_engine import FormDefinition
from portal.services.requests.queries import RequestRow


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


def request_line(request: RequestRow, *, url: str, lang: str, customer: str = "") -> RequestLine:
    """A request (a list's plain row of it) as the lists show it, worded in `lang`."""
    return RequestLine(
        code=request.code,
        title=request.title,
        customer=customer,
        status=request.status.value,
        status_label=i18n.translate(lang, f"request_status.{request.status.value}"),
        updated=i18n.date_time(request.updated_at, lang),
        url=url,
    )


@dataclasses.dataclass(frozen=True)
class FormLink:
    """A self-service form to start (Home's panel, the cards of Richieste), worded in `lang`."""

    key: str
    title: str
    description: str
    icon: str
    url: str
    aria: str  # the link's name for screen readers: the action and the form's title


def form_link(form: FormDefinition, lang: str) -> FormLink:
    title = form.title(lang)
    return FormLink(
        key=form.key,
        title=title,
        description=form.description(lang),
        icon=form.icon,
        url=routes.new_request_url(form.key),
        aria=i18n.translate(lang, "requests.make_for", title=title),
    )
