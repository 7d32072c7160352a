"""Fatture e pagamenti: every document with its status, filters, the overdue total, the amounts
due in the next months, PDF and XML of each document, and ESPORTA."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.layout import column, page_body
from portal.components.shell import template
from portal.components.ui import card, data_table, empty, export_button, page_header, pager
from portal.pages.billing.components import chart, document_row, filters
from portal.pages.billing.state import BillingState
from portal.state.i18n import tr

__all__ = ["BillingState", "billing"]

COLUMNS = [
    ("billing.col.status", False),
    ("billing.col.contract", False),
    ("billing.col.due_date", False),
    ("billing.col.instalment", True),
    ("billing.col.reason", False),
    ("billing.col.payment", False),
    ("billing.col.amount", True),
    ("billing.col.paid", True),
    ("billing.col.balance", True),
    ("billing.col.overdue", True),
    ("billing.col.document", False),
]


def overdue_total() -> rx.Component:
    """One sentence: label, a space, the amount, as it is read aloud or copied."""
    state = BillingState
    amount = rx.el.strong(
        state.overdue_text,
        id="billing-total-overdue",
        class_name="portal-nowrap",
        color=rx.cond(state.has_overdue, "var(--red-11)", "inherit"),
    )
    return rx.flex(
        rx.text(tr("billing.total_overdue"), " ", amount, weight="medium", id="billing-total-overdue-line"),
        justify="end",
        margin_top="1rem",
        padding_top="0.75rem",
        border_top="1px solid var(--gray-a5)",
    )


def documents() -> rx.Component:
    state = BillingState
    caption = tr("billing.caption")
    table = data_table(
        state.rows, document_row, columns=COLUMNS, label=caption, table_id="billing-table", caption=caption
    )
    return card(
        rx.cond(
            state.rows.length() > 0,
            column(table, pager(state, "billing"), gap="3"),
            empty(tr("billing.empty"), icon="receipt-text"),
        ),
        overdue_total(),
    )


@template(route=routes.BILLING, title_key="billing.title", on_load=BillingState.load)
def billing() -> rx.Component:
    state = BillingState
    export = export_button(state, button_id="billing-export", on_click=state.export, disabled=state.total == 0)
    return page_body(state.loaded, page_header(tr("billing.title"), export), filters(), chart(), documents())
