"""End of lease: from WINDOW_DAYS before a contract's end date the customer is shown what may
happen to the goods (buy them at the residual value, give them back, or, where the product
allows, extend the lease) with the figures, and states a choice, which becomes a service request
(form_key LEASE_END_KEY) for the service desk and the core system.

The end date is Contract.end_date, the day the residual value (riscatto) falls due (lifecycle.py:
instalment n + 1 of the plan). The plan's RESIDUAL_VALUE line is billed like any other row: the
daily billing issues the riscatto invoice (services/billing/invoices.causale) at its usual lead
before that day, with the contract's VAT (invoices.vat_of) — the figures here use the same rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from portal import i18n
from portal.models import Contract, ServiceRequest
from portal.models.enums import EXTENSION_MONTHS, ContractStatus, RequestStatus
from portal.services.access.scope import Scope
from portal.services.billing.invoices import vat_of
from portal.services.contracts.amortization import to_cents
from portal.services.contracts.queries import access_contract
from portal.services.requests.notices import acknowledge
from portal.services.requests.queries import account
from portal.services.requests.tickets import open_request

LEASE_END_KEY = "lease_end"
# The options show from this many days before the end date, up to the end date itself.
WINDOW_DAYS = 120


class LeaseEndChoice(enum.StrEnum):
    PURCHASE = "purchase"  # riscatto at the residual value
    RETURN = "return"  # the goods go back to the leasing company
    EXTENSION = "extension"  # the lease goes on (products of EXTENSION_MONTHS only)


@dataclasses.dataclass(frozen=True)
class Extension:
    months: int
    rent: Decimal  # each month, VAT excluded
    vat: Decimal  # on each rent
    total: Decimal  # each month, VAT included


@dataclasses.dataclass(frozen=True)
class LeaseEndOptions:
    number: str
    end_date: dt.date
    days_left: int
    residual_value: Decimal  # the riscatto, VAT excluded
    vat_rate: Decimal  # percent, as on the contract's invoices
    vat: Decimal
    total: Decimal  # the riscatto invoice's total
    extension: Extension | None  # None: the product is not extended


@dataclasses.dataclass(frozen=True)
class ChosenOption:
    """The open choice already stated for a contract: its request."""

    code: str
    choice: str  # a LeaseEndChoice value
    status: RequestStatus


@dataclasses.dataclass(frozen=True)
class LeaseEndView:
    options: LeaseEndOptions
    chosen: ChosenOption | None


class LeaseEndRefused(Exception):
    """Why a choice is not taken: `key` is the catalogue key of the message."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def in_window(*, end_date: dt.date, today: dt.date) -> bool:
    """From WINDOW_DAYS days before the end date to the end date itself, both included."""
    return 0 <= (end_date - today).days <= WINDOW_DAYS


def extension_rent(*, residual_value: Decimal, annual_rate: Decimal, months: int) -> Decimal:
    """The monthly rent of an extension, VAT excluded.

    The choice made here: the extension finances the residual value for `months` more months at
    the contract's own annual rate, as simple interest, in equal rents; the goods go back at the
    extension's end with nothing more to pay (a new end-of-lease choice is a new agreement):
        rent = residual × (1 + rate × months / 12) / months, rounded half up to the cent.
    E.g. 7,200.00 at 4.90% for 12 months: 7,200 × 1.049 / 12 = 629.40.
    """
    return to_cents(residual_value * (1 + annual_rate * Decimal(months) / 12) / months)


def end_options(
    *,
    number: str,
    product_code: str | None,
    end_date: dt.date,
    residual_value: Decimal,
    vat_rate: Decimal,
    annual_rate: Decimal,
    today: dt.date,
) -> LeaseEndOptions | None:
    """The end-of-lease options of a contract on `today`, or None outside the window. Pure."""
    if not in_window(end_date=end_date, today=today):
        return None
    vat = vat_of(residual_value, vat_rate)
    months = EXTENSION_MONTHS.get(product_code or "")
    extension = None
    if months:
        rent = extension_rent(residual_value=residual_value, annual_rate=annual_rate, months=months)
        rent_vat = vat_of(rent, vat_rate)
        extension = Extension(months=months, rent=rent, vat=rent_vat, total=rent + rent_vat)
    return LeaseEndOptions(
        number=number,
        end_date=end_date,
        days_left=(end_date - today).days,
        residual_value=residual_value,
        vat_rate=vat_rate,
        vat=vat,
        total=residual_value + vat,
        extension=extension,
    )


def options_of(contract: Contract, today: dt.date) -> LeaseEndOptions | None:
    if contract.status is not ContractStatus.ACTIVE:
        return None
    return end_options(
        number=contract.number,
        product_code=contract.product_code,
        end_date=contract.end_date,
        residual_value=contract.residual_value,
        vat_rate=contract.vat_rate,
        annual_rate=contract.annual_rate,
        today=today,
    )


def open_choice(*, session: Session, contract_id: int) -> ChosenOption | None:
    """The contract's end-of-lease request still open, if any (the latest)."""
    requests = session.exec(
        select(ServiceRequest)
        .where(ServiceRequest.form_key == LEASE_END_KEY, ServiceRequest.contract_id == contract_id)
        .order_by(col(ServiceRequest.id).desc())
    ).all()
    request = next((r for r in requests if r.status.is_open), None)
    if request is None:
        return None
    return ChosenOption(
        code=request.code, choice=str(request.payload.get("lease_end", {}).get("choice", "")), status=request.status
    )


