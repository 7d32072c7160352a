"""A paged list the user may narrow to one of their contracts (Beni in locazione, Fatture e
pagamenti): the choice, its options, and the check that the chosen contract is theirs."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal import i18n, routes
from portal.services.access.accounts import Principal
from portal.services.access.scope import Scope
from portal.services.contracts.queries import access_contract, checked_contract_id
from portal.state.contract_choices import ContractChoicesState
from portal.state.paging import PagedState
from portal.state.rows import Option
from portal.state.session import guard, redirect_to

ALL = "all"


def chosen_contract_id(db: Session, scope: Scope, number: str) -> int | None:
    """For an export running in the background: None for all contracts, else the id of one the
    user may still read (see checked_contract_id)."""
    return None if number == ALL else checked_contract_id(session=db, scope=scope, number=number)


class ContractFilterState(PagedState, ContractChoicesState, mixin=True):
    """The page's state names `_readers` (who may page, search and filter) and reads its rows in
    `_show_page`."""

    contract: str = ALL

    def _chosen_number(self) -> str:
        return "" if self.contract == ALL else self.contract

    @rx.var
    def contract_options(self) -> list[Option]:
        return [
            Option(value=c.number, label=f"{c.number} · {i18n.product_name(self.lang, c.product_code, c.product)}")
            for c in self._choices
        ]

    def _contract_id(self, db: Session, scope: Scope) -> int | None:
        """The chosen contract's id (None: all of them), refreshing the choices on the way; a
        contract the user may not read makes the filter fall back to all of theirs."""
        self._read_choices(db, scope)
        if self.contract == ALL:
            return None
        found = access_contract(session=db, scope=scope, number=self.contract)
        if found is None:
            self.contract = ALL
            return None
        return found.id

    @rx.event
    @guard("_readers", otherwise=redirect_to(routes.HOME))
    def choose_contract(self, principal: Principal, value: str):
        self.contract = value if isinstance(value, str) else ALL  # a number the user may not read falls back too
        self._first_page(principal)

    def _first_page(self, principal: Principal) -> None:
        """Show the list from its start, e.g. after a filter changed (callers carry the guard)."""
        self.offset = 0
        self._show_page(principal)
