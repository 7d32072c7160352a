"""Registrazione al portale: contract number, module number, tax code and e-mail."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.shell import BRAND, template
from portal.components.ui import auth_card, form, notice, text_input
from portal.config import settings
from portal.db import session_scope
from portal.models import Tenant
from portal.services import clock
from portal.services.mail import MailDeliveryError
from portal.services.onboarding import Onboarding, register
from portal.state.i18n import tr
from portal.state.session import SessionState
from sqlmodel import select

FIELDS = ("contract_number", "module_number", "tax_code", "email")


class RegistrationState(SessionState):
    contract_number_error: str = ""
    module_number_error: str = ""
    tax_code_error: str = ""
    email_error: str = ""
    form_error: str = ""
    done: str = ""

    def _clear(self) -> None:
        for name in FIELDS:
            setattr(self, f"{name}_error", "")
        self.form_error = self.done = ""

    @rx.event
    def load(self):
        self._clear()

    @rx.event
    def submit(self, form_data: dict):
        self._clear()
        values = {name: str(form_data.get(name, "")) for name in FIELDS}
        try:
            with session_scope() as db:
                tenant_id = db.exec(select(Tenant.id).where(Tenant.slug == BRAND.slug)).one()
                result = register(
                    session=db, tenant_id=tenant_id, language=self.lang, now=clock.now(),
                    public_url=settings.public_url, client_ip=self.router.session.client_ip, **values,
                )
        except MailDeliveryError:
            self.form_error = self._t("login.mail_failed")
            return
        for name, key in result.field_errors.items():
            setattr(self, f"{name}_error", self._t(key))
        if result.outcome is Onboarding.SENT:
            self.done = self._t("registration.sent", username=result.username)
        elif result.outcome is Onboarding.MISMATCH:
            self.form_error = self._t("registration.mismatch")
        elif result.outcome is Onboarding.ALREADY_ACTIVE:
            self.form_error = self._t("registration.already_active", username=result.username)
        elif result.outcome is Onboarding.WAIT:
            self.form_error = self._t("registration.wait", minutes=result.wait_minutes)


def registration_form() -> rx.Component:
    state = RegistrationState
    return form(
        rx.vstack(
            rx.heading(tr("registration.title"), as_="h1", size="6"),
            rx.text(tr("registration.intro"), color_scheme="gray"),
            notice(state.form_error, tone="red", icon="triangle-alert", element_id="registration-error"),
            text_input(field_id="reg-contract", name="contract_number", label=tr("registration.contract_number"),
                       hint=tr("registration.contract_hint"), error=state.contract_number_error, input_mode="numeric"),
            text_input(field_id="reg-module", name="module_number", label=tr("registration.module_number"),
                       hint=tr("registration.module_hint"), error=state.module_number_error),
            text_input(field_id="reg-tax-code", name="tax_code", label=tr("registration.tax_code"),
                       error=state.tax_code_error, auto_complete="off"),
            text_input(field_id="reg-email", name="email", label=tr("registration.email"), hint=tr("registration.email_hint"),
                       error=state.email_error, type="email", auto_complete="email"),
            rx.button(tr("registration.submit"), type="submit", size="3", width="100%", id="registration-submit"),
            rx.link(tr("login.back"), href=routes.LOGIN),
            spacing="4",
            width="100%",
        ),
        on_submit=state.submit,
        width="100%",
    )


@template(route=routes.REGISTER, title_key="registration.title", on_load=RegistrationState.load)
def registration() -> rx.Component:
    return auth_card(
        rx.cond(
            RegistrationState.done != "",
            rx.vstack(
                rx.heading(tr("registration.title"), as_="h1", size="6"),
                notice(RegistrationState.done, tone="green", icon="mail-check", element_id="registration-done"),
                rx.link(tr("registration.go_login"), href=routes.LOGIN, id="registration-login"),
                spacing="4",
                width="100%",
            ),
            registration_form(),
        ),
        width="520px",
    )
