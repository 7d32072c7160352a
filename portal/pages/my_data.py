"""I miei dati: the copy of the user's own data (GDPR art. 15 and 20), asked for here, built in the
background (portal/jobs/data_exports.py), downloaded from here or from the e-mail's link while it
lives, by the user who asked only. Also the way to the access log."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.layout import column, page_body, row
from portal.components.shell import template
from portal.components.ui import card, document_link, link_button, notice, page_header, status_badge
from portal.db import session_scope
from portal.models import ExportStatus
from portal.services.access.accounts import Principal, account_of
from portal.services.common import clock
from portal.services.privacy import export
from portal.state.i18n import tr
from portal.state.session import CUSTOMER, SessionState, guard, redirect_to


class MyDataState(SessionState):
    loaded: bool = False
    status: str = ""  # "" (never asked), or an ExportStatus value
    requested_text: str = ""
    expires_text: str = ""
    size_text: str = ""
    link: str = ""
    message: str = ""
    asking: bool = False

    def _show_export(self, principal: Principal) -> None:
        with session_scope() as db:
            view = export.latest(session=db, user_id=principal.user_id)
        now = clock.now()
        if view is None:
            self.status, self.requested_text, self.expires_text, self.size_text, self.link = "", "", "", "", ""
            return
        status = view.status
        if status is ExportStatus.READY and view.expires_at is not None and now >= view.expires_at:
            status = ExportStatus.EXPIRED  # the job deletes the file at its next round
        self.status = status.value
        self.requested_text = i18n.date_time(view.requested_at, self.lang)
        self.expires_text = i18n.date_time(view.expires_at, self.lang) if view.expires_at else ""
        kilobytes = max(1, (view.size_bytes + 1023) // 1024)
        self.size_text = self._t("mydata.size", size=i18n.number(kilobytes, self.lang, digits=0))
        self.link = routes.my_data_download_url(view.code) if status is ExportStatus.READY else ""

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        self.message = ""
        self.asking = False
        self._show_export(principal)
        self.loaded = True

    @rx.event
    @guard(CUSTOMER, touch=False)
    def refresh(self, principal: Principal, _value=None):
        """While an export is being built, every few seconds: has it become ready?"""
        self._show_export(principal)

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def ask(self, principal: Principal):
        self.asking = True
        yield
        with session_scope() as db:
            _, created = export.request_export(
                session=db, user=account_of(session=db, principal=principal), now=clock.now()
            )
        self.message = self._t("mydata.asked" if created else "mydata.already_running")
        self.asking = False
        self._show_export(principal)


def _state_part() -> rx.Component:
    state = MyDataState
    # rx.match over strings yields a Component here; Reflex types it as Component | Var.
    return rx.match(  # pyright: ignore[reportReturnType]
        state.status,
        (
            "requested",
            column(
                row(
                    status_badge("submitted", tr("mydata.status.requested")),
                    rx.spinner(size="2"),
                    rx.text(tr("mydata.requested_at"), " ", state.requested_text, size="2"),
                    align="center",
                ),
                rx.text(tr("mydata.building"), size="2", color_scheme="gray"),
                rx.moment(interval=3_000, on_change=state.refresh, display="none"),
                gap="2",
                id="mydata-state",
                data_status="requested",
            ),
        ),
        (
            "ready",
            column(
                row(
                    status_badge("paid", tr("mydata.status.ready")),
                    rx.text(tr("mydata.expires"), " ", state.expires_text, size="2"),
                    align="center",
                ),
                document_link(
                    rx.icon("download", size=16, aria_hidden="true"),
                    tr("mydata.download"),
                    " (",
                    state.size_text,
                    ")",
                    href=state.link,
                    save=True,
                    id="mydata-download",
                ),
                gap="2",
                id="mydata-state",
                data_status="ready",
            ),
        ),
        (
            "expired",
            column(
                status_badge("rejected", tr("mydata.status.expired")),
                rx.text(tr("mydata.expired_hint"), size="2"),
                gap="2",
                id="mydata-state",
                data_status="expired",
            ),
        ),
        (
            "failed",
            column(
                status_badge("overdue", tr("mydata.status.failed")),
                rx.text(tr("mydata.failed_hint"), size="2"),
                gap="2",
                id="mydata-state",
                data_status="failed",
            ),
        ),
        rx.text(tr("mydata.none"), size="2", id="mydata-state", data_status="none"),
    )


@template(route=routes.MY_DATA, title_key="mydata.title", on_load=MyDataState.load)
def my_data_page() -> rx.Component:
    state = MyDataState
    return page_body(
        state.loaded,
        page_header(tr("mydata.title"), link_button("history", tr("accesslog.title"), routes.ACCESS_LOG)),
        card(
            column(
                rx.text(tr("mydata.intro")),
                rx.text(tr("mydata.contents"), size="2", color_scheme="gray"),
                rx.text(tr("mydata.link_rule"), size="2", color_scheme="gray"),
                notice(state.message, element_id="mydata-message"),
                _state_part(),
                rx.box(
                    rx.button(
                        rx.icon("archive", size=16, aria_hidden="true"),
                        tr("mydata.ask"),
                        on_click=state.ask,
                        loading=state.asking,
                        disabled=state.status == "requested",
                        id="mydata-ask",
                    ),
                ),
                gap="3",
            ),
            title=tr("mydata.export_title"),
            title_id="mydata-export-title",
        ),
    )


def privacy_card() -> rx.Component:
    """The profile's way to the user's own data and the access log."""
    return card(
        column(
            rx.text(tr("mydata.profile_hint"), size="2"),
            row(
                rx.cond(
                    ~SessionState.is_operator,
                    link_button("archive", tr("mydata.title"), routes.MY_DATA, id="profile-my-data"),
                ),
                link_button("history", tr("accesslog.title"), routes.ACCESS_LOG, id="profile-access-log"),
            ),
            gap="3",
        ),
        title=tr("mydata.profile_title"),
        title_id="profile-privacy-title",
    )
