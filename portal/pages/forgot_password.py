""""Password dimenticata?": a reset link to the account's e-mail (PEC)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.shell import template
from portal.components.ui import auth_card, form, notice, text_input
from portal.config import settings
from portal.db import session_scope
from portal.services import clock
from portal.services.identity import email_problem
from portal.services.mail import MailDeliveryError
from portal.services.recovery import request_reset
from portal.state.i18n import tr
from portal.state.session import SessionState


class ForgotPasswordState(SessionState):
    email_error: str = ""
    form_error: str = ""
    done: str = ""

    @rx.event
    def load(self):
        self.email_error = self.form_error = self.done = ""

    @rx.event
    def submit(self, form_data: dict):
        self.email_error = self.form_error = self.done = ""
        email = str(form_data.get("email", "")).strip()
        if problem := email_problem(email):
            self.email_error = self._t(problem)
            return
        try:
            with session_scope() as db:
                request_reset(session=db, email=email, now=clock.now(), public_url=settings.public_url,
                              client_ip=self.router.session.client_ip)
        except MailDeliveryError:
            self.form_error = self._t("login.mail_failed")
            return
        # The same answer whether or not the address belongs to an account.
        self.done = self._t("forgot.done")


@template(route=routes.FORGOT_PASSWORD, title_key="forgot.title", on_load=ForgotPasswordState.load)
def forgot_password() -> rx.Component:
    state = ForgotPasswordState
    return auth_card(
        form(
            rx.vstack(
                rx.heading(tr("forgot.title"), as_="h1", size="6"),
                rx.text(tr("forgot.intro"), color_scheme="gray"),
                notice(state.form_error, tone="red", icon="triangle-alert"),
                notice(state.done, tone="green", icon="mail-check", element_id="forgot-done"),
                text_input(field_id="forgot-email", name="email", label=tr("forgot.email"), error=state.email_error,
                           type="email", auto_complete="email"),
                rx.button(tr("forgot.submit"), type="submit", size="3", width="100%", id="forgot-submit"),
                rx.link(tr("login.back"), href=routes.LOGIN),
                spacing="4",
                width="100%",
            ),
            on_submit=state.submit,
            width="100%",
        )
    )
