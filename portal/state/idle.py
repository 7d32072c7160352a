"""The idle timeout, told in advance (WCAG 2.2.1): the page warns before the session ends, the user
stays with one click, and a form left unsent is kept in the tab for after the next sign-in."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.config import settings
from portal.db import session_scope
from portal.services.access import sessions
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.state.session import SIGN_OUT_FETCH, SIGNED_IN, SessionState, _leave_page, guard, public


class IdleState(SessionState):
    # Read by the page's timer; settings, not secrets.
    idle_seconds: int = settings.session_idle_minutes * 60
    warning_seconds: int = settings.session_idle_warning_seconds

    @rx.event
    @guard(SIGNED_IN, touch=False)
    def keep_alive(self, principal: Principal):
        """The page saw the user at work (or "Resta collegato"): the idle clock starts again now."""
        with session_scope() as db:
            sessions.keep_alive(
                session=db, token=self._session_digest(), now=clock.now(), policy=sessions.SESSION_POLICY, hashed=True
            )

    @rx.event
    @public
    def expire(self):
        """The page's timer ran out: end this tab's session, as logout does, and come back to the same
        page after signing in again (its draft waits in the tab)."""
        self._end_session()
        return _leave_page(SIGN_OUT_FETCH, routes.login_url(self._current_path()), flash="idle")
