"""The frame of the forms anyone may fill in before signing in (registration, unlock, forgotten
password): title, intro, the outcome, the fields, the button and the way back to the login."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.fields import form, text_input
from portal.components.ui import notice
from portal.state.i18n import tr


def public_form(
    *fields: rx.Component,
    prefix: str,
    on_submit,
    form_error,
    done=None,
    error_id: str | None = None,
) -> rx.Component:
    """`prefix` names the catalogue keys (<prefix>.title, .intro, .submit) and the ids
    (<prefix>-submit, <prefix>-done)."""
    outcome = [notice(form_error, tone="red", icon="triangle-alert", element_id=error_id)]
    if done is not None:
        outcome.append(notice(done, tone="green", icon="mail-check", element_id=f"{prefix}-done"))
    return form(
        rx.vstack(
            rx.heading(tr(f"{prefix}.title"), as_="h1", size="6"),
            rx.text(tr(f"{prefix}.intro"), color_scheme="gray"),
            *outcome,
            *fields,
            submit_button(tr(f"{prefix}.submit"), f"{prefix}-submit"),
            rx.link(tr("login.back"), href=routes.LOGIN),
            spacing="4",
            width="100%",
        ),
        on_submit=on_submit,
        width="100%",
    )


def contract_identity_fields(state, id_prefix: str) -> list[rx.Component]:
    """Contract number, module number and codice fiscale / partita IVA: how a customer proves who
    they are before having an account (registration) or when locked out (unlock)."""
    return [
        text_input(
            field_id=f"{id_prefix}-contract",
            name="contract_number",
            label=tr("registration.contract_number"),
            hint=tr("registration.contract_hint"),
            error=state.contract_number_error,
            input_mode="numeric",
        ),
        text_input(
            field_id=f"{id_prefix}-module",
            name="module_number",
            label=tr("registration.module_number"),
            hint=tr("registration.module_hint"),
            error=state.module_number_error,
        ),
        text_input(
            field_id=f"{id_prefix}-tax-code",
            name="tax_code",
            label=tr("registration.tax_code"),
            error=state.tax_code_error,
            auto_complete="off",
        ),
    ]


def submit_button(label, button_id: str) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", id=button_id)


def new_password_fields(*, password_id: str, confirm_id: str, password_error, confirm_error) -> list[rx.Component]:
    """Choosing a password: the rules under the first field, the same password again."""
    return [
        text_input(
            field_id=password_id,
            name="new_password",
            label=tr("login.new_password"),
            hint=tr("password.hint"),
            error=password_error,
            type="password",
            auto_complete="new-password",
        ),
        text_input(
            field_id=confirm_id,
            name="confirm_password",
            label=tr("login.confirm_password"),
            error=confirm_error,
            type="password",
            auto_complete="new-password",
        ),
    ]
