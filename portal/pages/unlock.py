""" "Login bloccata / password dimenticata": contract number, module number and tax code."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from portal import routes
from portal.components.public_form import contract_identity_fields, public_form, username_input
from portal.components.shell import template
from portal.components.ui import auth_card
from portal.config import settings
from portal.pages.login import USERNAME_MAX
from portal.services.access.recovery import unlock
from portal.services.common import clock
from portal.services.common.identity import contract_identity_problems
from portal.services.common.text import form_texts
from portal.state.public_forms import PublicFormState
from portal.state.session import SessionState, public


class UnlockState(PublicFormState, SessionState):
    username: str = ""  # from the login page's link, when it knows who is locked
    username_error: str = ""
    contract_number_error: str = ""
    module_number_error: str = ""
    tax_code_error: str = ""
    _fields: ClassVar[tuple[str, ...]] = ("username", "contract_number", "module_number", "tax_code")

    @rx.event
    @public
    def load(self):
        self._clear()
        self.username = self._query_param("utente")[:60]

    @rx.event
    @public
    def submit(self, form_data: dict):
        self._clear()
        texts, refused = form_texts(form_data, self._fields)
        values = {name: text.strip() for name, text in texts.items()}
        problems = contract_identity_problems(
            contract_number=values["contract_number"],
            module_number=values["module_number"],
            tax_code=values["tax_code"],
        )
        if len(values["username"]) > USERNAME_MAX:
            problems["username"] = "login.username_invalid"
        elif not values["username"]:
            problems["username"] = "unlock.username_required"
        problems |= {name: "login.username_invalid" if name == "username" else key for name, key in refused.items()}
        if self._show_problems(problems):
            return
        self._in_transaction(
            lambda db: unlock(
                session=db,
                now=clock.now(),
                public_url=settings.public_url,
                client_ip=self.router.session.client_ip,
                **values,
            )
        )
        self.done = self._t("unlock.done")


@template(route=routes.UNLOCK, title_key="unlock.title", on_load=UnlockState.load)
def unlock_page() -> rx.Component:
    state = UnlockState
    return auth_card(
        public_form(
            username_input(
                field_id="unlock-username",
                error=state.username_error,
                default_value=state.username,
                key=state.username,
            ),
            *contract_identity_fields(state, "unlock"),
            prefix="unlock",
            state=state,
        ),
        width="520px",
    )
