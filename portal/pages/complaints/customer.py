"""Reclami, the customer's side: the list of their complaints, the form that files one (subject,
contract, text, files), a complaint's page with the answer, and the page explaining the ABF."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx

from portal import i18n, routes
from portal.components.attachments import attachment_picker
from portal.components.fields import REQUIRED_MARK, error_text, form, labelled, select
from portal.components.filters import contract_search
from portal.components.layout import actions, column, page_body
from portal.components.shell import template
from portal.components.ui import alert, back_link, card, data_table, empty, link_button, page_header
from portal.config import settings
from portal.db import session_scope
from portal.pages.complaints.view import (
    ComplaintLine,
    ComplaintViewState,
    abf_box,
    answer_card,
    complaint_line,
    summary_card,
    text_card,
    urgency_badge,
)
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.common.text import form_texts
from portal.services.complaints.filing import BODY_MAX, MAX_FILES, SUBJECT_MAX, ComplaintRefused, file_complaint
from portal.services.complaints.queries import ComplaintRow, customer_complaints
from portal.services.requests.form_engine import AttachmentRule
from portal.services.requests.queries import account
from portal.state.contract_choices import ContractChoicesState
from portal.state.i18n import tr
from portal.state.rows import Option
from portal.state.session import CUSTOMER, SIGNED_IN, Audience, SessionState, guard, redirect_to
from portal.state.staging import StagingState

COMPLAINT_FILES = AttachmentRule(kinds=("image", "pdf"), max_files=MAX_FILES)
TO_DESK = redirect_to(routes.DESK_COMPLAINTS)


class ComplaintsState(SessionState):
    loaded: bool = False
    _rows: list[ComplaintRow] = []

    @rx.event
    @guard(CUSTOMER, otherwise=TO_DESK)
    def load(self, principal: Principal):
        with session_scope() as db:
            self._rows = customer_complaints(
                session=db, scope=principal.customer_scope, user_id=principal.user_id, today=clock.today()
            )
        self.loaded = True

    @rx.var
    def rows(self) -> list[ComplaintLine]:
        return [complaint_line(row, self.lang, desk=False) for row in self._rows]


def complaint_row(line: ComplaintLine) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(line.code, href=line.url)),
        rx.el.td(line.subject),
        rx.el.td(line.received),
        rx.el.td(line.due),
        rx.el.td(urgency_badge(line.urgency, line.status_label)),
        class_name="complaint-row",
    )


COLUMNS = [
    ("complaints.code", False),
    ("complaints.subject", False),
    ("complaints.received", False),
    ("complaints.due", False),
    ("complaints.status", False),
]


@template(route=routes.COMPLAINTS, title_key="complaints.title", on_load=ComplaintsState.load)
def complaints() -> rx.Component:
    state = ComplaintsState
    table = data_table(state.rows, complaint_row, columns=COLUMNS, label=tr("complaints.title"), table_id="complaints")
    return page_body(
        state.loaded,
        page_header(tr("complaints.title"), link_button("plus", tr("complaints.new"), routes.NEW_COMPLAINT)),
        rx.text(tr("complaints.intro"), color_scheme="gray"),
        card(rx.cond(state.rows.length() > 0, table, empty(tr("complaints.empty")))),
        rx.link(tr("complaints.abf_more"), href=routes.ABF, id="complaints-abf-link"),
    )


# Filing -----------------------------------------------------------------------------------------


class NewComplaintState(StagingState, ContractChoicesState, SessionState):
    _readers: ClassVar[Audience] = CUSTOMER
    loaded: bool = False
    form_error: str = ""

    def _rule(self) -> AttachmentRule | None:
        return COMPLAINT_FILES

    def _chosen_number(self) -> str:
        return ""

    @rx.event
    @guard(CUSTOMER, otherwise=TO_DESK)
    def load(self, principal: Principal):
        self.form_error = ""
        self._discard_staged()
        with session_scope() as db:
            self._read_choices(db, principal.customer_scope)
        self.loaded = True

    @rx.event
    @guard(CUSTOMER, otherwise=TO_DESK)
    def submit(self, principal: Principal, form_data: dict):
        texts, refused = form_texts(form_data, ("subject", "contract", "body"), multiline=("body",))
        if refused:
            self.form_error = self._t(next(iter(refused.values())))
            return None
        try:
            with session_scope() as db:
                complaint = file_complaint(
                    session=db,
                    author=account(session=db, user_id=principal.user_id),
                    scope=principal.customer_scope,
                    subject=texts["subject"],
                    body=texts["body"],
                    contract_number=texts["contract"].strip(),
                    now=clock.now(),
                    today=clock.today(),
                    public_url=settings.public_url,
                    staged=self._claim_staged(),
                )
                code, due = complaint.code, complaint.due_on
        except ComplaintRefused as refusal:
            self.form_error = self._t(refusal.key, count=MAX_FILES)
            return None
        self._staged_sent()  # committed: the files are the complaint's now
        self.form_error = ""
        message = self._t("complaints.filed", code=code, due=i18n.long_date(due, self.lang))
        return [rx.redirect(routes.complaint_url(code)), rx.toast.success(message)]

    @rx.var
    def contract_options(self) -> list[Option]:
        return [
            Option(value=c.number, label=f"{c.number} · {i18n.product_name(self.lang, c.product_code, c.product)}")
            for c in self._choices
        ]


def _required_label(key: str, field_id: str) -> rx.Component:
    return rx.el.label(rx.text(tr(key), REQUIRED_MARK, size="2", weight="medium"), html_for=field_id)


@template(route=routes.NEW_COMPLAINT, title_key="complaints.new_title", on_load=NewComplaintState.load)
def new_complaint() -> rx.Component:
    state = NewComplaintState
    subject = rx.input(
        id="complaint-subject", name="subject", max_length=SUBJECT_MAX, required=True, aria_required="true"
    )
    contract = select(
        "complaint-contract", state.contract_options, first=(tr("complaints.no_contract"), ""), name="contract"
    )
    body = rx.text_area(
        id="complaint-text",
        name="body",
        rows="8",
        max_length=BODY_MAX,
        required=True,
        aria_required="true",
        aria_describedby="complaint-text-hint",
        width="100%",
    )
    send = rx.button(tr("complaints.send"), type="submit", id="complaint-submit")
    cancel = link_button("x", tr("requests.cancel"), routes.COMPLAINTS, color_scheme="gray")
    return page_body(
        state.loaded,
        back_link("complaints.back", routes.COMPLAINTS),
        rx.heading(tr("complaints.new_title"), as_="h1", size="7"),
        rx.text(tr("complaints.new_intro"), color_scheme="gray"),
        card(
            form(
                column(
                    rx.vstack(_required_label("complaints.subject", "complaint-subject"), subject, width="100%"),
                    contract_search(state, "complaint-contract-search", max_width="420px"),
                    rx.cond(
                        state.has_contracts,
                        labelled("complaint-contract", tr("complaints.contract_optional"), contract),
                    ),
                    rx.vstack(
                        _required_label("complaints.text", "complaint-text"),
                        body,
                        rx.text(tr("complaints.text_hint"), id="complaint-text-hint", size="1", color_scheme="gray"),
                        width="100%",
                    ),
                    rx.text(tr("complaints.files"), size="2", weight="medium"),
                    attachment_picker(state, "complaint-files"),
                    error_text(state.form_error, "complaint-error"),
                    actions(cancel, send),
                    gap="3",
                ),
                on_submit=state.submit,
            ),
            max_width="720px",
        ),
    )


# One complaint --------------------------------------------------------------------------------


class ComplaintDetailState(ComplaintViewState, SessionState):
    _readers: ClassVar[Audience] = CUSTOMER

    @rx.event
    @guard(CUSTOMER, otherwise=lambda state: rx.redirect(routes.desk_complaint_url(state._query_param("codice"))))
    def load(self, principal: Principal):
        self._open(principal)


@template(route=routes.COMPLAINT_DETAIL, title_key="complaints.detail_title", on_load=ComplaintDetailState.load)
def complaint_detail() -> rx.Component:
    state = ComplaintDetailState
    return page_body(
        state.loaded,
        back_link("complaints.back", routes.COMPLAINTS),
        rx.cond(
            state.found,
            column(
                rx.heading(tr("complaints.detail_title"), " ", state.info.code, as_="h1", size="7"),
                summary_card(state, show_customer=False),
                text_card(state),
                rx.cond(
                    state.info.answered,
                    column(answer_card(state), abf_box(), gap="4"),
                    rx.callout(tr("complaints.waiting"), icon="clock", color_scheme="gray", id="complaint-waiting"),
                ),
                gap="4",
            ),
            alert(tr("complaints.not_found"), "complaint-not-found"),
        ),
    )


# The ABF ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AbfSection:
    title_key: str
    paragraph_keys: tuple[str, ...]


ABF_SECTIONS = (
    AbfSection("abf.what_title", ("abf.what_1", "abf.what_2")),
    AbfSection("abf.when_title", ("abf.when_1", "abf.when_2", "abf.when_3")),
    AbfSection("abf.limits_title", ("abf.limits_1", "abf.limits_2", "abf.limits_3")),
    AbfSection("abf.how_title", ("abf.how_1", "abf.how_2", "abf.how_3")),
)


class AbfState(SessionState):
    loaded: bool = False

    @rx.event
    @guard(SIGNED_IN)
    def load(self, principal: Principal):
        self.loaded = True


def _section(section: AbfSection) -> rx.Component:
    return card(
        rx.heading(tr(section.title_key), as_="h2", size="5"),
        *[rx.text(tr(key), margin_top="0.5rem") for key in section.paragraph_keys],
    )


@template(route=routes.ABF, title_key="abf.title", on_load=AbfState.load)
def abf() -> rx.Component:
    return page_body(
        AbfState.loaded,
        back_link("complaints.back", routes.COMPLAINTS),
        rx.heading(tr("abf.title"), as_="h1", size="7"),
        rx.text(tr("abf.intro")),
        *[_section(section) for section in ABF_SECTIONS],
        rx.text(
            tr("abf.site"),
            " ",
            rx.link(
                "www.arbitrobancariofinanziario.it",
                href="https://www.arbitrobancariofinanziario.it",
                is_external=True,
                id="abf-site-link",
            ),
        ),
    )
