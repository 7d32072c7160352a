"""Login in three steps: username and password, the one-time code (e-mail or authenticator
app), and, after a temporary password, the choice of a definitive one."""

from __future__ import annotations

import datetime as dt

import reflex as rx

from portal import routes
from portal.components.layout import column
from portal.components.public_form import (
    code_input,
    new_password_fields,
    password_input,
    stacked_form,
    submit_button,
    username_input,
)
from portal.components.shell import template
from portal.components.ui import auth_card, notice
from portal.config import settings
from portal.db import session_scope
from portal.services.access import two_factor
from portal.services.access.accounts import SignIn, authenticate, fiscal_code_of, set_password
from portal.services.common import clock
from portal.services.common.text import form_texts
from portal.state.i18n import tr
from portal.state.session import FLASH_STORAGE_KEY, SessionState, public, sign_in_with

CREDENTIALS, CODE, NEW_PASSWORD = "credentials", "code", "new_password"
# No account has a longer username (the column's length) or password (its policy's, with room for
# the NFKC form): a longer one is refused before any lookup or hashing.
USERNAME_MAX = 60
PASSWORD_MAX = 1024
# The forced change of a temporary password must follow the code within this time.
PASSWORD_CHANGE_WINDOW = dt.timedelta(minutes=10)


def masked(address: str) -> str:
    """od*********@pec.valverde-demo.it: enough to recognise one's own address."""
    local, _, domain = address.partition("@")
    return f"{local[:2]}{'*' * min(6, max(3, len(local) - 2))}@{domain}"


