"""Short-lived, single-use permissions to fetch a generated file (an export, a PDF)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlmodel import Field, SQLModel

from portal.models.types import timestamp_field


class DownloadTicket(SQLModel, table=True):
    __tablename__: ClassVar[str] = "download_ticket"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    storage_name: str = Field(max_length=80)  # a random file name in the private folder
    filename: str = Field(max_length=200)  # what the browser saves it as
    content_type: str = Field(max_length=100)
    expires_at: dt.datetime = timestamp_field(default_now=False)
    used_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    created_at: dt.datetime = timestamp_field()
