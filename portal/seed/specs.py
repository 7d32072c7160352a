"""The shapes the data sets are written in. A data set is a few tables of these rows; a row names
the rows it hangs off by their business key (customer code, username, contract number), and
builders.py turns each table into database rows, always through the same code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from decimal import Decimal

from portal.models.enums import CustomerKind, Language, UserRole

NO_SUBSIDY = "Nessuna agevolazione"


@dataclasses.dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str
    province: str


@dataclasses.dataclass(frozen=True)
class CustomerSpec:
    code: str
    kind: CustomerKind
    denominazione: str
    codice_fiscale: str
    address: Address
    partita_iva: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    pec: str | None = None
    email: str | None = None
    sdi_code: str | None = None  # None: the model's default (no SDI channel)


def company(
    code: str, name: str, *, vat: str, address: Address, pec: str, email: str | None = None, sdi_code: str | None = None
) -> CustomerSpec:
    """A company: its codice fiscale is its partita IVA."""
    return CustomerSpec(
        code, CustomerKind.COMPANY, name, vat, address, partita_iva=vat, pec=pec, email=email, sdi_code=sdi_code
    )


def person(
    code: str, first_name: str, last_name: str, *, codice_fiscale: str, address: Address, email: str
) -> CustomerSpec:
    """A private customer, named "Nome Cognome"."""
    return CustomerSpec(
        code,
        CustomerKind.PERSON,
        f"{first_name} {last_name}",
        codice_fiscale,
        address,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )


class Mailbox(enum.Enum):
    """An account's primary e-mail when it is an address the data set already knows."""

    PEC = "the customer's certified mail"
    EMAIL = "the customer's e-mail"
    SUPPORT = "the leasing company's support address"


@dataclasses.dataclass(frozen=True)
class UserSpec:
    username: str
    customer: str | None  # the customer's code; None for the leasing company's staff
    first_name: str
    last_name: str
    primary_email: str | Mailbox
    role: UserRole = UserRole.CUSTOMER
    language: Language = Language.IT
    secondary_email: str | None = None
    parent: str | None = None  # a sub-user's main account (its username)
    sees: tuple[str, ...] | None = None  # a sub-user's contracts (their numbers); None: every contract


@dataclasses.dataclass(frozen=True)
class Product:
    code: str  # the family the catalogue names in every language (product.<code>, asset_type.<code>)
    name: str  # the lessor's own name, as its core system has it
    asset_type: str  # what the goods it finances are booked as


INSTRUMENTAL = Product("equipment", "Leasing strumentale", "Beni mobili in leasing")
VEHICLE = Product("vehicle", "Leasing targato", "Auto leasing finanziario")


@dataclasses.dataclass(frozen=True)
class Supplier:
    """The beneficiary: who sold the goods and is paid by the leasing company."""

    code: str
    name: str


@dataclasses.dataclass(frozen=True)
class EuriborPlus:
    """An indexed rate: Euribor 3 months (floored at zero) plus this spread."""

    spread: Decimal


@dataclasses.dataclass(frozen=True)
class AssetSpec:
    code: str
    description: str
    financial_value: Decimal | None = None  # None: the lease's whole amount
    expected_future_value: Decimal | None = None  # None: the lease's residual value
    serial_number: str | None = None
    plate: str | None = None


@dataclasses.dataclass(frozen=True)
class LeaseSpec:
    """The agreed terms of a monthly lease; every other figure is computed by the services."""

    customer: str  # the customer's code
    number: str
    module: str
    product: Product
    amount: Decimal
    advance: Decimal
    residual: Decimal
    instalments: int
    signed_on: dt.date
    first_due: dt.date
    rate: Decimal | EuriborPlus  # a fixed annual rate, or an indexed one
    supplier: Supplier
    iban: str  # the account the instalments are debited to
    goods: tuple[AssetSpec, ...]
    subsidy: str = NO_SUBSIDY
