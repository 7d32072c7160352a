"""The signed-in user, and the one guard every event handler that touches customer data goes through.

A page's handler declares who may run it:

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal): ...

The guard resolves the session from the HttpOnly cookie against the database (idle and absolute
timeouts) on every call, sends anyone without a session to the login page, answers a signed-in user
of the wrong kind with `otherwise` (the login page unless told), and hands the handler the Principal.
Handlers of public pages (login, registration, recovery) say so with `@public`; a test walks every
handler of the app and fails on one that has neither.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import urllib.parse
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import reflex as rx

from portal import routes
from portal.db import session_scope
from portal.services.access.accounts import Principal, principal_for
from portal.services.access.sessions import SESSION_POLICY, resolve_session, token_digest, token_from_cookie_header
from portal.services.access.sign_in import sign_out
from portal.services.common import clock
from portal.state.i18n import I18nState
from portal.state.marks import GUARD_MARK, public
from portal.web.session_digest import digest_from_cookie_header

FLASH_STORAGE_KEY = "portal_flash"

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="SessionState")


@dataclasses.dataclass(frozen=True)
class Audience:
    """Who may run a handler, decided from the signed-in Principal."""

    name: str
    admits: Callable[[Principal], bool]


SIGNED_IN = Audience("signed_in", lambda principal: True)
CUSTOMER = Audience("customer", lambda principal: principal.scope is not None)  # customers and sub-users
OPERATOR = Audience("operator", lambda principal: principal.is_operator)
ACCOUNT_MANAGER = Audience("account_manager", lambda principal: principal.can_manage_sub_users)
REQUEST_WRITER = Audience(
    "request_writer", lambda principal: principal.scope is not None and principal.may_submit_requests
)

Refusal = Callable[[Any], Any]  # (the state) -> events; Any: each page passes its own state class


def redirect_to(route: str) -> Refusal:
    """Send a signed-in user of the wrong kind to `route` (e.g. an operator away from a customer page)."""
    return lambda state: rx.redirect(route)


def refuse_with(message_key: str) -> Refusal:
    """Refuse with an error toast: for actions on a page the user may otherwise see."""
    return lambda state: rx.toast.error(state._t(message_key))


# A notice about the page in front of the user ("the download has started"): it fades after a few
# seconds and goes when the user moves to another page; notices meant to follow a redirect do not use it.
PAGE_NOTICE_ID = "page-notice"
PAGE_NOTICE_MS = 5000


def page_notice(message: str) -> rx.event.EventSpec:
    return rx.toast.success(message, id=PAGE_NOTICE_ID, duration=PAGE_NOTICE_MS)


def forget_page_notice() -> rx.event.EventSpec:
    return rx.toast.dismiss(PAGE_NOTICE_ID)


def guard(
    audience: Audience | str, *, otherwise: Refusal | None = None, signed_out: Refusal | None = None, touch: bool = True
) -> Callable[[Callable[Concatenate[S, Principal, P], Any]], Callable[Concatenate[S, P], Any]]:
    """Run the decorated handler (or helper) only for a signed-in user of `audience`, with the
    Principal as its first argument after self. `audience` may name a class attribute instead (a
    ClassVar holding the Audience): a mixin's handler then serves whom each page using it declares.
    A visitor without a session gets `signed_out` (the
    login page unless told), a signed-in user outside the audience `otherwise` (the login page too).
    `touch=False` for calls the user did not make (a timer refreshing the bell): they must not keep an
    abandoned session alive."""

    def decorate(method: Callable[Concatenate[S, Principal, P], Any]) -> Callable[Concatenate[S, P], Any]:
        def admitted(state: S) -> tuple[Principal | None, Any]:
            principal = state._principal(touch=touch)
            if principal is None:
                return None, signed_out(state) if signed_out is not None else state._to_login()
            who: Audience = getattr(type(state), audience) if isinstance(audience, str) else audience
            if not who.admits(principal):
                return None, otherwise(state) if otherwise is not None else state._to_login()
            return principal, None

        if inspect.iscoroutinefunction(method):

            @functools.wraps(method)
            async def guarded_async(state: S, *args: P.args, **kwargs: P.kwargs) -> Any:
                principal, refusal = admitted(state)
                if principal is None:
                    return refusal
                return await method(state, principal, *args, **kwargs)

            wrapper: Callable[..., Any] = guarded_async
        else:

            @functools.wraps(method)
            def guarded(state: S, *args: P.args, **kwargs: P.kwargs) -> Any:
                principal, refusal = admitted(state)
                if principal is None:
                    return refusal
                return method(state, principal, *args, **kwargs)

            wrapper = guarded
        _hide_principal(wrapper, method)
        setattr(wrapper, GUARD_MARK, f"class:{audience}" if isinstance(audience, str) else audience.name)
        return wrapper

    return decorate


def _hide_principal(wrapper: Callable[..., Any], method: Callable[..., Any]) -> None:
    """Reflex maps the browser's arguments from the handler's signature and type hints: show it the
    handler as the browser calls it, without the Principal the guard passes."""
    signature = inspect.signature(method)
    self_param, principal_param, *rest = signature.parameters.values()
    setattr(wrapper, "__signature__", signature.replace(parameters=[self_param, *rest]))  # noqa: B010  (a function's own dunder)
    wrapper.__annotations__ = {
        name: hint for name, hint in method.__annotations__.items() if name != principal_param.name
    }


def guarded_by(helper: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a background handler (an export): the guard cannot wrap it, since its state is reachable
    only inside `async with self`, so it calls the guarded `helper` there first. The handler test
    checks that the helper carries the guard."""

    def mark(method: Callable[P, R]) -> Callable[P, R]:
        setattr(method, GUARD_MARK, f"via:{helper}")
        return method

    return mark


