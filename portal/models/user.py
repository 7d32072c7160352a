"""Portal accounts and their server-side sessions."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlmodel import Field, SQLModel, UniqueConstraint

from portal.models.enums import Language, UserRole
from portal.models.types import enum_field, timestamp_field


class UserAccount(SQLModel, table=True):
    __tablename__: ClassVar[str] = "user_account"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    username: str = Field(max_length=60, unique=True)
    role: UserRole = enum_field(UserRole)
    first_name: str = Field(default="", max_length=80)
    last_name: str = Field(default="", max_length=80)
    language: Language = enum_field(Language, default=Language.IT)
    primary_email: str = Field(max_length=200)
    secondary_email: str | None = Field(default=None, max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    must_change_password: bool = Field(default=False)  # a temporary password was mailed
    temporary_password_sent_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    password_changed_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    is_active: bool = Field(default=True)  # False once deleted (sub-users) or disabled
    failed_login_count: int = Field(default=0)
    locked_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    last_login_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    # Authenticator app (TOTP): the secret stays in the database, never in UI state.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_pending_secret: str | None = Field(default=None, max_length=64)
    totp_last_step: int | None = None  # the last time-step accepted: a code is never reused
    # Rights of a sub-user; the main customer account always has every right.
    may_submit_requests: bool = Field(default=True)
    all_contracts: bool = Field(default=True)
    created_at: dt.datetime = timestamp_field()
    # --- issue 11 (S1b): second-factor failures, counted across logins (two_factor.py) ---
    second_factor_failures: int = Field(default=0)
    second_factor_window_start: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    second_factor_blocked_until: dt.datetime | None = timestamp_field(nullable=True, default_now=False)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class SubUserContract(SQLModel, table=True):
    """The contracts a sub-user may see when it does not see them all."""

    __tablename__: ClassVar[str] = "sub_user_contract"
    __table_args__ = (UniqueConstraint("user_id", "contract_id", name="uq_sub_user_contract"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    user_id: int = Field(foreign_key="user_account.id", index=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)


class UserSession(SQLModel, table=True):
    """Only the SHA-256 of the session token is stored; the token lives in the browser."""

    __tablename__: ClassVar[str] = "user_session"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = timestamp_field()
    last_seen_at: dt.datetime = timestamp_field()
    expires_at: dt.datetime = timestamp_field(default_now=False)
    revoked_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    # Password and second factor given again (issue 11): sensitive changes need it to be recent.
    reauthenticated_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)


class LoginChallenge(SQLModel, table=True):
    """The second step of a login: a one-time code by e-mail, or an authenticator-app code.

    The browser holds a random handle (its hash is stored); the code itself is stored hashed,
    with its expiry and an attempt counter.
    """

    __tablename__: ClassVar[str] = "login_challenge"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    user_id: int = Field(foreign_key="user_account.id", index=True)
    handle_hash: str = Field(max_length=64, unique=True)
    method: str = Field(max_length=10)  # "email" or "totp"
    code_hash: str | None = Field(default=None, max_length=64)
    code_salt: str | None = Field(default=None, max_length=32)
    code_expires_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    attempts: int = Field(default=0)
    sends: int = Field(default=0)
    last_sent_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    verified_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    closed_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    expires_at: dt.datetime = timestamp_field(default_now=False)
    created_at: dt.datetime = timestamp_field()


class PasswordResetToken(SQLModel, table=True):
    """A single-use link sent by e-mail; only the token's hash is stored."""

    __tablename__: ClassVar[str] = "password_reset_token"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    # "reset" chooses a new password; "unlock" (from the unlock page or the lock notice) may also
    # just unlock the account: only the mailed link unlocks, never the form by itself.
    purpose: str = Field(default="reset", max_length=10)
    expires_at: dt.datetime = timestamp_field(default_now=False)
    used_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    created_at: dt.datetime = timestamp_field()


class RegistrationRequest(SQLModel, table=True):
    """A self-registration the portal could not answer with a temporary password because the
    leasing company has no address on file for the customer: the service desk verifies the
    person and invites the customer (the address typed here is only a hint for the desk)."""

    __tablename__: ClassVar[str] = "registration_request"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    contract_id: int = Field(foreign_key="contract.id")
    email: str = Field(max_length=200)  # as typed: never used before the desk has verified it
    language: Language = enum_field(Language, default=Language.IT)
    client_ip: str = Field(default="", max_length=64)
    created_at: dt.datetime = timestamp_field()
    handled_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    handled_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    outcome: str = Field(default="", max_length=20)  # "invited" once the desk has acted


class RecoveryCode(SQLModel, table=True):
    """A one-time code that replaces the authenticator app at sign-in (issue 11). Only the SHA-256
    of the code is stored: the code has 80 random bits, so a plain hash cannot be reversed."""

    __tablename__: ClassVar[str] = "recovery_code"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    used_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    created_at: dt.datetime = timestamp_field()
