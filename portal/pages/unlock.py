""""Login bloccata / password dimenticata": contract number, module number and tax code."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.shell import template
from portal.components.ui import auth_card, form, notice, text_input
from portal.config import settings
from portal.db import session_scope
from portal.services import clock
from portal.services.identity import tax_code_problem
from portal.services.mail import MailDeliveryError
from portal.services.recovery import unlock
from portal.state.i18n import tr
from portal.state.session import SessionState


class UnlockState(SessionState):
    contract_number_error: str = ""
    module_number_error: str = ""
    tax_code_error: str = ""
    form_error: str = ""
    done: str = ""

    def _clear(self) -> None:
        self.contract_number_error = self.module_number_error = self.tax_code_error = ""
        self.form_error = self.done = ""

    @rx.event
    def load(self):
        self._clear()

    @rx.event
    def submit(self, form_data: dict):
        self._clear()
        contract = str(form_data.get("contract_number", "")).strip()
        module = str(form_data.get("module_number", "")).strip()
        tax_code = str(form_data.get("tax_code", ""))
        if not contract:
            self.contract_number_error = self._t("registration.contract_required")
        if not module:
            self.module_number_error = self._t("registration.module_required")
        if problem := tax_code_problem(tax_code):
            self.tax_code_error = self._t(problem)
        if self.contract_number_error or self.module_number_error or self.tax_code_error:
            return
        try:
            with session_scope() as db:
                unlock(session=db, contract_number=contract, module_number=module, tax_code=tax_code, now=clock.now(),
                       public_url=settings.public_url, client_ip=self.router.session.client_ip)
        except MailDeliveryError:
            self.form_error = self._t("login.mail_failed")
            return
        self.done = self._t("unlock.done")


@template(route=routes.UNLOCK, title_key="unlock.title", on_load=UnlockState.load)
def unlock_page() -> rx.Component:
    state = UnlockState
    return auth_card(
        form(
            rx.vstack(
                rx.heading(tr("unlock.title"), as_="h1", size="6"),
                rx.text(tr("unlock.intro"), color_scheme="gray"),
                notice(state.form_error, tone="red", icon="triangle-alert"),
                notice(state.done, tone="green", icon="mail-check", element_id="unlock-done"),
                text_input(field_id="unlock-contract", name="contract_number", label=tr("registration.contract_number"),
                           hint=tr("registration.contract_hint"), error=state.contract_number_error, input_mode="numeric"),
                text_input(field_id="unlock-module", name="module_number", label=tr("registration.module_number"),
                           hint=tr("registration.module_hint"), error=state.module_number_error),
                text_input(field_id="unlock-tax-code", name="tax_code", label=tr("registration.tax_code"),
                           error=state.tax_code_error),
                rx.button(tr("unlock.submit"), type="submit", size="3", width="100%", id="unlock-submit"),
                rx.link(tr("login.back"), href=routes.LOGIN),
                spacing="4",
                width="100%",
            ),
            on_submit=state.submit,
            width="100%",
        ),
        width="520px",
    )
