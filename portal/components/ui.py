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
