"""Documents both ways (issue 15): published documents kept unchanged with their SHA-256 and read only
by whoever may see their contract; the documents the desk asks for, sent, rejected and accepted;
the reminders before an insurance certificate lapses, each sent once, also after a missed day."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import pytest
from sqlmodel import col, select

from portal.models import (
    Contract,
    Customer,
    DocumentAsk,
    DocumentUpload,
    ExpiryReminder,
    Notification,
    PublishedDocument,
    UserAccount,
)
from portal.models.document import AskKind, AskStatus, DocumentCategory
from portal.models.mail import MailOutbox
from portal.services.access.scope import scope_of
from portal.services.common import pdf
from portal.services.documents import asks, library, reminders
from portal.services.requests import attachments as files
from tests.conftest import AS_OF, NOW
from tests.unit.conftest import id_mark, rows_after

URL = "http://portal.test"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    return tmp_path


def _user(db, username: str) -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _contract(db, number: str) -> Contract:
    return db.exec(select(Contract).where(Contract.number == number)).one()


def _customer(db, code: str) -> Customer:
    return db.exec(select(Customer).where(Customer.code == code)).one()


def _pdf_bytes(demo, text: str = "Lettera di prova") -> bytes:
    return pdf.render(tenant=demo, flowables=[pdf.paragraph(text)], title=text)


def _publish(db, demo, contract_number: str | None, body: bytes, title: str = "Allegato A"):
    staged = files.stage(chunks=[body], display_name="allegato.pdf", kinds=("pdf",))
    contract = _contract(db, contract_number) if contract_number else None
    document = library.publish_document(
        session=db,
        operator_id=_user(db, "servicedesk").id,
        customer_id=_customer(db, "10093").id,
        contract_id=contract.id if contract else None,
        title=title,
        category=DocumentCategory.ANNEX,
        staged=staged,
        now=NOW,
        public_url=URL,
    )
    return document, staged


def test_a_published_pdf_is_stored_unchanged_with_its_sha256_and_its_readers_are_told(db, demo, folders):
    body = _pdf_bytes(demo)
    notices, queued = id_mark(db, Notification), id_mark(db, MailOutbox)
    document, staged = _publish(db, demo, "90317", body)
    files.keep(staged, folders)  # what the commit does (services/requests/attachments.keep_after_commit)
    stored = files.path_of(document.storage_key, folders).read_bytes()
    assert stored == body
    assert document.sha256 == hashlib.sha256(stored).hexdigest() == hashlib.sha256(body).hexdigest()
    assert document.size_bytes == len(body) and document.storage_key != "allegato.pdf"
    # 90317 is a vehicle the fleet manager (sub-user 10093.1) looks after: both accounts are told
    told = rows_after(db, Notification, notices)
    users = {n.user_id: n for n in told}
    assert set(users) == {_user(db, "10093").id, _user(db, "10093.1").id}
    assert all(n.title == "Nuovo documento: Allegato A" for n in told)
    mails = rows_after(db, MailOutbox, queued)
    # Laura Conti: primary and secondary address; Marco Ferri: primary only
    assert sorted(m.to_address for m in mails) == sorted(
        ["odontoiatrica.valverde@pec.valverde-demo.it", "laura.conti@valverde-demo.it", "marco.ferri@valverde-demo.it"]
    )


def test_only_a_pdf_is_published(db, demo, folders):
    with pytest.raises(files.AttachmentRejected):
        files.stage(chunks=[PNG], display_name="foto.pdf", kinds=("pdf",))
    picture = files.stage(chunks=[PNG], display_name="foto.png", kinds=("image",))
    documents = id_mark(db, PublishedDocument)
    with pytest.raises(library.DocumentRefused) as refused:
        library.publish_document(
            session=db,
            operator_id=_user(db, "servicedesk").id,
            customer_id=_customer(db, "10093").id,
            contract_id=None,
            title="Foto",
            category=DocumentCategory.OTHER,
            staged=picture,
            now=NOW,
            public_url=URL,
        )
    assert refused.value.key == "docs.error.not_pdf"
    assert rows_after(db, PublishedDocument, documents) == []


def test_a_customer_cannot_publish_nor_publish_on_another_customers_contract(db, demo, folders):
    staged = files.stage(chunks=[_pdf_bytes(demo)], display_name="a.pdf", kinds=("pdf",))
    documents = id_mark(db, PublishedDocument)
    with pytest.raises(PermissionError):
        library.publish_document(
            session=db,
            operator_id=_user(db, "10093").id,
            customer_id=_customer(db, "10093").id,
            contract_id=None,
            title="X",
            category=DocumentCategory.OTHER,
            staged=staged,
            now=NOW,
            public_url=URL,
        )
    with pytest.raises(library.DocumentRefused):
        library.publish_document(
            session=db,
            operator_id=_user(db, "servicedesk").id,
            customer_id=_customer(db, "10093").id,
            contract_id=_contract(db, "88120").id,  # Alessandro Bianchi's
            title="X",
            category=DocumentCategory.OTHER,
            staged=staged,
            now=NOW,
            public_url=URL,
        )
    assert rows_after(db, PublishedDocument, documents) == []


def test_a_document_is_read_only_by_whoever_may_see_its_contract(db, demo, folders):
    on_vehicle, _ = _publish(db, demo, "90317", _pdf_bytes(demo), "Veicolo")
    on_dental, _ = _publish(db, demo, "71204", _pdf_bytes(demo), "Riunito")
    whole, _ = _publish(db, demo, None, _pdf_bytes(demo), "Cliente")
    owner, fleet, other, desk = (_user(db, name) for name in ("10093", "10093.1", "20417", "servicedesk"))
    mine = {on_vehicle.id, on_dental.id, whole.id}
    for document_id in mine:
        assert library.access_document(session=db, user=owner, document_id=document_id) is not None
        assert library.access_document(session=db, user=desk, document_id=document_id) is not None
        assert library.access_document(session=db, user=other, document_id=document_id) is None
    # the fleet manager sees the vehicles' contracts only: not the dental unit's, nor the customer's own
    assert library.access_document(session=db, user=fleet, document_id=on_vehicle.id) is not None
    assert library.access_document(session=db, user=fleet, document_id=on_dental.id) is None
    assert library.access_document(session=db, user=fleet, document_id=whole.id) is None
    fleet_scope = scope_of(session=db, user=fleet)
    assert fleet_scope is not None
    listed = {item.document_id for item in library.documents_for(session=db, scope=fleet_scope)}
    assert on_vehicle.id in listed and not listed & {on_dental.id, whole.id}
    other_scope = scope_of(session=db, user=other)
    assert other_scope is not None
    assert not {item.document_id for item in library.documents_for(session=db, scope=other_scope)} & mine
    vehicle = _contract(db, "90317")
    owner_scope = scope_of(session=db, user=owner)
    assert owner_scope is not None
    on_contract = library.documents_for(session=db, scope=owner_scope, contract_id=vehicle.id)
    assert [item.document_id for item in on_contract if item.document_id in mine] == [on_vehicle.id]


def _ask(db, kind=AskKind.INSURANCE, contract="97702", due=AS_OF + dt.timedelta(days=14)) -> DocumentAsk:
    return asks.ask_for_document(
        session=db,
        operator_id=_user(db, "servicedesk").id,
        customer_id=_customer(db, "10093").id,
        contract_id=_contract(db, contract).id if contract else None,
        kind=kind,
        note="Polizza RCA",
        due_on=due,
        today=AS_OF,
        now=NOW,
        public_url=URL,
    )


def _send(db, demo, ask: DocumentAsk, expires_on, username="10093") -> DocumentUpload:
    staged = files.stage(chunks=[_pdf_bytes(demo, "Attestato")], display_name="attestato.pdf", kinds=("pdf", "image"))
    return asks.send_upload(
        session=db,
        user_id=_user(db, username).id,
        ask_id=ask.id,
        staged=staged,
        expires_on=expires_on,
        today=AS_OF,
        now=NOW,
        public_url=URL,
    )


def test_an_asked_certificate_is_sent_rejected_with_a_reason_sent_again_and_accepted(db, demo, folders):
    notices = id_mark(db, Notification)
    ask = _ask(db)
    told = rows_after(db, Notification, notices)
    assert {n.user_id for n in told} == {_user(db, "10093").id, _user(db, "10093.1").id}
    assert ask.status is AskStatus.REQUESTED
    # the expiry date is required and must be in the future
    for expires_on, key in ((None, "docs.error.expiry_required"), (AS_OF, "docs.error.expiry_past")):
        with pytest.raises(asks.DocumentRefused) as refused:
            _send(db, demo, ask, expires_on)
        assert refused.value.key == key
    assert db.get(DocumentAsk, ask.id).status is AskStatus.REQUESTED  # pyright: ignore[reportOptionalMemberAccess]
    first = _send(db, demo, ask, AS_OF + dt.timedelta(days=365), username="10093.1")
    assert ask.status is AskStatus.UPLOADED and first.expires_on == AS_OF + dt.timedelta(days=365)
    desk = _user(db, "servicedesk").id
    with pytest.raises(asks.DocumentRefused) as refused:
        asks.reject(session=db, operator_id=desk, ask_id=ask.id, reason="  ", now=NOW, public_url=URL)
    assert refused.value.key == "docs.error.reason_required" and ask.status is AskStatus.UPLOADED
    with pytest.raises(asks.DocumentRefused):  # nothing to send while it is being checked
        _send(db, demo, ask, AS_OF + dt.timedelta(days=365))
    notices = id_mark(db, Notification)
    asks.reject(session=db, operator_id=desk, ask_id=ask.id, reason="Targa illeggibile", now=NOW, public_url=URL)
    assert ask.status is AskStatus.REJECTED and ask.rejection_reason == "Targa illeggibile"
    told = rows_after(db, Notification, notices)
    assert len(told) == 2 and all("Targa illeggibile" in n.body for n in told)
    second = _send(db, demo, ask, AS_OF + dt.timedelta(days=300))
    asks.accept(session=db, operator_id=desk, ask_id=ask.id, now=NOW, public_url=URL)
    assert ask.status is AskStatus.ACCEPTED
    owner_scope = scope_of(session=db, user=_user(db, "10093"))
    assert owner_scope is not None
    listed = next(item for item in asks.asks_for(session=db, scope=owner_scope, today=AS_OF) if item.ask_id == ask.id)
    assert listed.latest is not None and listed.latest.upload_id == second.id and listed.status is AskStatus.ACCEPTED


def test_asks_are_read_and_answered_only_within_the_scope(db, demo, folders):
    whole = _ask(db, kind=AskKind.REGISTRATION, contract=None)
    vehicle = _ask(db)
    fleet, other = _user(db, "10093.1"), _user(db, "20417")
    assert asks.access_ask(session=db, user=fleet, ask_id=vehicle.id) is not None
    assert asks.access_ask(session=db, user=fleet, ask_id=whole.id) is None
    assert asks.access_ask(session=db, user=other, ask_id=vehicle.id) is None
    uploads = id_mark(db, DocumentUpload)
    for username, ask in (("20417", vehicle), ("10093.1", whole)):
        with pytest.raises(asks.DocumentRefused) as refused:
            _send(db, demo, ask, AS_OF + dt.timedelta(days=100), username=username)
        assert refused.value.key == "docs.error.not_found"
    assert rows_after(db, DocumentUpload, uploads) == []
    assert db.get(DocumentAsk, vehicle.id).status is AskStatus.REQUESTED  # pyright: ignore[reportOptionalMemberAccess]
    upload = _send(db, demo, vehicle, AS_OF + dt.timedelta(days=100))
    assert asks.access_upload(session=db, user=other, upload_id=upload.id) is None
    assert asks.access_upload(session=db, user=fleet, upload_id=upload.id) is not None
    with pytest.raises(PermissionError):  # only the desk decides
        asks.accept(session=db, operator_id=_user(db, "10093").id, ask_id=vehicle.id, now=NOW, public_url=URL)
    assert vehicle.status is AskStatus.UPLOADED


def test_an_ask_past_its_deadline_without_a_file_is_overdue(db, demo, folders):
    ask = _ask(db, due=AS_OF + dt.timedelta(days=3))
    scope = scope_of(session=db, user=_user(db, "10093"))
    assert scope is not None

    def overdue(today: dt.date) -> bool:
        return next(
            item.overdue for item in asks.asks_for(session=db, scope=scope, today=today) if item.ask_id == ask.id
        )

    assert overdue(AS_OF + dt.timedelta(days=3)) is False
    assert overdue(AS_OF + dt.timedelta(days=4)) is True
    _send(db, demo, ask, AS_OF + dt.timedelta(days=100))
    assert overdue(AS_OF + dt.timedelta(days=4)) is False


def _accepted_certificate(db, demo, expires_on: dt.date) -> DocumentUpload:
    ask = _ask(db)
    upload = _send(db, demo, ask, expires_on)
    asks.accept(session=db, operator_id=_user(db, "servicedesk").id, ask_id=ask.id, now=NOW, public_url=URL)
    return upload


def _reminders(db, upload: DocumentUpload) -> list[tuple[int, bool]]:
    rows = db.exec(
        select(ExpiryReminder).where(ExpiryReminder.upload_id == upload.id).order_by(col(ExpiryReminder.days_before))
    ).all()
    return [(row.days_before, row.sent) for row in rows]


def _run(db, demo, day: dt.date) -> list[Notification]:
    notices = id_mark(db, Notification)
    reminders.run_reminders(
        session=db, tenant_id=demo.id, as_of=day, now=dt.datetime.combine(day, dt.time(5, 10), dt.UTC), public_url=URL
    )
    return [n for n in rows_after(db, Notification, notices) if "contratto 97702" in n.body]


def test_reminders_go_30_and_7_days_before_the_expiry_each_once(db, demo, folders):
    expires = AS_OF + dt.timedelta(days=60)
    upload = _accepted_certificate(db, demo, expires)
    assert _run(db, demo, expires - dt.timedelta(days=31)) == [] and _reminders(db, upload) == []
    told = _run(db, demo, expires - dt.timedelta(days=30))
    assert len(told) == 2  # the owner and the fleet manager, who looks after 97702
    assert {n.title for n in told} == {f"Assicurazione in scadenza il {expires.strftime('%d/%m/%y')}"}
    assert _reminders(db, upload) == [(30, True)]
    assert _run(db, demo, expires - dt.timedelta(days=29)) == []  # sent once
    assert _run(db, demo, expires - dt.timedelta(days=8)) == []
    assert len(_run(db, demo, expires - dt.timedelta(days=7))) == 2
    assert _reminders(db, upload) == [(7, True), (30, True)]
    assert _run(db, demo, expires - dt.timedelta(days=6)) == []
    assert _run(db, demo, expires) == []  # lapsed: nothing more


def test_a_run_after_a_missed_day_still_sends_the_due_reminder_once(db, demo, folders):
    expires = AS_OF + dt.timedelta(days=60)
    upload = _accepted_certificate(db, demo, expires)
    # the job did not run on the 30th day before: the next run sends it
    assert len(_run(db, demo, expires - dt.timedelta(days=28))) == 2
    assert _reminders(db, upload) == [(30, True)]
    # nor on the 7th and 6th: one reminder for the nearer threshold, none more
    assert len(_run(db, demo, expires - dt.timedelta(days=5))) == 2
    assert _run(db, demo, expires - dt.timedelta(days=4)) == []
    assert _reminders(db, upload) == [(7, True), (30, True)]


def test_both_thresholds_due_at_once_send_one_reminder(db, demo, folders):
    expires = AS_OF + dt.timedelta(days=60)
    upload = _accepted_certificate(db, demo, expires)
    assert len(_run(db, demo, expires - dt.timedelta(days=3))) == 2
    assert _reminders(db, upload) == [(7, True), (30, False)]
    assert _run(db, demo, expires - dt.timedelta(days=2)) == []


def test_a_certificate_not_accepted_gets_no_reminder(db, demo, folders):
    expires = AS_OF + dt.timedelta(days=60)
    upload = _send(db, demo, _ask(db), expires)
    assert _run(db, demo, expires - dt.timedelta(days=7)) == []
    assert _reminders(db, upload) == []


def test_the_demo_shows_a_published_document_a_pending_ask_and_a_reminded_certificate(db, demo):
    customer = _customer(db, "10093")
    published = db.exec(select(PublishedDocument).where(PublishedDocument.customer_id == customer.id)).all()
    assert [(d.title, d.category) for d in published] == [
        ("Contratto n. 71204 con condizioni generali", DocumentCategory.CONTRACT)
    ]
    demo_asks = db.exec(
        select(DocumentAsk).where(DocumentAsk.customer_id == customer.id).order_by(col(DocumentAsk.id))
    ).all()
    assert [(a.kind, a.status) for a in demo_asks] == [
        (AskKind.REGISTRATION, AskStatus.REQUESTED),
        (AskKind.INSURANCE, AskStatus.ACCEPTED),
    ]
    certificate = db.exec(select(DocumentUpload).where(DocumentUpload.ask_id == demo_asks[1].id)).one()
    assert certificate.expires_on == AS_OF + dt.timedelta(days=20)
    assert _reminders(db, certificate) == [(30, True)]
