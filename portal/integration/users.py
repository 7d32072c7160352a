"""Users to invite: a customer's admin (its main account, username = customer code) or a sub-user
of that account, possibly limited to some contracts. A new account gets the portal's usual
invitation: a random temporary password by e-mail, the first login asks for a definitive one
(onboarding.mail_temporary_password, as the service desk's invitation and the admin's sub-user
form). An account the portal has already is updated (names, language, contracts), never invited
again. Users are matched by customer and e-mail address, the address compared in lower case."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from portal.integration.billing_checks import Batch
from portal.integration.readers import FileSet, Rejection
from portal.models import Customer, SubUserContract, UserAccount
from portal.models.enums import Language, UserRole
from portal.services.access.onboarding import mail_temporary_password, temporary_password
from portal.services.access.passwords import hash_password
from portal.services.access.subusers import next_username
from portal.services.common import audit, clock

if TYPE_CHECKING:
    from portal.integration.importer import _Writer
    from portal.integration.validation import KnownKeys, Record

ADMIN, SUB_USER = "admin", "sub_user"
_NOWHERE = "not in this file set nor in the portal"


@dataclasses.dataclass(frozen=True)
class StoredUser:
    role: str  # ADMIN or SUB_USER
    email: str


def stored_users(session: Session, tenant_id: int) -> dict[tuple[str, str], UserAccount]:
    """The active accounts of the tenant's customers by (customer code, address in lower case)."""
    rows = session.exec(
        select(UserAccount, Customer.code)
        .join(Customer, col(Customer.id) == UserAccount.customer_id)
        .where(
            Customer.tenant_id == tenant_id,
            col(UserAccount.is_active).is_(True),
            col(UserAccount.role).in_([UserRole.CUSTOMER, UserRole.SUB_USER]),
        )
    )
    return {(code, user.primary_email.lower()): user for user, code in rows}


def known_users(stored: Mapping[tuple[str, str], UserAccount]) -> dict[tuple[str, str], StoredUser]:
    return {
        key: StoredUser(ADMIN if user.role is UserRole.CUSTOMER else SUB_USER, user.primary_email)
        for key, user in stored.items()
    }


def _role(user: UserAccount) -> str:
    return ADMIN if user.role is UserRole.CUSTOMER else SUB_USER


def check_users(records: Iterable[Record], file_set: FileSet, batch: Batch, known: KnownKeys) -> Iterable[Rejection]:
    admins_sent: dict[Any, Record] = {}
    for record in records:
        values = record.values
        code, email, role = values["customer_code"], values["email"], values["role"]
        if code not in batch.customers and code not in known.customers:
            yield record.reject("customer_code", f"unknown customer {code}: {_NOWHERE}")
            continue
        stored = known.users.get((code, email.lower()))
        if stored is not None and stored.role != role:
            already = "the admin" if stored.role == ADMIN else "a sub-user"
            yield record.reject("role", f"{role}: {email} is already {already} of customer {code}")
        stored_admin = next((user for (c, _), user in known.users.items() if c == code and user.role == ADMIN), None)
        if role == ADMIN:
            if code in known.usernames_taken:
                yield record.reject(
                    "customer_code",
                    f"{code}: the username of an admin is its customer code, and {code} is the username of "
                    "an account of another leasing company of this portal",
                )
            if "contract_numbers" in values:
                yield record.reject("contract_numbers", "only a sub-user is limited to contracts")
            earlier = admins_sent.setdefault(code, record)
            if earlier is not record:
                yield record.reject("role", f"customer {code} has one admin (first at {earlier.file}:{earlier.line})")
            if stored_admin is not None and stored_admin.email.lower() != email.lower():
                yield record.reject(
                    "email", f"{email}: the admin of customer {code} is {stored_admin.email} in the portal"
                )
            continue
        sent_admin = any(
            source.values.get("customer_code") == code and source.values.get("role") == ADMIN
            for source in file_set.records.get("user", [])
        )
        if stored_admin is None and not sent_admin:
            yield record.reject("role", f"a sub-user needs the admin of customer {code}: {_NOWHERE}")
        for number in values.get("contract_numbers", "").split():
            holder = batch.contracts[number] if number in batch.contracts else known.contracts.get(number)
            if holder != code:
                yield record.reject("contract_numbers", f"{number} is not a contract of customer {code}")


