"""Lease contracts, their schedules, the leased assets and the reference-rate series."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, UniqueConstraint

from portal.models.enums import ContractStatus, PaymentMethod, ScheduleLineKind
from portal.models.types import enum_field, money_field, rate_field, timestamp_field


class Contract(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_contract_tenant_number"),
        sa.Index("ix_contract_customer_status", "customer_id", "status"),
    )

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    number: str = Field(max_length=20)
    module_number: str = Field(max_length=20)  # printed after "/" next to the number
    product: str = Field(max_length=80)  # the lessor's own name: "Leasing targato", "Leasing strumentale"
    # The product's family ("vehicle", "equipment"): shown in the reader's language when the catalogue
    # knows it (product.<code>), else the lessor's name above.
    product_code: str | None = Field(default=None, max_length=40)
    status: ContractStatus = enum_field(ContractStatus, default=ContractStatus.ACTIVE)
    signed_on: dt.date
    start_date: dt.date
    end_date: dt.date
    extinguished_on: dt.date | None = None
    amount: Decimal = money_field()  # importo contratto: the financed cost, VAT excluded
    advance: Decimal = money_field()  # importo anticipo (maxi-canone)
    residual_value: Decimal = money_field()  # valore residuo / riscatto
    instalment_amount: Decimal = money_field()  # importo rata (imponibile)
    periodicity_months: int = Field(default=1)
    instalment_count: int
    duration_months: int
    annual_rate: Decimal = rate_field(nullable=False)  # tasso leasing, as a fraction
    reference_rate: str | None = Field(default=None, max_length=40)  # e.g. "EURIBOR_3M"
    base_index_rate: Decimal | None = rate_field()  # Tb, the index value at signing
    spread: Decimal | None = rate_field()
    subsidy: str | None = Field(default=None, max_length=120)  # agevolazione
    beneficiary_code: str = Field(max_length=20)
    beneficiary_name: str = Field(max_length=200)
    direct_debit_iban: str | None = Field(default=None, max_length=34)
    payment_method: PaymentMethod = enum_field(PaymentMethod, default=PaymentMethod.SEPA_DIRECT_DEBIT)
    vat_rate: Decimal = Field(default=Decimal("22.00"), sa_type=sa.Numeric(5, 2))
    created_at: dt.datetime = timestamp_field()


class ScheduleLine(SQLModel, table=True):
    """One row of the piano di ammortamento. Amounts exclude VAT."""

    __tablename__: ClassVar[str] = "schedule_line"
    __table_args__ = (
        sa.Index("ix_schedule_line_contract_position", "contract_id", "position"),
        sa.Index("ix_schedule_line_customer_due", "customer_id", "due_date"),
    )

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    contract_id: int = Field(foreign_key="contract.id")
    customer_id: int = Field(foreign_key="customer.id")  # denormalised for customer queries
    position: int  # order within the contract's plan
    kind: ScheduleLineKind = enum_field(ScheduleLineKind)
    number: int  # num. rata: 0 for the advance and for indexation rows
    due_date: dt.date
    amount: Decimal = money_field()
    principal: Decimal = money_field()
    interest: Decimal = money_field()
    residual_capital: Decimal = money_field()  # capitale residuo after this row
    payment_method: PaymentMethod = enum_field(PaymentMethod)
    competence_start: dt.date
    competence_end: dt.date
    collection_date: dt.date | None = None  # data di incasso
    index_rate: Decimal | None = rate_field()  # T used by an indexation row
    index_base_balance: Decimal | None = money_field(default=None, nullable=True)  # Dr


class LeasedAsset(SQLModel, table=True):
    __tablename__: ClassVar[str] = "leased_asset"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    contract_id: int = Field(foreign_key="contract.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    code: str = Field(max_length=20)
    asset_type: str = Field(max_length=120)
    asset_type_code: str | None = Field(default=None, max_length=40)  # as product_code, for asset_type.<code>
    description: str = Field(max_length=300)
    financial_value: Decimal = money_field()
    expected_future_value: Decimal = money_field()
    serial_number: str | None = Field(default=None, max_length=60)
    plate: str | None = Field(default=None, max_length=12)


class ReferenceRate(SQLModel, table=True):
    """Observed values of an index such as Euribor 3 months, as fractions."""

    __tablename__: ClassVar[str] = "reference_rate"
    __table_args__ = (UniqueConstraint("name", "observed_on", name="uq_reference_rate_day"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    name: str = Field(max_length=40)
    observed_on: dt.date
    rate: Decimal = rate_field(nullable=False)
