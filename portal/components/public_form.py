"""The frame of the forms anyone may fill in before signing in (registration, unlock, forgotten
password): title, intro, the outcome, the fields, the button and the way back to the login."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.fields import form, text_input
from portal.components.layout import column
from portal.components.ui import notice
from portal.state.i18n import tr


def public_form(
    *fields: rx.Component,
    prefix: str,
    state,
    shows_done: bool = True,
    error_id: str | None = None,
) -> rx.Component:
    """`prefix` names the catalogue keys (<prefix>.title, .intro, .submit) and the ids
    (<prefix>-submit, <prefix>-done); `state` has the handler `submit` and the vars `form_error`
    and (unless `shows_done` is off: the page shows it elsewhere) `done`."""
    outcome = [notice(state.form_error, tone="red", icon="triangle-alert", element_id=error_id)]
    if shows_done:
        outcome.append(notice(state.done, tone="green", icon="mail-check", element_id=f"{prefix}-done"))
    return stacked_form(
        rx.heading(tr(f"{prefix}.title"), as_="h1", size="6"),
        rx.text(tr(f"{prefix}.intro"), color_scheme="gray"),
        *outcome,
        *fields,
        submit_button(tr(f"{prefix}.submit"), f"{prefix}-submit"),
        rx.link(tr("login.back"), href=routes.LOGIN),
        on_submit=state.submit,
    )


def stacked_form(*children: rx.Component, on_submit, reset_on_submit: bool = False) -> rx.Component:
    """The full-width form of the public pages: its pieces one under the other."""
    return form(
        column(*children),
        on_submit=on_submit,
        reset_on_submit=reset_on_submit,
        width="100%",
    )


def username_input(*, field_id: str, error, **props) -> rx.Component:
    return text_input(
        field_id=field_id, name="username", label=tr("login.username"), error=error, auto_complete="username", **props
    )


def _secret_input(field_id: str, name: str, label, error, auto_complete: str, **props) -> rx.Component:
    return text_input(
        field_id=field_id, name=name, label=label, error=error, type="password", auto_complete=auto_complete, **props
    )


def password_input(*, field_id: str, error, **props) -> rx.Component:
    """The current password (signing in, confirming who one is)."""
    return _secret_input(field_id, "password", tr("login.password"), error, "current-password", **props)


def email_input(*, field_id: str, label, error, **props) -> rx.Component:
    return text_input(
        field_id=field_id, name="email", label=label, error=error, type="email", auto_complete="email", **props
    )


def code_input(*, field_id: str, label, error, max_length: int, **props) -> rx.Component:
    """A one-time code (e-mailed, from the app, or a recovery code), focused when it appears."""
    return text_input(
        field_id=field_id,
        name="code",
        label=label,
        error=error,
        auto_complete="one-time-code",
        max_length=max_length,
        auto_focus=True,
        **props,
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
        _secret_input(
            password_id,
            "new_password",
            tr("login.new_password"),
            password_error,
            "new-password",
            hint=tr("password.hint"),
        ),
        _secret_input(confirm_id, "confirm_password", tr("login.confirm_password"), confirm_error, "new-password"),
    ]
