"""Form pieces every page uses: a label tied to its control, hints and errors announced with it,
selects of typed options, checkboxes with real labels, and the server-checked form."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from portal.state.rows import Option


def form(*children: rx.Component, on_submit, reset_on_submit: bool = False, **props) -> rx.Component:
    """A form checked by the server only: the browser's own validation bubbles are off, so
    every message appears next to its field, worded by the portal, in the user's language."""
    return rx.form(*children, on_submit=on_submit, reset_on_submit=reset_on_submit, no_validate=True, **props)


def field_label(label, field_id: str, *, strong: bool = True) -> rx.Component:
    return rx.el.label(rx.text(label, size="2", weight="medium" if strong else None), html_for=field_id)


def hint_text(text, element_id: str) -> rx.Component:
    return rx.text(text, id=element_id, size="1", color_scheme="gray")


def error_text(message, element_id: str) -> rx.Component:
    """A field's error, announced when it appears; nothing when the message is empty."""
    return rx.cond(message != "", rx.text(message, id=element_id, color_scheme="red", size="2", role="alert"))


def keyed_error(errors, key: str, field_id: str) -> rx.Component:
    """The error of field `key` in a dict of errors by field (a form whose fields share one var)."""
    return rx.cond(
        errors.contains(key), rx.text(errors[key], id=f"{field_id}-error", color_scheme="red", size="2", role="alert")
    )


def labelled(field_id: str, label, control: rx.Component, *extra: rx.Component, **props) -> rx.Component:
    """A label above its control, then hints and errors (`extra`); full width unless told."""
    props.setdefault("width", "100%")
    return rx.flex(field_label(label, field_id), control, *extra, direction="column", spacing="1", **props)


def field(*, field_id: str, label, control: rx.Component, error=None) -> rx.Component:
    """A label tied to its control, and the control's error right below it."""
    extra = [error_text(error, f"{field_id}-error")] if error is not None else []
    return labelled(field_id, label, control, *extra)


def text_input(*, field_id: str, name: str, label, error=None, hint=None, **props) -> rx.Component:
    """A labelled text input whose hint and error are announced with it."""
    described = [f"{field_id}-hint"] if hint is not None else []
    described += [f"{field_id}-error"] if error is not None else []
    control = rx.input(
        id=field_id,
        name=name,
        size="3",
        aria_describedby=" ".join(described) or None,
        aria_invalid=rx.cond(error != "", "true", "false") if error is not None else None,
        **props,
    )
    extra = [hint_text(hint, f"{field_id}-hint")] if hint is not None else []
    extra += [error_text(error, f"{field_id}-error")] if error is not None else []
    return labelled(field_id, label, control, *extra)


def option(item: ObjectVar[Option] | Option) -> rx.Component:
    return rx.el.option(item.label, value=item.value)


def select(field_id: str, options, *, first=None, **props) -> rx.Component:
    """A native select of typed options (state/rows.Option), optionally after a first fixed choice
    (`first`, an (label, value) pair such as ("Tutti", "all"))."""
    head = [rx.el.option(first[0], value=first[1])] if first is not None else []
    return rx.el.select(*head, rx.foreach(options, option), id=field_id, class_name="portal-select", **props)


def labelled_check(check_id, name, label, checked, on_change) -> rx.Component:
    """A checkbox with its label tied by id (Radix checkboxes are buttons)."""
    return rx.hstack(
        rx.checkbox(checked=checked, on_change=on_change, id=check_id, name=name),
        rx.el.label(rx.text(label, size="2"), html_for=check_id),
        spacing="2",
        align="center",
    )


# Seen, not read aloud: the inputs carry aria-required instead.
REQUIRED_MARK = rx.el.span(" *", aria_hidden="true")


def body_area(field_id: str, *, rows: str, max_length: int, error_id: str) -> rx.Component:
    """The text of a message (form field "body"), full width, described by its error."""
    return rx.text_area(
        id=field_id, name="body", rows=rows, max_length=max_length, width="100%", aria_describedby=error_id
    )
