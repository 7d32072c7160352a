"""The signed-in user: resolved from the server-side session on every event that needs it."""

from __future__ import annotations

import urllib.parse

import reflex as rx

from portal import routes
from portal.config import settings
from portal.db import session_scope
from portal.services import audit, clock
from portal.services.accounts import Principal, principal_for
from portal.services.sessions import SessionPolicy, close_session, resolve_session
from portal.state.i18n import I18nState

SESSION_COOKIE = "portal_session"
POLICY = SessionPolicy.from_minutes(
    idle_minutes=settings.session_idle_minutes, absolute_hours=settings.session_absolute_hours
)


class SessionState(I18nState):
    # The session token is the browser's credential; the database keeps only its hash.
    session_token: str = rx.Cookie(
        "", name=SESSION_COOKIE, same_site="strict", secure=settings.cookie_secure
    )
    signed_in: bool = False
    display_name: str = ""
    customer_name: str = ""
    username: str = ""
    initials: str = ""
    is_operator: bool = False
    can_manage_sub_users: bool = False

    def _show(self, principal: Principal | None) -> None:
        self.signed_in = principal is not None
        self.display_name = principal.display_name if principal else ""
        self.customer_name = principal.customer_name if principal else ""
        self.username = principal.username if principal else ""
        self.initials = principal.initials if principal else ""
        self.is_operator = bool(principal and principal.is_operator)
        self.can_manage_sub_users = bool(principal and principal.can_manage_sub_users)

    def _principal(self, touch: bool = True) -> Principal | None:
        """Who is signed in, checked against the database now (idle and absolute timeouts)."""
        if not self.session_token:
            self._show(None)
            return None
        with session_scope() as db:
            user = resolve_session(session=db, token=self.session_token, now=clock.now(), policy=POLICY, touch=touch)
            principal = principal_for(session=db, user=user) if user else None
        if principal is None:
            self.session_token = ""
        self._show(principal)
        return principal

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
        if self.session_token:
            with session_scope() as db:
                user = resolve_session(session=db, token=self.session_token, now=clock.now(), policy=POLICY)
                if close_session(session=db, token=self.session_token, now=clock.now()) and user is not None:
                    audit.record(session=db, action="logout", tenant_id=user.tenant_id, user_id=user.id,
                                 customer_id=user.customer_id, client_ip=self.router.session.client_ip)
        self.session_token = ""
        self._show(None)
        return [rx.redirect(routes.LOGIN), rx.toast.info(self._t("logout.done"))]
