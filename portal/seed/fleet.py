"""The `large` data set: a fleet customer with 500 contracts (about 30,000 plan rows) for the
benchmarks. Deterministic: a fixed random seed picks the terms."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlmodel import Session

from portal.models import Tenant
from portal.models.enums import CustomerKind, Language, UserRole
from portal.seed.demo import AssetSpec, add_assets, add_customer, add_user, collect_payments, mark_history_notified
from portal.seed.euribor import EURIBOR_3M
from portal.services import billing
from portal.services.contracts import ContractDraft, close_finished_contracts, open_contract
from portal.services.rates import load_series

FLEET_CODE = "50001"
FLEET_CONTRACTS = 500
VAN_MODELS = ("FURGONE MEDIO 3,3 T", "FURGONE GRANDE 3,5 T", "AUTOCARRO CASSONATO 3,5 T", "VEICOLO COMMERCIALE ELETTRICO")


def seed_fleet(*, session: Session, tenant: Tenant, as_of: dt.date, contracts: int = FLEET_CONTRACTS) -> dict[str, int]:
    rng = random.Random(50001)
    euribor = load_series(session=session, name=EURIBOR_3M)
    fleet = add_customer(
        session, tenant,
        code=FLEET_CODE,
        kind=CustomerKind.COMPANY,
        denominazione="Logistica Padana Trasporti S.p.A.",
        codice_fiscale="02831640129",
        partita_iva="02831640129",
        pec="logistica.padana@pec.padana-demo.it",
        street="Via dell'Industria 240",
        postal_code="21052",
        city="Busto Arsizio",
        province="VA",
        sdi_code="KRRH6B9",
    )
    add_user(
        session, tenant,
        customer_id=fleet.id,
        username=FLEET_CODE,
        role=UserRole.CUSTOMER,
        first_name="Davide",
        last_name="Galli",
        language=Language.IT,
        primary_email=fleet.pec,
    )
    first_signing = dt.date(2021, 1, 4)
    for index in range(contracts):
        signed_on = first_signing + dt.timedelta(days=rng.randrange(0, (as_of - first_signing).days - 30))
        first_due = (signed_on.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        amount = Decimal(rng.randrange(28_000, 62_000, 50))
        indexed = index % 10 == 0
        contract = open_contract(
            session=session,
            draft=ContractDraft(
                tenant_id=tenant.id,
                customer_id=fleet.id,
                number=f"6{index:05d}",
                module_number=str(1 + index % 4),
                product="Leasing targato",
                amount=amount,
                advance=(amount * Decimal("0.10")).quantize(Decimal("0.01")),
                residual_value=(amount * Decimal("0.01")).quantize(Decimal("0.01")),
                instalment_count=57,
                periodicity_months=1,
                signed_on=signed_on,
                first_due_date=first_due,
                fixed_annual_rate=None if indexed else Decimal(rng.randrange(380, 690)) / 10000,
                reference_rate=EURIBOR_3M if indexed else None,
                spread=Decimal("0.0250") if indexed else None,
                subsidy="Nessuna agevolazione",
                beneficiary_code="F02210",
                beneficiary_name="Veicoli Industriali Lombardi S.r.l.",
                direct_debit_iban="IT21Q0306909606100000063519",
            ),
            series=euribor if indexed else None,
            as_of=as_of,
        )
        add_assets(session, contract, [
            AssetSpec(f"7{index:05d}", "Auto leasing finanziario", rng.choice(VAN_MODELS), amount,
                      contract.residual_value, plate=f"G{chr(65 + index % 26)}{100 + index % 900}{chr(65 + (index // 26) % 26)}{chr(65 + index % 7)}"),
        ])
    session.flush()
    billing.issue_pending_documents(session=session, tenant_id=tenant.id, as_of=as_of)
    session.flush()
    collect_payments(session=session, customer_ids=[fleet.id], as_of=as_of, unpaid_line_ids=set())
    close_finished_contracts(session=session, as_of=as_of)
    mark_history_notified(session)
    session.flush()
    return {"customers": 1, "contracts": contracts}
