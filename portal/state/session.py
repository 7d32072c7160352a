"""The signed-in user: resolved from the server-side session on every event that needs it."""

from __future__ import annotations

import json
import urllib.parse

import reflex as rx

from portal import routes
from portal.config import settings
from portal.db import session_scope
from portal.services import clock
from portal.services.accounts import Principal, principal_for
from portal.services.sessions import SessionPolicy, resolve_session, token_from_cookie_header
from portal.services.sign_in import sign_out
from portal.state.i18n import I18nState

POLICY = SessionPolicy.from_minutes(
    idle_minutes=settings.session_idle_minutes, absolute_hours=settings.session_absolute_hours
)
SIGN_IN_URL = "/api/sessione"
SIGN_OUT_URL = "/api/sessione/esci"
FLASH_STORAGE_KEY = "portal_flash"


def _leave_page(fetch: str, then_path: str, flash: str = "") -> rx.event.EventSpec:
    """Run `fetch` (a promise of a Response), then load `then_path` afresh with a new Reflex token,
    so the next page starts from an empty state tree: nothing of the previous user stays in the tab."""
    remember = f"window.sessionStorage.setItem({json.dumps(FLASH_STORAGE_KEY)}, {json.dumps(flash)});" if flash else ""
    return rx.call_script(
        f"{fetch}.catch(() => null).then((response) => {{ window.sessionStorage.removeItem('token'); {remember}"
        f" window.location.replace(response && response.ok ? {json.dumps(then_path)} : {json.dumps(routes.LOGIN)}); }});"
    )


def sign_in_with(ticket: str, next_path: str) -> rx.event.EventSpec:
    """The browser trades the one-time ticket for its HttpOnly session cookie, then opens `next_path`."""
    body = json.dumps(json.dumps({"ticket": ticket}))
    return _leave_page(
        f"fetch({json.dumps(SIGN_IN_URL)}, {{method: 'POST', credentials: 'same-origin', "
        f"headers: {{'Content-Type': 'application/json'}}, body: {body}}})",
        next_path,
    )


class SessionState(I18nState):
    # The credential is an HttpOnly cookie the page's scripts cannot read; the server reads it from
    # the headers of the browser's connection, and the database keeps only its hash.
    signed_in: bool = False
    display_name: str = ""
    customer_name: str = ""
    username: str = ""
    initials: str = ""
    is_operator: bool = False

    def _show(self, principal: Principal | None) -> None:
        self.signed_in = principal is not None
        self.display_name = principal.display_name if principal else ""
        self.customer_name = principal.customer_name if principal else ""
        self.username = principal.username if principal else ""
        self.initials = principal.initials if principal else ""
        self.is_operator = bool(principal and principal.is_operator)

    def _session_token(self) -> str:
        return token_from_cookie_header(self.router.headers.cookie)

    def _principal(self, touch: bool = True) -> Principal | None:
        """Who is signed in, checked against the database now (idle and absolute timeouts)."""
        token = self._session_token()
        principal = None
        if token:
            with session_scope() as db:
                user = resolve_session(session=db, token=token, now=clock.now(), policy=POLICY, touch=touch)
                principal = principal_for(session=db, user=user) if user else None
        self._show(principal)
        return principal

    def _operator(self) -> Principal | None:
        """The signed-in user when it is a service-desk operator."""
        principal = self._principal()
        return principal if principal is not None and principal.is_operator else None

    def _current_path(self) -> str:
        url = self.router.url
        path = url.path or routes.HOME
        return f"{path}?{url.query}" if url.query else path

    def _query_param(self, name: str) -> str:
        values = urllib.parse.parse_qs(self.router.url.query or "").get(name)
        return values[0] if values else ""

    def _to_login(self):
        return rx.redirect(routes.login_url(self._current_path()))

    @rx.event
    def logout(self):
        token = self._session_token()
        if token:
            with session_scope() as db:
                sign_out(session=db, token=token, now=clock.now(), policy=POLICY, client_ip=self.router.session.client_ip)
        self._show(None)
        # The route clears the HttpOnly cookie; the login page then says goodbye (FLASH_STORAGE_KEY).
        return _leave_page(f"fetch({json.dumps(SIGN_OUT_URL)}, {{method: 'POST', credentials: 'same-origin'}})",
                           routes.LOGIN, flash="logout")
