"""The form engine, the five forms, requests and their notices, attachments, the bell."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal as D

import pytest
from sqlmodel import select

from portal import i18n
from portal.forms import registry
from portal.models import (
    Contract,
    MailMessage,
    Notification,
    RequestAttachment,
    RequestContact,
    RequestMessage,
    ScheduleLine,
    ServiceRequest,
    UserAccount,
)
from portal.models.enums import NotificationKind, RequestStatus, ScheduleLineKind
from portal.models.mail import MailOutbox
from portal.services.access.accounts import principal_for
from portal.services.common import mail_sender
from portal.services.contracts.payoff import estimate, payable_instalments
from portal.services.requests import attachments as files
from portal.services.requests import bell, notices, queries, tickets
from portal.services.requests.form_engine import context_for, field_specs, parse_contacts, validate
from portal.services.requests.form_payload import payload_of, render_payload, request_title
from tests.conftest import AS_OF, NOW
from tests.unit.conftest import id_mark, mail_mark, mails_after, rows_after

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000
PDF = b"%PDF-1.7\n" + b"0" * 2000
EXE = b"MZ\x90\x00\x03" + b"\x00" * 2000


def _user(db, username="10093") -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _ctx(db, username="10093", values=None, lang="it"):
    user = _user(db, username)
    return context_for(
        session=db,
        user=user,
        scope=principal_for(session=db, user=user).scope,
        lang=lang,
        today=AS_OF,
        values=values or {},
    )


def _errors(form_key, db, values, username="10093"):
    _, errors = validate(registry()[form_key], values, _ctx(db, username))
    return {key: message for key, (message, _params) in errors.items()}


def test_the_registry_holds_the_six_forms():
    assert list(registry()) == [
        "iban_change",
        "address_change",
        "other",
        "early_termination",
        "machine_ticket",
        "copies_119",
    ]
    for form in registry().values():
        keys = [field.key for field in form.fields]
        assert len(keys) == len(set(keys))
        # every text of a form is a catalogue entry: a form speaks every language the portal speaks
        texts = [form.text_key("title"), form.text_key("description")]
        texts += [form.text_key("subject")] if form.has_subject else []
        texts += [key for field in form.fields for key in (field.label, field.name_key(), field.help) if key]
        texts += [choice.label for field in form.fields for choice in field.choices]
        assert [key for key in texts if not i18n.is_known(key)] == [], form.key


def test_required_and_length_rules(db, demo):
    errors = _errors("other", db, {"request_type": "", "message": ""})
    assert errors == {"request_type": "forms.required", "message": "forms.required"}
    assert _errors("other", db, {"request_type": "contract_copy", "message": "x" * 501}) == {
        "message": "forms.too_long"
    }
    assert _errors("other", db, {"request_type": "made_up", "message": "ok"}) == {
        "request_type": "forms.choice_invalid"
    }
    assert _errors("other", db, {"request_type": "contract_copy", "message": "x" * 500}) == {}


def test_iban_rules(db, demo):
    base = {"contract": "90317", "start_date": (AS_OF + dt.timedelta(days=10)).isoformat(), "message": ""}
    assert _errors("iban_change", db, {**base, "new_iban": "IT60X0542811101000000123457"}) == {
        "new_iban": "forms.iban_invalid"
    }
    assert _errors("iban_change", db, {**base, "new_iban": "DE89370400440532013000"}) == {
        "new_iban": "forms.iban_not_italian"
    }
    assert _errors("iban_change", db, {**base, "new_iban": "DE89370400440532013000", "foreign_iban": "on"}) == {}
    assert _errors("iban_change", db, {**base, "new_iban": "IT60 X054 2811 1010 0000 0123 456"}) == {
        "new_iban": "forms.iban_same"
    }
    assert _errors("iban_change", db, {**base, "new_iban": "IT40S0542811101000000123456"}) == {}
    past = {**base, "new_iban": "IT40S0542811101000000123456", "start_date": "2020-01-01"}
    assert _errors("iban_change", db, past) == {"start_date": "forms.date_past"}
    assert _errors(
        "iban_change", db, {**base, "start_date": "31/12/2030", "new_iban": "IT40S0542811101000000123456"}
    ) == {"start_date": "forms.date_invalid"}


def test_pickers_only_offer_what_the_user_may_see(db, demo):
    good = {"new_iban": "IT40S0542811101000000123456", "start_date": (AS_OF + dt.timedelta(days=1)).isoformat()}
    # another customer's contract, or an extinguished one, is not an option
    assert _errors("iban_change", db, {**good, "contract": "88120"}) == {"contract": "forms.choice_invalid"}
    assert _errors("iban_change", db, {**good, "contract": "71204"}) == {"contract": "forms.choice_invalid"}
    # a restricted sub-user cannot pick the dental equipment contract or its assets
    assert _errors("iban_change", db, {**good, "contract": "84963"}, "10093.1") == {"contract": "forms.choice_invalid"}
    ticket = {
        "ticket_type": "fault",
        "machine": "166030",
        "subject": "Panoramico fermo",
        "machine_status": "stopped",
        "description": "Non si accende",
        "contacts": "",
    }
    assert _errors("machine_ticket", db, ticket) == {}
    assert _errors("machine_ticket", db, ticket, "10093.1") == {"machine": "forms.choice_invalid"}
    specs = {spec["key"]: spec for spec in field_specs(registry()["machine_ticket"], _ctx(db, "10093.1"))}
    assert {option["value"] for option in specs["machine"]["options"]} == {"171550", "183004"}


def test_contacts_to_notify(db, demo):
    ticket = {
        "ticket_type": "fault",
        "machine": "166030",
        "subject": "x",
        "machine_status": "stopped",
        "description": "y",
    }
    assert _errors("machine_ticket", db, {**ticket, "contacts": "a@b.it, c@d.it"}) == {}
    assert _errors("machine_ticket", db, {**ticket, "contacts": "a@b.it; not-an-address"}) == {
        "contacts": "forms.contacts_invalid"
    }
    assert parse_contacts(" a@b.it,c@d.it\nE@f.it ") == ["a@b.it", "c@d.it", "E@f.it"]


def test_instalment_options_follow_the_contract_and_the_estimate_is_computed(db, demo):
    form = registry()["early_termination"]
    specs = {spec["key"]: spec for spec in field_specs(form, _ctx(db))}
    assert specs["last_instalment"]["options"] == []  # no contract chosen yet
    ctx = _ctx(db, values={"contract": "84963"})
    options = {spec["key"]: spec for spec in field_specs(form, ctx)}["last_instalment"]["options"]
    contract = db.exec(select(Contract).where(Contract.number == "84963")).one()
    future = payable_instalments(session=db, contract=contract, today=AS_OF)
    assert [option["value"] for option in options] == [str(line.number) for line in future]
    assert options[0]["label"].startswith(f"Rata {future[0].number} – ")
    result = estimate(session=db, contract=contract, last_number=future[2].number, today=AS_OF)
    # worked independently: discount each later row by whole periods at the contract's monthly rate
    i = contract.annual_rate / 12
    later = db.exec(
        select(ScheduleLine)
        .where(
            ScheduleLine.contract_id == contract.id,
            ScheduleLine.kind.in_([ScheduleLineKind.INSTALMENT, ScheduleLineKind.RESIDUAL_VALUE]),
            ScheduleLine.position > future[2].position,
        )
        .order_by(ScheduleLine.position)
    ).all()
    expected = sum((line.amount / (1 + i) ** k for k, line in enumerate(later, start=1)), D("0"))
    assert abs(result.remaining_discounted + result.residual_discounted - expected) < D("0.05")
    assert result.total == result.taxable + result.vat + result.overdue
    assert result.valid_until == min(result.payoff_date, AS_OF + dt.timedelta(days=30))
    with pytest.raises(LookupError):
        estimate(session=db, contract=contract, last_number=1, today=AS_OF)  # long paid
    from portal.services.requests.form_engine import computed_values

    shown = computed_values(
        form, dataclasses.replace(ctx, values={"contract": "84963", "last_instalment": str(future[2].number)})
    )
    assert i18n.money(result.total, "it") in shown["estimate"] and "servizio clienti" in shown["estimate"]


def test_payload_reads_back_in_both_languages(db, demo):
    form = registry()["iban_change"]
    start = dt.date(AS_OF.year + 1, 12, 1)  # a day to come, whatever AS_OF is
    values, errors = validate(
        form,
        {
            "contract": "90317",
            "new_iban": "IT40S0542811101000000123456",
            "foreign_iban": "",
            "start_date": start.isoformat(),
            "message": "Grazie",
        },
        _ctx(db),
    )
    assert errors == {}
    payload = payload_of(form, values, _ctx(db))
    italian = dict(render_payload(payload, "it"))
    english = dict(render_payload(payload, "en"))
    # each answer under the field's name, not the form's prompt ("Seleziona contratto")
    assert list(italian) == ["Contratto", "Codice IBAN attuale", "Nuovo IBAN", "IBAN estero", "A partire dal"]
    assert italian["Contratto"] == "90317 · Leasing targato"
    assert italian["Codice IBAN attuale"] == "IT60 X054 2811 1010 0000 0123 456"
    assert italian["Nuovo IBAN"] == "IT40 S054 2811 1010 0000 0123 456"
    assert english["New IBAN"] == "IT40 S054 2811 1010 0000 0123 456"
    assert italian["IBAN estero"] == "No" and english["Foreign IBAN"] == "No"
    # dates in the reader's language; the message is the thread's first message, not an answer
    assert (
        italian["A partire dal"] == f"1 dicembre {start.year}"
        and english["Starting from"] == f"1 December {start.year}"
    )
    assert "Messaggio" not in italian and "Grazie" not in italian.values()


def test_request_titles_are_in_the_authors_language(db, demo):
    other = registry()["other"]
    values = {"request_type": "pec_change", "message": "Nuova PEC"}
    assert request_title(other, values, _ctx(db)) == "Altre richieste – Modifica dell'indirizzo PEC"
    assert request_title(other, values, _ctx(db, lang="en")) == "Other requests – Change of the PEC address"
    iban = registry()["iban_change"]
    assert (
        request_title(iban, {"contract": "90317"}, _ctx(db, lang="en"))
        == "Change of bank account / IBAN – contract 90317"
    )


def test_open_request_with_files_and_contacts(db, demo, tmp_path, monkeypatch):
    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    user = _user(db)
    staged = files.stage(chunks=[PNG], display_name="../../foto guasto.png", kinds=("image",))
    request = tickets.open_request(
        session=db,
        author=user,
        customer_id=user.customer_id,
        form_key="machine_ticket",
        title="Guasto",
        message="Non parte",
        now=NOW,
        contacts=["tecnico@officina.it"],
        staged=[staged],
    )
    assert request.code == f"RIC-{NOW.year}-{request.id:06d}"
    attachment = db.exec(select(RequestAttachment).where(RequestAttachment.request_id == request.id)).one()
    assert attachment.display_name == "foto guasto.png" and attachment.content_type == "image/png"
    assert files.path_of(attachment.storage_key).read_bytes() == PNG
    assert "/" not in attachment.storage_key and "foto" not in attachment.storage_key
    assert db.exec(select(RequestContact.email).where(RequestContact.request_id == request.id)).all() == [
        "tecnico@officina.it"
    ]


def _staged_files(base) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in files.staging(base).iterdir()}


def _refused(base, **upload) -> files.AttachmentRejected:
    """Stage an upload that must be refused; the staging folder must be exactly as before."""
    before = _staged_files(base)
    with pytest.raises(files.AttachmentRejected) as refused:
        files.stage(**upload)
    assert _staged_files(base) == before
    return refused.value


def test_files_are_checked_by_content_and_size(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    bad_type = _refused(tmp_path, chunks=[EXE], display_name="foto.jpg", kinds=("image", "video"))
    assert (bad_type.key, bad_type.params) == ("attachments.bad_type", {})
    # a real PDF, where only images go
    pdf_as_image = _refused(tmp_path, chunks=[PDF], display_name="doc.pdf", kinds=("image",))
    assert pdf_as_image.key == "attachments.bad_type"
    kept = files.stage(chunks=[PDF], display_name="doc.pdf", kinds=("pdf",))
    assert (kept.content_type, kept.size_bytes) == ("application/pdf", len(PDF))
    assert _staged_files(tmp_path) == {kept.storage_key: PDF}
    big = [b"\xff\xd8\xff\xe0" + b"0" * (files.MB - 4)] + [b"0" * files.MB] * 10  # an 11 MB JPEG
    too_big = _refused(tmp_path, chunks=iter(big), display_name="big.jpg", kinds=("image",))
    assert (too_big.key, too_big.params) == ("attachments.too_big", {"limit": 10})
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100
    monkeypatch.setitem(files.KINDS, "video", (files.KINDS["video"][0], 2 * files.MB))
    clip = files.stage(chunks=[video], display_name="clip.mp4", kinds=("video",))
    assert clip.content_type == "video/mp4"
    # the limit is checked while the bytes arrive: 3 MB after a 2 MB limit, refused part-way
    too_long = _refused(tmp_path, chunks=[video, b"0" * (3 * files.MB)], display_name="long.mp4", kinds=("video",))
    assert (too_long.key, too_long.params) == ("attachments.too_big", {"limit": 2})
    empty = _refused(tmp_path, chunks=[b""], display_name="empty.pdf", kinds=("pdf",))
    assert empty.key == "attachments.empty"
    assert _staged_files(tmp_path) == {kept.storage_key: PDF, clip.storage_key: video}


def test_files_nobody_claimed_leave_the_staging_folder_after_a_day(db, tmp_path, monkeypatch):
    import os
    import time

    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    abandoned = files.stage(chunks=[PDF], display_name="old.pdf", kinds=("pdf",))
    day_old = time.time() - files.STAGING_TTL.total_seconds() - 60
    os.utime(files.staging(tmp_path) / abandoned.storage_key, (day_old, day_old))
    recent = files.stage(chunks=[PDF], display_name="new.pdf", kinds=("pdf",))
    # the sweep (the app's background task, the mail job) removes them; it needs the database to
    # tell a file nobody claimed from one a committed request points to
    assert files.sweep(session=db, base=tmp_path).abandoned == 1
    assert sorted(p.name for p in files.staging(tmp_path).iterdir()) == [recent.storage_key]


def test_who_may_read_a_request(db, demo):
    company_request = db.exec(select(ServiceRequest).where(ServiceRequest.form_key == "iban_change")).one()  # 90317
    copy_request = db.exec(select(ServiceRequest).where(ServiceRequest.title.like("Copia%"))).one()  # about 84963
    assert queries.may_read(session=db, user=_user(db), request=copy_request) is True
    assert queries.may_read(session=db, user=_user(db, "10093.1"), request=company_request) is True
    assert queries.may_read(session=db, user=_user(db, "10093.1"), request=copy_request) is False
    assert queries.may_read(session=db, user=_user(db, "20417"), request=copy_request) is False
    assert queries.may_read(session=db, user=_user(db, "servicedesk"), request=copy_request) is True
    assert queries.access_request(session=db, user=_user(db, "20417"), code=copy_request.code) is None


def test_service_desk_answer_notifies_customer_and_contacts(db, demo):
    request = db.exec(select(ServiceRequest).where(ServiceRequest.form_key == "iban_change")).one()
    db.add(RequestContact(request_id=request.id, email="contabile@studio-demo.it"))
    db.flush()
    mails, notes = mail_mark(db), id_mark(db, Notification)
    sent = tickets.service_desk_update(
        session=db,
        request=request,
        operator=_user(db, "servicedesk"),
        body="IBAN aggiornato.",
        status=RequestStatus.RESOLVED,
        now=NOW,
        public_url="http://portal.test",
    )
    owner, fleet_manager = _user(db), _user(db, "10093.1")
    assert sent == 3  # the owner, the sub-user who sees the van, the contact
    assert mail_sender.send_due(sessions=mail_sender.in_session(db)).sent == 3
    sent_mails = mails_after(db, mails)
    assert sorted(mail.to_address for mail in sent_mails) == sorted(
        [owner.secondary_email, fleet_manager.primary_email, "contabile@studio-demo.it"]
    )
    assert all(mail.subject.startswith(f"{request.code} – ") for mail in sent_mails)
    notices = rows_after(db, Notification, notes)
    assert sorted((n.user_id, n.request_id, n.kind) for n in notices) == sorted(
        [(owner.id, request.id, NotificationKind.REQUEST), (fleet_manager.id, request.id, NotificationKind.REQUEST)]
    )
    assert request.status is RequestStatus.RESOLVED

    def refused(call, **arguments) -> None:
        """A write the desk must refuse: PermissionError, and nothing about the request changes."""
        marks = {model: id_mark(db, model) for model in (RequestMessage, MailMessage, Notification)}
        status, updated = request.status, request.updated_at
        with pytest.raises(PermissionError):
            call(session=db, request=request, now=NOW, **arguments)
        assert {model: rows_after(db, model, mark) for model, mark in marks.items()} == {model: [] for model in marks}
        assert (request.status, request.updated_at) == (status, updated)

    refused(tickets.service_desk_update, operator=owner, body="x", status=RequestStatus.REJECTED, public_url="x")
    tickets.customer_reply(session=db, request=request, author=owner, body="Grazie, ma c'è un errore", now=NOW)
    assert request.status is RequestStatus.IN_PROGRESS
    refused(tickets.customer_reply, author=_user(db, "20417"), body="intruso")
    fleet_manager.may_submit_requests = False  # reads the van's request, may not write to the desk
    refused(tickets.customer_reply, author=fleet_manager, body="scrivo lo stesso")


def test_bell_subjects_unread_and_read(db, demo):
    owner = _user(db)
    operator = _user(db, "servicedesk")
    notices.broadcast(
        session=db,
        operator=operator,
        title="Nuova app mobile disponibile per tutti i clienti del portale Aurora",
        body="",
        now=NOW,
    )
    db.flush()
    items, total = bell.notices(session=db, user=owner, limit=10)
    subjects = [item.subject for item in items]
    assert (
        subjects[0].startswith("Aurora Leasing – Nuova app") and subjects[0].endswith("...") and len(subjects[0]) == 60
    )
    assert any(subject.startswith("RIC-") and " – " in subject for subject in subjects)
    assert [item.created_at for item in items] == sorted((item.created_at for item in items), reverse=True)
    unread = bell.unread_count(session=db, user=owner)
    assert unread == total
    other = _user(db, "20417")
    assert bell.mark_read(session=db, user=other, notification_id=items[1].notification_id, now=NOW) is False
    assert bell.mark_read(session=db, user=owner, notification_id=items[1].notification_id, now=NOW)
    assert bell.unread_count(session=db, user=owner) == unread - 1
    assert bell.mark_all_read(session=db, user=owner, now=NOW) == unread - 1
    assert bell.unread_count(session=db, user=owner) == 0
    # the broadcast reached the private customer too, but not the operator's bell
    assert bell.notices(session=db, user=other, limit=1)[0][0].kind is NotificationKind.BROADCAST
    assert all(
        item.kind is not NotificationKind.BROADCAST for item in bell.notices(session=db, user=operator, limit=50)[0]
    )


def test_relative_times():
    now = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
    assert i18n.relative_time(now - dt.timedelta(seconds=2), now, "it") == "2 sec fa"
    assert i18n.relative_time(now - dt.timedelta(hours=20), now, "it") == "ieri"
    assert i18n.relative_time(now - dt.timedelta(hours=20), now, "en") == "yesterday"
    assert i18n.relative_time(now - dt.timedelta(days=3), now, "it") == "3 gg fa"


def test_a_refused_e_mail_loses_neither_the_answer_nor_the_other_notices(db, demo):
    import socket

    from portal.config import settings

    with socket.socket() as probe:  # a port nobody listens on: the SMTP connection is refused
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    refusing = dataclasses.replace(
        settings.mail, backends=("smtp",), smtp_host="127.0.0.1", smtp_port=closed_port, smtp_timeout=2.0
    )
    request = db.exec(select(ServiceRequest).where(ServiceRequest.form_key == "iban_change")).one()
    mails, notes, messages = id_mark(db, MailMessage), id_mark(db, Notification), id_mark(db, RequestMessage)
    sent = tickets.service_desk_update(
        session=db,
        request=request,
        operator=_user(db, "servicedesk"),
        body="Ricevuto.",
        status=RequestStatus.IN_PROGRESS,
        now=NOW,
        public_url="http://portal.test",
    )
    assert sent == 2  # queued in the answer's transaction
    outbox = rows_after(db, MailOutbox, id_mark(db, MailOutbox) - 2)
    report = mail_sender.send_due(sessions=mail_sender.in_session(db), mail_settings=refusing)
    assert (report.sent, report.retried, report.failed) == (0, 2, 0)
    for row in outbox:  # kept, to be tried again in a minute
        db.refresh(row)
        assert (row.attempts, row.sent_at, row.next_attempt_at) == (1, None, NOW + dt.timedelta(minutes=1))
    attempts = rows_after(db, MailMessage, mails)
    owner, fleet_manager = _user(db), _user(db, "10093.1")
    assert sorted(attempt.to_address for attempt in attempts) == sorted(
        [owner.secondary_email, fleet_manager.primary_email]
    )
    assert all("Connection refused" in attempt.error and attempt.sent_at is None for attempt in attempts)
    notices = rows_after(db, Notification, notes)
    assert sorted((n.user_id, n.request_id) for n in notices) == sorted(
        [(owner.id, request.id), (fleet_manager.id, request.id)]
    )
    assert all(n.body.startswith("Ricevuto.") for n in notices)
    assert request.status is RequestStatus.IN_PROGRESS
    assert [(m.request_id, m.body) for m in rows_after(db, RequestMessage, messages)] == [(request.id, "Ricevuto.")]


def test_answers_that_are_not_text_or_hold_control_characters_are_refused(db, demo):
    """Issue 11: a crafted client may send any JSON; each answer must be text a field can take."""
    good = {"request_type": "contract_copy", "message": "Una domanda"}
    for wrong in (["x"], {"a": 1}, 12345, 1.5):
        assert _errors("other", db, {**good, "message": wrong}) == {"message": "forms.not_text"}
        assert _errors("other", db, {**good, "request_type": wrong}) == {"request_type": "forms.not_text"}
    for tricky in ("a\x00b", "a\x1b[2Jb", "fattura\u202efdp.exe", "a\u2066b\u2069", "a\ud800b"):
        assert _errors("other", db, {**good, "message": tricky}) == {"message": "forms.bad_characters"}
    # a textarea keeps its line breaks; a one-line field does not take them
    assert _errors("other", db, {**good, "message": "riga uno\r\nriga due\tfine"}) == {}
    start = (AS_OF + dt.timedelta(days=10)).isoformat()
    one_line = {"start_date": start, "new_address": "Via Roma 1\r\nBcc: spy@evil.example", "message": ""}
    assert _errors("address_change", db, one_line) == {"new_address": "forms.bad_characters"}
    # formula-looking or marked-up text is ordinary text (stored and shown as text)
    assert _errors("other", db, {**good, "message": '=HYPERLINK("http://x","y") <script>'}) == {}


def test_a_start_date_more_than_five_years_ahead_is_refused(db, demo):
    base = {"new_address": "Via Roma 1, Roma", "message": ""}
    five_years = dt.date(AS_OF.year + 5, AS_OF.month, min(AS_OF.day, 28))
    assert _errors("address_change", db, {**base, "start_date": five_years.isoformat()}) == {}
    for far in ((five_years + dt.timedelta(days=1)).isoformat(), "9999-12-31"):
        assert _errors("address_change", db, {**base, "start_date": far}) == {"start_date": "forms.date_too_far"}