def contract_view(*, session: Session, scope: Scope, number: str, today: dt.date) -> LeaseEndView | None:
    """The options of one contract the user may read, with the choice stated; None outside the window."""
    contract = access_contract(session=session, scope=scope, number=number)
    if contract is None:
        return None
    options = options_of(contract, today)
    if options is None:
        return None
    return LeaseEndView(options=options, chosen=open_choice(session=session, contract_id=contract.id))


def customer_views(*, session: Session, scope: Scope, today: dt.date) -> list[LeaseEndView]:
    """Every contract the user may read that is within the window (Home), the nearest end first."""
    contracts = session.exec(
        select(Contract)
        .where(
            *scope.where(Contract.customer_id, Contract.id),
            Contract.status == ContractStatus.ACTIVE,
            col(Contract.end_date) >= today,
            col(Contract.end_date) <= today + dt.timedelta(days=WINDOW_DAYS),
        )
        .order_by(col(Contract.end_date), col(Contract.number))
    ).all()
    views = []
    for contract in contracts:
        options = options_of(contract, today)
        if options is not None:
            views.append(LeaseEndView(options=options, chosen=open_choice(session=session, contract_id=contract.id)))
    return views


def _entry(key: str, value: str, display: dict[str, str]) -> dict[str, Any]:
    """A payload field in the form engine's format (form_payload.render_payload reads it); typed
    text, so the feed's `answers` (integration/outbound/document.answers_of) carry its plain value."""
    name = f"lease_end.field.{key}"
    return {
        "key": key,
        "type": "text",
        "name": name,
        "label": {lang: i18n.translate(lang, name) for lang in i18n.LANGUAGES},
        "value": value,
        "display": display,
    }


def choice_payload(options: LeaseEndOptions, choice: LeaseEndChoice) -> dict[str, Any]:
    """What the desk reads (fields, in every language) and the core system takes (`lease_end`:
    plain values, amounts as strings with two decimals)."""

    def money(value: Decimal) -> dict[str, str]:
        return {lang: i18n.money(value, lang) for lang in i18n.LANGUAGES}

    def same(text: str) -> dict[str, str]:
        return dict.fromkeys(i18n.LANGUAGES, text)

    data: dict[str, Any] = {
        "contract": options.number,
        "choice": choice.value,
        "end_date": options.end_date.isoformat(),
        "residual_value": str(options.residual_value),
        "vat_rate": str(options.vat_rate),
        "vat": str(options.vat),
        "total": str(options.total),
    }
    fields = [
        _entry("contract", options.number, same(options.number)),
        _entry(
            "choice",
            choice.value,
            {lang: i18n.translate(lang, f"lease_end.choice.{choice.value}") for lang in i18n.LANGUAGES},
        ),
        _entry(
            "end_date",
            options.end_date.isoformat(),
            {lang: i18n.short_date(options.end_date, lang) for lang in i18n.LANGUAGES},
        ),
        _entry("residual_value", str(options.residual_value), money(options.residual_value)),
        _entry("vat", str(options.vat), money(options.vat)),
        _entry("total", str(options.total), money(options.total)),
    ]
    if choice is LeaseEndChoice.EXTENSION and options.extension is not None:
        ext = options.extension
        data |= {
            "extension_months": ext.months,
            "extension_rent": str(ext.rent),
            "extension_vat": str(ext.vat),
            "extension_total": str(ext.total),
        }
        fields += [
            _entry("extension_months", str(ext.months), same(str(ext.months))),
            _entry("extension_rent", str(ext.rent), money(ext.rent)),
            _entry("extension_total", str(ext.total), money(ext.total)),
        ]
    return {"form": LEASE_END_KEY, "message_field": None, "fields": fields, "lease_end": data}


def state_choice(
    *,
    session: Session,
    author_id: int,
    scope: Scope,
    number: str,
    choice: str,
    today: dt.date,
    now: dt.datetime,
    public_url: str,
) -> ServiceRequest:
    """The customer's choice as a service request, acknowledged by e-mail. Refused (LeaseEndRefused,
    nothing written) for a contract outside the user's scope or the window, a choice the product
    does not offer, or a contract whose choice is already open."""
    wanted = LeaseEndChoice.__members__.get(choice.upper()) if isinstance(choice, str) else None
    contract = access_contract(session=session, scope=scope, number=number)
    if contract is None:
        raise LeaseEndRefused("lease_end.not_available")
    # one choice at a time per contract, even from two tabs at once (PostgreSQL locks the row)
    session.exec(select(Contract.id).where(Contract.id == contract.id).with_for_update()).first()
    options = options_of(contract, today)
    if options is None:
        raise LeaseEndRefused("lease_end.not_available")
    if wanted is None or (wanted is LeaseEndChoice.EXTENSION and options.extension is None):
        raise LeaseEndRefused("lease_end.choice_invalid")
    if open_choice(session=session, contract_id=contract.id) is not None:
        raise LeaseEndRefused("lease_end.already_chosen")
    author = account(session=session, user_id=author_id)
    lang = author.language.value
    request = open_request(
        session=session,
        author=author,
        customer_id=contract.customer_id,
        form_key=LEASE_END_KEY,
        title=i18n.translate(
            lang,
            "lease_end.request_title",
            number=contract.number,
            choice=i18n.translate(lang, f"lease_end.choice.{wanted.value}"),
        ),
        message="",
        now=now,
        payload=choice_payload(options, wanted),
        contract_id=contract.id,
    )
    acknowledge(session=session, request=request, author=author, public_url=public_url)
    return request
