"""What a signed-in user may see and do: the main customer account sees everything of its
customer; a sub-user sees the contracts granted to it and submits requests only if allowed."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import Contract, SubUserContract, UserAccount
from portal.models.enums import UserRole


@dataclasses.dataclass(frozen=True)
class Scope:
    customer_id: int
    contract_ids: frozenset[int] | None  # None: every contract of the customer

    def allows(self, contract_id: int | None) -> bool:
        return contract_id is not None and (self.contract_ids is None or contract_id in self.contract_ids)

    def where(self, customer_column, contract_column) -> list:
        """SQL conditions limiting a query to the rows this scope may read."""
        conditions = [customer_column == self.customer_id]
        if self.contract_ids is not None:
            conditions.append(contract_column.in_(sorted(self.contract_ids)))
        return conditions


def whole_customer(customer_id: int) -> Scope:
    return Scope(customer_id=customer_id, contract_ids=None)


def scope_of(*, session: Session, user: UserAccount) -> Scope | None:
    """The customer data the user may read; None for operators (no customer of their own)."""
    if user.customer_id is None:
        return None
    if user.role is UserRole.CUSTOMER or user.all_contracts:
        return Scope(customer_id=user.customer_id, contract_ids=None)
    granted = session.exec(
        select(SubUserContract.contract_id)
        .join(Contract, col(Contract.id) == col(SubUserContract.contract_id))
        .where(SubUserContract.user_id == user.id, Contract.customer_id == user.customer_id)
    ).all()
    return Scope(customer_id=user.customer_id, contract_ids=frozenset(granted))


def readers_of(
    *, session: Session, customer_id: int, contract_id: int | None, also_user_id: int | None = None
) -> list[UserAccount]:
    """In one query, the customer's active accounts whose scope (as scope_of draws it) includes the
    contract, plus `also_user_id` (a request's author); with no contract, only the unrestricted ones."""
    sees = [col(UserAccount.role) == UserRole.CUSTOMER, col(UserAccount.all_contracts).is_(True)]
    if contract_id is not None:
        sees.append(
            sa.exists().where(
                col(SubUserContract.user_id) == col(UserAccount.id), col(SubUserContract.contract_id) == contract_id
            )
        )
    if also_user_id is not None:
        sees.append(col(UserAccount.id) == also_user_id)
    return list(
        session.exec(
            select(UserAccount)
            .where(
                UserAccount.customer_id == customer_id,
                col(UserAccount.is_active).is_(True),
                col(UserAccount.role).in_([UserRole.CUSTOMER, UserRole.SUB_USER]),
                sa.or_(*sees),
            )
            .order_by(col(UserAccount.id))
        ).all()
    )


def can_manage_sub_users(user: UserAccount) -> bool:
    return user.role is UserRole.CUSTOMER and user.parent_id is None


def can_submit_requests(user: UserAccount) -> bool:
    return user.role is UserRole.CUSTOMER or (user.role is UserRole.SUB_USER and user.may_submit_requests)
