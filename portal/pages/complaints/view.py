"""What a complaint's page shows, for the customer and for the desk alike: the rows, the state
that reads one complaint (code in the URL) and hands out its files, and the page's parts."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx

from portal import i18n, routes
from portal.components.layout import column, row
from portal.components.ui import card
from portal.db import session_scope
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.complaints.filing import attachment_ticket
from portal.services.complaints.queries import (
    ComplaintDetail,
    ComplaintRow,
    access_complaint,
    access_complaint_attachment,
    detail_of,
)
from portal.services.requests.queries import account
from portal.state.i18n import tr
from portal.state.session import Audience, SessionState, guard
from portal.state.staging import size_text

# rx.match pairs: the badge's colour for each urgency (the words always say it too).
URGENCY_COLOURS = (("answered", "green"), ("on_time", "blue"), ("due_soon", "amber"), ("overdue", "red"))


@dataclasses.dataclass(frozen=True)
class ComplaintLine:
    """One complaint in a list."""

    code: str
    url: str
    subject: str
    customer: str
    received: str
    due: str
    urgency: str  # answered, on_time, due_soon, overdue
    status_label: str  # the urgency in words ("In scadenza — 8 giorni")


@dataclasses.dataclass(frozen=True)
class ComplaintInfo:
    code: str = ""
    subject: str = ""
    customer: str = ""
    contract: str = ""
    received: str = ""
    due: str = ""
    urgency: str = ""
    status_label: str = ""
    body: str = ""
    answered: bool = False
    answer: str = ""
    outcome: str = ""  # the outcome's code
    outcome_label: str = ""
    answered_on: str = ""


@dataclasses.dataclass(frozen=True)
class ComplaintFile:
    attachment_id: int
    name: str
    size: str


def status_words(row: ComplaintRow, lang: str, *, desk: bool) -> str:
    """The status as words: the customer reads open or answered; the desk also how near the deadline is."""
    if row.urgency == "answered":
        return i18n.translate(lang, "complaints.status.answered")
    if not desk:
        return i18n.translate(lang, "complaints.status.open")
    label = i18n.translate(lang, f"complaints.urgency.{row.urgency}")
    if row.days_left < 0:
        return label + " — " + i18n.translate(lang, "complaints.days_late", count=-row.days_left)
    return label + " — " + i18n.translate(lang, "complaints.days_left", count=row.days_left)


def complaint_line(row: ComplaintRow, lang: str, *, desk: bool) -> ComplaintLine:
    return ComplaintLine(
        code=row.code,
        url=routes.desk_complaint_url(row.code) if desk else routes.complaint_url(row.code),
        subject=row.subject,
        customer=row.customer_name,
        received=i18n.short_date(row.received_on, lang),
        due=i18n.short_date(row.due_on, lang),
        urgency=row.urgency,
        status_label=status_words(row, lang, desk=desk),
    )


class ComplaintViewState(SessionState, mixin=True):
    """One complaint (?codice=) as the page's reader may see it; each page names `_readers`."""

    _readers: ClassVar[Audience]
    _desk: ClassVar[bool] = False
    loaded: bool = False
    _code: str = ""
    _detail: ComplaintDetail | None = None  # plain data, no ORM rows

    def _read(self, principal: Principal) -> None:
        with session_scope() as db:
            user = account(session=db, user_id=principal.user_id)
            complaint = access_complaint(session=db, user=user, code=self._code)
            self._detail = (
                None if complaint is None else detail_of(session=db, complaint=complaint, today=clock.today())
            )

    def _open(self, principal: Principal) -> None:
        self._code = self._query_param("codice")[:30]
        self._read(principal)
        self.loaded = True

    @rx.event
    @guard("_readers")
    def download(self, principal: Principal, attachment_id: int):
        """A file of the complaint, through a one-time download ticket; the id is checked again
        against the complaint's owner (or the operator's company), whatever the browser sent."""
        try:
            wanted = int(attachment_id)
        except (TypeError, ValueError):
            return rx.toast.error(self._t("complaints.file_missing"))
        with session_scope() as db:
            user = account(session=db, user_id=principal.user_id)
            attachment = access_complaint_attachment(session=db, user=user, attachment_id=wanted)
            if attachment is None:
                return rx.toast.error(self._t("complaints.file_missing"))
            name = attachment.display_name
            token = attachment_ticket(session=db, attachment=attachment, user_id=principal.user_id, now=clock.now())
        return rx.download(url=routes.download_url(token), filename=name)

    @rx.var
    def found(self) -> bool:
        return self._detail is not None

    @rx.var
    def info(self) -> ComplaintInfo:
        detail, lang = self._detail, self.lang
        if detail is None:
            return ComplaintInfo()
        row = detail.row
        outcome = row.outcome.value if row.outcome else ""
        return ComplaintInfo(
            code=row.code,
            subject=row.subject,
            customer=row.customer_name,
            contract=detail.contract_number,
            received=i18n.long_date(row.received_on, lang),
            due=i18n.long_date(row.due_on, lang),
            urgency=row.urgency,
            status_label=status_words(row, lang, desk=self._desk),
            body=detail.body,
            answered=row.answered_on is not None,
            answer=detail.answer,
            outcome=outcome,
            outcome_label=i18n.translate(lang, f"complaints.outcome.{outcome}") if outcome else "",
            answered_on=i18n.long_date(row.answered_on, lang) if row.answered_on else "",
        )

    @rx.var
    def files(self) -> list[ComplaintFile]:
        if self._detail is None:
            return []
        return [
            ComplaintFile(attachment_id=f.attachment_id, name=f.display_name, size=size_text(f.size_bytes, self.lang))
            for f in self._detail.files
        ]


