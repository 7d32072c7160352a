"""Small building blocks shared by the pages: labelled fields, cards, figures, states."""

from __future__ import annotations

import reflex as rx

from portal.state.i18n import tr


def field(*, field_id: str, label: rx.Var | str, control: rx.Component, error: rx.Var | None = None) -> rx.Component:
    """A label tied to its control, and the control's error right below it."""
    parts = [
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id),
        control,
    ]
    if error is not None:
        parts.append(
            rx.cond(
                error != "",
                rx.text(error, id=f"{field_id}-error", color_scheme="red", size="2", role="alert"),
            )
        )
    return rx.flex(*parts, direction="column", spacing="1", width="100%")


def card(*children: rx.Component, title: rx.Var | str | None = None, title_id: str | None = None, **props) -> rx.Component:
    heading = [rx.heading(title, as_="h2", size="4", id=title_id, margin_bottom="0.75rem")] if title is not None else []
    return rx.card(
        *heading,
        *children,
        size="3",
        width="100%",
        aria_labelledby=title_id,
        **props,
    )


def figure(label: rx.Var | str, value: rx.Var | str, value_id: str) -> rx.Component:
    """One row of a label/value list (rendered as dt/dd)."""
    return rx.fragment(
        rx.el.dt(label),
        rx.el.dd(value, id=value_id),
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
    return rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text(tr(label_key)), spacing="1", align="center"),
                   href=href)


def loading(message_key: str = "home.loading") -> rx.Component:
    return rx.center(
        rx.hstack(rx.spinner(size="3"), rx.text(tr(message_key), color_scheme="gray"), spacing="3", align="center"),
        padding="3rem",
        role="status",
        aria_live="polite",
    )


def empty(message: rx.Var | str, icon: str = "inbox") -> rx.Component:
    return rx.center(
        rx.vstack(rx.icon(icon, size=28, color="var(--gray-9)", aria_hidden="true"), rx.text(message, color_scheme="gray"), align="center", spacing="2"),
        padding="1.5rem",
    )


def arrow_link(label: rx.Var | str, href: str, **props) -> rx.Component:
    return rx.link(
        rx.hstack(rx.text(label), rx.icon("arrow-right", size=16, aria_hidden="true"), spacing="1", align="center"),
        href=href,
        weight="medium",
        **props,
    )


def auth_card(*children: rx.Component, width: str = "460px") -> rx.Component:
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


def text_input(*, field_id: str, name: str, label, error=None, hint=None, **props) -> rx.Component:
    """A labelled text input whose hint and error are announced with it."""
    described = " ".join(part for part in (f"{field_id}-hint" if hint is not None else "", f"{field_id}-error" if error is not None else "") if part)
    control = rx.input(
        id=field_id,
        name=name,
        size="3",
        aria_describedby=described or None,
        aria_invalid=rx.cond(error != "", "true", "false") if error is not None else None,
        **props,
    )
    parts = [rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id), control]
    if hint is not None:
        parts.append(rx.text(hint, id=f"{field_id}-hint", size="1", color_scheme="gray"))
    if error is not None:
        parts.append(rx.cond(error != "", rx.text(error, id=f"{field_id}-error", color_scheme="red", size="2", role="alert")))
    return rx.flex(*parts, direction="column", spacing="1", width="100%")


def notice(message, *, tone: str = "blue", icon: str = "info", element_id: str | None = None) -> rx.Component:
    """A callout shown only when `message` is not empty."""
    return rx.cond(
        message != "",
        rx.callout(message, icon=icon, color_scheme=tone, role="status" if tone != "red" else "alert", id=element_id, width="100%"),
    )


def form(*children: rx.Component, on_submit, reset_on_submit: bool = False, **props) -> rx.Component:
    """A form checked by the server only: the browser's own validation bubbles are off, so
    every message appears next to its field, worded by the portal, in the user's language."""
    return rx.form(*children, on_submit=on_submit, reset_on_submit=reset_on_submit, no_validate=True, **props)


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


def pager(state, id_prefix: str, *leading: rx.Component) -> rx.Component:
    """"26–50 di 120" and the previous/next buttons of a PagedState (state/paging.py)."""
    return rx.hstack(
        *leading,
        rx.text(state.page_info, size="2", id=f"{id_prefix}-page-info", aria_live="polite"),
        rx.icon_button(rx.icon("chevron-left"), variant="soft", on_click=state.previous_page, disabled=~state.has_previous,
                       aria_label=tr("plan.previous"), id=f"{id_prefix}-previous"),
        rx.icon_button(rx.icon("chevron-right"), variant="soft", on_click=state.next_page, disabled=~state.has_next,
                       aria_label=tr("plan.next"), id=f"{id_prefix}-next"),
        spacing="3", align="center", justify="end", width="100%", wrap="wrap",
    )
