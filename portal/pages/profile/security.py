"""Profilo › Sicurezza: the password, and the authenticator app (TOTP) as second factor."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.fields import form, keyed_error, labelled
from portal.components.layout import two_columns
from portal.components.ui import card
from portal.db import session_scope
from portal.services.access import profile, two_factor
from portal.services.access.accounts import Principal, account_of
from portal.services.common import clock
from portal.state.i18n import tr
from portal.state.session import SIGNED_IN, SessionState, guard

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

    @rx.event
    @guard(SIGNED_IN)
    def start_totp(self, principal: Principal):
        with session_scope() as db:
            two_factor.start_enrolment(session=db, user=account_of(session=db, principal=principal))
        self.totp_enrolling = True
        self.totp_error = ""
        self.qr_version += 1

    @rx.event
    @guard(SIGNED_IN)
    def cancel_totp(self, principal: Principal):
        with session_scope() as db:
            two_factor.cancel_enrolment(session=db, user=account_of(session=db, principal=principal))
        self.totp_enrolling = False
        self.totp_error = ""

    def _code_accepted(self, principal: Principal, form_data: dict, check) -> bool:
        """Run a two_factor action that needs a current code from the app; say so when it is wrong."""
        with session_scope() as db:
            accepted = check(
                session=db,
                user=account_of(session=db, principal=principal),
                code=str(form_data.get("code", "")),
                now=clock.now(),
                client_ip=self.router.session.client_ip,
            )
        self.totp_error = "" if accepted else self._t("profile.totp_wrong")
        return accepted

    @rx.event
    @guard(SIGNED_IN)
    def confirm_totp(self, principal: Principal, form_data: dict):
        if self._code_accepted(principal, form_data, two_factor.confirm_enrolment):
            self.totp_enabled, self.totp_enrolling = True, False
            return rx.toast.success(self._t("profile.totp_enabled"))

    @rx.event
    @guard(SIGNED_IN)
    def disable_totp(self, principal: Principal, form_data: dict):
        if self._code_accepted(principal, form_data, two_factor.disable):
            self.totp_enabled = False
            return rx.toast.info(self._t("profile.totp_disabled"))


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
        rx.vstack(
            rx.heading(tr("profile.change_password"), as_="h3", size="3"),
            _password_input(
                "profile-current-password", "current_password", "profile.current_password", "current-password"
            ),
            _password_input(
                "profile-new-password", "new_password", "login.new_password", "new-password", with_hint=True
            ),
            _password_input("profile-confirm-password", "confirm_password", "login.confirm_password", "new-password"),
            rx.button(tr("profile.change_password"), type="submit", variant="soft", id="profile-password-submit"),
            spacing="3",
            width="100%",
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
                rx.button(
                    tr("profile.totp_cancel"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=SecurityState.cancel_totp,
                ),
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


def totp_section() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("profile.totp_title"), as_="h3", size="3"),
        rx.cond(
            SecurityState.totp_enabled,
            _totp_on(),
            rx.cond(SecurityState.totp_enrolling, _totp_enrolling(), _totp_off()),
        ),
        spacing="3",
        width="100%",
    )


def security_card() -> rx.Component:
    return card(
        two_columns(password_form(), totp_section(), gap="6"),
        title=tr("profile.security"),
        title_id="profile-security-title",
    )
