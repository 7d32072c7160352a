"""Service desk, Documenti (issue 15): for one customer, publish a PDF (optionally for one of its
contracts), ask for a document with a deadline, and accept or reject what the customer sent."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from portal import i18n, routes
from portal.components.attachments import attachment_picker
from portal.components.fields import error_text, field_label, form, labelled, select, text_input
from portal.components.layout import column, page_body, row
from portal.components.shell import template
from portal.components.ui import card, data_table, document_link, empty, status_badge
from portal.config import settings
from portal.db import session_scope
from portal.models.document import AskKind, DocumentCategory
from portal.pages.documents import AskRow, DocumentRow, ask_rows, document_rows, documents_table, parse_day
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.documents.asks import accept, ask_for_document, asks_of_customer, reject
from portal.services.documents.library import (
    DeskCustomer,
    DocumentRefused,
    desk_customer,
    documents_of_customer,
    publish_document,
)
from portal.services.requests.form_engine import AttachmentRule
from portal.state.i18n import tr
from portal.state.rows import Option
from portal.state.session import OPERATOR, Audience, SessionState, guard, redirect_to
from portal.state.staging import StagingState

PUBLISH_FILES = AttachmentRule(kinds=("pdf",), max_files=1)
MAX_TITLE, MAX_NOTE, MAX_REASON = 200, 1000, 1000


class DeskDocumentsState(StagingState, SessionState):
    _readers: ClassVar[Audience] = OPERATOR
    loaded: bool = False
    code: str = ""
    not_found: bool = False
    customer_code: str = ""
    customer_name: str = ""
    contract_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    category_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    kind_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    documents: rx.Field[list[DocumentRow]] = rx.field(default_factory=list)
    asks: rx.Field[list[AskRow]] = rx.field(default_factory=list)
    publish_error: str = ""
    ask_error: str = ""
    _customer: DeskCustomer | None = None

    def _rule(self) -> AttachmentRule | None:
        return PUBLISH_FILES if self._customer is not None else None

    def _may_stage(self, principal: Principal) -> bool:
        return principal.is_operator

    def _reload(self, principal: Principal) -> None:
        customer = self._customer
        if customer is None:
            self.documents, self.asks = [], []
            return
        with session_scope() as db:
            documents = documents_of_customer(
                session=db, tenant_id=principal.tenant_id, customer_id=customer.customer_id
            )
            asks = asks_of_customer(
                session=db, tenant_id=principal.tenant_id, customer_id=customer.customer_id, today=clock.today()
            )
        self.documents = document_rows(documents, self.lang)
        self.asks = ask_rows(asks, self.lang)

    @rx.event
    @guard(OPERATOR, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        self.code = self._query_param("cliente").strip()[:20]
        with session_scope() as db:
            self._customer = (
                desk_customer(session=db, tenant_id=principal.tenant_id, code=self.code) if self.code else None
            )
        customer = self._customer
        self.not_found = bool(self.code) and customer is None
        self.customer_code, self.customer_name = (customer.code, customer.name) if customer else ("", "")
        lang = self.lang
        self.contract_options = (
            [Option(value=str(contract_id), label=number) for contract_id, number in customer.contracts]
            if customer
            else []
        )
        self.category_options = [
            Option(value=item.value, label=i18n.translate(lang, f"docs.category.{item.value}"))
            for item in DocumentCategory
        ]
        self.kind_options = [
            Option(value=item.value, label=i18n.translate(lang, f"docs.kind.{item.value}")) for item in AskKind
        ]
        self.publish_error = self.ask_error = ""
        self._discard_staged()
        self._reload(principal)
        self.loaded = True

    @rx.event
    @guard(OPERATOR)
    def open_customer(self, principal: Principal, form_data: dict):
        code = str(form_data.get("code", "")).strip()[:20]
        return rx.redirect(routes.desk_documents_url(code)) if code else None

    def _contract_id(self, value: object) -> int | None:
        """The contract the form names (one of the customer's, checked again by the service)."""
        text = str(value or "").strip()
        return int(text) if text.isdigit() else None

    @rx.event
    @guard(OPERATOR)
    def publish(self, principal: Principal, form_data: dict):
        self.publish_error = ""
        customer = self._customer
        if customer is None:
            return
        title = str(form_data.get("title", "")).strip()
        category = DocumentCategory.parse(form_data.get("category", ""))
        if not title or len(title) > MAX_TITLE:
            self.publish_error = self._t("docs.error.title")
            return
        if category is None:
            self.publish_error = self._t("docs.error.category")
            return
        staged = self._claim_staged()
        if not staged:
            self.publish_error = self._t("docs.error.file_required")
            return
        try:
            with session_scope() as db:
                publish_document(
                    session=db,
                    operator_id=principal.user_id,
                    customer_id=customer.customer_id,
                    contract_id=self._contract_id(form_data.get("contract")),
                    title=title,
                    category=category,
                    staged=staged[0],
                    now=clock.now(),
                    public_url=settings.public_url,
                )
        except DocumentRefused as refused:
            self.publish_error = self._t(refused.key)
            return
        self._staged_sent()
        self._reload(principal)
        return [rx.set_value("desk-doc-title", ""), rx.toast.success(self._t("docs.published_done"))]

    @rx.event
    @guard(OPERATOR)
    def ask(self, principal: Principal, form_data: dict):
        self.ask_error = ""
        customer = self._customer
        if customer is None:
            return
        kind = AskKind.parse(form_data.get("kind", ""))
        due_on = parse_day(form_data.get("due_on", ""))
        note = str(form_data.get("note", "")).strip()
        if kind is None:
            self.ask_error = self._t("docs.error.kind")
            return
        if due_on is None:
            self.ask_error = self._t("docs.error.due_required")
            return
        if len(note) > MAX_NOTE:
            self.ask_error = self._t("docs.error.note")
            return
        try:
            with session_scope() as db:
                ask_for_document(
                    session=db,
                    operator_id=principal.user_id,
                    customer_id=customer.customer_id,
                    contract_id=self._contract_id(form_data.get("contract")),
                    kind=kind,
                    note=note,
                    due_on=due_on,
                    today=clock.today(),
                    now=clock.now(),
                    public_url=settings.public_url,
                )
        except DocumentRefused as refused:
            self.ask_error = self._t(refused.key)
            return
        self._reload(principal)
        return [rx.set_value("desk-ask-note", ""), rx.toast.success(self._t("docs.asked_done"))]

    @rx.event
    @guard(OPERATOR)
    def accept_upload(self, principal: Principal, ask_id: int):
        wanted = int(ask_id) if str(ask_id).isdigit() else 0
        try:
            with session_scope() as db:
                accept(
                    session=db,
                    operator_id=principal.user_id,
                    ask_id=wanted,
                    now=clock.now(),
                    public_url=settings.public_url,
                )
        except DocumentRefused as refused:
            return rx.toast.error(self._t(refused.key))
        self._reload(principal)
        return rx.toast.success(self._t("docs.accepted_done"))

    @rx.event
    @guard(OPERATOR)
    def reject_upload(self, principal: Principal, form_data: dict):
        raw = str(form_data.get("ask_id", ""))
        wanted = int(raw) if raw.isdigit() else 0
        reason = str(form_data.get("reason", "")).strip()[:MAX_REASON]
        try:
            with session_scope() as db:
                reject(
                    session=db,
                    operator_id=principal.user_id,
                    ask_id=wanted,
                    reason=reason,
                    now=clock.now(),
                    public_url=settings.public_url,
                )
        except DocumentRefused as refused:
            return rx.toast.error(self._t(refused.key))
        self._reload(principal)
        return rx.toast.success(self._t("docs.rejected_done"))


def customer_picker() -> rx.Component:
    state = DeskDocumentsState
    return card(
        form(
            row(
                text_input(
                    field_id="desk-doc-customer",
                    name="code",
                    label=tr("docs.desk.customer_code"),
                    default_value=state.code,
                ),
                rx.button(tr("docs.desk.open"), type="submit", id="desk-doc-open", align_self="end"),
                align="end",
            ),
            on_submit=state.open_customer,
        ),
        rx.cond(
            state.not_found,
            rx.text(tr("docs.desk.not_found"), color_scheme="red", role="alert", id="desk-doc-not-found"),
        ),
    )


def contract_select(field_id: str) -> rx.Component:
    return labelled(
        field_id,
        tr("docs.col.contract"),
        select(field_id, DeskDocumentsState.contract_options, first=(tr("docs.desk.no_contract"), ""), name="contract"),
    )


def publish_form() -> rx.Component:
    state = DeskDocumentsState
    return card(
        form(
            column(
                contract_select("desk-doc-contract"),
                text_input(field_id="desk-doc-title", name="title", label=tr("docs.col.title"), max_length=MAX_TITLE),
                labelled(
                    "desk-doc-category",
                    tr("docs.col.category"),
                    select("desk-doc-category", state.category_options, name="category"),
                ),
                attachment_picker(state, "desk-doc-upload"),
                error_text(state.publish_error, "desk-doc-publish-error"),
                rx.button(
                    rx.icon("send", size=16, aria_hidden="true"),
                    tr("docs.desk.publish"),
                    type="submit",
                    id="desk-doc-publish",
                    width="fit-content",
                ),
                gap="3",
            ),
            on_submit=state.publish,
            id="desk-doc-publish-form",
        ),
        title=tr("docs.desk.publish_title"),
        title_id="desk-doc-publish-title",
    )


def ask_form() -> rx.Component:
    state = DeskDocumentsState
    return card(
        form(
            column(
                labelled(
                    "desk-ask-kind", tr("docs.desk.kind"), select("desk-ask-kind", state.kind_options, name="kind")
                ),
                contract_select("desk-ask-contract"),
                field_label(tr("docs.desk.note"), "desk-ask-note"),
                rx.text_area(id="desk-ask-note", name="note", rows="3", max_length=MAX_NOTE, width="100%"),
                text_input(field_id="desk-ask-due", name="due_on", label=tr("docs.desk.due"), type="date"),
                error_text(state.ask_error, "desk-ask-error"),
                rx.button(
                    rx.icon("file-question", size=16, aria_hidden="true"),
                    tr("docs.desk.ask"),
                    type="submit",
                    id="desk-ask-send",
                    width="fit-content",
                ),
                gap="3",
            ),
            on_submit=state.ask,
        ),
        title=tr("docs.desk.ask_title"),
        title_id="desk-ask-title",
    )


def ask_line(item: AskRow) -> rx.Component:
    state = DeskDocumentsState
    decide = rx.cond(
        item.status == "uploaded",
        row(
            rx.button(
                tr("docs.desk.accept"),
                on_click=state.accept_upload(item.ask_id),
                color_scheme="green",
                size="1",
                class_name="ask-accept",
            ),
            form(
                row(
                    rx.el.input(type="hidden", name="ask_id", value=item.ask_id),
                    rx.input(
                        name="reason",
                        placeholder=tr("docs.desk.reason"),
                        aria_label=tr("docs.desk.reason"),
                        size="1",
                        class_name="ask-reason-input",
                    ),
                    rx.button(
                        tr("docs.desk.reject"),
                        type="submit",
                        color_scheme="red",
                        variant="soft",
                        size="1",
                        class_name="ask-reject",
                    ),
                    gap="2",
                ),
                on_submit=state.reject_upload,
            ),
            gap="2",
        ),
    )
    return rx.el.tr(
        rx.el.td(item.kind),
        rx.el.td(item.contract),
        rx.el.td(item.due, class_name="portal-nowrap"),
        rx.el.td(status_badge(item.status, item.status_label, class_name="ask-status")),
        rx.el.td(
            rx.cond(
                item.file_name != "",
                rx.vstack(
                    document_link(item.file_name, href=item.file_url, class_name="ask-file"),
                    rx.cond(item.expires != "", rx.text(tr("docs.expires_on"), " ", item.expires, size="1")),
                    rx.el.code(item.sha256, font_size="0.7rem", word_break="break-all"),
                    rx.cond(item.reason != "", rx.text(item.reason, size="1", color_scheme="red")),
                    spacing="1",
                ),
                rx.text("—"),
            )
        ),
        rx.el.td(decide),
        class_name="desk-ask",
        data_id=item.ask_id,
    )


ASK_COLUMNS = [
    ("docs.desk.kind", False),
    ("docs.col.contract", False),
    ("docs.desk.due", False),
    ("docs.desk.status", False),
    ("docs.desk.file", False),
    ("docs.desk.decision", False),
]


def customer_area() -> rx.Component:
    state = DeskDocumentsState
    return column(
        rx.heading(
            state.customer_name, " (", state.customer_code, ")", as_="h2", size="5", id="desk-doc-customer-name"
        ),
        rx.grid(publish_form(), ask_form(), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
        card(
            rx.cond(
                state.asks.length() > 0,
                data_table(
                    state.asks, ask_line, columns=ASK_COLUMNS, label=tr("docs.asks"), table_id="desk-asks-table"
                ),
                empty(tr("docs.asks_none"), icon="file-question"),
            ),
            title=tr("docs.asks"),
            title_id="desk-asks-title",
        ),
        card(documents_table(state.documents), title=tr("docs.published"), title_id="desk-published-title"),
    )


@template(route=routes.DESK_DOCUMENTS, title_key="docs.desk.title", on_load=DeskDocumentsState.load)
def desk_documents() -> rx.Component:
    state = DeskDocumentsState
    return page_body(
        state.loaded,
        rx.heading(tr("docs.desk.title"), as_="h1", size="7"),
        customer_picker(),
        rx.cond(state.customer_code != "", customer_area()),
    )