class LoginState(SessionState):
    step: str = CREDENTIALS
    code_method: str = two_factor.EMAIL
    code_address: str = ""
    username_error: str = ""
    password_error: str = ""
    form_error: str = ""
    code_error: str = ""
    info: str = ""
    new_password_error: str = ""
    confirm_error: str = ""
    # What was typed as username: the unlock page's link carries it, so the right account is unlocked.
    typed_username: str = ""
    # A random handle of the pending login (not the code: that is only in the database).
    _handle: str = ""
    # Left by the logout script for the next page load of this tab ("logout").
    flash: str = rx.SessionStorage("", name=FLASH_STORAGE_KEY)

    @rx.var
    def unlock_link(self) -> str:
        return routes.unlock_url(self.typed_username)

    @rx.var
    def code_sent_text(self) -> str:
        return self._t("login.code_sent", address=self.code_address)

    def _clear(self) -> None:
        self.username_error = self.password_error = self.form_error = ""
        self.code_error = self.info = self.new_password_error = self.confirm_error = ""

    def _restart(self, error_key: str | None = None) -> None:
        if self._handle:
            with session_scope() as db:
                two_factor.close(session=db, handle=self._handle, now=clock.now())
        self._handle = ""
        self.step = CREDENTIALS
        self._clear()
        if error_key:
            self.form_error = self._t(error_key)

    def _client_ip(self) -> str:
        return self.router.session.client_ip

    @rx.event
    @public
    def load(self):
        self._clear()
        if self.flash == "logout":
            self.info = self._t("logout.done")
        elif self.flash == "idle":
            self.info = self._t("idle.expired")
        self.flash = ""
        if self._principal() is not None:
            return rx.redirect(routes.safe_next(self._query_param("next")))
        if self.step != CREDENTIALS and not self._handle:
            self.step = CREDENTIALS

    @rx.event
    @public
    def submit(self, form_data: dict):
        self._clear()
        texts, problems = form_texts(form_data, ("username",))
        username = texts["username"].strip()
        raw_password = form_data.get("password") if isinstance(form_data, dict) else None
        password = raw_password if isinstance(raw_password, str) else ""
        self.typed_username = username[:60]
        if problems or len(username) > USERNAME_MAX:
            self.username_error = self._t("login.username_invalid")
        elif not username:
            self.username_error = self._t("login.username_required")
        if raw_password is not None and not isinstance(raw_password, str) or len(password) > PASSWORD_MAX:
            self.password_error = self._t("login.password_invalid")
        elif not password:
            self.password_error = self._t("login.password_required")
        if self.username_error or self.password_error:
            return
        now = clock.now()
        with session_scope() as db:
            outcome, user = authenticate(
                session=db,
                username=username,
                password=password,
                now=now,
                client_ip=self._client_ip(),
                user_agent=self.router.headers.user_agent,
            )
            if outcome is SignIn.OK and user is not None:
                handle, method = two_factor.begin(session=db, user=user, now=now, client_ip=self._client_ip())
                address = masked(user.primary_email)
        if outcome is SignIn.LOCKED:
            self.form_error = self._t("login.locked")
            return
        if outcome is SignIn.FAILED:
            self.form_error = f"{self._t('login.failed')} {self._t('login.failed_hint')}"
            return
        self._handle = handle
        self.code_method = method
        self.code_address = address
        self.step = CODE

    @rx.event
    @public
    def verify_code(self, form_data: dict):
        self._clear()
        code = str(form_data.get("code", "")).strip()
        if not code:
            self.code_error = self._t("login.code_required")
            return
        now = clock.now()
        with session_scope() as db:
            result = two_factor.check(session=db, handle=self._handle, code=code, now=now, client_ip=self._client_ip())
            must_change = bool(result.user and result.user.must_change_password)
        if result.outcome is two_factor.Check.OK:
            if must_change:
                self.step = NEW_PASSWORD
                return
            return self._finish()
        if result.outcome is two_factor.Check.WRONG:
            self.code_error = self._t("login.code_wrong", count=result.attempts_left)
            if result.wait_seconds:  # the account's growing wait (issue 11)
                self.code_error += " " + self._t("login.code_wait", seconds=result.wait_seconds)
        elif result.outcome is two_factor.Check.EXPIRED:
            self.code_error = self._t("login.code_expired")
        elif result.outcome is two_factor.Check.WAIT:
            self.code_error = self._t("login.code_wait", seconds=result.wait_seconds)
        elif result.outcome is two_factor.Check.EXHAUSTED:
            self._restart("login.code_exhausted")
        elif result.outcome is two_factor.Check.LOCKED:
            self._restart("login.locked")
        else:
            self._restart("login.code_invalid")

    @rx.event
    @public
    def resend_code(self):
        self._clear()
        with session_scope() as db:
            outcome, wait = two_factor.resend(
                session=db, handle=self._handle, now=clock.now(), client_ip=self._client_ip()
            )
        if outcome is two_factor.Resend.SENT:
            self.info = self._t("login.resent")
        elif outcome is two_factor.Resend.TOO_SOON:
            self.code_error = self._t("login.resend_wait", seconds=wait)
        elif outcome is two_factor.Resend.TOO_MANY:
            self._restart("login.resend_limit")
        elif outcome is two_factor.Resend.NOT_OFFERED:
            self.code_error = self._t("login.no_email_for_app")
        else:
            self._restart("login.code_invalid")

    @rx.event
    @public
    def choose_password(self, form_data: dict):
        self._clear()
        password = str(form_data.get("new_password", ""))
        confirmation = str(form_data.get("confirm_password", ""))
        now = clock.now()
        with session_scope() as db:
            user = two_factor.verified_user(session=db, handle=self._handle, now=now, within=PASSWORD_CHANGE_WINDOW)
            if user is None:
                problem = "expired"
            elif password != confirmation:
                problem = "differ"
            else:
                problem = set_password(
                    session=db, user=user, new_password=password, now=now, fiscal_code=fiscal_code_of(db, user)
                )
        if problem == "expired":
            self._restart("login.code_invalid")
        elif problem == "differ":
            self.confirm_error = self._t("login.passwords_differ")
        elif problem:
            self.new_password_error = self._t(problem)
        else:
            return self._finish()

    @rx.event
    @public
    def back_to_credentials(self):
        self._restart()

    def _finish(self):
        """Both factors passed: the browser gets a one-time ticket for its new session cookie."""
        with session_scope() as db:
            ticket = two_factor.sign_in_ticket(session=db, handle=self._handle, now=clock.now())
        self._handle = ""
        self.step = CREDENTIALS
        if ticket is None:
            self.form_error = self._t("login.code_invalid")
            return None
        return sign_in_with(ticket, routes.safe_next(self._query_param("next")))


