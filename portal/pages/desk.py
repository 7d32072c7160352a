"""Service desk: every customer's requests, with filters by status, type, customer and age."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from portal import i18n, routes
from portal.components.fields import form, labelled, select
from portal.components.layout import page_body
from portal.components.request_view import due_text
from portal.components.shell import template
from portal.components.ui import card, data_table, empty, link_button, page_header, paged
from portal.db import session_scope
from portal.forms import registry
from portal.pages.requests import RequestListState, form_choices, request_cells, request_columns
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.contracts.lease_end import LEASE_END_KEY
from portal.services.requests.queries import RequestFilter, RequestRow, desk_requests
from portal.state.i18n import tr
from portal.state.rows import Option, RequestLine, request_line
from portal.state.session import OPERATOR, Audience, SessionState, guard, redirect_to

STATUS_CHOICES = ("open", "all", "submitted", "in_progress", "waiting_customer", "resolved", "rejected")
AGE_CHOICES = ("0", "2", "7", "30")
DEADLINE_CHOICES = ("", "with", "due_soon")  # any request; with a legal deadline; due within 15 days or past
SORT_CHOICES = ("updated", "deadline")
# Requests no self-service form opens, which the type filter offers too.
OTHER_KINDS = (LEASE_END_KEY,)
# A customer has a list of their own requests.
TO_REQUESTS = redirect_to(routes.REQUESTS)


class DeskState(RequestListState, SessionState):
    status: str = "open"
    customer: str = ""
    age: str = "0"
    deadline: str = ""
    sort: str = "updated"
    _statuses: ClassVar[tuple[str, ...]] = STATUS_CHOICES
    _readers: ClassVar[Audience] = OPERATOR  # who may page through the list
    _found: list[RequestRow] = []  # plain rows, each with its customer's name

    def _show_page(self, principal: Principal) -> None:
        with session_scope() as db:
            self._found, self.total = desk_requests(
                session=db,
                tenant_id=principal.tenant_id,
                now=clock.now(),
                offset=self.offset,
                flt=RequestFilter(
                    status=self.status,
                    form_key=self.form_key,
                    customer=self.customer,
                    older_than_days=int(self.age),
                    deadline=self.deadline,
                    by_deadline=self.sort == "deadline",
                ),
            )

    @rx.event
    @guard(OPERATOR, otherwise=TO_REQUESTS)
    def load(self, principal: Principal):
        self.offset = 0
        self._show_page(principal)
        self.loaded = True

    @rx.event
    @guard(OPERATOR, otherwise=TO_REQUESTS)
    def apply(self, principal: Principal, form_data: dict):
        status = str(form_data.get("status", "open"))
        self.status = status if status in STATUS_CHOICES else "open"
        form_key = str(form_data.get("form_key", ""))
        self.form_key = form_key if form_key in registry() or form_key in OTHER_KINDS else ""
        self.customer = str(form_data.get("customer", ""))[:80]
        age = str(form_data.get("age", "0"))
        self.age = age if age in AGE_CHOICES else "0"
        deadline = str(form_data.get("deadline", ""))
        self.deadline = deadline if deadline in DEADLINE_CHOICES else ""
        sort = str(form_data.get("sort", "updated"))
        self.sort = sort if sort in SORT_CHOICES else "updated"
        self.offset = 0
        self._show_page(principal)

    @rx.var
    def rows(self) -> list[RequestLine]:
        return [
            request_line(row, url=routes.desk_request_url(row.code), lang=self.lang, customer=row.customer_name)
            for row in self._found
        ]

    @rx.var
    def form_options(self) -> list[Option]:
        kinds = [Option(value=key, label=i18n.translate(self.lang, f"form.{key}.title")) for key in OTHER_KINDS]
        return form_choices(self.lang) + kinds

    @rx.var
    def deadline_options(self) -> list[Option]:
        return [
            Option(value=v, label=i18n.translate(self.lang, f"desk.deadline_filter.{v or 'any'}"))
            for v in DEADLINE_CHOICES
        ]

    @rx.var
    def sort_options(self) -> list[Option]:
        return [Option(value=v, label=i18n.translate(self.lang, f"desk.sort.{v}")) for v in SORT_CHOICES]

    @rx.var
    def age_options(self) -> list[Option]:
        return [
            Option(
                value=v,
                label=i18n.translate(self.lang, "desk.any_age" if v == "0" else "desk.older_than", count=int(v)),
            )
            for v in AGE_CHOICES
        ]


def desk_row(row: RequestLine) -> rx.Component:
    due = rx.el.td(due_text(row.due, row.due_state, row.due_label), class_name="desk-due", white_space="nowrap")
    return request_cells(row, "desk-row", rx.el.td(row.customer), rx.el.td(row.title), due)


def desk_actions() -> rx.Component:
    return rx.hstack(
        link_button("megaphone", tr("desk.broadcast"), routes.DESK_BROADCAST),
        link_button("eye", tr("preview.title"), routes.FORM_PREVIEW),
        spacing="2",
    )


def filter_field(field_id: str, label_key: str, control: rx.Component) -> rx.Component:
    return labelled(field_id, tr(label_key), control, width=None, min_width="180px")


def filters() -> rx.Component:
    state = DeskState
    return form(
        rx.flex(
            filter_field(
                "desk-status",
                "requests.status_filter",
                select("desk-status", state.status_options, name="status", default_value="open"),
            ),
            filter_field(
                "desk-type",
                "requests.type_filter",
                select("desk-type", state.form_options, first=(tr("requests.all_types"), ""), name="form_key"),
            ),
            filter_field(
                "desk-customer",
                "desk.customer",
                rx.input(id="desk-customer", name="customer", size="2", placeholder=tr("desk.customer_hint")),
            ),
            filter_field("desk-age", "desk.age", select("desk-age", state.age_options, name="age")),
            filter_field(
                "desk-deadline", "desk.deadline", select("desk-deadline", state.deadline_options, name="deadline")
            ),
            filter_field(
                "desk-sort",
                "desk.sort",
                select("desk-sort", state.sort_options, name="sort", default_value="updated"),
            ),
            rx.button(tr("billing.apply"), type="submit", id="desk-apply"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=state.apply,
    )


def queue() -> rx.Component:
    state = DeskState
    table = data_table(
        state.rows,
        desk_row,
        columns=request_columns("operator.name", "home.request_title", "deadline.due_on"),
        label=tr("desk.title"),
        table_id="desk-table",
    )
    return paged(state, "desk", table, otherwise=empty(tr("desk.empty")))


@template(route=routes.DESK, title_key="desk.title", on_load=DeskState.load)
def desk() -> rx.Component:
    return page_body(DeskState.loaded, page_header(tr("desk.title"), desk_actions()), card(filters()), card(queue()))
