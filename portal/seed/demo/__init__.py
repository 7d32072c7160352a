"""The demo data set: one leasing company, its customers, contracts, invoices and requests.

Every figure is produced by the services (amortization, indexation, billing), never typed in;
only the agreed terms of each contract are written here. The same `as_of` gives the same data.
All names are fictional.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlmodel import Session

from portal.config import settings
from portal.models import Notification, Tenant
from portal.models.enums import NotificationKind
from portal.seed.builders import DEMO_PASSWORD, add_customers, add_users, grant_contracts, moment, open_leases
from portal.seed.demo.access_log import past_sign_ins
from portal.seed.demo.billing import announce, issue_documents, newest_document, settle_history
from portal.seed.demo.complaints import file_complaints
from portal.seed.demo.contracts import LEASES, OLD_LEASE, OVERDUE_LEASE
from portal.seed.demo.customers import ANNOUNCED_CUSTOMER, CUSTOMERS, USERS
from portal.seed.demo.documents import add_documents
from portal.seed.demo.lease_end import add_core_lease_end, add_lease_end
from portal.seed.demo.service_requests import open_requests
from portal.seed.euribor import EURIBOR_3M, euribor_3m_observations
from portal.seed.feed import CoreSystem, contracts_by_number, core_system, customers_by_code, hand_over
from portal.services.common import mail_sender
from portal.services.contracts.rates import load_series, store_observations

__all__ = ["DEMO_PASSWORD", "seed_demo"]


def seed_demo(*, session: Session, tenant: Tenant, as_of: dt.date, feed: Path | None = None) -> dict[str, int]:
    """The core system's part is imported from a file set (kept in `feed` when given, see
    portal/seed/feed.py); the portal's part is added after, so no account hears of the history."""
    # The order of the steps fixes the ids and the invoice numbers: keep it.
    with core_system(session, tenant) as core:
        announced = _core_records(core, as_of)
        hand_over(core, session=session, tenant=tenant, directory=feed, announce=announced)
    customers = customers_by_code(session, tenant.id)
    contracts = contracts_by_number(session, tenant.id)
    users = add_users(session, tenant, USERS, customers)
    grant_contracts(session, USERS, users, contracts)
    session.flush()

    announce(session, tenant_id=tenant.id, number=announced)
    open_requests(session, tenant=tenant, users=users, contracts=contracts, as_of=as_of)
    add_documents(session, tenant=tenant, users=users, contracts=contracts, as_of=as_of)
    add_lease_end(session, tenant=tenant, as_of=as_of)
    file_complaints(session, users=users, contracts=contracts, as_of=as_of)
    past_sign_ins(session, users=users, as_of=as_of)
    session.add(
        Notification(
            tenant_id=tenant.id,
            kind=NotificationKind.BROADCAST,
            title="Rendiconti annuali disponibili nell'area Documenti dei contratti",
            body="I rendiconti annuali ai fini della trasparenza sono ora consultabili in ogni contratto.",
            created_at=moment(as_of - dt.timedelta(days=12), 10),
        )
    )
    session.flush()
    # What the data set announced was sent then: it reaches the demo mailbox, never an SMTP server.
    demo_outbox = dataclasses.replace(settings.mail, backends=("outbox",))
    mail_sender.send_due(sessions=mail_sender.in_session(session), mail_settings=demo_outbox)
    return {"customers": 4, "users": 4, "contracts": 7}


def _core_records(core: CoreSystem, as_of: dt.date) -> str:
    """The core system's records of the demo, in its scratch database; returns the number of the
    document the portal announces."""
    scratch, tenant = core.session, core.tenant
    store_observations(session=scratch, name=EURIBOR_3M, observations=euribor_3m_observations())
    euribor = load_series(session=scratch, name=EURIBOR_3M)
    customers = add_customers(scratch, tenant, CUSTOMERS)
    contracts = open_leases(scratch, tenant, LEASES, customers, series=euribor, as_of=as_of)
    customers |= add_core_lease_end(scratch, tenant=tenant, series=euribor, as_of=as_of)
    scratch.flush()
    issue_documents(scratch, tenant=tenant, old_lease=contracts[OLD_LEASE], as_of=as_of)
    settle_history(
        scratch,
        customer_ids=[customer.id for customer in customers.values()],
        overdue_contract=contracts[OVERDUE_LEASE],
        as_of=as_of,
    )
    return newest_document(scratch, customers[ANNOUNCED_CUSTOMER])
