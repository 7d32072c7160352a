"""The demo's complaints (reclami): one still open near its 60-day deadline (the desk shows the
warning) and one answered with its outcome. Written as history: nobody's bell or mailbox hears of
them again. The same `as_of` gives the same dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlmodel import Session

from portal.models import Complaint, Contract, UserAccount
from portal.models.enums import ComplaintOutcome
from portal.seed.builders import moment
from portal.seed.demo.customers import SERVICE_DESK
from portal.services.complaints.filing import complaint_code
from portal.services.complaints.queries import due_date

OPEN_FILED_DAYS_AGO = 52  # 8 days left: "in scadenza" on the desk
ANSWERED_FILED_DAYS_AGO = 95
ANSWERED_AFTER_DAYS = 41


def file_complaints(
    session: Session, *, users: Mapping[str, UserAccount], contracts: Mapping[str, Contract], as_of: dt.date
) -> None:
    desk = users[SERVICE_DESK]
    laura, alessandro = users["10093"], users["20417"]
    received = as_of - dt.timedelta(days=OPEN_FILED_DAYS_AGO)
    _add(
        session,
        Complaint(
            tenant_id=laura.tenant_id,
            customer_id=laura.customer_id or 0,
            created_by_id=laura.id,
            code="",
            subject="Addebito di spese di sollecito non dovute",
            body=(
                "Sulla fattura del contratto 84963 sono state addebitate spese di sollecito per un canone che "
                "risulta pagato alla scadenza con addebito diretto. Chiediamo lo storno delle spese."
            ),
            contract_id=contracts["84963"].id,
            received_on=received,
            due_on=due_date(received),
            created_at=moment(received, 9, 15),
        ),
    )
    received = as_of - dt.timedelta(days=ANSWERED_FILED_DAYS_AGO)
    _add(
        session,
        Complaint(
            tenant_id=alessandro.tenant_id,
            customer_id=alessandro.customer_id or 0,
            created_by_id=alessandro.id,
            code="",
            subject="Ritardo nella consegna del rendiconto annuale",
            body="Il rendiconto annuale del mio contratto non era disponibile nel portale alla data indicata.",
            received_on=received,
            due_on=due_date(received),
            answer=(
                "Gentile cliente, il rendiconto è stato pubblicato con alcuni giorni di ritardo per un problema "
                "tecnico ora risolto. Ci scusiamo per il disagio; non sono stati addebitati costi."
            ),
            outcome=ComplaintOutcome.PARTIAL,
            answered_on=received + dt.timedelta(days=ANSWERED_AFTER_DAYS),
            answered_by_id=desk.id,
            created_at=moment(received, 17, 40),
        ),
    )


def _add(session: Session, complaint: Complaint) -> None:
    session.add(complaint)
    session.flush()
    complaint.code = complaint_code(complaint.received_on.year, complaint.id)
    session.add(complaint)
    session.flush()
