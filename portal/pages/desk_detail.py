"""A request on the service desk: the customer's answers and files, the thread, a reply with
files, and the status. Every change notifies the customer and the contacts to notify."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal import routes
from portal.components.fields import labelled, select
from portal.components.request_view import reply_box, request_page, request_template
from portal.components.ui import back_link
from portal.config import settings
from portal.models import ServiceRequest, UserAccount
from portal.models.enums import RequestStatus
from portal.pages.requests import status_choices
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.common.text import form_texts
from portal.services.requests.tickets import service_desk_update
from portal.state.i18n import tr
from portal.state.request_view import RequestViewState
from portal.state.rows import Option
from portal.state.session import OPERATOR, SessionState, guard

MAX_REPLY = 5000


def to_the_customers_page(state: SessionState):
    """A customer opening a desk link lands on their own page of the same request."""
    return rx.redirect(routes.request_url(state._query_param("codice")))


class DeskDetailState(RequestViewState, SessionState):
    def _may_stage(self, principal: Principal) -> bool:
        return principal.is_operator

    @rx.event
    @guard(OPERATOR, otherwise=to_the_customers_page)
    def load(self, principal: Principal):
        self._open(principal)

    @rx.event
    @guard(OPERATOR)
    def update(self, principal: Principal, form_data: dict):
        texts, refused = form_texts(form_data, ("body", "status"), multiline=("body",))
        if refused:
            self.reply_error = self._t(next(iter(refused.values())))
            return None
        body = texts["body"].strip()
        status = RequestStatus.parse(texts["status"])

        def write(db: Session, operator: UserAccount, request: ServiceRequest) -> str:
            if not body and not self._staged and (status is None or status == request.status):
                return "desk.nothing_to_send"
            service_desk_update(
                session=db,
                request=request,
                operator=operator,
                body=body,
                status=status,
                now=clock.now(),
                public_url=settings.public_url,
                staged=self._claim_staged(),
            )
            return ""

        return self._answer(principal, body, MAX_REPLY, write, body_id="desk-body", sent_key="desk.sent")

    @rx.var
    def status_options(self) -> list[Option]:
        return status_choices(tuple(status.value for status in RequestStatus), self.lang)


def answer_card() -> rx.Component:
    state = DeskDetailState
    new_status = select(
        "desk-new-status", state.status_options, name="status", default_value=state.info.status, key=state.info.status
    )
    return reply_box(
        state,
        "desk",
        title_key="desk.answer_title",
        label_key="desk.answer",
        send_key="desk.send",
        rows="5",
        max_length=MAX_REPLY,
        on_submit=state.update,
        extra=(labelled("desk-new-status", tr("desk.new_status"), new_status, width=None, max_width="280px"),),
        gap="3",
    )


@request_template(DeskDetailState, route=routes.DESK_DETAIL, title_key="desk.detail_title")
def desk_detail() -> rx.Component:
    return request_page(
        DeskDetailState, back=back_link("desk.back", routes.DESK), reply=answer_card(), show_customer=True
    )
