"""Customers of a tenant: companies and private persons."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel, UniqueConstraint

from portal.models.enums import CustomerKind
from portal.models.types import enum_field, timestamp_field


class Customer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_customer_tenant_code"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    code: str = Field(max_length=20)  # the customer number, also the main username
    kind: CustomerKind = enum_field(CustomerKind)
    denominazione: str = Field(max_length=200)  # company name, or "Nome Cognome"
    first_name: str | None = Field(default=None, max_length=80)
    last_name: str | None = Field(default=None, max_length=80)
    codice_fiscale: str = Field(max_length=16, index=True)
    partita_iva: str | None = Field(default=None, max_length=11, index=True)
    pec: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    street: str = Field(max_length=200)
    postal_code: str = Field(max_length=5)
    city: str = Field(max_length=80)
    province: str = Field(max_length=2)
    country: str = Field(default="IT", max_length=2)
    sdi_code: str = Field(default="0000000", max_length=7)  # FatturaPA CodiceDestinatario
    paper_invoices: bool = Field(default=False)
    created_at: dt.datetime = timestamp_field()
