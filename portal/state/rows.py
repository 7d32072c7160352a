"""Typed rows several pages show (a page's own rows live beside its state)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from portal import i18n, routes
from portal.services.common import clock
from portal.services.requests.deadlines import DeadlineState, deadline_state
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
    due: str = ""  # the legal deadline's day (art. 119 TUB), "" without one
    due_state: str = ""  # a DeadlineState code: "due_soon", "overdue" warn
    due_label: str = ""  # the warning's words ("In scadenza", "Scaduto"): never colour alone


@dataclasses.dataclass(frozen=True)
class DueDate:
    """A request's legal deadline as the pages show it."""

    due: str = ""
    state: str = ""
    label: str = ""


def due_date(due_on: dt.date | None, *, is_open: bool, lang: str) -> DueDate:
    """The deadline's day and, when it is near or past on an open request, the warning's words."""
    if due_on is None:
        return DueDate()
    state = deadline_state(due_on=due_on, today=clock.today(), is_open=is_open)
    warns = state in (DeadlineState.DUE_SOON, DeadlineState.OVERDUE)
    return DueDate(
        due=i18n.short_date(due_on, lang),
        state=state.value,
        label=i18n.translate(lang, f"deadline.{state.value}") if warns else "",
    )


def request_line(request: RequestRow, *, url: str, lang: str, customer: str = "") -> RequestLine:
    """A request (a list's plain row of it) as the lists show it, worded in `lang`."""
    due = due_date(request.due_on, is_open=request.status.is_open, lang=lang)
    return RequestLine(
        code=request.code,
        title=request.title,
        customer=customer,
        status=request.status.value,
        status_label=i18n.translate(lang, f"request_status.{request.status.value}"),
        updated=i18n.date_time(request.updated_at, lang),
        url=url,
        due=due.due,
        due_state=due.state,
        due_label=due.label,
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
