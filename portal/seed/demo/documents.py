"""The demo's document area (issue 15): a contract published to Odontoiatrica Valverde, a visura
camerale the desk asked it for (still to send), and the insurance certificate of one of its
vehicles, accepted and expiring 20 days after the data set's day, so that the 30-day reminder has
gone. The PDFs are written here by the project's PDF writer; nothing is downloaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlmodel import Session

from portal.config import settings
from portal.models import Contract, Tenant, UserAccount
from portal.models.document import AskKind, DocumentCategory
from portal.seed.builders import moment
from portal.seed.demo.customers import SERVICE_DESK
from portal.services.common import pdf
from portal.services.documents import asks, library, reminders
from portal.services.requests import attachments as files

CUSTOMER = "10093"
PUBLISHED_CONTRACT = "71204"
INSURED_CONTRACT = "97702"
FLEET_MANAGER = "10093.1"


def demo_pdf(tenant: Tenant, title: str, lines: list[str]) -> bytes:
    return pdf.render(
        tenant=tenant,
        flowables=[pdf.paragraph(title, "title"), *(pdf.paragraph(line) for line in lines)],
        title=title,
    )


def _staged(body: bytes, name: str, owner: str = "") -> files.StagedFile:
    return files.stage(chunks=[body], display_name=name, kinds=("pdf",), owner=owner)


def add_documents(
    session: Session,
    *,
    tenant: Tenant,
    users: Mapping[str, UserAccount],
    contracts: Mapping[str, Contract],
    as_of: dt.date,
) -> None:
    desk, customer_user = users[SERVICE_DESK], users[CUSTOMER]
    customer_id = customer_user.customer_id
    assert customer_id is not None
    published = contracts[PUBLISHED_CONTRACT]
    body = demo_pdf(
        tenant,
        f"Contratto di locazione finanziaria n. {published.number}",
        [
            "Copia del contratto sottoscritto, con le condizioni generali e il documento di sintesi.",
            f"Data di stipula: {published.signed_on.isoformat()}.",
        ],
    )
    library.publish_document(
        session=session,
        operator_id=desk.id,
        customer_id=customer_id,
        contract_id=published.id,
        title=f"Contratto n. {published.number} con condizioni generali",
        category=DocumentCategory.CONTRACT,
        staged=_staged(body, f"contratto-{published.number}.pdf"),
        now=moment(as_of - dt.timedelta(days=30), 9, 15),
        public_url=settings.public_url,
    )
    asks.ask_for_document(
        session=session,
        operator_id=desk.id,
        customer_id=customer_id,
        contract_id=None,
        kind=AskKind.REGISTRATION,
        note="Ci serve la visura camerale aggiornata (non più vecchia di sei mesi).",
        due_on=as_of + dt.timedelta(days=10),
        today=as_of - dt.timedelta(days=5),
        now=moment(as_of - dt.timedelta(days=5), 11, 0),
        public_url=settings.public_url,
    )
    insured = contracts[INSURED_CONTRACT]
    asked_on = as_of - dt.timedelta(days=40)
    ask = asks.ask_for_document(
        session=session,
        operator_id=desk.id,
        customer_id=customer_id,
        contract_id=insured.id,
        kind=AskKind.INSURANCE,
        note="Attestato della polizza RCA del veicolo in locazione.",
        due_on=asked_on + dt.timedelta(days=15),
        today=asked_on,
        now=moment(asked_on, 10, 0),
        public_url=settings.public_url,
    )
    certificate = demo_pdf(
        tenant,
        "Attestato di assicurazione RCA",
        [f"Contratto {insured.number}", f"Valido fino al {(as_of + dt.timedelta(days=20)).isoformat()}."],
    )
    fleet = users[FLEET_MANAGER]
    asks.send_upload(
        session=session,
        user_id=fleet.id,
        ask_id=ask.id,
        staged=_staged(certificate, "attestato-rca.pdf", files.owner_prefix(customer_id)),
        expires_on=as_of + dt.timedelta(days=20),
        today=asked_on + dt.timedelta(days=2),
        now=moment(asked_on + dt.timedelta(days=2), 16, 40),
        public_url=settings.public_url,
    )
    asks.accept(
        session=session,
        operator_id=desk.id,
        ask_id=ask.id,
        now=moment(asked_on + dt.timedelta(days=3), 9, 30),
        public_url=settings.public_url,
    )
    # The daily job of the day the 30-day threshold came (20 + 10 days before the expiry).
    reminder_day = as_of - dt.timedelta(days=10)
    reminders.run_reminders(
        session=session,
        tenant_id=tenant.id,
        as_of=reminder_day,
        now=moment(reminder_day, 5, 10),
        public_url=settings.public_url,
    )
