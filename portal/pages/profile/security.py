"""Profilo › Sicurezza: the password, and the authenticator app (TOTP) as second factor."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import reflex as rx

from portal import routes
from portal.components.fields import form, keyed_error, labelled
from portal.components.layout import column, two_columns
from portal.components.ui import cancel_button, card
from portal.db import session_scope
from portal.services.access import authenticator, profile, two_factor
from portal.services.access.accounts import Principal, account_of
from portal.services.common import clock
from portal.state.i18n import tr
from portal.state.reauth import ReauthState, recently_reauthenticated
from portal.state.session import SIGNED_IN, SessionState, guard

T = TypeVar("T")

RECOVERY_CODES_ID = "recovery-codes"


def show_recovery_codes(codes: list[str]) -> rx.event.EventSpec:
    """Recovery codes are shown once: written straight into the page, never kept in the state."""
    return rx.call_script(
        f"document.getElementById({json.dumps(RECOVERY_CODES_ID)}).textContent = {json.dumps(chr(10).join(codes))};"
    )


PASSWORD_INPUTS = ("profile-current-password", "profile-new-password", "profile-confirm-password")


class SecurityState(SessionState):
    password_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    totp_enabled: bool = False
    totp_enrolling: bool = False
    totp_error: str = ""
    qr_version: int = 0

    @rx.event
    @guard(SIGNED_IN)
    def load(self, principal: Principal):
        with session_scope() as db:
            view = profile.profile_of(session=db, user=account_of(session=db, principal=principal))
        self.totp_enabled = view.totp_enabled
        self.totp_enrolling = view.enrolment_pending
        self.password_errors = {}
        self.totp_error = ""

    @rx.event
    @guard(SIGNED_IN)
    def change_password(self, principal: Principal, form_data: dict):
        new = str(form_data.get("new_password", ""))
        if new != str(form_data.get("confirm_password", "")):
            self.password_errors = {"confirm_password": self._t("login.passwords_differ")}
            return
        with session_scope() as db:
            errors = profile.change_password(
                session=db,
                user=account_of(session=db, principal=principal),
                current=str(form_data.get("current_password", "")),
                new=new,
                now=clock.now(),
                keep_session_hash=self._session_digest(),
                client_ip=self.router.session.client_ip,
            )
        self.password_errors = {field: self._t(key) for field, key in errors.items()}
        if not errors:
            return [
                rx.toast.success(self._t("profile.password_changed")),
                *[rx.set_value(input_id, "") for input_id in PASSWORD_INPUTS],
            ]

    recovery_shown: bool = False

    def _needs_reauth(self):
        """Changes of the authenticator need a recent re-authentication (issue 11)."""
        if recently_reauthenticated(self):
            return None
        self.totp_error = self._t("reauth.required")
        return ReauthState.ask

    @rx.event
    @guard(SIGNED_IN)
    def start_totp(self, principal: Principal):
        if refusal := self._needs_reauth():
            return refusal
        with session_scope() as db:
            authenticator.start_enrolment(session=db, user=account_of(session=db, principal=principal))
        self.totp_enrolling = True
        self.totp_error = ""
        self.qr_version += 1

    @rx.event
    @guard(SIGNED_IN)
    def cancel_totp(self, principal: Principal):
        with session_scope() as db:
            authenticator.cancel_enrolment(session=db, user=account_of(session=db, principal=principal))
        self.totp_enrolling = False
        self.totp_error = ""

    def _with_code(self, action: Callable[..., T], principal: Principal, form_data: dict) -> T:
        """`action` (confirming the app, turning it off) with the code the user typed."""
        with session_scope() as db:
            return action(
                session=db,
                user=account_of(session=db, principal=principal),
                code=str(form_data.get("code", "")),
                now=clock.now(),
                client_ip=self.router.session.client_ip,
            )

    @rx.event
    @guard(SIGNED_IN)
    def confirm_totp(self, principal: Principal, form_data: dict):
        if refusal := self._needs_reauth():
            return refusal
        codes = self._with_code(authenticator.confirm_enrolment, principal, form_data)
        if codes is None:
            self.totp_error = self._t("profile.totp_wrong")
            return None
        self.totp_error = ""
        self.totp_enabled, self.totp_enrolling, self.recovery_shown = True, False, True
        return [show_recovery_codes(codes), rx.toast.success(self._t("profile.totp_enabled"))]

    @rx.event
    @guard(SIGNED_IN)
    def regenerate_recovery_codes(self, principal: Principal):
        if refusal := self._needs_reauth():
            return refusal
        with session_scope() as db:
            user = account_of(session=db, principal=principal)
            if not user.totp_secret:
                return None
            codes = authenticator.regenerate_recovery_codes(
                session=db, user=user, now=clock.now(), client_ip=self.router.session.client_ip
            )
        self.totp_error = ""
        self.recovery_shown = True
        return show_recovery_codes(codes)

    @rx.event
    @guard(SIGNED_IN)
    def hide_recovery_codes(self, principal: Principal):
        self.recovery_shown = False
        return rx.call_script(f"document.getElementById({json.dumps(RECOVERY_CODES_ID)}).textContent = '';")

    @rx.event
    @guard(SIGNED_IN)
    def disable_totp(self, principal: Principal, form_data: dict):
        if refusal := self._needs_reauth():
            return refusal
        result = self._with_code(authenticator.disable, principal, form_data)
        outcome = result.outcome
        if outcome is two_factor.Check.OK:
            self.totp_enabled, self.totp_error = False, ""
            return rx.toast.info(self._t("profile.totp_disabled"))
        if outcome is two_factor.Check.WAIT:
            self.totp_error = self._t("login.code_wait", seconds=result.wait_seconds)
        elif outcome is two_factor.Check.LOCKED:
            self.totp_error = self._t("login.locked")
        else:
            self.totp_error = self._t("profile.totp_wrong")
        return None


def _password_input(field_id: str, name: str, label_key: str, auto_complete: str, *, with_hint: bool = False):
    """A password field; the new one explains the policy below it."""
    hint = [rx.text(tr("password.hint"), size="1", color_scheme="gray", id=f"{field_id}-hint")] if with_hint else []
    return labelled(
        field_id,
        tr(label_key),
        rx.input(
            id=field_id,
            name=name,
            type="password",
            auto_complete=auto_complete,
            size="3",
            aria_describedby=f"{field_id}-hint" if with_hint else None,
        ),
        *hint,
        keyed_error(SecurityState.password_errors, name, field_id),
    )


def password_form() -> rx.Component:
    return form(
        column(
            rx.heading(tr("profile.change_password"), as_="h3", size="3"),
            _password_input(
                "profile-current-password", "current_password", "profile.current_password", "current-password"
            ),
            _password_input(
                "profile-new-password", "new_password", "login.new_password", "new-password", with_hint=True
            ),
            _password_input("profile-confirm-password", "confirm_password", "login.confirm_password", "new-password"),
            rx.button(tr("profile.change_password"), type="submit", variant="soft", id="profile-password-submit"),
            gap="3",
            max_width="420px",
        ),
        on_submit=SecurityState.change_password,
    )


def _code_field() -> rx.Component:
    code_input = rx.input(
        id="totp-code",
        name="code",
        input_mode="numeric",
        max_length=6,
        auto_complete="one-time-code",
        size="3",
        aria_describedby="totp-code-error",
    )
    error = rx.cond(
        SecurityState.totp_error != "",
        rx.text(SecurityState.totp_error, id="totp-code-error", color_scheme="red", size="2", role="alert"),
    )
    return labelled("totp-code", tr("profile.totp_code"), code_input, error)


def _totp_on() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(
                rx.icon("shield-check", size=14),
                tr("profile.totp_on"),
                color_scheme="green",
                size="2",
                id="totp-status",
            ),
            wrap="wrap",
        ),
        form(
            rx.vstack(
                rx.text(tr("profile.totp_disable_hint"), size="2", color_scheme="gray"),
                _code_field(),
                rx.button(
                    tr("profile.totp_disable"), type="submit", color_scheme="red", variant="soft", id="totp-disable"
                ),
                spacing="2",
                max_width="320px",
            ),
            on_submit=SecurityState.disable_totp,
            reset_on_submit=True,
        ),
        rx.button(
            tr("profile.recovery_regenerate"),
            variant="soft",
            on_click=SecurityState.regenerate_recovery_codes,
            id="recovery-regenerate",
        ),
        spacing="3",
    )


def _totp_enrolling() -> rx.Component:
    return form(
        rx.vstack(
            rx.text(tr("profile.totp_scan"), size="2"),
            rx.image(
                src=routes.totp_qr_url(SecurityState.qr_version),
                alt=tr("profile.totp_qr_alt"),
                width="240px",
                height="auto",
                id="totp-qr",
            ),
            _code_field(),
            rx.hstack(
                rx.button(tr("profile.totp_confirm"), type="submit", id="totp-confirm"),
                cancel_button(tr("profile.totp_cancel"), on_click=SecurityState.cancel_totp),
                spacing="3",
            ),
            spacing="3",
            max_width="320px",
        ),
        on_submit=SecurityState.confirm_totp,
        reset_on_submit=True,
    )


def _totp_off() -> rx.Component:
    return rx.vstack(
        rx.text(tr("profile.totp_off"), size="2", color_scheme="gray"),
        rx.button(
            rx.icon("smartphone", size=16),
            tr("profile.totp_start"),
            variant="soft",
            on_click=SecurityState.start_totp,
            id="totp-start",
        ),
        spacing="2",
    )


def _recovery_codes_box() -> rx.Component:
    """Always in the page, hidden until codes are written into it: the script that fills it
    must find it whatever the state has rendered yet."""
    return rx.box(
        rx.text(tr("profile.recovery_intro"), size="2", weight="medium"),
        rx.el.pre(id=RECOVERY_CODES_ID, style={"font_family": "monospace", "font_size": "15px", "margin": "8px 0"}),
        rx.button(
            tr("profile.recovery_saved"),
            variant="soft",
            on_click=SecurityState.hide_recovery_codes,
            id="recovery-hide",
        ),
        display=rx.cond(SecurityState.recovery_shown, "block", "none"),
        id="recovery-box",
    )


def totp_section() -> rx.Component:
    return column(
        rx.heading(tr("profile.totp_title"), as_="h3", size="3"),
        rx.cond(
            SecurityState.totp_enabled,
            _totp_on(),
            rx.cond(SecurityState.totp_enrolling, _totp_enrolling(), _totp_off()),
        ),
        rx.cond(  # with the code forms, the message stands next to the code field instead
            (SecurityState.totp_error != "") & ~SecurityState.totp_enabled & ~SecurityState.totp_enrolling,
            rx.text(SecurityState.totp_error, id="totp-error", color_scheme="red", size="2", role="alert"),
        ),
        _recovery_codes_box(),
        gap="3",
    )


def security_card() -> rx.Component:
    return card(
        two_columns(password_form(), totp_section(), gap="6"),
        title=tr("profile.security"),
        title_id="profile-security-title",
    )
