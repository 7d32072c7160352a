"""Issue 11, finding 10 (two of its points): the contacts to notify cannot make the portal a mail
relay, and a sub-user stops reading notices about a contract taken away from it."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from portal.forms import registry
from portal.models import AuditEvent, Contract, Notification, ServiceRequest, SubUserContract, UserAccount
from portal.models.enums import RequestStatus
from portal.models.mail import MailOutbox
from portal.services.requests import bell, notices, tickets
from portal.services.requests.form_engine import validate
from tests.conftest import NOW
from tests.unit.conftest import id_mark, rows_after

SPAM = "Hai vinto! Clicca su http://evil.example/premio"


def _user(db, username="10093") -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _open_with_contacts(db, contacts, title=SPAM) -> ServiceRequest:
    author = _user(db)
    request = tickets.open_request(
        session=db,
        author=author,
        customer_id=author.customer_id,
        form_key="other",
        title=title,
        message=SPAM,
        now=NOW,
        contacts=contacts,
    )
    db.flush()
    return request


def test_a_form_names_at_most_three_contacts(db, demo):
    from tests.unit.requests.test_forms_and_requests import _ctx

    definition = registry()["machine_ticket"]
    four = "a@studio.it, b@studio.it, c@studio.it, d@studio.it"
    _clean, errors = validate(definition, {"contacts": four}, _ctx(db))
    assert errors["contacts"] == ("forms.contacts_too_many", {"count": 3})
    _clean, errors = validate(definition, {"contacts": "a@studio.it, b@studio.it, c@studio.it"}, _ctx(db))
    assert "contacts" not in errors


def test_contacts_get_a_fixed_notice_with_the_code_only(db, demo):
    queued = id_mark(db, MailOutbox)
    request = _open_with_contacts(db, ["tecnico@officina.it"])
    notices.acknowledge(session=db, request=request, author=_user(db), public_url="http://portal.test")
    tickets.service_desk_update(
        session=db,
        request=request,
        operator=_user(db, "servicedesk"),
        body=SPAM,
        status=RequestStatus.IN_PROGRESS,
        now=NOW,
        public_url="http://portal.test",
    )
    to_contact = [row for row in rows_after(db, MailOutbox, queued) if row.to_address == "tecnico@officina.it"]
    assert [row.kind for row in to_contact] == ["request_contact", "request_contact"]
    for row in to_contact:
        assert row.subject == f"{request.code} – Aggiornamento richiesta"
        assert row.customer_id == request.customer_id
        body = f"{row.body_text}\n{row.body_html}"
        assert request.code in body
        assert "evil.example" not in body and "vinto" not in body and "http" not in (row.body_text or "")


def test_third_party_mail_is_capped_per_customer_per_day(db, demo):
    request = _open_with_contacts(db, ["a@studio.it", "b@studio.it", "c@studio.it"], title="Guasto")
    for hours_ago in [1] * (notices.CONTACT_MAILS_PER_DAY - 1) + [25] * 5:  # 19 today, 5 of yesterday
        db.add(
            MailOutbox(
                customer_id=request.customer_id,
                kind="request_contact",
                to_address="x@studio.it",
                subject="S",
                created_at=NOW - dt.timedelta(hours=hours_ago),
            )
        )
    db.flush()
    queued, audits = id_mark(db, MailOutbox), id_mark(db, AuditEvent)
    tickets.service_desk_update(
        session=db,
        request=request,
        operator=_user(db, "servicedesk"),
        body="Ricevuto.",
        status=None,
        now=NOW,
        public_url="http://portal.test",
    )
    to_contacts = [row.to_address for row in rows_after(db, MailOutbox, queued) if row.kind == "request_contact"]
    assert to_contacts == ["a@studio.it"]  # the 20th of the day; b and c are over the cap
    capped = rows_after(db, AuditEvent, audits, AuditEvent.action == "request.contacts_capped")
    assert [(event.customer_id, event.detail["skipped"]) for event in capped] == [(request.customer_id, 2)]
    # the customer's own accounts are still told (the cap is for third parties only)
    assert any(row.kind == "request_update" for row in rows_after(db, MailOutbox, queued))


def test_a_sub_user_stops_reading_notices_about_a_contract_taken_away(db, demo):
    request = db.exec(select(ServiceRequest).where(ServiceRequest.form_key == "iban_change")).one()  # contract 90317
    fleet_manager = _user(db, "10093.1")
    notes = id_mark(db, Notification)
    tickets.service_desk_update(
        session=db,
        request=request,
        operator=_user(db, "servicedesk"),
        body="IBAN aggiornato.",
        status=None,
        now=NOW,
        public_url="http://portal.test",
    )
    [notice] = rows_after(db, Notification, notes, Notification.user_id == fleet_manager.id)
    unread_before = bell.unread_count(session=db, user=fleet_manager)
    assert bell.notice_by_id(session=db, user=fleet_manager, notification_id=notice.id) is not None
    contract_id = db.exec(select(Contract.id).where(Contract.number == "90317")).one()
    grant = db.exec(
        select(SubUserContract).where(
            SubUserContract.user_id == fleet_manager.id, SubUserContract.contract_id == contract_id
        )
    ).one()
    db.delete(grant)
    db.flush()
    assert bell.notice_by_id(session=db, user=fleet_manager, notification_id=notice.id) is None
    listed, total = bell.notices(session=db, user=fleet_manager, limit=100)
    assert notice.id not in [item.notification_id for item in listed]
    assert bell.unread_count(session=db, user=fleet_manager) == unread_before - 1
    assert bell.mark_read(session=db, user=fleet_manager, notification_id=notice.id, now=NOW) is False
    # the owner, who reads every contract, still has its own notice
    owner_notes = rows_after(db, Notification, notes, col(Notification.user_id) == _user(db).id)
    assert bell.notice_by_id(session=db, user=_user(db), notification_id=owner_notes[0].id) is not None
    # and the total counts only what the sub-user may read
    assert total == len(listed)
