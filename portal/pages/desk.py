"""Service desk: every customer's requests, with filters by status, type, customer and age."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.shell import template
from portal.components.ui import card, empty, form, header_cell, loading, pager, simple_table, table_region
from portal.db import session_scope
from portal.forms import registry
from portal.services import clock
from portal.services.requests import PAGE_SIZE, RequestFilter, desk_requests
from portal.state.i18n import tr
from portal.state.paging import PagedState
from portal.state.session import SessionState

STATUS_CHOICES = ("open", "all", "submitted", "in_progress", "waiting_customer", "resolved", "rejected")
AGE_CHOICES = ("0", "2", "7", "30")


class DeskState(PagedState, SessionState):
    loaded: bool = False
    status: str = "open"
    form_key: str = ""
    customer: str = ""
    age: str = "0"
    _page_size: int = PAGE_SIZE
    rows: list[dict[str, str]] = []

    def _show_page(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if not principal.is_operator:
            return rx.redirect(routes.REQUESTS)
        forms = registry()
        with session_scope() as db:
            found, total = desk_requests(
                session=db, tenant_id=principal.tenant_id, now=clock.now(), offset=self.offset,
                flt=RequestFilter(status=self.status, form_key=self.form_key, customer=self.customer, older_than_days=int(self.age)),
            )
        self.total = total
        self.rows = [
            {
                "code": request.code, "title": request.title, "customer": customer,
                "form": forms[request.form_key].title(self.lang) if request.form_key in forms else request.form_key,
                "status": request.status.value,
                "status_label": i18n.translate(self.lang, f"request_status.{request.status.value}"),
                "updated": i18n.date_time(request.updated_at, self.lang),
                "url": routes.desk_request_url(request.code),
            }
            for request, customer in found
        ]
        return None

    @rx.event
    def load(self):
        self.offset = 0
        result = self._show_page()
        self.loaded = True
        return result

    @rx.event
    def apply(self, form_data: dict):
        status = str(form_data.get("status", "open"))
        self.status = status if status in STATUS_CHOICES else "open"
        form_key = str(form_data.get("form_key", ""))
        self.form_key = form_key if form_key in registry() else ""
        self.customer = str(form_data.get("customer", ""))[:80]
        age = str(form_data.get("age", "0"))
        self.age = age if age in AGE_CHOICES else "0"
        self.offset = 0
        return self._show_page()

    @rx.var
    def status_options(self) -> list[dict[str, str]]:
        return [{"value": v, "label": i18n.translate(self.lang, "requests.all_statuses" if v == "all" else
                                                       "requests.open_ones" if v == "open" else f"request_status.{v}")}
                for v in STATUS_CHOICES]

    @rx.var
    def form_options(self) -> list[dict[str, str]]:
        return [{"value": key, "label": form.title(self.lang)} for key, form in registry().items()]

    @rx.var
    def age_options(self) -> list[dict[str, str]]:
        return [{"value": v, "label": i18n.translate(self.lang, "desk.any_age" if v == "0" else "desk.older_than", days=v)}
                for v in AGE_CHOICES]


def labelled(field_id: str, label_key: str, control: rx.Component, min_width: str = "180px") -> rx.Component:
    return rx.flex(rx.el.label(rx.text(tr(label_key), size="2", weight="medium"), html_for=field_id), control,
                   direction="column", spacing="1", min_width=min_width)


def desk_row(row) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(row["code"], href=row["url"], weight="medium", white_space="nowrap")),
        rx.el.td(row["customer"]),
        rx.el.td(row["title"]),
        rx.el.td(rx.badge(row["status_label"], color_scheme=rx.match(row["status"], ("resolved", "green"), ("rejected", "gray"),
                                                                     ("waiting_customer", "orange"), ("in_progress", "blue"), "amber"))),
        rx.el.td(row["updated"], white_space="nowrap"),
        class_name="desk-row",
        data_code=row["code"],
    )


@template(route=routes.DESK, title_key="desk.title", on_load=DeskState.load)
def desk() -> rx.Component:
    state = DeskState
    return rx.cond(
        state.loaded,
        rx.vstack(
            rx.flex(
                rx.heading(tr("desk.title"), as_="h1", size="7"),
                rx.hstack(
                    rx.link(rx.button(rx.icon("megaphone", size=16), tr("desk.broadcast"), variant="soft"), href=routes.DESK_BROADCAST),
                    rx.link(rx.button(rx.icon("eye", size=16), tr("preview.title"), variant="soft"), href=routes.FORM_PREVIEW),
                    spacing="2",
                ),
                justify="between", align="center", wrap="wrap", gap="3", width="100%",
            ),
            card(
                form(
                    rx.flex(
                        labelled("desk-status", "requests.status_filter", rx.el.select(
                            rx.foreach(state.status_options, lambda o: rx.el.option(o["label"], value=o["value"])),
                            id="desk-status", name="status", default_value="open", class_name="portal-select")),
                        labelled("desk-type", "requests.type_filter", rx.el.select(
                            rx.el.option(tr("requests.all_types"), value=""),
                            rx.foreach(state.form_options, lambda o: rx.el.option(o["label"], value=o["value"])),
                            id="desk-type", name="form_key", class_name="portal-select")),
                        labelled("desk-customer", "desk.customer", rx.input(id="desk-customer", name="customer", size="2",
                                                                            placeholder=tr("desk.customer_hint"))),
                        labelled("desk-age", "desk.age", rx.el.select(
                            rx.foreach(state.age_options, lambda o: rx.el.option(o["label"], value=o["value"])),
                            id="desk-age", name="age", class_name="portal-select")),
                        rx.button(tr("billing.apply"), type="submit", id="desk-apply"),
                        spacing="3", wrap="wrap", align="end",
                    ),
                    on_submit=state.apply,
                ),
            ),
            card(
                rx.cond(
                    state.rows.length() > 0,
                    rx.vstack(
                        table_region(
                            simple_table(
                                header=[header_cell(tr("home.request_code")), header_cell(tr("operator.name")),
                                        header_cell(tr("home.request_title")), header_cell(tr("home.request_status")),
                                        header_cell(tr("home.request_updated"))],
                                body=rx.foreach(state.rows, desk_row),
                                table_id="desk-table",
                            ),
                            label=tr("desk.title"),
                        ),
                        pager(state, "desk"),
                        width="100%",
                    ),
                    empty(tr("desk.empty")),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
