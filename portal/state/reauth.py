"""The re-authentication dialog (issue 11): password, then a code, before the changes that could
hand the account over (primary e-mail, authenticator app, IBAN).

Its success is stamped on the server-side session row (services/access/reauth.py), never kept
here: the states that guard a change ask the database (`reauthenticated`). A handler refused for
want of it returns `ReauthState.ask`, and the user repeats the change once the dialog closes.
"""

from __future__ import annotations

import reflex as rx

from portal.db import session_scope
from portal.services.access import reauth, two_factor
from portal.services.access.accounts import Principal, account_of
from portal.services.access.sessions import reauthenticated_recently
from portal.services.common import clock
from portal.state.session import SIGNED_IN, SessionState, guard

PASSWORD_STEP, CODE_STEP = "password", "code"


class ReauthState(SessionState):
    reauth_open: bool = False
    reauth_step: str = PASSWORD_STEP
    reauth_method: str = two_factor.EMAIL
    reauth_password_error: str = ""
    reauth_code_error: str = ""
    # The pending check's random handle (as the login page keeps it); the code is only in the database.
    _reauth_handle: str = ""

    def _reset_dialog(self) -> None:
        self.reauth_step = PASSWORD_STEP
        self.reauth_password_error = self.reauth_code_error = ""
        if self._reauth_handle:
            with session_scope() as db:
                two_factor.close(session=db, handle=self._reauth_handle, now=clock.now())
        self._reauth_handle = ""

    @rx.event
    @guard(SIGNED_IN)
    def ask(self, principal: Principal):
        self._reset_dialog()
        self.reauth_open = True

    @rx.event
    @guard(SIGNED_IN)
    def set_reauth_open(self, principal: Principal, value: bool):
        if not value:
            self._reset_dialog()
        self.reauth_open = value

    @rx.event
    @guard(SIGNED_IN)
    def submit_reauth_password(self, principal: Principal, form_data: dict):
        self.reauth_password_error = ""
        password = str(form_data.get("password", ""))
        if not password:
            self.reauth_password_error = self._t("login.password_required")
            return
        with session_scope() as db:
            started = reauth.start(
                session=db,
                user=account_of(session=db, principal=principal),
                password=password,
                now=clock.now(),
                client_ip=self.router.session.client_ip,
            )
        if started.outcome is reauth.Start.LOCKED:
            self.reauth_password_error = self._t("login.locked")
        elif started.outcome is reauth.Start.WRONG_PASSWORD:
            self.reauth_password_error = self._t("profile.current_password_wrong")
        else:
            self._reauth_handle = started.handle
            self.reauth_method = started.method
            self.reauth_step = CODE_STEP

    @rx.event
    @guard(SIGNED_IN)
    def submit_reauth_code(self, principal: Principal, form_data: dict):
        self.reauth_code_error = ""
        code = str(form_data.get("code", "")).strip()
        if not code:
            self.reauth_code_error = self._t("login.code_required")
            return
        with session_scope() as db:
            result = reauth.finish(
                session=db,
                user=account_of(session=db, principal=principal),
                token=self._session_digest(),
                hashed=True,
                handle=self._reauth_handle,
                code=code,
                now=clock.now(),
                client_ip=self.router.session.client_ip,
            )
        outcome = result.outcome
        if outcome is two_factor.Check.OK:
            self._reauth_handle = ""
            self._reset_dialog()
            self.reauth_open = False
            return rx.toast.success(self._t("reauth.done"))
        if outcome is two_factor.Check.WRONG:
            self.reauth_code_error = self._t("login.code_wrong", count=result.attempts_left)
            if result.wait_seconds:
                self.reauth_code_error += " " + self._t("login.code_wait", seconds=result.wait_seconds)
        elif outcome is two_factor.Check.WAIT:
            self.reauth_code_error = self._t("login.code_wait", seconds=result.wait_seconds)
        elif outcome is two_factor.Check.EXPIRED:
            self.reauth_code_error = self._t("login.code_expired")
        else:  # exhausted, locked, or a check that is no longer open: start again from the password
            self._reset_dialog()
            self.reauth_password_error = self._t(
                "login.locked" if outcome is two_factor.Check.LOCKED else "reauth.again"
            )


def recently_reauthenticated(state: SessionState) -> bool:
    """Did the session of `state`'s browser re-authenticate within the window? Asked of the session row."""
    with session_scope() as db:
        return reauthenticated_recently(session=db, token=state._session_digest(), now=clock.now(), hashed=True)