class UserWriter:
    def __init__(self, writer: _Writer, stored: dict[tuple[str, str], UserAccount], public_url: str) -> None:
        self.writer = writer
        self.stored = stored
        self.public_url = public_url

    def users(self, records: list[Record]) -> None:
        for role in (ADMIN, SUB_USER):  # the admin first: a sub-user hangs from it
            for record in records:
                if record.values["role"] == role:
                    self._user(record)
        self.writer.flush()

    def _contract_ids(self, values: dict[str, Any]) -> set[Any]:
        contracts = self.writer.stored.contracts
        return {self.writer.id_of(contracts[number]) for number in values.get("contract_numbers", "").split()}

    def _user(self, record: Record) -> None:
        writer, values = self.writer, record.values
        code, email = values["customer_code"], values["email"]
        customer = writer.stored.customers[code]
        fields = {
            "first_name": values.get("first_name", ""),
            "last_name": values.get("last_name", ""),
            "language": values.get("language", Language.IT),
            "all_contracts": "contract_numbers" not in values,
        }
        wanted = self._contract_ids(values)
        counts = writer.counts["user"]
        row = self.stored.get((code, email.lower()))
        if row is not None:
            granted = set() if row.id is None else self._granted(row)
            if all(getattr(row, key) == value for key, value in fields.items()) and granted == wanted:
                counts.unchanged += 1
                return
            counts.updated += 1
            if not writer.dry_run:
                for key, value in fields.items():
                    setattr(row, key, value)
                writer.session.add(row)
                self._grant(row, wanted)
            return
        counts.created += 1
        if writer.dry_run:
            self.stored[(code, email.lower())] = UserAccount(primary_email=email, **fields)
            return
        parent = None if values["role"] == ADMIN else self._admin_of(code)
        user = UserAccount(
            tenant_id=writer.tenant_id,
            customer_id=customer.id,
            parent_id=None if parent is None else parent.id,
            username=code if parent is None else next_username(writer.session, parent),
            role=UserRole.CUSTOMER if parent is None else UserRole.SUB_USER,
            primary_email=email,
            **fields,
        )
        self._invite(user, customer, parent)
        self._grant(user, wanted)
        self.stored[(code, email.lower())] = user

    def _admin_of(self, code: str) -> UserAccount:
        return next(user for (c, _), user in self.stored.items() if c == code and _role(user) == ADMIN)

    def _granted(self, user: UserAccount) -> set[Any]:
        session = self.writer.session
        return set(session.exec(select(SubUserContract.contract_id).where(SubUserContract.user_id == user.id)).all())

    def _grant(self, user: UserAccount, contract_ids: set[Any]) -> None:
        session = self.writer.session
        for grant in session.exec(select(SubUserContract).where(SubUserContract.user_id == user.id)).all():
            session.delete(grant)
        session.flush()  # the old grants go before the new ones arrive (unique user/contract)
        session.add_all(
            SubUserContract(user_id=user.id, contract_id=contract_id) for contract_id in sorted(contract_ids)
        )

    def _invite(self, user: UserAccount, customer: Customer, parent: UserAccount | None) -> None:
        """The invitation the portal sends when the desk invites a customer or an admin adds a
        sub-user: a temporary password by e-mail, to be replaced at the first login."""
        session, now = self.writer.session, clock.now()
        password = temporary_password()
        user.password_hash = hash_password(password)
        user.must_change_password = True
        user.temporary_password_sent_at = now
        session.add(user)
        session.flush()
        mail_temporary_password(
            session=session,
            user=user,
            password=password,
            name=customer.denominazione if parent is None else user.full_name or user.primary_email,
            public_url=self.public_url,
            reason="invitation" if parent is None else "sub_user",
            inviter="" if parent is None else parent.full_name or parent.username,
            customer_name=customer.denominazione,
        )
        audit.record(
            session=session,
            action="integration.user_invited",
            tenant_id=customer.tenant_id,
            customer_id=customer.id,
            invited_user=user.username,
        )
