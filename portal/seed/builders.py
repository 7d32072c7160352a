"""Building blocks the data sets share: the tables of specs.py turned into customers, accounts,
leases and their goods. Rows are inserted in the order of their table, which fixes the ids."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping

from sqlmodel import Session

from portal.models import Contract, Customer, LeasedAsset, SubUserContract, Tenant, UserAccount
from portal.seed.euribor import EURIBOR_3M
from portal.seed.specs import CustomerSpec, EuriborPlus, LeaseSpec, Mailbox, UserSpec
from portal.services.access.passwords import hash_password
from portal.services.contracts.indexation import RateSeries
from portal.services.contracts.lifecycle import ContractDraft, open_contract

DEMO_PASSWORD = "Aurora-Demo-2026"  # shown in README.md; every demo account uses it


def moment(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def add_customers(session: Session, tenant: Tenant, specs: Iterable[CustomerSpec]) -> dict[str, Customer]:
    """The customers by code."""
    customers: dict[str, Customer] = {}
    for spec in specs:
        fields = dataclasses.asdict(spec)
        address = fields.pop("address")
        # What a row leaves unset keeps the model's default (sdi_code's is not None).
        given = {name: value for name, value in fields.items() if value is not None}
        customer = Customer(tenant_id=tenant.id, **address, **given)
        session.add(customer)
        session.flush()
        customers[spec.code] = customer
    return customers


def add_users(
    session: Session, tenant: Tenant, specs: Iterable[UserSpec], customers: Mapping[str, Customer]
) -> dict[str, UserAccount]:
    """The portal accounts by username, all with DEMO_PASSWORD; a sub-user comes after its main account."""
    users: dict[str, UserAccount] = {}
    for spec in specs:
        customer = None if spec.customer is None else customers[spec.customer]
        user = UserAccount(
            tenant_id=tenant.id,
            customer_id=None if customer is None else customer.id,
            parent_id=None if spec.parent is None else users[spec.parent].id,
            username=spec.username,
            role=spec.role,
            first_name=spec.first_name,
            last_name=spec.last_name,
            language=spec.language,
            primary_email=_mailbox(spec.primary_email, customer=customer, tenant=tenant),
            secondary_email=spec.secondary_email,
            all_contracts=spec.sees is None,
            password_hash=hash_password(DEMO_PASSWORD),
        )
        session.add(user)
        session.flush()
        users[spec.username] = user
    return users


def _mailbox(mailbox: str | Mailbox, *, customer: Customer | None, tenant: Tenant) -> str:
    if isinstance(mailbox, str):
        return mailbox
    if mailbox is Mailbox.SUPPORT:
        return tenant.support_email
    address = None if customer is None else customer.pec if mailbox is Mailbox.PEC else customer.email
    if address is None:
        raise ValueError(f"no customer address for {mailbox.value}")
    return address


def grant_contracts(
    session: Session, specs: Iterable[UserSpec], users: Mapping[str, UserAccount], contracts: Mapping[str, Contract]
) -> None:
    """The contracts each sub-user that does not see them all may see."""
    session.add_all(
        SubUserContract(user_id=users[spec.username].id, contract_id=contracts[number].id)
        for spec in specs
        for number in spec.sees or ()
    )


def open_leases(
    session: Session,
    tenant: Tenant,
    specs: Iterable[LeaseSpec],
    customers: Mapping[str, Customer],
    *,
    series: RateSeries,
    as_of: dt.date,
) -> dict[str, Contract]:
    """The contracts by number, each with its plan (see open_contract) and the goods it finances;
    `series` indexes the leases at a Euribor rate."""
    contracts: dict[str, Contract] = {}
    for spec in specs:
        contracts[spec.number] = _open_lease(session, tenant, customers[spec.customer], spec, series, as_of)
    return contracts


def _open_lease(
    session: Session, tenant: Tenant, customer: Customer, spec: LeaseSpec, series: RateSeries, as_of: dt.date
) -> Contract:
    rate = spec.rate
    indexed = isinstance(rate, EuriborPlus)
    draft = ContractDraft(
        tenant_id=tenant.id,
        customer_id=customer.id,
        number=spec.number,
        module_number=spec.module,
        product=spec.product.name,
        product_code=spec.product.code,
        amount=spec.amount,
        advance=spec.advance,
        residual_value=spec.residual,
        instalment_count=spec.instalments,
        periodicity_months=1,
        signed_on=spec.signed_on,
        first_due_date=spec.first_due,
        fixed_annual_rate=None if isinstance(rate, EuriborPlus) else rate,
        reference_rate=EURIBOR_3M if indexed else None,
        spread=rate.spread if isinstance(rate, EuriborPlus) else None,
        subsidy=spec.subsidy,
        beneficiary_code=spec.supplier.code,
        beneficiary_name=spec.supplier.name,
        direct_debit_iban=spec.iban,
    )
    contract = open_contract(session=session, draft=draft, series=series if indexed else None, as_of=as_of)
    session.add_all(
        LeasedAsset(
            contract_id=contract.id,
            customer_id=contract.customer_id,
            code=goods.code,
            asset_type=spec.product.asset_type,
            asset_type_code=spec.product.code,
            description=goods.description,
            financial_value=spec.amount if goods.financial_value is None else goods.financial_value,
            expected_future_value=spec.residual if goods.expected_future_value is None else goods.expected_future_value,
            serial_number=goods.serial_number,
            plate=goods.plate,
        )
        for goods in spec.goods
    )
    return contract
