"""End of lease: the options' figures (computed by hand), the 120-day window's edges, and the
choice stated as a request (one open choice per contract)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlmodel import select

from portal.integration.outbound.document import request_data
from portal.models import Contract, ServiceRequest, UserAccount
from portal.services.access.accounts import principal_for
from portal.services.contracts import lease_end
from portal.services.contracts.lease_end import LeaseEndRefused, end_options, in_window
from tests.conftest import AS_OF, NOW

END = dt.date(2027, 3, 1)


def _options(today: dt.date, product: str | None = "vehicle"):
    return end_options(
        number="97702",
        product_code=product,
        end_date=END,
        residual_value=D("7200.00"),
        vat_rate=D("22.00"),
        annual_rate=D("0.0490"),
        today=today,
    )


def test_the_figures_of_a_vehicles_options_by_hand():
    options = _options(END - dt.timedelta(days=30))
    assert options is not None
    assert options.days_left == 30
    # riscatto: 7,200.00 + 22% VAT (1,584.00) = 8,784.00
    assert (options.residual_value, options.vat, options.total) == (D("7200.00"), D("1584.00"), D("8784.00"))
    # extension, 12 months: 7,200 × (1 + 0.049) / 12 = 7,552.80 / 12 = 629.40; VAT 629.40 × 0.22 = 138.468 → 138.47
    ext = options.extension
    assert ext is not None
    assert (ext.months, ext.rent, ext.vat, ext.total) == (12, D("629.40"), D("138.47"), D("767.87"))


def test_equipment_is_not_extended_and_rounding_is_half_up():
    options = end_options(
        number="84963",
        product_code="equipment",
        end_date=END,
        residual_value=D("251.50"),
        vat_rate=D("22.00"),
        annual_rate=D("0.0510"),
        today=END,
    )
    assert options is not None and options.extension is None
    # 251.50 × 0.22 = 55.33 exactly; total 306.83
    assert (options.vat, options.total) == (D("55.33"), D("306.83"))
    # 0.05 × 0.22 = 0.011 → 0.01; 2.25 × 0.22 = 0.495 → 0.50 (half up)
    assert lease_end.vat_of(D("2.25"), D("22.00")) == D("0.50")
    # an unknown product (no code) is not extended either
    assert _options(END, product=None).extension is None  # type: ignore[union-attr]


def test_the_window_edges():
    assert not in_window(end_date=END, today=END - dt.timedelta(days=121))
    assert in_window(end_date=END, today=END - dt.timedelta(days=120))
    assert in_window(end_date=END, today=END)
    assert not in_window(end_date=END, today=END + dt.timedelta(days=1))
    assert _options(END - dt.timedelta(days=121)) is None
    assert _options(END - dt.timedelta(days=120)) is not None
    assert _options(END + dt.timedelta(days=1)) is None


def _user(db, username: str) -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _choose(db, username: str, number: str, choice: str):
    user = _user(db, username)
    scope = principal_for(session=db, user=user).scope
    assert scope is not None
    return lease_end.state_choice(
        session=db,
        author_id=user.id,
        scope=scope,
        number=number,
        choice=choice,
        today=AS_OF,
        now=NOW,
        public_url="http://portal.test",
    )


def _ending_contract(db) -> Contract:
    """The demo's contract within 120 days of its end (portal/seed/demo/lease_end.py)."""
    return db.exec(select(Contract).where(Contract.number == "99120")).one()


def test_the_demo_has_a_contract_in_the_window(db, demo):
    contract = _ending_contract(db)
    assert 0 < (contract.end_date - AS_OF).days <= 120
    user = _user(db, "50731")
    scope = principal_for(session=db, user=user).scope
    assert scope is not None
    views = lease_end.customer_views(session=db, scope=scope, today=AS_OF)
    assert [view.options.number for view in views] == ["99120"]


def test_a_choice_becomes_a_request_and_a_second_is_refused(db, demo):
    contract = _ending_contract(db)
    request = _choose(db, "50731", "99120", "purchase")
    assert request.form_key == "lease_end" and request.contract_id == contract.id
    vat = (contract.residual_value * contract.vat_rate / 100).quantize(D("0.01"))
    assert request.payload["lease_end"] == {
        "contract": "99120",
        "choice": "purchase",
        "end_date": contract.end_date.isoformat(),
        "residual_value": str(contract.residual_value),
        "vat_rate": str(contract.vat_rate),
        "vat": str(vat),
        "total": str(contract.residual_value + vat),
    }
    # the core system's feed: the answers as plain values, and no legal deadline
    document = request_data(db, request)
    assert document["answers"] == {
        "contract": "99120",
        "choice": "purchase",
        "end_date": contract.end_date.isoformat(),
        "residual_value": str(contract.residual_value),
        "vat": str(vat),
        "total": str(contract.residual_value + vat),
    }
    assert document["due_on"] is None and document["contract_number"] == "99120"
    before = db.exec(select(ServiceRequest.id).where(ServiceRequest.form_key == "lease_end")).all()
    with pytest.raises(LeaseEndRefused) as refused:
        _choose(db, "50731", "99120", "return")
    assert refused.value.key == "lease_end.already_chosen"
    assert db.exec(select(ServiceRequest.id).where(ServiceRequest.form_key == "lease_end")).all() == before


def test_refusals_outside_the_scope_the_window_or_the_product(db, demo):
    with pytest.raises(LeaseEndRefused) as foreign:
        _choose(db, "10093", "99120", "purchase")  # another customer's contract
    assert foreign.value.key == "lease_end.not_available"
    with pytest.raises(LeaseEndRefused) as far:
        _choose(db, "10093", "97702", "purchase")  # ends in 2029
    assert far.value.key == "lease_end.not_available"
    with pytest.raises(LeaseEndRefused) as unknown:
        _choose(db, "50731", "99120", "steal")
    assert unknown.value.key == "lease_end.choice_invalid"
    assert db.exec(select(ServiceRequest.id).where(ServiceRequest.form_key == "lease_end")).all() == []
