"""Draws any self-service form from its field specs (FieldSpec in state/forms.py, from the form
engine's field_specs): one renderer for every form, so a new form needs no page code."""

from __future__ import annotations

import reflex as rx

from portal.components.attachments import attachment_picker
from portal.components.fields import hint_text, option
from portal.components.hooks import use_effect
from portal.components.layout import column
from portal.components.ui import document_link, notice
from portal.state.forms import FieldSpec
from portal.state.i18n import tr

UPLOAD_ID = "form-attachments"


def _field_id(spec: FieldSpec) -> str:
    return "field-" + spec.key


def _error(state, spec: FieldSpec) -> rx.Component:
    key = spec.key
    return rx.cond(
        state.errors.contains(key),
        rx.text(
            state.errors[key],
            id=_field_id(spec) + "-error",
            color_scheme="red",
            size="2",
            class_name="field-error",  # read with its field (aria-describedby); the form's summary is the alert
        ),
    )


def _common(state, spec: FieldSpec) -> dict:
    """The props every control carries: its id, and what describes it to assistive technology."""
    field_id = _field_id(spec)
    return {
        "id": field_id,
        "aria_describedby": field_id + "-help " + field_id + "-error",
        "aria_invalid": rx.cond(state.errors.contains(spec.key), "true", "false"),
        "aria_required": rx.cond(spec.required, "true", "false"),
    }


def _select(state, spec: FieldSpec, placeholder) -> rx.Component:
    return rx.el.select(
        rx.el.option(placeholder, value=""),
        rx.foreach(spec.options, option),
        value=state.values[spec.key],
        on_change=lambda value: state.set_field(spec.key, value),
        class_name="portal-select",
        **_common(state, spec),
    )


def _display(state, spec: FieldSpec) -> rx.Component:
    computed = state.computed[spec.key]
    return rx.box(
        rx.text(rx.cond(computed != "", computed, "—"), white_space="pre-line"),
        id=_field_id(spec),
        aria_labelledby=_field_id(spec) + "-label",
        role="group",
        class_name="form-display",
        padding="0.6rem 0.75rem",
        background="var(--gray-a3)",
        border_radius="var(--radius-2)",
        aria_live="polite",
    )


def _control(state, spec: FieldSpec) -> rx.Component | rx.Var:  # rx.match's own type: here always a Component
    key = spec.key
    common = _common(state, spec)
    return rx.match(
        spec.type,
        (
            "textarea",
            rx.text_area(
                value=state.values[key],
                on_change=lambda value: state.set_field(key, value),
                rows="4",
                max_length=rx.cond(spec.max_length > 0, spec.max_length, 100000),
                **common,
            ),
        ),
        (
            "date",
            rx.input(
                type="date",
                value=state.values[key],
                on_change=lambda value: state.set_field(key, value),
                size="3",
                **common,
            ),
        ),
        (
            "checkbox",
            rx.checkbox(
                checked=state.values[key] == "on", on_change=lambda checked: state.set_field(key, checked), **common
            ),
        ),
        ("choice", _select(state, spec, tr("forms.choose"))),
        ("contract", _select(state, spec, tr("forms.choose_contract"))),
        ("asset", _select(state, spec, tr("forms.choose_asset"))),
        ("instalment", _select(state, spec, tr("forms.choose_instalment"))),
        ("display", _display(state, spec)),
        rx.input(
            value=state.values[key],
            on_change=lambda value: state.set_field(key, value),
            size="3",
            type=rx.cond(spec.type == "email", "email", "text"),
            auto_complete=spec.autocomplete,
            max_length=rx.cond(spec.max_length > 0, spec.max_length, 100000),
            **common,
        ),
    )


def _field(state, spec: FieldSpec) -> rx.Component:
    field_id = _field_id(spec)
    words = rx.text(spec.label, rx.cond(spec.required, rx.el.span(" *", aria_hidden="true")), size="2", weight="medium")
    # A computed value is no control: its caption names it (aria-labelledby) instead of a <label for>.
    label = rx.cond(
        spec.type == "display",
        rx.el.span(words, id=field_id + "-label"),
        rx.el.label(words, html_for=field_id),
    )
    is_checkbox = spec.type == "checkbox"
    return rx.flex(
        rx.cond(
            is_checkbox,
            rx.hstack(_control(state, spec), label, spacing="2", align="center"),
            rx.fragment(label, _control(state, spec)),
        ),
        rx.cond(spec.help != "", hint_text(spec.help, field_id + "-help")),
        _error(state, spec),
        direction="column",
        spacing="1",
        width="100%",
        class_name="form-field",
        data_field=spec.key,
    )


def attachments_block(state) -> rx.Component:
    return rx.cond(
        state.allows_attachments,
        column(
            rx.text(tr("attachments.title"), weight="medium", size="2"), attachment_picker(state, UPLOAD_ID), gap="2"
        ),
    )


def focus_first_invalid(errors: rx.Var) -> rx.Component:
    """3.3.1: after a refused submit, focus goes to the first field in error (its message is read
    with it), once per submit, never while the user types; the summary above the button is the alert."""

    class FocusFirstInvalid(rx.Fragment):
        def add_hooks(self) -> list[str | rx.Var]:
            return [
                use_effect(
                    "useEffect(() => { const seen = (event) => { if (event.target.closest('main')) {"
                    " window.__portalSubmittedAt = Date.now(); } };"
                    " document.addEventListener('submit', seen, true);"
                    " return () => document.removeEventListener('submit', seen, true); }, []);"
                ),
                use_effect(
                    f"useEffect(() => {{ const at = window.__portalSubmittedAt || 0;"
                    f" if (Date.now() - at > 10000 || Object.keys({errors!s} || {{}}).length === 0) return;"
                    " window.__portalSubmittedAt = 0;"
                    " const first = document.querySelector('main form [aria-invalid=\"true\"]');"
                    f" if (first) {{ first.focus(); }} }}, [{errors!s}]);",
                    errors,
                ),
            ]

    return FocusFirstInvalid.create()


def form_fields(state) -> rx.Component:
    return column(
        rx.text(tr("forms.required_note"), size="1", color_scheme="gray", id="form-required-note"),
        focus_first_invalid(state.errors),
        rx.foreach(state.specs, lambda spec: _field(state, spec)),
        rx.cond(
            state.download_url != "",
            document_link(
                rx.hstack(rx.icon("file-down", size=16), rx.text(state.download_label), spacing="2", align="center"),
                href=state.download_url,
                id="form-download",
            ),
        ),
        attachments_block(state),
        notice(state.form_error, tone="red", icon="triangle-alert", element_id="form-error"),
    )