def urgency_badge(urgency, label, **props) -> rx.Component:
    colour = rx.match(urgency, *URGENCY_COLOURS, "gray")
    return rx.badge(label, color_scheme=colour, **props)  # pyright: ignore[reportArgumentType]


def _pair(label_key: str, value, value_id: str) -> rx.Component:
    return rx.fragment(rx.el.dt(tr(label_key)), rx.el.dd(value, id=value_id))


def summary_card(state, *, show_customer: bool) -> rx.Component:
    info = state.info
    pairs = [
        _pair("complaints.code", info.code, "complaint-code"),
        _pair("complaints.received", info.received, "complaint-received"),
        _pair("complaints.due", info.due, "complaint-due"),
    ]
    if show_customer:
        pairs.insert(1, _pair("operator.name", info.customer, "complaint-customer"))
    return card(
        row(
            rx.heading(info.subject, as_="h2", size="5"),
            urgency_badge(info.urgency, info.status_label, size="2", id="complaint-status"),
        ),
        rx.el.dl(
            *pairs,
            rx.cond(info.contract != "", _pair("complaints.contract", info.contract, "complaint-contract")),
            display="grid",
            grid_template_columns="auto 1fr",
            column_gap="1.5rem",
            row_gap="0.35rem",
            margin_top="0.75rem",
        ),
        rx.cond(
            ~info.answered,
            rx.text(tr("complaints.deadline_note"), " ", rx.el.strong(info.due), size="2", margin_top="0.75rem"),
        ),
    )


def _file_button(state, item: ComplaintFile) -> rx.Component:
    return rx.button(
        rx.icon("paperclip", size=14, aria_hidden="true"),
        item.name,
        rx.text(item.size, size="1", color_scheme="gray", as_="span"),
        variant="ghost",
        size="2",
        type="button",
        class_name="complaint-file",
        on_click=state.download(item.attachment_id),
    )


def text_card(state) -> rx.Component:
    return card(
        rx.heading(tr("complaints.text"), as_="h2", size="4"),
        rx.text(state.info.body, white_space="pre-wrap", id="complaint-body", margin_top="0.5rem"),
        rx.cond(
            state.files.length() > 0,
            column(
                rx.heading(tr("complaints.files"), as_="h3", size="3"),
                rx.foreach(state.files, lambda item: _file_button(state, item)),
                gap="2",
                margin_top="0.75rem",
                align="start",
            ),
        ),
    )


def answer_card(state) -> rx.Component:
    info = state.info
    return card(
        rx.heading(tr("complaints.answer_title"), as_="h2", size="4"),
        rx.el.dl(
            _pair("complaints.outcome", urgency_badge("answered", info.outcome_label), "complaint-outcome"),
            _pair("complaints.answered_on", info.answered_on, "complaint-answered-on"),
            display="grid",
            grid_template_columns="auto 1fr",
            column_gap="1.5rem",
            row_gap="0.35rem",
            margin_top="0.5rem",
        ),
        rx.text(info.answer, white_space="pre-wrap", id="complaint-answer", margin_top="0.75rem"),
        id="complaint-answer-card",
    )


def abf_box() -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text(tr("complaints.abf_box_title"), weight="bold"),
            rx.text(tr("complaints.abf_box_text")),
            rx.hstack(
                rx.link(tr("complaints.abf_more"), href=routes.ABF, id="abf-page-link"),
                rx.link(
                    "www.arbitrobancariofinanziario.it",
                    href="https://www.arbitrobancariofinanziario.it",
                    is_external=True,
                ),
                spacing="4",
                wrap="wrap",
            ),
            spacing="2",
        ),
        icon="scale",
        color_scheme="blue",
        id="abf-box",
        width="100%",
    )
