"""End of lease: a contract's options with their figures (the contract page, with the choice;
Home, with a link to the contract), or the choice already stated with its request."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal.components.layout import actions, column
from portal.components.ui import cancel_button, card
from portal.state.i18n import tr


def option_box(title_key: str, *lines: rx.Component, choose: rx.Component | None = None, **props) -> rx.Component:
    return rx.box(
        rx.heading(tr(title_key), as_="h3", size="3", margin_bottom="0.4rem"),
        *lines,
        *([rx.box(choose, margin_top="0.75rem")] if choose is not None else []),
        padding="0.9rem",
        border="1px solid var(--gray-a6)",
        border_radius="var(--radius-3)",
        **props,
    )


def figure_line(label_key: str, value, value_id: str) -> rx.Component:
    return rx.text(
        tr(label_key), ": ", rx.text.strong(value, id=value_id, class_name="portal-nowrap"), size="2", as_="p"
    )


def confirm_dialog(choice: str, item, on_confirm: Callable[[str], rx.event.EventSpec]) -> rx.Component:
    """The button of one choice and the dialog that asks to confirm it."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(tr(f"lease_end.choose.{choice}"), id=f"lease-end-choose-{choice}")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("lease_end.confirm_title")),
            rx.alert_dialog.description(
                tr(f"lease_end.confirm.{choice}"), " ", tr("lease_end.confirm_contract"), " ", item.number
            ),
            actions(
                rx.alert_dialog.cancel(cancel_button(tr("lease_end.cancel"))),
                rx.alert_dialog.action(
                    rx.button(
                        tr("lease_end.confirm_button"), on_click=on_confirm(choice), id=f"lease-end-confirm-{choice}"
                    )
                ),
                margin_top="1.25rem",
            ),
            max_width="460px",
        ),
    )


def options(item, on_confirm: Callable[[str], rx.event.EventSpec] | None, prefix: str) -> rx.Component:
    def choose(choice: str) -> rx.Component | None:
        return confirm_dialog(choice, item, on_confirm) if on_confirm is not None else None

    purchase = option_box(
        "lease_end.purchase",
        figure_line("lease_end.residual", item.residual, f"{prefix}-residual"),
        figure_line("lease_end.vat", item.vat, f"{prefix}-vat"),
        figure_line("lease_end.total", item.total, f"{prefix}-total"),
        rx.text(tr("lease_end.invoice_note"), size="1", color_scheme="gray", as_="p", margin_top="0.3rem"),
        choose=choose("purchase"),
    )
    giving_back = option_box(
        "lease_end.return", rx.text(tr("lease_end.return_text"), size="2", as_="p"), choose=choose("return")
    )
    extension = option_box(
        "lease_end.extension",
        rx.text(item.extension_months, size="2", as_="p"),
        figure_line("lease_end.extension_rent", item.extension_rent, f"{prefix}-extension-rent"),
        figure_line("lease_end.extension_total", item.extension_total, f"{prefix}-extension-total"),
        rx.text(tr("lease_end.extension_text"), size="1", color_scheme="gray", as_="p", margin_top="0.3rem"),
        choose=choose("extension"),
    )
    return rx.grid(
        purchase,
        giving_back,
        rx.cond(item.has_extension, extension),
        columns=rx.breakpoints(initial="1", md="3"),
        spacing="3",
        width="100%",
    )


def chosen(item, prefix: str) -> rx.Component:
    return rx.callout(
        rx.text(
            item.chosen_text,
            " ",
            rx.link(tr("lease_end.see_request"), " ", item.chosen_code, href=item.chosen_url, id=f"{prefix}-request"),
        ),
        icon="circle-check",
        color_scheme="green",
        id=f"{prefix}-chosen",
    )


def lease_end_panel(
    item, *, on_confirm=None, prefix: str = "lease-end", link_to_contract: bool = False
) -> rx.Component:
    """One contract's end of lease: the options (with their choice buttons when `on_confirm` is
    given, a link to the contract page when `link_to_contract`), or the choice stated."""
    more = (
        [rx.link(tr("lease_end.go_contract"), " ", item.number, href=item.contract_url, class_name="lease-end-go")]
        if link_to_contract
        else []
    )
    return column(
        rx.text(item.days_left, size="2", as_="p", weight="medium"),
        rx.cond(
            item.chosen,
            chosen(item, prefix),
            column(
                rx.text(tr("lease_end.intro"), size="2", color_scheme="gray", as_="p"),
                options(item, on_confirm, prefix),
                *more,
                gap="2",
            ),
        ),
        gap="2",
        class_name="lease-end",
        data_contract=item.number,
    )


def lease_end_card(item, *, on_confirm, prefix: str = "lease-end") -> rx.Component:
    return card(
        lease_end_panel(item, on_confirm=on_confirm, prefix=prefix),
        title=tr("lease_end.title"),
        title_id=f"{prefix}-title",
        id=f"{prefix}-card",
    )
