"""The contracts a page offers to choose from. A customer with a few contracts sees them all; a
fleet customer (hundreds) sees those matching what they type, so that a page visit does not send
every contract to the browser and a select of 500 entries is never shown (issue 13)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from portal import i18n, routes
from portal.db import session_scope
from portal.services.access.accounts import Principal
from portal.services.access.scope import Scope
from portal.services.contracts.queries import ContractChoice, contract_choice, contract_choices, contract_count
from portal.state.session import Audience, SessionState, guard, redirect_to
from portal.state.unchanged import assign_if_changed

ALL_SHOWN_UP_TO = 25  # contracts; beyond, the page offers a search
MATCHES_SHOWN = 20
SEARCH_MAX_LENGTH = 40


class ContractChoicesState(SessionState, mixin=True):
    """The page's state names `_readers` (who may search) and `_chosen_number` (the contract to
    keep among the choices)."""

    _readers: ClassVar[Audience]
    contract_search: str = ""
    contracts_total: int = 0
    contract_matches: int = 0  # the choices matching the search (the chosen contract may be one more)
    _choices: list[ContractChoice] = []

    def _chosen_number(self) -> str:
        raise NotImplementedError

    def _read_choices(self, db: Session, scope: Scope) -> None:
        """The choices: all the contracts, or the ones matching the search and the chosen one."""
        total = contract_count(session=db, scope=scope)
        searched = total > ALL_SHOWN_UP_TO
        matches = contract_choices(
            session=db,
            scope=scope,
            matching=self.contract_search if searched else "",
            limit=MATCHES_SHOWN if searched else None,
        )
        chosen = self._chosen_number()
        kept = None
        if chosen and all(choice.number != chosen for choice in matches):
            kept = contract_choice(session=db, scope=scope, number=chosen)
        assign_if_changed(self, "contracts_total", total)
        assign_if_changed(self, "contract_matches", len(matches))
        assign_if_changed(self, "_choices", [*matches, kept] if kept is not None else matches)

    @rx.event
    @guard("_readers", otherwise=redirect_to(routes.HOME))
    def search_contracts(self, principal: Principal, text: str):
        self.contract_search = text.strip()[:SEARCH_MAX_LENGTH] if isinstance(text, str) else ""
        with session_scope() as db:
            self._read_choices(db, principal.customer_scope)

    @rx.var
    def contract_search_offered(self) -> bool:
        return self.contracts_total > ALL_SHOWN_UP_TO

    @rx.var
    def has_contracts(self) -> bool:
        return self.contracts_total > 0

    @rx.var
    def contract_search_note(self) -> str:
        """What the list holds: how many of the contracts, or that none matches."""
        if self.contracts_total <= ALL_SHOWN_UP_TO:
            return ""
        if not self.contract_matches:
            return i18n.translate(self.lang, "contracts.search_none", text=self.contract_search)
        return i18n.translate(
            self.lang, "contracts.search_note", count=self.contract_matches, total=self.contracts_total
        )
