"""Home's panels: the situation, the active contracts, self service and the latest requests."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from portal import routes
from portal.components.layout import plain_list, row
from portal.components.ui import (
    arrow_link,
    card,
    empty,
    figure,
    figures,
    header_cell,
    labelled_value,
    simple_table,
    status_badge,
    table_region,
)
from portal.pages.home.state import ContractCardView, HomeState
from portal.state.i18n import tr
from portal.state.rows import FormLink, RequestLine


def situation_panel() -> rx.Component:
    return card(
        rx.text(HomeState.today_text, color_scheme="gray", size="2", margin_bottom="1rem", id="home-today", as_="p"),
        figures(
            figure(
                tr("home.overdue"),
                rx.text(HomeState.overdue_text, color=rx.cond(HomeState.has_overdue, "var(--red-11)", "inherit")),
                "home-overdue",
            ),
            figure(tr("home.next_due"), HomeState.next_due_text, "home-next-due"),
            figure(tr("home.next_payment"), HomeState.next_payment_text, "home-next-payment"),
            figure(tr("home.advances"), HomeState.advances_text, "home-advances"),
        ),
        rx.box(arrow_link(tr("home.go_billing"), routes.BILLING), margin_top="1.25rem"),
        title=tr("home.situation"),
        title_id="home-situation-title",
    )


def contract_card(item: ObjectVar[ContractCardView]) -> rx.Component:
    return rx.box(
        row(
            rx.link(item.number, href=item.url, weight="bold"),
            rx.badge(item.product, variant="soft"),
            rx.text(item.assets, size="2", color_scheme="gray"),
        ),
        rx.grid(
            labelled_value(tr("home.amount"), item.amount, nowrap=True),
            labelled_value(tr("home.signed_on"), item.signed_on, nowrap=True),
            labelled_value(tr("home.expires_on"), item.end_date, nowrap=True),
            columns="3",
            spacing="3",
            margin_top="0.5rem",
        ),
        class_name="home-contract",
    )


def contracts_panel() -> rx.Component:
    return card(
        row(
            rx.badge(HomeState.contracts_total_text, size="2", id="home-contracts-total"),
            rx.text(HomeState.contracts_summary_text, weight="medium", id="home-contracts-summary"),
        ),
        rx.cond(
            HomeState.contract_cards.length() > 0,
            rx.box(rx.foreach(HomeState.contract_cards, contract_card), id="home-contracts"),
            empty(tr("home.no_contracts"), icon="file-x"),
        ),
        rx.cond(
            HomeState.more_contracts_text != "",
            rx.text(HomeState.more_contracts_text, size="2", color_scheme="gray", margin_top="0.5rem"),
        ),
        rx.hstack(
            arrow_link(tr("home.go_contracts"), routes.CONTRACTS),
            arrow_link(tr("home.go_assets"), routes.ASSETS),
            spacing="5",
            margin_top="1rem",
            wrap="wrap",
        ),
        title=tr("home.active_contracts"),
        title_id="home-contracts-title",
    )


def self_service_item(form: ObjectVar[FormLink]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.icon(form.icon, size=18, color="var(--accent-11)", aria_hidden="true"),
            rx.text(form.title, weight="medium", flex="1", text_transform="uppercase", size="2"),
            rx.link(
                rx.hstack(
                    rx.text(tr("requests.make")),
                    rx.icon("arrow-right", size=14),
                    spacing="1",
                    align="center",
                ),
                href=form.url,
                aria_label=form.aria,
                data_form=form.key,
                class_name="self-service-link",
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        padding_y="0.55rem",
        border_bottom="1px solid var(--gray-a4)",
    )


def self_service_panel() -> rx.Component:
    return rx.cond(
        HomeState.self_service_forms.length() > 0,
        card(
            plain_list(HomeState.self_service_forms, self_service_item, "self-service"),
            title=tr("requests.self_service"),
            title_id="home-self-service-title",
        ),
    )


def request_row(row: ObjectVar[RequestLine]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(row.code, href=row.url, weight="medium", white_space="nowrap")),
        rx.el.td(row.title),
        rx.cond(HomeState.is_operator, rx.el.td(row.customer)),
        rx.el.td(status_badge(row.status, row.status_label)),
        rx.el.td(row.updated, white_space="nowrap"),
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
                    caption=rx.cond(HomeState.is_operator, tr("home.operator_requests"), tr("home.requests")),
                    table_id="home-requests",
                ),
                label=rx.cond(HomeState.is_operator, tr("home.operator_requests"), tr("home.requests")),
            ),
            empty(tr("home.no_requests")),
        ),
        rx.box(arrow_link(tr("home.all_requests"), routes.REQUESTS), margin_top="1rem"),
        title=rx.cond(HomeState.is_operator, tr("home.operator_requests"), tr("home.requests")),
        title_id="home-requests-title",
    )
