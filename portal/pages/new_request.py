"""A new request: any self-service form of the registry, chosen by `?modulo=<key>`."""

from __future__ import annotations

import reflex as rx
from sqlmodel import select

from portal import routes
from portal.components.form_renderer import form_fields
from portal.components.shell import template
from portal.components.ui import back_link, card, form, loading
from portal.config import settings
from portal.db import session_scope
from portal.models import Contract, LeasedAsset, UserAccount
from portal.services import clock, requests
from portal.services.forms import parse_contacts, payload_of
from portal.state.forms import FormEngineState
from portal.state.i18n import tr
from portal.state.session import SessionState


class NewRequestState(FormEngineState, SessionState):
    loaded: bool = False

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if principal.scope is None:
            return rx.redirect(routes.HOME)
        self._open(principal, self._query_param("modulo"))
        self._preselect_from_url(principal)
        self.loaded = True

    def _preselect_from_url(self, principal) -> None:
        """Links may preselect a choice (?f_request_type=pec_change); only offered values count."""
        if not self.form_found:
            return
        chosen = {}
        for spec in self.specs:
            wanted = self._query_param(f"f_{spec['key']}")
            if wanted and wanted in {option["value"] for option in spec["options"]}:
                chosen[spec["key"]] = wanted
        if chosen:
            self.values = {**self.values, **chosen}
            self._refresh(principal)

    @rx.event
    def submit(self, form_data: dict):  # the values live in the state; form_data is not read
        principal = self._signed_in_form_user()
        if principal is None:
            return rx.toast.error(self._t("subusers.not_allowed"))
        clean = self._validated(principal)
        if clean is None:
            return
        definition = self._definition()
        now = clock.now()
        with session_scope() as db:
            user = db.get(UserAccount, principal.user_id)
            ctx = self._context(db, principal)
            contract_id = asset_id = None
            if definition.contract_field and clean.get(definition.contract_field):
                contract_id = db.exec(select(Contract.id).where(*principal.scope.where(Contract.customer_id, Contract.id),
                                                               Contract.number == clean[definition.contract_field])).first()
            if definition.asset_field and clean.get(definition.asset_field):
                asset_id = db.exec(select(LeasedAsset.id).where(*principal.scope.where(LeasedAsset.customer_id, LeasedAsset.contract_id),
                                                               LeasedAsset.code == clean[definition.asset_field])).first()
            subject = definition.subject(clean) if definition.subject else ""
            title = f"{definition.title(self.lang)} – {subject}" if subject else definition.title(self.lang)
            request = requests.open_request(
                session=db, author=user, customer_id=principal.scope.customer_id, form_key=definition.key, title=title,
                message=clean.get(definition.message_field, "") if definition.message_field else "",
                now=now, payload=payload_of(definition, clean, ctx), contract_id=contract_id, asset_id=asset_id,
                contacts=parse_contacts(clean.get(definition.contacts_field, "")) if definition.contacts_field else (),
                staged=self._claim_staged(),
            )
            code = request.code
            requests.acknowledge(session=db, request=request, author=user, public_url=settings.public_url)
        return [rx.redirect(routes.request_url(code)), rx.toast.success(self._t("requests.sent", code=code))]


@template(route=routes.NEW_REQUEST, title_key="requests.new_title", on_load=NewRequestState.load)
def new_request() -> rx.Component:
    state = NewRequestState
    return rx.cond(
        state.loaded,
        rx.vstack(
            back_link("requests.back_to_list", routes.REQUESTS),
            rx.cond(
                state.form_found,
                rx.vstack(
                    rx.heading(state.form_title, as_="h1", size="7"),
                    rx.text(state.form_description, color_scheme="gray"),
                    card(
                        form(
                            form_fields(state),
                            rx.hstack(
                                rx.link(rx.button(tr("requests.cancel"), type="button", variant="soft", color_scheme="gray"), href=routes.REQUESTS),
                                rx.button(tr("requests.send"), type="submit", id="form-submit"),
                                justify="end", spacing="3", width="100%", margin_top="1rem",
                            ),
                            on_submit=state.submit,
                        ),
                        max_width="720px",
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.callout(tr("requests.form_unavailable"), icon="triangle-alert", color_scheme="red", role="alert", id="form-unavailable"),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
