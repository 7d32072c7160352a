"""Contratti: the chosen contract's data by group, its capitale residuo chart and progress."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.fields import labelled, select
from portal.components.filters import contract_search
from portal.components.layout import column, page_body
from portal.components.shell import template
from portal.components.ui import alert, empty
from portal.pages.contracts.details import details
from portal.pages.contracts.state import ContractsState
from portal.state.i18n import tr

__all__ = ["ContractsState", "contracts"]


def selector() -> rx.Component:
    state = ContractsState
    choice = select("contract-select", state.choices, value=state.selected, on_change=state.choose, max_width="560px")
    return column(
        contract_search(state, "contract-search", max_width="560px"),
        labelled("contract-select", tr("contracts.select"), choice),
    )


def export_progress() -> rx.Component:
    """A bar and its words while the export runs: this export can take a while."""
    state = ContractsState
    text = state.export_progress_text
    return rx.vstack(
        rx.progress(value=state.export_percent.to(int), width="260px", aria_label=text),
        rx.text(text, size="1", color_scheme="gray", role="status", id="export-progress"),
        spacing="1",
    )


def export_all_button() -> rx.Component:
    """Unlike ui.export_button, the progress shows as a bar (export_progress)."""
    state = ContractsState
    button = rx.button(
        rx.icon("file-spreadsheet", size=16),
        tr("contracts.export_all"),
        on_click=state.export_all_plans,
        loading=state.export_running,
        variant="outline",
        id="export-all-plans",
    )
    return rx.vstack(button, rx.cond(state.export_running, export_progress()), align="end", spacing="2")


def contract_view() -> rx.Component:
    """The selector, and the chosen contract or why none is shown."""
    state = ContractsState
    return column(
        selector(),
        rx.cond(state.not_found, alert(tr("contracts.not_found"), "contract-not-found")),
        rx.cond(state.has_contract, details()),
    )


@template(route=routes.CONTRACTS, title_key="contracts.title", on_load=ContractsState.load)
def contracts() -> rx.Component:
    state = ContractsState
    # like ui.page_header, but the title stays at the top while the progress grows under the button
    header = rx.flex(
        rx.heading(tr("contracts.title"), as_="h1", size="7"),
        export_all_button(),
        justify="between",
        align="start",
        wrap="wrap",
        gap="3",
        width="100%",
    )
    return page_body(
        state.loaded,
        header,
        rx.cond(state.has_contracts, contract_view(), empty(tr("contracts.none"), icon="file-x")),
    )
