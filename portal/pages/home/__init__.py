"""Home: "La tua situazione", the active contracts and the latest requests."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.layout import column, page_body, two_columns
from portal.components.lease_end import lease_end_panel
from portal.components.shell import template
from portal.components.ui import card
from portal.pages.home.panels import contracts_panel, requests_panel, self_service_panel, situation_panel
from portal.pages.home.state import HomeState
from portal.state.i18n import tr

__all__ = ["HomeState"]


def lease_end_home() -> rx.Component:
    """The contracts near their end, with their options' figures and a link to choose on the contract."""
    return rx.cond(
        HomeState.lease_ends.length() > 0,
        card(
            rx.foreach(
                HomeState.lease_ends,
                lambda item: lease_end_panel(item, prefix="home-lease-end", link_to_contract=True),
            ),
            title=tr("lease_end.title"),
            title_id="home-lease-end-title",
            id="home-lease-end",
        ),
    )


@template(route=routes.HOME, title_key="home.title", on_load=HomeState.load)
def home() -> rx.Component:
    return page_body(
        HomeState.loaded,
        rx.heading(tr("home.title"), as_="h1", size="7", class_name="sr-only"),
        rx.cond(
            HomeState.is_operator,
            requests_panel(),
            column(
                lease_end_home(),
                two_columns(situation_panel(), contracts_panel()),
                two_columns(self_service_panel(), requests_panel()),
            ),
        ),
    )
