"""The leasing company that runs the portal (one row per tenant)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from portal.models.types import timestamp_field


class Tenant(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)  # shown in the header and mail subjects
    legal_name: str = Field(max_length=200)
    legal_footer: str = Field(max_length=2000)
    logo_path: str = Field(max_length=200)  # relative to assets/
    primary_color: str = Field(max_length=7)  # "#0b3d91"
    accent_color: str = Field(max_length=20)  # a Radix colour scale name
    vat_number: str = Field(max_length=11)
    fiscal_code: str = Field(max_length=16)
    street: str = Field(max_length=200)
    postal_code: str = Field(max_length=5)
    city: str = Field(max_length=80)
    province: str = Field(max_length=2)
    country: str = Field(default="IT", max_length=2)
    pec: str = Field(max_length=200)
    support_email: str = Field(max_length=200)
    support_phone: str = Field(max_length=40)
    rea_office: str = Field(max_length=2)
    rea_number: str = Field(max_length=20)
    share_capital: str = Field(max_length=20)  # decimal text as in FatturaPA
    created_at: dt.datetime = timestamp_field()
