"""Documenti (issue 15): the documents the company published to the customer, and the documents it
asked for, which the customer sends from here (an insurance certificate with its expiry date)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import ClassVar

import reflex as rx

from portal import i18n, routes
from portal.components.attachments import attachment_picker
from portal.components.fields import error_text, form, text_input
from portal.components.layout import column, page_body, row
from portal.components.shell import template
from portal.components.ui import card, data_table, document_link, empty, status_badge
from portal.config import settings
from portal.db import session_scope
from portal.models.document import AskKind, AskStatus
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.documents.asks import AskInfo, access_ask, asks_for, send_upload
from portal.services.documents.library import DocumentInfo, DocumentRefused, documents_for, size_text
from portal.services.requests.form_engine import AttachmentRule
from portal.services.requests.queries import account
from portal.state.i18n import tr
from portal.state.session import CUSTOMER, Audience, SessionState, guard, redirect_to
from portal.state.staging import StagingState

ASK_FILES = AttachmentRule(kinds=("pdf", "image"), max_files=1)


@dataclasses.dataclass(frozen=True)
class DocumentRow:
    document_id: int
    title: str
    category: str
    contract: str
    date: str
    size: str
    sha256: str
    url: str


@dataclasses.dataclass(frozen=True)
class AskRow:
    ask_id: int
    kind: str
    note: str
    contract: str
    due: str
    status: str  # the AskStatus code, or "overdue"
    status_label: str
    reason: str
    can_upload: bool
    file_name: str
    file_url: str
    sha256: str
    expires: str


def document_rows(items: list[DocumentInfo], lang: str) -> list[DocumentRow]:
    return [
        DocumentRow(
            document_id=item.document_id,
            title=item.title,
            category=i18n.translate(lang, f"docs.category.{item.category.value}"),
            contract=item.contract_number or "—",
            date=i18n.short_date(item.created_at.date(), lang),
            size=size_text(item.size_bytes, lang),
            sha256=item.sha256,
            url=routes.published_document_url(item.document_id),
        )
        for item in items
    ]


def ask_status(item: AskInfo) -> str:
    return "overdue" if item.overdue else item.status.value


def ask_rows(items: list[AskInfo], lang: str) -> list[AskRow]:
    rows = []
    for item in items:
        status = ask_status(item)
        latest = item.latest
        rows.append(
            AskRow(
                ask_id=item.ask_id,
                kind=i18n.translate(lang, f"docs.kind.{item.kind.value}"),
                note=item.note,
                contract=item.contract_number or "—",
                due=i18n.short_date(item.due_on, lang),
                status=status,
                status_label=i18n.translate(lang, f"docs.status.{status}"),
                reason=item.rejection_reason,
                can_upload=item.status in (AskStatus.REQUESTED, AskStatus.REJECTED),
                file_name=latest.display_name if latest else "",
                file_url=routes.document_upload_url(latest.upload_id) if latest else "",
                sha256=latest.sha256 if latest else "",
                expires=i18n.short_date(latest.expires_on, lang) if latest and latest.expires_on else "",
            )
        )
    return rows


def parse_day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


class DocumentsState(StagingState, SessionState):
    _readers: ClassVar[Audience] = CUSTOMER
    loaded: bool = False
    documents: rx.Field[list[DocumentRow]] = rx.field(default_factory=list)
    asks: rx.Field[list[AskRow]] = rx.field(default_factory=list)
    chosen_ask: int = 0  # the ask the customer is sending a file for; 0: none
    chosen_kind: str = ""
    chosen_needs_expiry: bool = False
    send_error: str = ""
    expiry_error: str = ""

    def _rule(self) -> AttachmentRule | None:
        return ASK_FILES if self.chosen_ask else None

    def _may_stage(self, principal: Principal) -> bool:
        return principal.scope is not None and bool(self.chosen_ask)

    def _reload(self, principal: Principal) -> None:
        scope = principal.customer_scope
        with session_scope() as db:
            documents = documents_for(session=db, scope=scope)
            asks = asks_for(session=db, scope=scope, today=clock.today())
        self.documents = document_rows(documents, self.lang)
        self.asks = ask_rows(asks, self.lang)

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        self._reload(principal)
        self.chosen_ask, self.chosen_kind, self.chosen_needs_expiry = 0, "", False
        self.send_error = self.expiry_error = ""
        self._show_staged()
        self.loaded = True

    @rx.event
    @guard(CUSTOMER)
    def choose_ask(self, principal: Principal, ask_id: int):
        wanted = int(ask_id) if str(ask_id).isdigit() else 0
        with session_scope() as db:
            ask = access_ask(session=db, user=account(session=db, user_id=principal.user_id), ask_id=wanted)
            found = ask is not None and ask.status in (AskStatus.REQUESTED, AskStatus.REJECTED)
            kind = ask.kind if ask is not None else None
        if not found or kind is None:
            return rx.toast.error(self._t("docs.error.not_found"))
        self._discard_staged()
        self.chosen_ask = wanted
        self.chosen_kind = i18n.translate(self.lang, f"docs.kind.{kind.value}")
        self.chosen_needs_expiry = kind is AskKind.INSURANCE
        self.send_error = self.expiry_error = ""
        self._show_staged()

    @rx.event
    @guard(CUSTOMER)
    def cancel_upload(self, principal: Principal):
        self._discard_staged()
        self.chosen_ask, self.chosen_kind, self.chosen_needs_expiry = 0, "", False
        self.send_error = self.expiry_error = ""
        self._show_staged()

    @rx.event
    @guard(CUSTOMER)
    def send(self, principal: Principal, form_data: dict):
        self.send_error = self.expiry_error = ""
        if not self.chosen_ask:
            return
        staged = self._claim_staged()
        if not staged:
            self.send_error = self._t("docs.error.file_required")
            return
        expires_on = None
        if self.chosen_needs_expiry:
            expires_on = parse_day(form_data.get("expires_on", ""))
            if expires_on is None:
                self.expiry_error = self._t("docs.error.expiry_required")
                return
        try:
            with session_scope() as db:
                send_upload(
                    session=db,
                    user_id=principal.user_id,
                    ask_id=self.chosen_ask,
                    staged=staged[0],
                    expires_on=expires_on,
                    today=clock.today(),
                    now=clock.now(),
                    public_url=settings.public_url,
                )
        except DocumentRefused as refused:
            if refused.key.startswith("docs.error.expiry"):
                self.expiry_error = self._t(refused.key)
            else:
                self.send_error = self._t(refused.key)
            return
        self._staged_sent()
        self.chosen_ask, self.chosen_kind, self.chosen_needs_expiry = 0, "", False
        self._reload(principal)
        return rx.toast.success(self._t("docs.sent"))


def document_row(item: DocumentRow) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            document_link(item.title, href=item.url, class_name="published-document-link"),
        ),
        rx.el.td(item.category),
        rx.el.td(item.contract),
        rx.el.td(item.date, class_name="portal-nowrap"),
        rx.el.td(item.size, class_name="portal-num"),
        rx.el.td(rx.el.code(item.sha256, class_name="document-sha256", word_break="break-all", font_size="0.75rem")),
        class_name="published-document",
        data_id=item.document_id,
    )


DOCUMENT_COLUMNS = [
    ("docs.col.title", False),
    ("docs.col.category", False),
    ("docs.col.contract", False),
    ("docs.col.date", False),
    ("docs.col.size", True),
    ("docs.col.sha256", False),
]


def documents_table(rows) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        data_table(
            rows, document_row, columns=DOCUMENT_COLUMNS, label=tr("docs.published"), table_id="documents-table"
        ),
        empty(tr("docs.published_none"), icon="folder-open"),
    )


def ask_item(item: AskRow) -> rx.Component:
    return rx.el.li(
        column(
            row(
                rx.text(item.kind, weight="bold"),
                status_badge(item.status, item.status_label, class_name="ask-status"),
                rx.text(tr("docs.due_on"), " ", item.due, size="2"),
                rx.text(tr("docs.col.contract"), ": ", item.contract, size="2", color_scheme="gray"),
            ),
            rx.cond(item.note != "", rx.text(item.note, size="2")),
            rx.cond(
                item.reason != "",
                rx.text(
                    tr("docs.rejected_because"), " ", item.reason, size="2", color_scheme="red", class_name="ask-reason"
                ),
            ),
            rx.cond(
                item.file_name != "",
                rx.text(
                    tr("docs.last_sent"),
                    " ",
                    document_link(item.file_name, href=item.file_url, underline="always"),
                    rx.cond(item.expires != "", rx.fragment(" – ", tr("docs.expires_on"), " ", item.expires)),
                    size="2",
                ),
            ),
            rx.cond(
                item.can_upload,
                rx.button(
                    rx.icon("upload", size=16, aria_hidden="true"),
                    tr("docs.upload"),
                    on_click=DocumentsState.choose_ask(item.ask_id),
                    variant="soft",
                    size="2",
                    class_name="ask-upload-button",
                    width="fit-content",
                ),
            ),
            gap="2",
        ),
        class_name="document-ask",
        data_id=item.ask_id,
        padding_y="0.75rem",
        border_bottom="1px solid var(--gray-a5)",
        list_style="none",
    )


def upload_form() -> rx.Component:
    state = DocumentsState
    expiry = text_input(
        field_id="docs-expiry",
        name="expires_on",
        label=tr("docs.expiry_label"),
        error=state.expiry_error,
        type="date",
    )
    return card(
        form(
            column(
                rx.text(tr("docs.upload_for"), " ", state.chosen_kind, weight="medium"),
                attachment_picker(state, "docs-upload"),
                rx.cond(state.chosen_needs_expiry, expiry),
                error_text(state.send_error, "docs-send-error"),
                row(
                    rx.button(
                        rx.icon("send", size=16, aria_hidden="true"), tr("docs.send"), type="submit", id="docs-send"
                    ),
                    rx.button(
                        tr("docs.cancel"),
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=state.cancel_upload,
                    ),
                ),
                gap="3",
            ),
            on_submit=state.send,
        ),
        title=tr("docs.upload_title"),
        title_id="docs-upload-title",
        id="docs-upload-card",
    )


def asks_section() -> rx.Component:
    state = DocumentsState
    return card(
        rx.cond(
            state.asks.length() > 0,
            rx.el.ul(rx.foreach(state.asks, ask_item), id="document-asks", margin="0", padding="0"),
            rx.text(tr("docs.asks_none"), color_scheme="gray", size="2"),
        ),
        title=tr("docs.asks"),
        title_id="docs-asks-title",
    )


@template(route=routes.DOCUMENTS, title_key="docs.title", on_load=DocumentsState.load)
def documents() -> rx.Component:
    state = DocumentsState
    return page_body(
        state.loaded,
        rx.heading(tr("docs.title"), as_="h1", size="7"),
        rx.text(tr("docs.intro"), color_scheme="gray"),
        asks_section(),
        rx.cond(state.chosen_ask != 0, upload_form()),
        card(
            rx.text(tr("docs.sha_hint"), size="2", color_scheme="gray", as_="p", margin_bottom="0.5rem"),
            documents_table(state.documents),
            title=tr("docs.published"),
            title_id="docs-published-title",
        ),
    )
