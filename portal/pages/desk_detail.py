"""A request on the service desk: the customer's answers and files, the thread, a reply with
files, and the status. Every change notifies the customer and the contacts to notify."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.attachments import attachment_picker
from portal.components.request_view import request_page
from portal.components.shell import template
from portal.components.ui import back_link, card, form
from portal.config import settings
from portal.db import session_scope
from portal.models import UserAccount
from portal.models.enums import RequestStatus
from portal.services import clock
from portal.services.requests import find_request, service_desk_update
from portal.state.i18n import tr
from portal.state.request_view import RequestViewState
from portal.state.session import SessionState

UPLOAD_ID = "desk-attachments"
MAX_REPLY = 5000


class DeskDetailState(RequestViewState, SessionState):
    def _may_upload(self) -> bool:
        return self._operator() is not None

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if not principal.is_operator:
            return rx.redirect(routes.request_url(self._query_param("codice")))
        self._open(principal)

    @rx.event
    def update(self, form_data: dict):
        principal = self._operator()
        if principal is None:
            return self._to_login()
        body = str(form_data.get("body", "")).strip()
        status_value = str(form_data.get("status", ""))
        status = RequestStatus(status_value) if status_value in RequestStatus._value2member_map_ else None
        if len(body) > MAX_REPLY:
            self.reply_error = self._t("forms.too_long", max=MAX_REPLY)
            return
        with session_scope() as db:
            operator = db.get(UserAccount, principal.user_id)
            request = find_request(session=db, user=operator, code=self._code)
            if request is None:
                return rx.toast.error(self._t("subusers.not_allowed"))
            if not body and not self._staged and (status is None or status == request.status):
                self.reply_error = self._t("desk.nothing_to_send")
                return
            service_desk_update(session=db, request=request, operator=operator, body=body, status=status, now=clock.now(),
                                public_url=settings.public_url, staged=self._claim_staged())
        self.reply_error = ""
        self._read(principal)
        return [rx.set_value("desk-body", ""), rx.toast.success(self._t("desk.sent"))]

    @rx.var
    def status_options(self) -> list[dict[str, str]]:
        return [{"value": status.value, "label": i18n.translate(self.lang, f"request_status.{status.value}")} for status in RequestStatus]


def answer_card() -> rx.Component:
    state = DeskDetailState
    return card(
        form(
            rx.vstack(
                rx.el.label(rx.text(tr("desk.answer"), size="2", weight="medium"), html_for="desk-body"),
                rx.text_area(id="desk-body", name="body", rows="5", max_length=MAX_REPLY, width="100%",
                             aria_describedby="reply-error"),
                attachment_picker(state, UPLOAD_ID),
                rx.flex(
                    rx.el.label(rx.text(tr("desk.new_status"), size="2", weight="medium"), html_for="desk-new-status"),
                    rx.el.select(
                        rx.foreach(state.status_options, lambda o: rx.el.option(o["label"], value=o["value"])),
                        id="desk-new-status", name="status", default_value=state.info["status"], key=state.info["status"],
                        class_name="portal-select",
                    ),
                    direction="column", spacing="1", max_width="280px",
                ),
                rx.cond(state.reply_error != "", rx.text(state.reply_error, id="reply-error", color_scheme="red", size="2", role="alert")),
                rx.button(tr("desk.send"), type="submit", id="desk-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=state.update,
        ),
        title=tr("desk.answer_title"),
    )


@template(route=routes.DESK_DETAIL, title_key="desk.detail_title", on_load=DeskDetailState.load)
def desk_detail() -> rx.Component:
    return request_page(DeskDetailState, back=back_link("desk.back", routes.DESK), reply=answer_card(), show_customer=True)
