"""End of lease and art. 119 copies in the demo (issue 15): a customer whose only contract, a
vehicle lease, ends within 120 days of `as_of`, and its open request for copies of documentation
near the 90-day legal deadline.

The demo's other contracts end on fixed days, so none stays within 120 days of a moving `as_of`;
moving them would change figures other tests assert. This customer (Trasporti Rinaldi, with its
own account "50731") is added instead, with its lease dated from `as_of`: its end falls on the
first day of the month holding `as_of` + 90 days (60 to 90 days ahead). It comes from the core
system like every contract (add_core_lease_end, in the core's records), billed and paid with the
others; the other customers' figures do not change (the invoice numbers, given in calendar order,
make room for its documents).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from sqlmodel import Session, select

from portal.config import settings
from portal.forms import registry
from portal.models import Customer, Tenant
from portal.models.enums import Language
from portal.seed.builders import add_customers, add_users, moment, open_leases
from portal.seed.specs import VEHICLE, Address, AssetSpec, LeaseSpec, Mailbox, Supplier, UserSpec, company
from portal.services.access.accounts import principal_for
from portal.services.contracts.indexation import RateSeries
from portal.services.requests import tickets

CUSTOMER = company(
    "50731", "Trasporti Rinaldi S.r.l.", vat="08412950175", sdi_code="W7YVJK9",
    pec="trasporti.rinaldi@pec.rinaldi-demo.it", email="amministrazione@rinaldi-demo.it",
    address=Address("Via Emilia Ponente 140", "40133", "Bologna", "BO"),
)  # fmt: skip
USER = UserSpec(
    "50731", customer="50731", first_name="Giulia", last_name="Rinaldi",
    primary_email=Mailbox.EMAIL, language=Language.IT,
)  # fmt: skip
NUMBER = "99120"
INSTALMENTS = 36
# The copies were asked for this many days before `as_of`: the 90-day deadline is 10 days away.
COPIES_ASKED_DAYS_AGO = 80


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def lease_spec(as_of: dt.date) -> LeaseSpec:
    target = as_of + dt.timedelta(days=90)
    end = dt.date(target.year, target.month, 1)
    first_due = _months_before(end, INSTALMENTS)
    return LeaseSpec(
        "50731", NUMBER, module="1", product=VEHICLE, iban="IT73X0306909606100000112233",
        supplier=Supplier("F02455", "Veicoli Industriali Emiliani S.p.A."),
        amount=D("62000.00"), advance=D("6200.00"), residual=D("12400.00"), instalments=INSTALMENTS,
        rate=D("0.0520"), signed_on=first_due - dt.timedelta(days=14), first_due=first_due,
        goods=(AssetSpec("189305", "FURGONE ISOTERMICO 3,5 T CON GRUPPO FRIGO", serial_number="WDB9066331S998877",
                         plate="GL604RF"),),
    )  # fmt: skip


def add_core_lease_end(scratch: Session, *, tenant: Tenant, series: RateSeries, as_of: dt.date) -> dict[str, Customer]:
    """The core system's part: the customer (returned by code, for the demo's bank to pay its
    invoices) and its ending lease, billed with the others' documents so that invoice numbers
    still follow the calendar."""
    customers = add_customers(scratch, tenant, [CUSTOMER])
    open_leases(scratch, tenant, [lease_spec(as_of)], customers, series=series, as_of=as_of)
    return customers


def add_lease_end(session: Session, *, tenant: Tenant, as_of: dt.date) -> None:
    """The portal's part: the customer's account and its request for copies of documentation
    (art. 119 TUB), opened COPIES_ASKED_DAYS_AGO days ago and not answered yet."""
    customer = session.exec(
        select(Customer).where(Customer.tenant_id == tenant.id, Customer.code == CUSTOMER.code)
    ).one()
    user = add_users(session, tenant, [USER], {CUSTOMER.code: customer})[USER.username]
    session.flush()
    asked_on = as_of - dt.timedelta(days=COPIES_ASKED_DAYS_AGO)
    scope = principal_for(session=session, user=user).scope
    assert scope is not None
    tickets.open_from_form(
        session=session,
        author_id=user.id,
        scope=scope,
        definition=registry()["copies_119"],
        values={
            "contract": NUMBER,
            "period_from": first_year(as_of).isoformat(),
            "period_to": asked_on.isoformat(),
            "documents": "invoices",
            "delivery": "pec",
            "message": "Ci servono le fatture del contratto per la verifica del nostro consulente fiscale.",
        },
        lang="it",
        today=asked_on,
        now=moment(asked_on, 10, 15),
        public_url=settings.public_url,
    )


def first_year(as_of: dt.date) -> dt.date:
    return dt.date(as_of.year - 3, 1, 1)
