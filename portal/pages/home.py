"""Home: "La tua situazione", the active contracts and the latest requests."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.shell import is_registered, template
from portal.components.ui import (
    arrow_link,
    card,
    empty,
    figure,
    figures,
    header_cell,
    loading,
    simple_table,
    table_region,
)
from portal.db import session_scope
from portal.forms import registry
from portal.services import clock
from portal.services.dashboard import (
    HomeSummary,
    RequestRow,
    home_summary,
    latest_requests_of_tenant,
)
from portal.state.i18n import tr
from portal.state.session import SessionState

OPERATOR_REQUESTS = 10


class HomeState(SessionState):
    loaded: bool = False
    may_submit: bool = False
    _summary: HomeSummary | None = None
    _tenant_requests: list[RequestRow] = []

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        self.may_submit = principal.may_submit_requests and principal.scope is not None
        with session_scope() as db:
            if principal.customer_id is None:
                self._summary = None
                self._tenant_requests = latest_requests_of_tenant(
                    session=db, tenant_id=principal.tenant_id, limit=OPERATOR_REQUESTS
                )
            else:
                self._summary = home_summary(
                    session=db, scope=principal.scope, today=clock.today(), user_id=principal.user_id
                )
                self._tenant_requests = []
        self.loaded = True

    @rx.var
    def today_text(self) -> str:
        return i18n.long_date(self._summary.today if self._summary else clock.today(), self.lang)

    @rx.var
    def overdue_text(self) -> str:
        return i18n.money(self._summary.overdue_total if self._summary else None, self.lang)

    @rx.var
    def has_overdue(self) -> bool:
        return bool(self._summary and self._summary.overdue_total > 0)

    @rx.var
    def next_due_text(self) -> str:
        if self._summary is None or self._summary.next_due_date is None:
            return i18n.translate(self.lang, "home.no_next_due")
        return i18n.short_date(self._summary.next_due_date, self.lang)

    @rx.var
    def next_payment_text(self) -> str:
        return i18n.money(self._summary.next_payment if self._summary else None, self.lang)

    @rx.var
    def advances_text(self) -> str:
        return i18n.money(self._summary.advances_paid if self._summary else None, self.lang)

    @rx.var
    def contracts_total_text(self) -> str:
        count = self._summary.active_contract_count if self._summary else 0
        return i18n.translate(self.lang, "home.total", count=count)

    @rx.var
    def contracts_summary_text(self) -> str:
        if self._summary is None:
            return ""
        summary = self._summary
        key = "home.contracts_summary_one" if summary.active_contract_count == 1 else "home.contracts_summary"
        return i18n.translate(self.lang, key, contracts=summary.active_contract_count, assets=summary.active_asset_count)

    @rx.var
    def more_contracts_text(self) -> str:
        if self._summary is None:
            return ""
        hidden = self._summary.active_contract_count - len(self._summary.contracts)
        return i18n.translate(self.lang, "home.more_contracts", count=hidden) if hidden > 0 else ""

    @rx.var
    def contract_cards(self) -> list[dict[str, str]]:
        if self._summary is None:
            return []
        return [
            {
                "number": card.number,
                "product": card.product,
                "assets": (
                    i18n.translate(self.lang, "home.contract_asset")
                    if card.asset_count == 1
                    else i18n.translate(self.lang, "home.contract_assets", count=card.asset_count)
                ),
                "amount": i18n.money(card.amount, self.lang),
                "signed_on": i18n.short_date(card.signed_on, self.lang),
                "end_date": i18n.short_date(card.end_date, self.lang),
                "url": routes.contract_url(card.number),
            }
            for card in self._summary.contracts
        ]

    @rx.var
    def request_rows(self) -> list[dict[str, str]]:
        rows = self._summary.latest_requests if self._summary else self._tenant_requests
        return [
            {
                "code": row.code,
                "title": row.title,
                "customer": row.customer_name,
                "status": i18n.translate(self.lang, f"request_status.{row.status.value}"),
                "open": "1" if row.status.is_open else "",
                "updated": i18n.date_time(row.updated_at, self.lang),
                "url": routes.desk_request_url(row.code) if self.is_operator else routes.request_url(row.code),
            }
            for row in rows
        ]

    @rx.var
    def self_service_forms(self) -> list[dict[str, str]]:
        if self._summary is None or not self.may_submit:
            return []
        return [
            {"key": form.key, "title": form.title(self.lang), "url": routes.new_request_url(form.key), "icon": form.icon,
             "aria": i18n.translate(self.lang, "requests.make_for", title=form.title(self.lang))}
            for form in registry().values() if form.on_home
        ]


def situation_panel() -> rx.Component:
    return card(
        rx.text(HomeState.today_text, color_scheme="gray", size="2", margin_bottom="1rem", id="home-today", as_="p"),
        figures(
            figure(tr("home.overdue"), rx.text(HomeState.overdue_text, color=rx.cond(HomeState.has_overdue, "var(--red-11)", "inherit")), "home-overdue"),
            figure(tr("home.next_due"), HomeState.next_due_text, "home-next-due"),
            figure(tr("home.next_payment"), HomeState.next_payment_text, "home-next-payment"),
            figure(tr("home.advances"), HomeState.advances_text, "home-advances"),
        ),
        *([rx.box(arrow_link(tr("home.go_billing"), routes.BILLING), margin_top="1.25rem")] if is_registered(routes.BILLING) else []),
        title=tr("home.situation"),
        title_id="home-situation-title",
    )


def contract_card(item: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.link(item["number"], href=item["url"], weight="bold") if is_registered(routes.CONTRACTS) else rx.text(item["number"], weight="bold"),
            rx.badge(item["product"], variant="soft"),
            rx.text(item["assets"], size="2", color_scheme="gray"),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.grid(
            rx.box(rx.text(tr("home.amount"), size="1", color_scheme="gray", as_="p"), rx.text(item["amount"], weight="medium", as_="p")),
            rx.box(rx.text(tr("home.signed_on"), size="1", color_scheme="gray", as_="p"), rx.text(item["signed_on"], weight="medium", as_="p")),
            rx.box(rx.text(tr("home.expires_on"), size="1", color_scheme="gray", as_="p"), rx.text(item["end_date"], weight="medium", as_="p")),
            columns="3",
            spacing="3",
            margin_top="0.5rem",
        ),
        padding_y="0.75rem",
        border_bottom="1px solid var(--gray-a4)",
        class_name="home-contract",
    )


def contracts_panel() -> rx.Component:
    links = []
    if is_registered(routes.CONTRACTS):
        links.append(arrow_link(tr("home.go_contracts"), routes.CONTRACTS))
    if is_registered(routes.ASSETS):
        links.append(arrow_link(tr("home.go_assets"), routes.ASSETS))
    return card(
        rx.hstack(
            rx.badge(HomeState.contracts_total_text, size="2", id="home-contracts-total"),
            rx.text(HomeState.contracts_summary_text, weight="medium", id="home-contracts-summary"),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            HomeState.contract_cards.length() > 0,
            rx.box(rx.foreach(HomeState.contract_cards, contract_card), id="home-contracts"),
            empty(tr("home.no_contracts"), icon="file-x"),
        ),
        rx.cond(HomeState.more_contracts_text != "", rx.text(HomeState.more_contracts_text, size="2", color_scheme="gray", margin_top="0.5rem")),
        *([rx.hstack(*links, spacing="5", margin_top="1rem", wrap="wrap")] if links else []),
        title=tr("home.active_contracts"),
        title_id="home-contracts-title",
    )


def self_service_panel() -> rx.Component:
    return rx.cond(
        HomeState.self_service_forms.length() > 0,
        card(
            rx.el.ul(
                rx.foreach(
                    HomeState.self_service_forms,
                    lambda form: rx.el.li(
                        rx.hstack(
                            rx.icon(form["icon"].to(str), size=18, color="var(--accent-11)", aria_hidden="true"),
                            rx.text(form["title"], weight="medium", flex="1", text_transform="uppercase", size="2"),
                            rx.link(rx.hstack(rx.text(tr("requests.make")), rx.icon("arrow-right", size=14), spacing="1", align="center"),
                                    href=form["url"], aria_label=form["aria"], data_form=form["key"], class_name="self-service-link"),
                            spacing="3", align="center", width="100%",
                        ),
                        padding_y="0.55rem", border_bottom="1px solid var(--gray-a4)",
                    ),
                ),
                list_style="none", margin="0", padding="0", id="self-service",
            ),
            title=tr("requests.self_service"),
            title_id="home-self-service-title",
        ),
    )


def request_row(row: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(row["code"], href=row["url"], weight="medium", white_space="nowrap")),
        rx.el.td(row["title"]),
        rx.cond(HomeState.is_operator, rx.el.td(row["customer"])),
        rx.el.td(rx.badge(row["status"], color_scheme=rx.cond(row["open"] != "", "amber", "green"))),
        rx.el.td(row["updated"], white_space="nowrap"),
        class_name="home-request",
    )


def requests_panel() -> rx.Component:
    return card(
        rx.cond(
            HomeState.request_rows.length() > 0,
            table_region(
                simple_table(
                    header=[
                        header_cell(tr("home.request_code")),
                        header_cell(tr("home.request_title")),
                        rx.cond(HomeState.is_operator, header_cell(tr("operator.name"))),
                        header_cell(tr("home.request_status")),
                        header_cell(tr("home.request_updated")),
                    ],
                    body=rx.foreach(HomeState.request_rows, request_row),
                    table_id="home-requests",
                ),
                label=rx.cond(HomeState.is_operator, tr("home.operator_requests"), tr("home.requests")),
            ),
            empty(tr("home.no_requests")),
        ),
        *([rx.box(arrow_link(tr("home.all_requests"), routes.REQUESTS), margin_top="1rem")] if is_registered(routes.REQUESTS) else []),
        title=rx.cond(HomeState.is_operator, tr("home.operator_requests"), tr("home.requests")),
        title_id="home-requests-title",
    )


@template(route=routes.HOME, title_key="home.title", on_load=HomeState.load)
def home() -> rx.Component:
    return rx.cond(
        HomeState.loaded,
        rx.vstack(
            rx.heading(tr("home.title"), as_="h1", size="7", class_name="sr-only"),
            rx.cond(
                HomeState.is_operator,
                requests_panel(),
                rx.vstack(
                    rx.grid(situation_panel(), contracts_panel(), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
                    rx.grid(self_service_panel(), requests_panel(), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
