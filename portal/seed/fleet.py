"""The `large` data set: a fleet customer with 500 contracts (about 30,000 plan rows) for the
benchmarks. Deterministic: a fixed random seed picks the terms."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session

from portal.models import Tenant
from portal.seed.builders import add_customers, add_users, open_leases
from portal.seed.euribor import EURIBOR_3M
from portal.seed.feed import core_system, customers_by_code, hand_over
from portal.seed.history import collect_payments
from portal.seed.specs import VEHICLE, Address, AssetSpec, EuriborPlus, LeaseSpec, Mailbox, Supplier, UserSpec, company
from portal.services.billing import invoices as billing
from portal.services.contracts.lifecycle import close_finished_contracts
from portal.services.contracts.rates import load_series

FLEET_CODE = "50001"
FLEET_CONTRACTS = 500
FIRST_SIGNING = dt.date(2021, 1, 4)  # the fleet signed its leases from this day to a month before `as_of`
VAN_MODELS = (
    "FURGONE MEDIO 3,3 T",
    "FURGONE GRANDE 3,5 T",
    "AUTOCARRO CASSONATO 3,5 T",
    "VEICOLO COMMERCIALE ELETTRICO",
)
FLEET = company(
    FLEET_CODE,
    "Logistica Padana Trasporti S.p.A.",
    vat="02831640129",
    sdi_code="KRRH6B9",
    pec="logistica.padana@pec.padana-demo.it",
    address=Address("Via dell'Industria 240", "21052", "Busto Arsizio", "VA"),
)
FLEET_ACCOUNT = UserSpec(FLEET_CODE, FLEET_CODE, first_name="Davide", last_name="Galli", primary_email=Mailbox.PEC)
DEALER = Supplier("F02210", "Veicoli Industriali Lombardi S.r.l.")
FLEET_IBAN = "IT21Q0306909606100000063519"


def plate_of(index: int) -> str:
    """A believable, distinct Italian number plate for the fleet's n-th vehicle."""
    letters = f"{chr(65 + index % 26)}"
    return f"G{letters}{100 + index % 900}{chr(65 + (index // 26) % 26)}{chr(65 + index % 7)}"


def seed_fleet(
    *, session: Session, tenant: Tenant, as_of: dt.date, contracts: int = FLEET_CONTRACTS, feed: Path | None = None
) -> dict[str, int]:
    """The fleet's contracts, documents and payments come as a file set from the core system's
    scratch database (kept in `feed` when given, see portal/seed/feed.py), then its account."""
    rng = random.Random(50001)
    with core_system(session, tenant) as core:
        scratch = core.session
        euribor = load_series(session=scratch, name=EURIBOR_3M)
        customers = add_customers(scratch, core.tenant, [FLEET])
        leases = (_van_lease(rng, index=index, as_of=as_of) for index in range(contracts))
        open_leases(scratch, core.tenant, leases, customers, series=euribor, as_of=as_of)
        scratch.flush()
        billing.issue_pending_documents(session=scratch, tenant_id=core.tenant.id, as_of=as_of)
        scratch.flush()
        collect_payments(session=scratch, customer_ids=[customers[FLEET_CODE].id], as_of=as_of, unpaid_line_ids=set())
        close_finished_contracts(session=scratch, as_of=as_of)
        hand_over(core, session=session, tenant=tenant, directory=feed)
    add_users(session, tenant, [FLEET_ACCOUNT], {FLEET_CODE: customers_by_code(session, tenant.id)[FLEET_CODE]})
    session.flush()
    return {"customers": 1, "contracts": contracts}


def _van_lease(rng: random.Random, *, index: int, as_of: dt.date) -> LeaseSpec:
    """The fleet's n-th lease, one van; `rng` is drawn in the same order every time, so the terms repeat.
    Every tenth lease is indexed to Euribor."""
    signed_on = FIRST_SIGNING + dt.timedelta(days=rng.randrange(0, (as_of - FIRST_SIGNING).days - 30))
    first_due = (signed_on.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    amount = Decimal(rng.randrange(28_000, 62_000, 50))
    rate = EuriborPlus(Decimal("0.0250")) if index % 10 == 0 else Decimal(rng.randrange(380, 690)) / 10000
    return LeaseSpec(
        FLEET_CODE,
        f"6{index:05d}",
        module=str(1 + index % 4),
        product=VEHICLE,
        amount=amount,
        advance=(amount * Decimal("0.10")).quantize(Decimal("0.01")),
        residual=(amount * Decimal("0.01")).quantize(Decimal("0.01")),
        instalments=57,
        signed_on=signed_on,
        first_due=first_due,
        rate=rate,
        supplier=DEALER,
        iban=FLEET_IBAN,
        goods=(AssetSpec(f"7{index:05d}", rng.choice(VAN_MODELS), plate=plate_of(index)),),
    )
