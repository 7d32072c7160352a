"""Login: username and password checked against argon2 hashes; opens a server-side session."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.shell import BRAND, template
from portal.components.ui import field
from portal.db import session_scope
from portal.services import clock
from portal.services.accounts import authenticate
from portal.services.sessions import open_session
from portal.state.i18n import tr
from portal.state.session import POLICY, SessionState


class LoginState(SessionState):
    username_error: str = ""
    password_error: str = ""
    form_error: str = ""
    submitting: bool = False

    def _clear_errors(self) -> None:
        self.username_error = ""
        self.password_error = ""
        self.form_error = ""

    @rx.event
    def load(self):
        self._clear_errors()
        self.submitting = False
        if self._principal() is not None:
            return rx.redirect(routes.safe_next(self._query_param("next")))
        if self._query_param("expired"):
            self.form_error = self._t("login.session_expired")

    @rx.event
    def submit(self, form_data: dict):
        self._clear_errors()
        username = str(form_data.get("username", "")).strip()
        password = str(form_data.get("password", ""))
        if not username:
            self.username_error = self._t("login.username_required")
        if not password:
            self.password_error = self._t("login.password_required")
        if self.username_error or self.password_error:
            return
        now = clock.now()
        with session_scope() as db:
            user = authenticate(
                session=db, username=username, password=password, now=now,
                client_ip=self.router.session.client_ip,
            )
            if user is None:
                token, language = "", ""
            else:
                token = open_session(
                    session=db, user=user, now=now, policy=POLICY,
                    client_ip=self.router.session.client_ip,
                    user_agent=self.router.headers.user_agent,
                )
                language = user.language.value
        if not token:
            self.form_error = self._t("login.failed")
            return
        self.session_token = token
        return [self._apply_language(language), rx.redirect(routes.safe_next(self._query_param("next")))]


def login_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(tr("login.title"), as_="h1", size="6"),
            rx.text(tr("login.subtitle"), color_scheme="gray"),
            rx.cond(
                LoginState.form_error != "",
                rx.callout(LoginState.form_error, icon="triangle-alert", color_scheme="red", role="alert", id="login-error", width="100%"),
            ),
            field(
                field_id="login-username",
                label=tr("login.username"),
                control=rx.input(
                    id="login-username", name="username", auto_complete="username", size="3",
                    aria_invalid=rx.cond(LoginState.username_error != "", "true", "false"),
                    aria_describedby="login-username-error",
                ),
                error=LoginState.username_error,
            ),
            field(
                field_id="login-password",
                label=tr("login.password"),
                control=rx.input(
                    id="login-password", name="password", type="password", auto_complete="current-password", size="3",
                    aria_invalid=rx.cond(LoginState.password_error != "", "true", "false"),
                    aria_describedby="login-password-error",
                ),
                error=LoginState.password_error,
            ),
            rx.button(tr("login.submit"), type="submit", size="3", width="100%", id="login-submit"),
            spacing="4",
            width="100%",
        ),
        on_submit=LoginState.submit,
        reset_on_submit=False,
        width="100%",
    )


@template(route=routes.LOGIN, title_key="login.title", on_load=LoginState.load)
def login() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.image(src=f"/{BRAND.logo}", alt="", height="48px", width="auto", aria_hidden="true"),
                login_form(),
                spacing="5",
                align="center",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="440px",
        ),
        padding_y="2rem",
    )
