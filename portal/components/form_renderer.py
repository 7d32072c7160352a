"""Draws any self-service form from its field specs (see services/forms.field_specs): one
renderer for every form, so a new form needs no page code."""

from __future__ import annotations

import reflex as rx

from portal.components.attachments import attachment_picker
from portal.state.i18n import tr

UPLOAD_ID = "form-attachments"


def _field_id(spec) -> rx.Var:
    return "field-" + spec["key"].to(str)


def _error(state, spec) -> rx.Component:
    key = spec["key"].to(str)
    return rx.cond(
        state.errors.contains(key),
        rx.text(state.errors[key], id=_field_id(spec) + "-error", color_scheme="red", size="2", role="alert", class_name="field-error"),
    )


def _control(state, spec) -> rx.Component:
    key = spec["key"].to(str)
    field_id = _field_id(spec)
    described = field_id + "-help " + field_id + "-error"
    common = dict(id=field_id, aria_describedby=described, aria_invalid=rx.cond(state.errors.contains(key), "true", "false"),
                  aria_required=rx.cond(spec["required"].to(bool), "true", "false"))

    def select(placeholder) -> rx.Component:
        return rx.el.select(
            rx.el.option(placeholder, value=""),
            rx.foreach(spec["options"].to(list[dict[str, str]]), lambda option: rx.el.option(option["label"], value=option["value"])),
            value=state.values[key], on_change=lambda value: state.set_field(key, value), class_name="portal-select", **common,
        )

    return rx.match(
        spec["type"].to(str),
        ("textarea", rx.text_area(value=state.values[key], on_change=lambda value: state.set_field(key, value), rows="4",
                                  max_length=rx.cond(spec["max_length"].to(int) > 0, spec["max_length"].to(int), 100000), **common)),
        ("date", rx.input(type="date", value=state.values[key], on_change=lambda value: state.set_field(key, value), size="3", **common)),
        ("checkbox", rx.checkbox(checked=state.values[key] == "on", on_change=lambda checked: state.set_field(key, checked), **common)),
        ("choice", select(tr("forms.choose"))),
        ("contract", select(tr("forms.choose_contract"))),
        ("asset", select(tr("forms.choose_asset"))),
        ("instalment", select(tr("forms.choose_instalment"))),
        ("display", rx.box(rx.text(rx.cond(state.computed[key] != "", state.computed[key], "—"), white_space="pre-line"),
                           id=field_id, class_name="form-display", padding="0.6rem 0.75rem", background="var(--gray-a3)",
                           border_radius="var(--radius-2)", aria_live="polite")),
        rx.input(value=state.values[key], on_change=lambda value: state.set_field(key, value), size="3",
                 type=rx.cond(spec["type"].to(str) == "email", "email", "text"),
                 max_length=rx.cond(spec["max_length"].to(int) > 0, spec["max_length"].to(int), 100000), **common),
    )


def _field(state, spec) -> rx.Component:
    field_id = _field_id(spec)
    label = rx.el.label(
        rx.text(spec["label"].to(str), rx.cond(spec["required"].to(bool), rx.el.span(" *", aria_hidden="true")), size="2", weight="medium"),
        html_for=field_id,
    )
    is_checkbox = spec["type"].to(str) == "checkbox"
    return rx.flex(
        rx.cond(is_checkbox, rx.hstack(_control(state, spec), label, spacing="2", align="center"),
                rx.fragment(label, _control(state, spec))),
        rx.cond(spec["help"].to(str) != "", rx.text(spec["help"].to(str), id=field_id + "-help", size="1", color_scheme="gray")),
        _error(state, spec),
        direction="column",
        spacing="1",
        width="100%",
        class_name="form-field",
        data_field=spec["key"].to(str),
    )


def attachments_block(state) -> rx.Component:
    return rx.cond(
        state.allows_attachments,
        rx.vstack(rx.text(tr("attachments.title"), weight="medium", size="2"), attachment_picker(state, UPLOAD_ID),
                  spacing="2", width="100%"),
    )


def form_fields(state) -> rx.Component:
    return rx.vstack(
        rx.foreach(state.specs, lambda spec: _field(state, spec)),
        rx.cond(
            state.download_url != "",
            rx.link(rx.hstack(rx.icon("file-down", size=16), rx.text(state.download_label), spacing="2", align="center"),
                    href=state.download_url, is_external=True, id="form-download"),
        ),
        attachments_block(state),
        rx.cond(state.form_error != "", rx.callout(state.form_error, icon="triangle-alert", color_scheme="red", role="alert",
                                                    id="form-error", width="100%")),
        spacing="4",
        width="100%",
    )
