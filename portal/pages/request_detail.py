"""A request as its customer sees it: answers, thread, files, history, and the reply box."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal import routes
from portal.components.request_view import reply_box, request_page, request_template
from portal.components.ui import back_link
from portal.models import ServiceRequest, UserAccount
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.common.text import form_texts
from portal.services.requests.tickets import customer_reply
from portal.state.i18n import tr
from portal.state.request_view import RequestViewState
from portal.state.session import CUSTOMER, REQUEST_WRITER, SessionState, guard, refuse_with

MAX_REPLY = 2000


def to_the_desks_page(state: SessionState):
    """An operator opening a customer's link lands on the service desk's page of the same request."""
    return rx.redirect(routes.desk_request_url(state._query_param("codice")))


class RequestDetailState(RequestViewState, SessionState):
    # A sub-user without the right to submit requests reads the thread but does not write in it.
    may_reply: bool = False

    def _may_stage(self, principal: Principal) -> bool:
        return principal.may_submit_requests

    @rx.event
    @guard(CUSTOMER, otherwise=to_the_desks_page)
    def load(self, principal: Principal):
        self.may_reply = principal.may_submit_requests
        self._open(principal)

    @rx.event
    @guard(REQUEST_WRITER, otherwise=refuse_with("subusers.not_allowed"))
    def reply(self, principal: Principal, form_data: dict):
        texts, refused = form_texts(form_data, ("body",), multiline=("body",))
        if refused:
            self.reply_error = self._t(refused["body"])
            return
        body = texts["body"].strip()
        if not body and not self._staged:
            self.reply_error = self._t("requests.reply_empty")
            return

        def write(db: Session, user: UserAccount, request: ServiceRequest) -> str:
            customer_reply(
                session=db, request=request, author=user, body=body, now=clock.now(), staged=self._claim_staged()
            )
            return ""

        return self._answer(principal, body, MAX_REPLY, write, body_id="reply-body", sent_key="requests.reply_sent")


def reply_card() -> rx.Component:
    state = RequestDetailState
    return rx.cond(
        state.may_reply,
        reply_box(
            state,
            "reply",
            title_key="requests.reply_title",
            label_key="requests.reply",
            send_key="requests.send_reply",
            rows="4",
            max_length=MAX_REPLY,
            on_submit=state.reply,
        ),
        rx.callout(tr("requests.reply_not_allowed"), icon="info", color_scheme="gray", id="reply-not-allowed"),
    )


@request_template(RequestDetailState, route=routes.REQUEST_DETAIL, title_key="requests.detail_title")
def request_detail() -> rx.Component:
    return request_page(
        RequestDetailState, back=back_link("requests.back_to_list", routes.REQUESTS), reply=reply_card()
    )
