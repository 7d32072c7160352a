"""A request as its customer sees it: answers, thread, files, history, and the reply box."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.attachments import attachment_picker
from portal.components.request_view import request_page
from portal.components.shell import template
from portal.components.ui import back_link, card, form
from portal.db import session_scope
from portal.models import UserAccount
from portal.services import clock
from portal.services.requests import customer_reply, find_request
from portal.state.i18n import tr
from portal.state.request_view import RequestViewState
from portal.state.session import SessionState

UPLOAD_ID = "reply-attachments"
MAX_REPLY = 2000


class RequestDetailState(RequestViewState, SessionState):
    # A sub-user without the right to submit requests reads the thread but does not write in it.
    may_reply: bool = False

    def _may_upload(self) -> bool:
        principal = self._principal()
        return principal is not None and principal.may_submit_requests

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if principal.is_operator:
            return rx.redirect(routes.desk_request_url(self._query_param("codice")))
        self.may_reply = principal.may_submit_requests
        self._open(principal)

    @rx.event
    def reply(self, form_data: dict):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if not principal.may_submit_requests:
            return rx.toast.error(self._t("subusers.not_allowed"))
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


def reply_card() -> rx.Component:
    state = RequestDetailState
    return rx.cond(
        state.may_reply,
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
        rx.callout(tr("requests.reply_not_allowed"), icon="info", color_scheme="gray", id="reply-not-allowed"),
    )


@template(route=routes.REQUEST_DETAIL, title_key="requests.detail_title", on_load=RequestDetailState.load)
def request_detail() -> rx.Component:
    return request_page(RequestDetailState, back=back_link("requests.back_to_list", routes.REQUESTS), reply=reply_card())
