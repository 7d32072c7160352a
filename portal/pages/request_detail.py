"""A request as its customer sees it: answers, thread, files, history, and the reply box."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.attachments import attachment_picker
from portal.components.request_view import answers, history, summary, thread
from portal.components.shell import template
from portal.components.ui import card, form, loading
from portal.db import session_scope
from portal.models import UserAccount
from portal.services import clock
from portal.services.requests import customer_reply, detail, find_request
from portal.state.i18n import tr
from portal.state.request_view import RequestViewState
from portal.state.session import SessionState

UPLOAD_ID = "reply-attachments"
MAX_REPLY = 2000


class RequestDetailState(RequestViewState, SessionState):
    loaded: bool = False
    _code: str = ""

    def _read(self, principal) -> None:
        with session_scope() as db:
            user = db.get(UserAccount, principal.user_id)
            request = find_request(session=db, user=user, code=self._code)
            self._detail = detail(session=db, request=request) if request is not None else None
        self.found = self._detail is not None

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if principal.is_operator:
            return rx.redirect(routes.desk_request_url(self._query_param("codice")))
        self._code = self._query_param("codice")
        self._discard_staged()
        self.reply_error = ""
        self._read(principal)
        self.loaded = True

    @rx.event
    def reply(self, form_data: dict):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        body = str(form_data.get("body", "")).strip()
        if not body and not self._staged:
            self.reply_error = self._t("requests.reply_empty")
            return
        if len(body) > MAX_REPLY:
            self.reply_error = self._t("forms.too_long", max=MAX_REPLY)
            return
        with session_scope() as db:
            user = db.get(UserAccount, principal.user_id)
            request = find_request(session=db, user=user, code=self._code)
            if request is None:
                return rx.toast.error(self._t("subusers.not_allowed"))
            customer_reply(session=db, request=request, author=user, body=body, now=clock.now(), staged=self._claim_staged())
        self.reply_error = ""
        self._read(principal)
        return [rx.set_value("reply-body", ""), rx.toast.success(self._t("requests.reply_sent"))]


@template(route=routes.REQUEST_DETAIL, title_key="requests.detail_title", on_load=RequestDetailState.load)
def request_detail() -> rx.Component:
    state = RequestDetailState
    return rx.cond(
        state.loaded,
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=16), rx.text(tr("requests.back_to_list")), spacing="1", align="center"),
                    href=routes.REQUESTS),
            rx.cond(
                state.found,
                rx.vstack(
                    rx.heading(tr("requests.detail_title"), " ", state.info["code"], as_="h1", size="7"),
                    summary(state),
                    answers(state),
                    thread(state),
                    card(
                        form(
                            rx.vstack(
                                rx.el.label(rx.text(tr("requests.reply"), size="2", weight="medium"), html_for="reply-body"),
                                rx.text_area(id="reply-body", name="body", rows="4", max_length=MAX_REPLY, width="100%",
                                             aria_describedby="reply-error"),
                                attachment_picker(state, UPLOAD_ID),
                                rx.cond(state.reply_error != "", rx.text(state.reply_error, id="reply-error", color_scheme="red", size="2", role="alert")),
                                rx.button(tr("requests.send_reply"), type="submit", id="reply-submit"),
                                spacing="2",
                                width="100%",
                            ),
                            on_submit=state.reply,
                        ),
                        title=tr("requests.reply_title"),
                    ),
                    history(state),
                    spacing="4",
                    width="100%",
                ),
                rx.callout(tr("requests.not_found"), icon="triangle-alert", color_scheme="red", role="alert", id="request-not-found"),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )


