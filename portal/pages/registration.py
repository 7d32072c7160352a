"""Registrazione al portale: contract number, module number, tax code and e-mail."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from portal import routes
from portal.components.layout import column
from portal.components.public_form import contract_identity_fields, email_input, public_form
from portal.components.shell import BRAND, template
from portal.components.ui import auth_card, notice
from portal.config import settings
from portal.services.access.onboarding import Onboarding, register
from portal.services.common import clock
from portal.services.common.branding import tenant_id_of
from portal.services.common.text import form_texts
from portal.state.i18n import tr
from portal.state.public_forms import PublicFormState
from portal.state.session import SessionState, public

FIELDS = ("contract_number", "module_number", "tax_code", "email")


class RegistrationState(PublicFormState, SessionState):
    contract_number_error: str = ""
    module_number_error: str = ""
    tax_code_error: str = ""
    email_error: str = ""
    _fields: ClassVar[tuple[str, ...]] = FIELDS

    @rx.event
    @public
    def submit(self, form_data: dict):
        self._clear()
        values, refused = form_texts(form_data, FIELDS)
        if self._show_problems(refused):
            return
        result = self._in_transaction(
            lambda db: register(
                session=db,
                tenant_id=tenant_id_of(session=db, slug=BRAND.slug),
                language=self.lang,
                now=clock.now(),
                public_url=settings.public_url,
                client_ip=self.router.session.client_ip,
                **values,
            )
        )
        if result.outcome is Onboarding.INVALID:
            self._show_problems(result.field_errors)
            return
        # One answer whatever happened (sent, no match, active, asked the desk, too many attempts):
        # the contract data are printed on invoices, the answer must not tell who has an account.
        self.done = self._t("registration.received")


def registration_form() -> rx.Component:
    state = RegistrationState
    return public_form(
        *contract_identity_fields(state, "reg"),
        email_input(
            field_id="reg-email",
            label=tr("registration.email"),
            error=state.email_error,
            hint=tr("registration.contact_hint"),
        ),
        prefix="registration",
        state=state,
        shows_done=False,
        error_id="registration-error",
    )


@template(route=routes.REGISTER, title_key="registration.title", on_load=RegistrationState.load)
def registration() -> rx.Component:
    return auth_card(
        rx.cond(
            RegistrationState.done != "",
            column(
                rx.heading(tr("registration.title"), as_="h1", size="6"),
                notice(RegistrationState.done, tone="green", icon="mail-check", element_id="registration-done"),
                rx.link(tr("registration.go_login"), href=routes.LOGIN, id="registration-login"),
            ),
            registration_form(),
        ),
        width="520px",
    )
