""" "Password dimenticata?": a reset link to the account's e-mail (PEC)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from portal import routes
from portal.components.public_form import email_input, public_form
from portal.components.shell import template
from portal.components.ui import auth_card
from portal.config import settings
from portal.services.access.recovery import request_reset
from portal.services.common import clock
from portal.services.common.identity import email_problem
from portal.services.common.text import form_texts
from portal.state.i18n import tr
from portal.state.public_forms import PublicFormState
from portal.state.session import SessionState, public


class ForgotPasswordState(PublicFormState, SessionState):
    email_error: str = ""
    _fields: ClassVar[tuple[str, ...]] = ("email",)

    @rx.event
    @public
    def submit(self, form_data: dict):
        self._clear()
        texts, refused = form_texts(form_data, ("email",))
        email = texts["email"].strip()
        if problem := refused.get("email") or email_problem(email):
            self.email_error = self._t(problem)
            return
        self._in_transaction(
            lambda db: request_reset(
                session=db,
                email=email,
                now=clock.now(),
                public_url=settings.public_url,
                client_ip=self.router.session.client_ip,
            )
        )
        self.done = self._t("forgot.done")  # the same answer whether or not the address has an account


@template(route=routes.FORGOT_PASSWORD, title_key="forgot.title", on_load=ForgotPasswordState.load)
def forgot_password() -> rx.Component:
    return auth_card(
        public_form(
            email_input(field_id="forgot-email", label=tr("forgot.email"), error=ForgotPasswordState.email_error),
            prefix="forgot",
            state=ForgotPasswordState,
        )
    )
