"""Small building blocks shared by the pages: cards, figures, tables, badges, links, states.
Form pieces are in fields.py, the layout vocabulary in layout.py."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_components_radix.themes.base import LiteralAccentColor

from portal.state.i18n import tr


def card(
    *children: rx.Component, title: rx.Var | str | None = None, title_id: str | None = None, **props
) -> rx.Component:
    heading = [rx.heading(title, as_="h2", size="4", id=title_id, margin_bottom="0.75rem")] if title is not None else []
    return rx.card(
        *heading,
        *children,
        size="3",
        width="100%",
        aria_labelledby=title_id,
        **props,
    )


def figure(label: rx.Var | str, value: rx.Var | str | rx.Component, value_id: str) -> rx.Component:
    """One row of a label/value list (rendered as dt/dd)."""
    return rx.fragment(
        rx.el.dt(label),
        rx.el.dd(value, id=value_id),
    )


def labelled_value(label, value, *, value_id: str | None = None, nowrap: bool = False) -> rx.Component:
    """A small grey label above its value; an amount or a date (`nowrap`) never breaks across lines."""
    return rx.box(
        rx.text(label, size="1", color_scheme="gray", as_="p"),
        rx.text(value, weight="medium", as_="p", id=value_id, class_name="portal-nowrap" if nowrap else ""),
    )


def figures(*rows: rx.Component) -> rx.Component:
    return rx.el.dl(
        *rows,
        class_name="portal-figures",
        display="grid",
        grid_template_columns="1fr auto",
        row_gap="0.65rem",
        column_gap="1rem",
        margin="0",
    )


def back_link(label_key: str, href: str) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text(tr(label_key)), spacing="1", align="center"
        ),
        href=href,
    )


def loading(message_key: str = "home.loading") -> rx.Component:
    return rx.center(
        rx.hstack(rx.spinner(size="3"), rx.text(tr(message_key), color_scheme="gray"), spacing="3", align="center"),
        padding="3rem",
        role="status",
        aria_live="polite",
    )


def empty(message: rx.Var | str, icon: str = "inbox") -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=28, color="var(--gray-9)", aria_hidden="true"),
            rx.text(message, color_scheme="gray"),
            align="center",
            spacing="2",
        ),
        padding="1.5rem",
    )


def arrow_link(label: rx.Var | str, href: str, **props) -> rx.Component:
    return rx.link(
        rx.hstack(rx.text(label), rx.icon("arrow-right", size=16, aria_hidden="true"), spacing="1", align="center"),
        href=href,
        weight="medium",
        **props,
    )


def auth_card(*children: rx.Component | rx.Var, width: str = "460px") -> rx.Component:
    """The centred card of the public pages (login, registration, recovery)."""
    from portal.components.shell import BRAND

    return rx.center(
        rx.card(
            rx.vstack(
                rx.image(src=f"/{BRAND.logo}", alt="", height="48px", width="auto", aria_hidden="true"),
                *children,
                spacing="5",
                align="center",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width=width,
        ),
        padding_y="2rem",
    )


def notice(
    message, *, tone: LiteralAccentColor = "blue", icon: str = "info", element_id: str | None = None
) -> rx.Component:
    """A callout shown only when `message` is not empty."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon=icon,
            color_scheme=tone,
            role="status" if tone != "red" else "alert",
            id=element_id,
            width="100%",
        ),
    )


def table_region(table: rx.Component, *, label, region_id: str | None = None) -> rx.Component:
    """A wide table that scrolls sideways on small screens; the scrolling box is focusable and
    named, so keyboard users can scroll it too (WCAG 2.1.1)."""
    return rx.box(
        table,
        role="region",
        aria_label=label,
        tab_index=0,
        overflow_x="auto",
        width="100%",
        id=region_id,
        class_name="portal-table-region",
    )


def simple_table(*, header: list, body: rx.Component, caption=None, table_id: str | None = None) -> rx.Component:
    """A plain HTML table styled like the rest of the portal (no inner scroll area)."""
    parts = [rx.el.caption(caption, class_name="sr-only")] if caption is not None else []
    return rx.el.table(
        *parts,
        rx.el.thead(rx.el.tr(*header)),
        rx.el.tbody(body),
        class_name="portal-table",
        id=table_id,
    )


def header_cell(label, numeric: bool = False) -> rx.Component:
    return rx.el.th(label, scope="col", class_name="portal-num" if numeric else "")


def cancel_button(label, **props) -> rx.Component:
    """The button that closes a dialog or a step without doing anything (it never submits a form)."""
    return rx.button(label, type="button", variant="soft", color_scheme="gray", **props)


def header_button(icon: str, label, **props) -> rx.Component:
    """An icon-only button of the header (menu, bell, log out); `label` is what a screen reader says."""
    return rx.icon_button(rx.icon(icon, aria_hidden="true"), variant="ghost", size="3", aria_label=label, **props)


def _page_button(icon: str, on_click, disabled, label, button_id: str) -> rx.Component:
    return rx.icon_button(
        rx.icon(icon), variant="soft", on_click=on_click, disabled=disabled, aria_label=label, id=button_id
    )


def pager(state, id_prefix: str, *leading: rx.Component) -> rx.Component:
    """ "26–50 di 120" and the previous/next buttons of a PagedState (state/paging.py)."""
    return rx.hstack(
        *leading,
        rx.text(state.page_info, size="2", id=f"{id_prefix}-page-info", aria_live="polite"),
        _page_button(
            "chevron-left", state.previous_page, ~state.has_previous, tr("plan.previous"), f"{id_prefix}-previous"
        ),
        _page_button("chevron-right", state.next_page, ~state.has_next, tr("plan.next"), f"{id_prefix}-next"),
        spacing="3",
        align="center",
        justify="end",
        width="100%",
        wrap="wrap",
    )


