"""The page of the e-mailed link: choose a new password. The token stays in the URL only."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.layout import column
from portal.components.public_form import new_password_fields, stacked_form, submit_button
from portal.components.shell import template
from portal.components.ui import auth_card, notice
from portal.db import session_scope
from portal.services.access.links import UNLOCK
from portal.services.access.recovery import Reset, complete_reset, link_purpose, unlock_with_link
from portal.services.common import clock
from portal.services.common.text import form_texts
from portal.state.i18n import tr
from portal.state.session import SessionState, public


class ResetPasswordState(SessionState):
    link_valid: bool = False
    unlock_link: bool = False  # the link came from the unlock page or the lock notice
    checked: bool = False
    password_error: str = ""
    confirm_error: str = ""
    done: str = ""

    @rx.event
    @public
    def load(self):
        self.password_error = self.confirm_error = self.done = ""
        with session_scope() as db:
            purpose = link_purpose(session=db, token=self._query_param("token"), now=clock.now())
        self.link_valid = purpose is not None
        self.unlock_link = purpose == UNLOCK
        self.checked = True

    @rx.event
    @public
    def unlock_only(self):
        """Use an unlock link as it is: the account opens again with its current password."""
        with session_scope() as db:
            unlocked = unlock_with_link(
                session=db, token=self._query_param("token"), now=clock.now(), client_ip=self.router.session.client_ip
            )
        if not unlocked:
            self.link_valid = False
            return
        self.done = self._t("reset.unlocked")

    @rx.event
    @public
    def submit(self, form_data: dict):
        self.password_error = self.confirm_error = ""
        texts, refused = form_texts(form_data, ("new_password", "confirm_password"))
        if refused:
            self.password_error = self._t(next(iter(refused.values())))
            return
        password = texts["new_password"]
        if password != texts["confirm_password"]:
            self.confirm_error = self._t("login.passwords_differ")
            return
        with session_scope() as db:
            outcome, problem = complete_reset(
                session=db,
                token=self._query_param("token"),
                new_password=password,
                now=clock.now(),
                client_ip=self.router.session.client_ip,
            )
        if outcome is Reset.INVALID_LINK:
            self.link_valid = False
        elif outcome is Reset.WEAK_PASSWORD and problem:
            self.password_error = self._t(problem)
        else:
            self._show(None)  # the reset ended every session, this browser's too: sign in again, with the code
            self.done = self._t("reset.done")


def reset_form() -> rx.Component:
    state = ResetPasswordState
    return stacked_form(
        rx.cond(
            state.unlock_link,
            column(
                rx.text(tr("reset.unlock_intro"), color_scheme="gray"),
                rx.button(
                    tr("reset.unlock_only"),
                    type="button",
                    variant="soft",
                    on_click=state.unlock_only,
                    id="reset-unlock-only",
                ),
                gap="3",
            ),
        ),
        rx.text(tr("reset.intro"), color_scheme="gray"),
        *new_password_fields(
            password_id="reset-password",
            confirm_id="reset-confirm",
            password_error=state.password_error,
            confirm_error=state.confirm_error,
        ),
        submit_button(tr("reset.submit"), "reset-submit"),
        on_submit=state.submit,
    )


@template(route=routes.RESET_PASSWORD, title_key="reset.title", on_load=ResetPasswordState.load)
def reset_password() -> rx.Component:
    state = ResetPasswordState
    return auth_card(
        rx.heading(tr("reset.title"), as_="h1", size="6"),
        rx.cond(
            state.done != "",
            rx.vstack(
                notice(state.done, tone="green", icon="circle-check", element_id="reset-done"),
                rx.link(tr("registration.go_login"), href=routes.LOGIN, id="reset-login"),
                width="100%",
            ),
            rx.cond(
                state.link_valid,
                reset_form(),
                rx.cond(
                    state.checked,
                    rx.vstack(
                        rx.callout(
                            tr("reset.invalid"),
                            icon="triangle-alert",
                            color_scheme="red",
                            role="alert",
                            id="reset-invalid",
                            width="100%",
                        ),
                        rx.link(tr("reset.ask_new"), href=routes.FORGOT_PASSWORD),
                        width="100%",
                    ),
                ),
            ),
        ),
    )
