"""Richieste: the self-service area (every form of the registry) and the customer's requests."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.shell import template
from portal.components.ui import card, empty, header_cell, loading, pager, simple_table, table_region
from portal.db import session_scope
from portal.forms import registry
from portal.models import ServiceRequest
from portal.services.requests import PAGE_SIZE, RequestFilter, customer_requests
from portal.state.i18n import tr
from portal.state.paging import PagedState
from portal.state.session import SessionState

STATUS_CHOICES = ("all", "open", "submitted", "in_progress", "waiting_customer", "resolved", "rejected")


def request_rows(rows: list[ServiceRequest], lang: str) -> list[dict[str, str]]:
    forms = registry()
    return [
        {
            "code": row.code,
            "title": row.title,
            "form": forms[row.form_key].title(lang) if row.form_key in forms else row.form_key,
            "status": row.status.value,
            "status_label": i18n.translate(lang, f"request_status.{row.status.value}"),
            "open": "1" if row.status.is_open else "",
            "updated": i18n.date_time(row.updated_at, lang),
            "url": routes.request_url(row.code),
        }
        for row in rows
    ]


def status_badge(row) -> rx.Component:
    return rx.badge(row["status_label"], color_scheme=rx.match(
        row["status"], ("resolved", "green"), ("rejected", "gray"), ("waiting_customer", "orange"), ("in_progress", "blue"), "amber"))


class RequestsState(PagedState, SessionState):
    loaded: bool = False
    status: str = "all"
    form_key: str = ""
    _page_size: int = PAGE_SIZE
    may_submit: bool = False
    _rows: list[ServiceRequest] = []

    def _show_page(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if principal.scope is None:
            return rx.redirect(routes.DESK)
        self.may_submit = principal.may_submit_requests
        with session_scope() as db:
            rows, total = customer_requests(session=db, scope=principal.scope, user_id=principal.user_id,
                                            flt=RequestFilter(status=self.status, form_key=self.form_key), offset=self.offset)
        self._rows, self.total = rows, total
        return None

    @rx.event
    def load(self):
        self.status, self.form_key, self.offset = "all", "", 0
        result = self._show_page()
        self.loaded = True
        return result

    @rx.event
    def choose_status(self, value: str):
        self.status = value if value in STATUS_CHOICES else "all"
        self.offset = 0
        return self._show_page()

    @rx.event
    def choose_form(self, value: str):
        self.form_key = value if value in registry() else ""
        self.offset = 0
        return self._show_page()

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        return request_rows(self._rows, self.lang)

    @rx.var
    def forms(self) -> list[dict[str, str]]:
        return [
            {"key": form.key, "title": form.title(self.lang), "description": form.description(self.lang), "icon": form.icon,
             "url": routes.new_request_url(form.key)}
            for form in registry().values()
        ]

    @rx.var
    def status_options(self) -> list[dict[str, str]]:
        return [{"value": value, "label": i18n.translate(self.lang, "requests.all_statuses" if value == "all" else
                                                           "requests.open_ones" if value == "open" else f"request_status.{value}")}
                for value in STATUS_CHOICES]


def form_card(item) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.icon(item["icon"].to(str), size=22, color="var(--accent-11)", aria_hidden="true"),
                rx.vstack(
                    rx.text(item["title"], weight="bold"),
                    rx.text(item["description"], size="2", color_scheme="gray"),
                    rx.text(tr("requests.make"), size="2", color="var(--accent-11)", weight="medium"),
                    spacing="1",
                ),
                spacing="3",
                align="start",
            ),
            width="100%",
            class_name="form-card",
        ),
        href=item["url"],
        underline="none",
        color="inherit",
        data_form=item["key"],
    )


def self_service(state=RequestsState) -> rx.Component:
    return rx.grid(rx.foreach(state.forms, form_card), columns=rx.breakpoints(initial="1", sm="2", lg="3"), spacing="3", width="100%")


def request_row(row) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(row["code"], href=row["url"], weight="medium", white_space="nowrap")),
        rx.el.td(row["title"]),
        rx.el.td(status_badge(row)),
        rx.el.td(row["updated"], white_space="nowrap"),
        class_name="request-row",
        data_code=row["code"],
    )


@template(route=routes.REQUESTS, title_key="requests.title", on_load=RequestsState.load)
def requests_page() -> rx.Component:
    state = RequestsState
    return rx.cond(
        state.loaded,
        rx.vstack(
            rx.heading(tr("requests.title"), as_="h1", size="7"),
            rx.cond(
                state.may_submit,
                card(self_service(), title=tr("requests.self_service"), title_id="self-service-title"),
                rx.callout(tr("requests.no_right"), icon="info", width="100%"),
            ),
            card(
                rx.flex(
                    rx.flex(
                        rx.el.label(rx.text(tr("requests.status_filter"), size="2", weight="medium"), html_for="requests-status"),
                        rx.el.select(rx.foreach(state.status_options, lambda o: rx.el.option(o["label"], value=o["value"])),
                                     id="requests-status", value=state.status, on_change=state.choose_status, class_name="portal-select"),
                        direction="column", spacing="1", min_width="200px",
                    ),
                    rx.flex(
                        rx.el.label(rx.text(tr("requests.type_filter"), size="2", weight="medium"), html_for="requests-type"),
                        rx.el.select(rx.el.option(tr("requests.all_types"), value=""),
                                     rx.foreach(state.forms, lambda f: rx.el.option(f["title"], value=f["key"])),
                                     id="requests-type", value=state.form_key, on_change=state.choose_form, class_name="portal-select"),
                        direction="column", spacing="1", min_width="240px",
                    ),
                    spacing="4", wrap="wrap", margin_bottom="1rem",
                ),
                rx.cond(
                    state.rows.length() > 0,
                    rx.vstack(
                        table_region(
                            simple_table(
                                header=[header_cell(tr("home.request_code")), header_cell(tr("home.request_title")),
                                        header_cell(tr("home.request_status")), header_cell(tr("home.request_updated"))],
                                body=rx.foreach(state.rows, request_row),
                                table_id="requests-table",
                            ),
                            label=tr("requests.title"),
                        ),
                        pager(state, "requests"),
                        width="100%",
                    ),
                    empty(tr("home.no_requests")),
                ),
                title=tr("requests.history"),
                title_id="requests-history-title",
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