# The logout route answers only the portal's own page posting JSON (no logout CSRF).
SIGN_OUT_FETCH = (
    f"fetch({json.dumps(routes.API_SIGN_OUT)}, {{method: 'POST', credentials: 'same-origin', "
    "headers: {'Content-Type': 'application/json'}, body: '{}'})"
)


def _leave_page(fetch: str, then_path: str, flash: str = "") -> rx.event.EventSpec:
    """Run `fetch` (a promise of a Response), then load `then_path` afresh with a new Reflex token,
    so the next page starts from an empty state tree: nothing of the previous user stays in the tab."""
    remember = f"window.sessionStorage.setItem({json.dumps(FLASH_STORAGE_KEY)}, {json.dumps(flash)});" if flash else ""
    return rx.call_script(
        f"{fetch}.catch(() => null).then((response) => {{ window.sessionStorage.removeItem('token'); {remember}"
        f" window.location.replace(response && response.ok ? {json.dumps(then_path)}"
        f" : {json.dumps(routes.LOGIN)}); }});"
    )


def sign_in_with(ticket: str, next_path: str) -> rx.event.EventSpec:
    """The browser trades the one-time ticket for its HttpOnly session cookie, then opens `next_path`."""
    body = json.dumps(json.dumps({"ticket": ticket}))
    return _leave_page(
        f"fetch({json.dumps(routes.API_SIGN_IN)}, {{method: 'POST', credentials: 'same-origin', "
        f"headers: {{'Content-Type': 'application/json'}}, body: {body}}})",
        next_path,
    )


class SessionState(I18nState):
    # The credential is an HttpOnly cookie the page's scripts cannot read; the states see only its
    # SHA-256 in the headers of the browser's connection (portal/web/session_digest.py), as the database.
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

    def _session_digest(self) -> str:
        """The SHA-256 of the session token: all the states ever hold (Reflex keeps the connection's
        headers in every state it stores). The websocket's middleware (portal/web/session_digest.py)
        has already replaced the cookie with it; a raw cookie (a handler called directly, as the
        state tests do) is hashed here."""
        header = self.router.headers.cookie
        digest = digest_from_cookie_header(header)
        if digest:
            return digest
        token = token_from_cookie_header(header)
        return token_digest(token) if token else ""

    def _principal(self, touch: bool = True) -> Principal | None:
        """Who is signed in, checked against the database now. Handlers get it through `guard`."""
        digest = self._session_digest()
        principal = None
        if digest:
            with session_scope() as db:
                user = resolve_session(
                    session=db, token=digest, now=clock.now(), policy=SESSION_POLICY, touch=touch, hashed=True
                )
                principal = principal_for(session=db, user=user) if user else None
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

    def _end_session(self) -> None:
        """End this tab's session on the server (logout, the idle timer) and forget who it showed."""
        digest = self._session_digest()
        if digest:
            with session_scope() as db:
                sign_out(
                    session=db,
                    token=digest,
                    now=clock.now(),
                    policy=SESSION_POLICY,
                    client_ip=self.router.session.client_ip,
                    hashed=True,
                )
        self._show(None)

    @rx.event
    @public
    def logout(self):
        self._end_session()
        # The route clears the HttpOnly cookie; the login page then says goodbye (FLASH_STORAGE_KEY).
        return _leave_page(SIGN_OUT_FETCH, routes.LOGIN, flash="logout")