# The colour of a status, whatever it belongs to (request, invoice, account): one palette everywhere.
STATUS_COLOURS = (
    ("submitted", "amber"),
    ("in_progress", "blue"),
    ("waiting_customer", "orange"),
    ("resolved", "green"),
    ("rejected", "gray"),
    ("to_be_due", "amber"),
    ("overdue", "red"),
    ("paid", "green"),
    ("active", "green"),
    ("invited", "amber"),
    ("imported", "green"),  # an import run's outcome (a rejected one is "rejected")
    ("valid", "blue"),
    ("delivered", "green"),  # a webhook delivery's state
    ("waiting", "amber"),
    ("retrying", "orange"),
    ("given_up", "red"),
)


def status_badge(status, label, **props) -> rx.Component:
    """A status as a coloured badge: `status` is the code (e.g. "overdue"), `label` its words."""
    colour = rx.match(status, *STATUS_COLOURS, "gray")
    # rx.match over strings yields a Var holding a colour name; Reflex types it as Component | Var.
    return rx.badge(label, color_scheme=colour, **props)  # pyright: ignore[reportArgumentType]


def page_header(title, *actions: rx.Component) -> rx.Component:
    """The page's h1 with its actions (export, new, …) on the right, wrapping under it on a phone."""
    return rx.flex(
        rx.heading(title, as_="h1", size="7"),
        *actions,
        justify="between",
        align="center",
        wrap="wrap",
        gap="3",
        width="100%",
    )


def export_button(state, *, button_id: str, on_click, disabled=False, label=None) -> rx.Component:
    """An Excel export of an ExportState (state/exports.py): the button, and the progress while it runs."""
    return rx.vstack(
        rx.button(
            rx.icon("file-spreadsheet", size=16),
            label if label is not None else tr("plan.export"),
            on_click=on_click,
            loading=state.export_running,
            id=button_id,
            disabled=disabled,
        ),
        rx.cond(state.export_running, rx.text(state.export_progress_text, size="1", role="status")),
        align="end",
    )


def document_link(*children, href, save: bool = False, **props) -> rx.Component:
    """A file the server makes (/api/…): PDFs open in a new tab, files to `save` (FatturaPA XML)
    download where the user is. Either way the browser fetches it itself: the page's router must
    not take the link for one of its pages (it would answer "404: Page not found")."""
    if save:
        return rx.link(*children, href=href, reload_document=True, download="", **props)
    return rx.link(*children, href=href, is_external=True, reload_document=True, **props)


def data_table(
    rows, row_fn, *, columns: list, label, table_id: str | None = None, caption=None, region_id: str | None = None
) -> rx.Component:
    """A table of typed rows in its scrolling region. `columns` are header cells, or
    (catalogue key, numeric) pairs for the usual ones."""
    header = [header_cell(tr(col[0]), col[1]) if isinstance(col, tuple) else col for col in columns]
    return table_region(
        # 1.3.1: every table has a caption; the region's name serves when the page gives none.
        simple_table(
            header=header,
            body=rx.foreach(rows, row_fn),
            caption=label if caption is None else caption,
            table_id=table_id,
        ),
        label=label,
        region_id=region_id,
    )


def alert(message, element_id: str) -> rx.Component:
    """An error that is always shown (ui.notice shows one only when its message is not empty)."""
    return rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", id=element_id, width="100%")


def data_cell(value, numeric: bool = False) -> rx.Component:
    """A table cell; a number sits under its header_cell(numeric=True), aligned the same way."""
    return rx.el.td(value, class_name="portal-num" if numeric else "")


def link_button(icon: str, label, href, **props) -> rx.Component:
    """A link to another screen that looks like a soft button with its icon: one element, one tab stop
    (a button inside a link is two stops and two roles for one action)."""
    return rx.button(
        rx.link(rx.icon(icon, size=16, aria_hidden="true"), label, href=href, underline="none", color="inherit"),
        as_child=True,
        variant="soft",
        **props,
    )


def label_grid(*rows: rx.Component, column_gap: str = "1rem", **props) -> rx.Component:
    """Labels (dt) before their values (dd), two columns under a card's title; unlike ui.figures,
    whose values sit at the right."""
    return rx.el.dl(
        *rows,
        class_name="portal-figures",
        display="grid",
        grid_template_columns="auto 1fr",
        column_gap=column_gap,
        row_gap="0.35rem",
        margin_top="0.75rem",
        **props,
    )


def paged(state, id_prefix: str, content: rx.Component, *, otherwise: rx.Component) -> rx.Component:
    """A PagedState's rows (`content`) above its pager; `otherwise` while there are none."""
    return rx.cond(
        state.rows.length() > 0, rx.vstack(content, pager(state, id_prefix), spacing="3", width="100%"), otherwise
    )


# 2.4.3: a dialog opened by the state (no Radix trigger to return to) gives focus back to the
# control that opened it, or to the content when that control is gone (a deleted row's button).
RETURNS_FOCUS: dict[str, Any] = {
    "custom_attrs": {
        "onOpenAutoFocus": rx.Var("(() => { window.__portalDialogOpener = document.activeElement; })"),
        "onCloseAutoFocus": rx.Var(
            "((event) => { event.preventDefault(); const opener = window.__portalDialogOpener;"
            " if (opener && opener.isConnected && opener !== document.body) { opener.focus(); }"
            " else { document.getElementById('main-content')?.focus(); } })"
        ),
    }
}
