"""The re-authentication dialog (state/reauth.py): one per page that guards a sensitive change."""

from __future__ import annotations

import reflex as rx

from portal.components.fields import form
from portal.components.layout import column
from portal.components.public_form import code_input, password_input
from portal.components.ui import cancel_button
from portal.services.access import two_factor
from portal.state.i18n import tr
from portal.state.reauth import CODE_STEP, ReauthState


def _step(*children: rx.Component, on_submit) -> rx.Component:
    return form(column(*children, gap="3"), on_submit=on_submit, reset_on_submit=True)


def _password_step() -> rx.Component:
    return _step(
        password_input(field_id="reauth-password", error=ReauthState.reauth_password_error, auto_focus=True),
        rx.button(tr("reauth.continue"), type="submit", id="reauth-password-submit"),
        on_submit=ReauthState.submit_reauth_password,
    )


def _code_step() -> rx.Component:
    totp = ReauthState.reauth_method == two_factor.TOTP
    return _step(
        rx.text(rx.cond(totp, tr("reauth.code_app"), tr("reauth.code_mail")), size="2"),
        code_input(
            field_id="reauth-code",
            label=rx.cond(totp, tr("login.code_or_recovery_label"), tr("login.code_label")),
            error=ReauthState.reauth_code_error,
            max_length=24,
        ),
        rx.button(tr("reauth.confirm"), type="submit", id="reauth-code-submit"),
        on_submit=ReauthState.submit_reauth_code,
    )


def reauth_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("reauth.title")),
            rx.dialog.description(tr("reauth.intro"), size="2", margin_bottom="1rem"),
            rx.cond(ReauthState.reauth_step == CODE_STEP, _code_step(), _password_step()),
            rx.flex(
                rx.dialog.close(cancel_button(tr("reauth.cancel"))),
                justify="end",
                margin_top="1rem",
            ),
            max_width="440px",
            id="reauth-dialog",
        ),
        open=ReauthState.reauth_open,
        on_open_change=ReauthState.set_reauth_open,
    )