def _links() -> rx.Component:
    links = [
        rx.link(tr("login.forgot"), href=routes.FORGOT_PASSWORD, id="link-forgot"),
        rx.link(tr("login.locked_link"), href=LoginState.unlock_link, id="link-unlock"),
        rx.link(tr("login.register_link"), href=routes.REGISTER, id="link-register"),
    ]
    if settings.demo_mode:
        links.append(rx.link(tr("menu.mailbox"), href=routes.DEV_MAILBOX, id="link-mailbox"))
    return column(*links, gap="2", align="center")


def credentials_form() -> rx.Component:
    return stacked_form(
        rx.heading(tr("login.title"), as_="h1", size="6"),
        rx.text(tr("login.subtitle"), color_scheme="gray"),
        notice(LoginState.info, tone="green", icon="circle-check", element_id="login-info"),
        notice(LoginState.form_error, tone="red", icon="triangle-alert", element_id="login-error"),
        username_input(field_id="login-username", error=LoginState.username_error),
        password_input(field_id="login-password", error=LoginState.password_error),
        submit_button(tr("login.submit"), "login-submit"),
        _links(),
        on_submit=LoginState.submit,
    )


def code_form() -> rx.Component:
    return column(
        stacked_form(
            rx.heading(tr("login.code_title"), as_="h1", size="6"),
            rx.cond(
                LoginState.code_method == two_factor.TOTP,
                rx.text(tr("login.code_totp")),
                rx.text(LoginState.code_sent_text),
            ),
            notice(LoginState.info, tone="green", icon="mail-check", element_id="login-info"),
            rx.cond(
                LoginState.code_method == two_factor.TOTP,
                # The app's users may type one of their recovery codes instead (issue 11).
                code_input(
                    field_id="login-code",
                    label=tr("login.code_or_recovery_label"),
                    error=LoginState.code_error,
                    max_length=24,
                ),
                code_input(
                    field_id="login-code",
                    label=tr("login.code_label"),
                    error=LoginState.code_error,
                    max_length=6,
                    input_mode="numeric",
                ),
            ),
            submit_button(tr("login.code_submit"), "code-submit"),
            on_submit=LoginState.verify_code,
            reset_on_submit=True,
        ),
        rx.hstack(
            # No e-mailed code for the authenticator app's users (issue 11): recovery codes instead.
            rx.cond(
                LoginState.code_method == two_factor.TOTP,
                rx.text(tr("login.recovery_hint"), size="2", color_scheme="gray", id="code-recovery-hint"),
                rx.button(tr("login.resend"), variant="ghost", on_click=LoginState.resend_code, id="code-resend"),
            ),
            rx.button(tr("login.back"), variant="ghost", color_scheme="gray", on_click=LoginState.back_to_credentials),
            justify="between",
            width="100%",
            wrap="wrap",
        ),
        gap="3",
    )


def new_password_form() -> rx.Component:
    return stacked_form(
        rx.heading(tr("login.new_password_title"), as_="h1", size="6"),
        rx.text(tr("login.new_password_intro")),
        *new_password_fields(
            password_id="login-new-password",
            confirm_id="login-confirm-password",
            password_error=LoginState.new_password_error,
            confirm_error=LoginState.confirm_error,
        ),
        submit_button(tr("login.save_password"), "new-password-submit"),
        on_submit=LoginState.choose_password,
    )


@template(route=routes.LOGIN, title_key="login.title", on_load=LoginState.load)
def login() -> rx.Component:
    return auth_card(
        rx.match(
            LoginState.step,
            (CODE, code_form()),
            (NEW_PASSWORD, new_password_form()),
            credentials_form(),
        )
    )
