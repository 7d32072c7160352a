"""The parts of the Fatture e pagamenti screen: the filters, a document's row and the chart."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal.components.charts import NO_KEYBOARD_LAYER, euro_tooltip
from portal.components.fields import error_text, form, labelled, select
from portal.components.filters import contract_search, contract_select
from portal.components.layout import column, plain_list, row
from portal.components.ui import card, data_cell, document_link, status_badge
from portal.pages.billing.state import BillingState, ChartBar, DocumentLine
from portal.state.i18n import tr


def filter_field(field_id: str, label_key: str, control: rx.Component, min_width: str = "150px") -> rx.Component:
    """A filter's label above its control, as wide as the control needs (the filters wrap)."""
    return labelled(field_id, tr(label_key), control, min_width=min_width, width=None)


def date_input(field_id: str, name: str) -> rx.Component:
    return rx.input(type="date", id=field_id, name=name, size="2", aria_describedby="billing-period-error")


def period_form() -> rx.Component:
    state = BillingState
    reset = rx.button(
        tr("billing.reset"), type="button", variant="ghost", color_scheme="gray", on_click=state.clear_filters
    )
    return form(
        row(
            filter_field("billing-from", "billing.from", date_input("billing-from", "date_from")),
            filter_field("billing-to", "billing.to", date_input("billing-to", "date_to")),
            rx.button(tr("billing.apply"), type="submit", variant="soft", id="billing-apply"),
            reset,
            align="end",
        ),
        error_text(state.period_error, "billing-period-error"),
        on_submit=state.apply_period,
    )


def filters() -> rx.Component:
    state = BillingState
    contract = contract_select(state, "billing-contract", tr("billing.all_contracts"))
    status = select("billing-status", state.status_options, value=state.status, on_change=state.choose_status)
    return card(
        row(
            column(  # the search (a customer with many contracts) narrows the select under it
                contract_search(state, "billing-contract-search"),
                filter_field("billing-contract", "billing.contract", contract, min_width="240px"),
                width=None,
                max_width="360px",
            ),
            filter_field("billing-status", "billing.status", status, min_width="170px"),
            period_form(),
            gap="5",
            align="end",
        ),
    )


def document_cell(line: DocumentLine) -> rx.Component:
    """The document's number, its PDF and XML, and what it corrects or is corrected by."""
    return rx.el.td(
        rx.vstack(
            rx.text(line.number, weight="medium", white_space="nowrap"),
            rx.hstack(
                document_link(tr("billing.pdf"), href=line.pdf_url, aria_label=line.pdf_label, class_name="pdf-link"),
                document_link(
                    tr("billing.xml"), href=line.xml_url, save=True, aria_label=line.xml_label, class_name="xml-link"
                ),
                spacing="2",
            ),
            rx.cond(line.note != "", rx.text(line.note, size="1", color_scheme="gray", class_name="document-note")),
            rx.cond(line.paper, rx.badge(tr("billing.paper"), variant="outline", size="1")),
            spacing="1",
        ),
    )


def document_row(line: DocumentLine) -> rx.Component:
    return rx.el.tr(
        rx.el.td(status_badge(line.status, line.status_label)),
        data_cell(line.contract),
        data_cell(line.due_date),
        data_cell(line.instalment, True),
        data_cell(line.reason),
        data_cell(line.payment),
        data_cell(line.amount, True),
        data_cell(line.paid, True),
        data_cell(line.balance, True),
        data_cell(line.overdue, True),
        document_cell(line),
        class_name="document-row",
        data_status=line.status,
        data_number=line.number,
    )


def chart_value(bar: ChartBar) -> rx.Component:
    return rx.el.li(rx.text(bar.label, ": ", rx.el.span(bar.text, class_name="portal-nowrap"), size="2"))


def chart() -> rx.Component:
    return card(
        rx.box(
            rx.recharts.bar_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                rx.recharts.bar(
                    rx.foreach(BillingState.chart_bars, lambda bar: rx.recharts.cell(fill=bar.fill)),
                    data_key="amount",
                    name=tr("billing.chart_amount"),
                    is_animation_active=False,
                ),
                rx.recharts.x_axis(data_key="label", interval="preserveStartEnd", min_tick_gap=4, font_size=11),
                rx.recharts.y_axis(width=70),
                euro_tooltip(),
                data=BillingState.chart_bars.to(list[dict[str, Any]]),  # recharts' type for the rows it reads
                height=220,
                width="100%",
                **NO_KEYBOARD_LAYER,
            ),
            role="img",
            aria_label=BillingState.chart_summary,
        ),
        rx.text(BillingState.chart_summary, size="1", color_scheme="gray", id="billing-chart-summary"),
        rx.el.details(
            rx.el.summary(tr("billing.chart_values"), class_name="portal-summary"),
            plain_list(BillingState.chart_bars, chart_value, "chart-values"),
            margin_top="0.5rem",
        ),
        title=tr("billing.chart_title"),
    )
