"""Richieste: the self-service area (every form of the registry) and the customer's requests."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from portal import i18n, routes
from portal.components.fields import labelled, select
from portal.components.layout import page_body
from portal.components.shell import template
from portal.components.ui import card, data_table, empty, paged, status_badge
from portal.db import session_scope
from portal.forms import registry
from portal.services.access.accounts import Principal
from portal.services.requests.queries import PAGE_SIZE, RequestFilter, RequestRow, customer_requests
from portal.state.i18n import tr
from portal.state.paging import PagedState
from portal.state.rows import FormLink, Option, RequestLine, form_link, request_line
from portal.state.session import CUSTOMER, Audience, SessionState, guard, redirect_to

STATUS_CHOICES = ("all", "open", "submitted", "in_progress", "waiting_customer", "resolved", "rejected")
# An operator has no requests of their own: the service desk lists everyone's.
TO_DESK = redirect_to(routes.DESK)


def status_choices(choices: tuple[str, ...], lang: str) -> list[Option]:
    """The status filter's choices: every status, "open" and "all" (shared with the service desk)."""
    words = {"all": "requests.all_statuses", "open": "requests.open_ones"}
    return [
        Option(value=value, label=i18n.translate(lang, words.get(value, f"request_status.{value}")))
        for value in choices
    ]


def form_choices(lang: str) -> list[Option]:
    """Every form of the registry, by its title (the type filters, the form preview)."""
    return [Option(value=key, label=form.title(lang)) for key, form in registry().items()]


class RequestListState(PagedState, mixin=True):
    """What the customer's list and the service desk's queue share: paging, and the choices of
    their status and type filters. Each names the statuses it offers and reads its own page."""

    _statuses: ClassVar[tuple[str, ...]]
    loaded: bool = False
    form_key: str = ""
    _page_size: int = PAGE_SIZE

    @rx.var
    def status_options(self) -> list[Option]:
        return status_choices(self._statuses, self.lang)

    @rx.var
    def form_options(self) -> list[Option]:
        return form_choices(self.lang)


class RequestsState(RequestListState, SessionState):
    status: str = "all"
    _statuses: ClassVar[tuple[str, ...]] = STATUS_CHOICES
    _readers: ClassVar[Audience] = CUSTOMER  # who may page through the list
    may_submit: bool = False
    _rows: list[RequestRow] = []  # plain rows: backend vars are pickled at every event

    def _show_page(self, principal: Principal) -> None:
        if principal.scope is None:  # the guard admits customers only
            return
        self.may_submit = principal.may_submit_requests
        with session_scope() as db:
            rows, total = customer_requests(
                session=db,
                scope=principal.scope,
                user_id=principal.user_id,
                flt=RequestFilter(status=self.status, form_key=self.form_key),
                offset=self.offset,
            )
        self._rows, self.total = rows, total

    @rx.event
    @guard(CUSTOMER, otherwise=TO_DESK)
    def load(self, principal: Principal):
        self.status, self.form_key, self.offset = "all", "", 0
        self._show_page(principal)
        self.loaded = True

    @rx.event
    @guard(CUSTOMER, otherwise=TO_DESK)
    def choose_status(self, principal: Principal, value: str):
        self.status = value if isinstance(value, str) and value in STATUS_CHOICES else "all"
        self.offset = 0
        self._show_page(principal)

    @rx.event
    @guard(CUSTOMER, otherwise=TO_DESK)
    def choose_form(self, principal: Principal, value: str):
        self.form_key = value if isinstance(value, str) and value in registry() else ""
        self.offset = 0
        self._show_page(principal)

    @rx.var
    def rows(self) -> list[RequestLine]:
        return [request_line(row, url=routes.request_url(row.code), lang=self.lang) for row in self._rows]

    @rx.var
    def forms(self) -> list[FormLink]:
        return [form_link(form, self.lang) for form in registry().values()]


def form_card(item: FormLink) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.icon(item.icon, size=22, color="var(--accent-11)", aria_hidden="true"),
                rx.vstack(
                    rx.text(item.title, weight="bold"),
                    rx.text(item.description, size="2", color_scheme="gray"),
                    rx.text(tr("requests.make"), size="2", color="var(--accent-11)", weight="medium"),
                    spacing="1",
                ),
                spacing="3",
                align="start",
            ),
            width="100%",
            class_name="form-card",
        ),
        href=item.url,
        underline="none",
        color="inherit",
        data_form=item.key,
    )


def self_service(state=RequestsState) -> rx.Component:
    return rx.grid(
        rx.foreach(state.forms, form_card),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="3",
        width="100%",
    )


def request_cells(row: RequestLine, class_name: str, *middle: rx.Component) -> rx.Component:
    """A request's table row: its code (a link), the page's own cells, its status, when updated."""
    return rx.el.tr(
        rx.el.td(rx.link(row.code, href=row.url, weight="medium", white_space="nowrap")),
        *middle,
        rx.el.td(status_badge(row.status, row.status_label)),
        rx.el.td(row.updated, white_space="nowrap"),
        class_name=class_name,
        data_code=row.code,
    )


def request_columns(*middle: str) -> list[tuple[str, bool]]:
    """The header of request_cells' table: code, the page's own columns, status, updated."""
    keys = ("home.request_code", *middle, "home.request_status", "home.request_updated")
    return [(key, False) for key in keys]


def request_row(row: RequestLine) -> rx.Component:
    return request_cells(row, "request-row", rx.el.td(row.title))


def filters() -> rx.Component:
    state = RequestsState
    return rx.flex(
        labelled(
            "requests-status",
            tr("requests.status_filter"),
            select("requests-status", state.status_options, value=state.status, on_change=state.choose_status),
            width=None,
            min_width="200px",
        ),
        labelled(
            "requests-type",
            tr("requests.type_filter"),
            select(
                "requests-type",
                state.form_options,
                first=(tr("requests.all_types"), ""),
                value=state.form_key,
                on_change=state.choose_form,
            ),
            width=None,
            min_width="240px",
        ),
        spacing="4",
        wrap="wrap",
        margin_bottom="1rem",
    )


def history_table() -> rx.Component:
    state = RequestsState
    table = data_table(
        state.rows,
        request_row,
        columns=request_columns("home.request_title"),
        label=tr("requests.title"),
        table_id="requests-table",
    )
    return paged(state, "requests", table, otherwise=empty(tr("home.no_requests")))


@template(route=routes.REQUESTS, title_key="requests.title", on_load=RequestsState.load)
def requests_page() -> rx.Component:
    state = RequestsState
    return page_body(
        state.loaded,
        rx.heading(tr("requests.title"), as_="h1", size="7"),
        rx.cond(
            state.may_submit,
            card(self_service(), title=tr("requests.self_service"), title_id="self-service-title"),
            rx.callout(tr("requests.no_right"), icon="info", width="100%"),
        ),
        card(filters(), history_table(), title=tr("requests.history"), title_id="requests-history-title"),
    )
