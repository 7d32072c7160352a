"""The portal's layout vocabulary: a page is a column of parts, parts are rows and columns. One
place decides the spacing, so every screen breathes the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import reflex as rx

from portal.components.ui import loading

Gap = Literal["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]  # Radix's spacing scale


def column(*children, gap: Gap = "4", **props) -> rx.Component:
    """Parts one under the other, full width (a page, a card's content, a form)."""
    props.setdefault("width", "100%")
    return rx.vstack(*children, spacing=gap, **props)


def row(*children, gap: Gap = "3", **props) -> rx.Component:
    """Parts side by side, centred on one line, wrapping on a narrow screen."""
    props.setdefault("align", "center")
    props.setdefault("wrap", "wrap")
    return rx.hstack(*children, spacing=gap, **props)


def actions(*buttons, **props) -> rx.Component:
    """The buttons that end a form or a dialog, at its right."""
    return rx.hstack(*buttons, spacing="3", justify="end", width="100%", **props)


def page_body(loaded, *parts: rx.Component) -> rx.Component:
    """A page's parts once its state has loaded; a spinner until then."""
    return rx.cond(loaded, column(*parts), loading())


def two_columns(*children, gap: Gap = "4", **props) -> rx.Component:
    """Parts side by side on a wide screen, one under the other on a phone."""
    return rx.grid(*children, columns=rx.breakpoints(initial="1", md="2"), spacing=gap, width="100%", **props)


def plain_list(items, item: Callable[..., rx.Component], list_id: str) -> rx.Component:
    """A list drawn item by item (`item` renders one) without bullets or indent."""
    return rx.el.ul(rx.foreach(items, item), list_style="none", padding="0", margin="0", id=list_id)


def icon_label(icon: str, label) -> rx.Component:
    """A small icon before its words, as one line."""
    return rx.hstack(rx.icon(icon, size=16), rx.text(label), spacing="2", align="center")
