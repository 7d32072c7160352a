"""The demo data set: one leasing company, its customers, contracts, invoices and requests.

Every figure is produced by the services (amortization, indexation, billing), never typed in;
only the agreed terms of each contract are written here. The same `as_of` gives the same data.
All names are fictional.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session

from portal.config import settings
from portal.models import Notification, Tenant
from portal.models.enums import NotificationKind
from portal.seed.builders import DEMO_PASSWORD, add_customers, add_users, grant_contracts, moment, open_leases
from portal.seed.demo.billing import issue_documents, settle_history
from portal.seed.demo.contracts import LEASES, OLD_LEASE, OVERDUE_LEASE
from portal.seed.demo.customers import ANNOUNCED_CUSTOMER, CUSTOMERS, USERS
from portal.seed.demo.service_requests import open_requests
from portal.seed.euribor import EURIBOR_3M, euribor_3m_observations
from portal.services.common import mail_sender
from portal.services.contracts.rates import load_series, store_observations

__all__ = ["DEMO_PASSWORD", "seed_demo"]


def seed_demo(*, session: Session, tenant: Tenant, as_of: dt.date) -> dict[str, int]:
    # The order of the steps fixes the ids and the invoice numbers: keep it.
    store_observations(session=session, name=EURIBOR_3M, observations=euribor_3m_observations())
    euribor = load_series(session=session, name=EURIBOR_3M)
    customers = add_customers(session, tenant, CUSTOMERS)
    users = add_users(session, tenant, USERS, customers)
    contracts = open_leases(session, tenant, LEASES, customers, series=euribor, as_of=as_of)
    grant_contracts(session, USERS, users, contracts)
    session.flush()

    issue_documents(session, tenant=tenant, old_lease=contracts[OLD_LEASE], as_of=as_of)
    settle_history(
        session,
        company=customers[ANNOUNCED_CUSTOMER],
        customer_ids=[customer.id for customer in customers.values()],
        overdue_contract=contracts[OVERDUE_LEASE],
        as_of=as_of,
    )
    open_requests(session, tenant=tenant, users=users, contracts=contracts, as_of=as_of)
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
