"""Registro accessi: the account's sign-ins of the last twelve months (successful and failed),
newest first, with the device and the network, and the one that opened this session marked, so
that the user can spot a sign-in that was not theirs."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx
from reflex.vars import ObjectVar

from portal import i18n, routes
from portal.components.layout import column, page_body
from portal.components.shell import template
from portal.components.ui import card, data_cell, data_table, empty, link_button, page_header, paged, status_badge
from portal.db import session_scope
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.privacy.access_log import SignInEvent, sign_ins
from portal.state.i18n import tr
from portal.state.paging import PagedState
from portal.state.session import SIGNED_IN, Audience, SessionState, guard

PAGE = 20


@dataclasses.dataclass(frozen=True)
class SignInRow:
    event_id: int
    when: str
    outcome: str  # "resolved" (success) or "overdue" (failed): the badge's colour
    outcome_text: str
    device: str
    place: str
    current: bool


def sign_in_row(event: SignInEvent, lang: str) -> SignInRow:
    t = lambda key, **params: i18n.translate(lang, key, **params)  # noqa: E731
    device = " · ".join(part for part in (event.browser, event.system) if part) or t("accesslog.device_unknown")
    if event.private_network:
        place = t("accesslog.private_network", ip=event.client_ip)
    else:
        place = event.client_ip or t("accesslog.place_unknown")
    reason = "success" if event.success else event.reason.replace(".", "_")
    return SignInRow(
        event_id=event.event_id,
        when=i18n.date_time(event.at, lang),
        outcome="resolved" if event.success else "overdue",
        outcome_text=t(f"accesslog.outcome.{reason}"),
        device=device,
        place=place,
        current=event.current,
    )


class AccessLogState(PagedState, SessionState):
    loaded: bool = False
    _page_size: int = PAGE
    rows: rx.Field[list[SignInRow]] = rx.field(default_factory=list)
    _readers: ClassVar[Audience] = SIGNED_IN

    def _show_page(self, principal: Principal):
        with session_scope() as db:
            events, total = sign_ins(
                session=db,
                user_id=principal.user_id,
                now=clock.now(),
                offset=self.offset,
                limit=PAGE,
                session_digest=self._session_digest(),
            )
        self.rows = [sign_in_row(event, self.lang) for event in events]
        self.total = total

    @rx.event
    @guard(SIGNED_IN)
    def load(self, principal: Principal):
        self.offset = 0
        self._show_page(principal)
        self.loaded = True


def _row(item: ObjectVar[SignInRow]) -> rx.Component:
    return rx.el.tr(
        data_cell(item.when),
        data_cell(
            rx.hstack(
                status_badge(item.outcome, item.outcome_text),
                rx.cond(item.current, rx.badge(tr("accesslog.this_session"), color_scheme="blue", variant="outline")),
                spacing="2",
                wrap="wrap",
            )
        ),
        data_cell(item.device),
        data_cell(item.place),
        class_name="access-log-row",
        data_current=rx.cond(item.current, "1", ""),
    )


@template(route=routes.ACCESS_LOG, title_key="accesslog.title", on_load=AccessLogState.load)
def access_log_page() -> rx.Component:
    state = AccessLogState
    return page_body(
        state.loaded,
        page_header(tr("accesslog.title"), link_button("user", tr("profile.title"), routes.PROFILE)),
        card(
            column(
                rx.text(tr("accesslog.intro"), size="2"),
                paged(
                    state,
                    "access-log",
                    data_table(
                        state.rows,
                        _row,
                        columns=[
                            ("accesslog.when", False),
                            ("accesslog.outcome", False),
                            ("accesslog.device", False),
                            ("accesslog.place", False),
                        ],
                        label=tr("accesslog.table"),
                        table_id="access-log-table",
                    ),
                    otherwise=empty(tr("accesslog.none"), icon="history"),
                ),
                gap="3",
            ),
        ),
    )
