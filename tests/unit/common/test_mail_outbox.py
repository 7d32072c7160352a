"""Issue 11, finding 8: the outbox sender (after the commit, with retries) and header values that
a CR/LF can neither break nor extend."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from portal.config import settings
from portal.models import MailMessage, ServiceRequest, UserAccount
from portal.models.enums import RequestStatus
from portal.models.mail import MailOutbox
from portal.services.common import mail, mail_sender
from portal.services.requests import tickets
from tests.conftest import NOW
from tests.unit.conftest import id_mark, rows_after


class Collector:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.extend(envelope.rcpt_tos)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    collector, port = Collector(), _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector, dataclasses.replace(settings.mail, backends=("smtp",), smtp_host="127.0.0.1", smtp_port=port)
    controller.stop()


def _user(db, username) -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def test_a_cr_lf_in_a_request_title_neither_raises_nor_adds_a_header(db, demo, smtp_server):
    collector, smtp = smtp_server
    author = _user(db, "10093")
    request = tickets.open_request(
        session=db,
        author=author,
        customer_id=author.customer_id,
        form_key="other",
        title="Guasto\r\nBcc: victim@evil.example\r\nX-Injected: 1",
        message="",
        now=NOW,
    )
    queued = id_mark(db, MailOutbox)
    tickets.service_desk_update(
        session=db,
        request=request,
        operator=_user(db, "servicedesk"),
        body="Preso in carico.",
        status=RequestStatus.IN_PROGRESS,
        now=NOW,
        public_url="http://portal.test",
    )
    outbox = rows_after(db, MailOutbox, queued)
    assert outbox and all("\r" not in row.subject and "\n" not in row.subject for row in outbox)
    report = mail_sender.send_due(sessions=mail_sender.in_session(db), mail_settings=smtp)
    assert (report.sent, report.retried, report.failed) == (len(outbox), 0, 0)
    assert "victim@evil.example" not in collector.recipients
    assert sorted(collector.recipients) == sorted(row.to_address for row in outbox)
    for message in collector.messages:
        assert message["Subject"] == f"{request.code} – Guasto Bcc: victim@evil.example X-Injected: 1"
        assert message["Bcc"] is None and message["X-Injected"] is None


def test_header_values_lose_every_line_break():
    assert mail.header_value("a\r\nb\x00c\u2028d\x85e") == "a b c d e"
    assert mail.header_address("laura@example.it\r\nBcc: x@evil.example") == ""
    assert mail.header_address(" laura@example.it ") == "laura@example.it"
    message = mail.build_message(
        mail.OutgoingMail(kind="t", to="a@b.it\nCc: c@d.it", subject="S\nX-A: 1", text="x"), "x@y.it"
    )
    assert message["Subject"] == "S X-A: 1" and message["Cc"] is None and message["To"] == ""


def _queue(db, to="laura@example.it") -> MailOutbox:
    row = mail.enqueue(session=db, mail=mail.OutgoingMail(kind="test", to=to, subject="S", text="codice 123456"))
    db.flush()
    return row


def test_a_refused_mail_is_retried_with_backoff_then_given_up(db, demo):
    closed = dataclasses.replace(settings.mail, backends=("smtp",), smtp_host="127.0.0.1", smtp_port=_free_port())
    row = _queue(db)
    mails = id_mark(db, MailMessage)
    moment = NOW
    waits = []
    for attempt in range(1, mail_sender.MAX_ATTEMPTS + 1):
        report = mail_sender.send_due(
            sessions=mail_sender.in_session(db), mail_settings=closed, now=lambda at=moment: at
        )
        db.refresh(row)
        assert row.attempts == attempt
        if attempt < mail_sender.MAX_ATTEMPTS:
            assert (report.retried, row.failed_at, row.body_text) == (1, None, "codice 123456")
            # not due before its time
            early = mail_sender.send_due(
                sessions=mail_sender.in_session(db),
                mail_settings=closed,
                now=lambda: row.next_attempt_at - dt.timedelta(seconds=1),
            )
            assert (early.sent, early.retried, early.failed) == (0, 0, 0)
            waits.append(row.next_attempt_at - moment)
            moment = row.next_attempt_at
        else:
            assert (report.failed, row.failed_at, row.body_text, row.sent_at) == (1, moment, None, None)
    assert waits == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=2),
        dt.timedelta(hours=6),
    ]
    log = rows_after(db, MailMessage, mails)
    assert len(log) == mail_sender.MAX_ATTEMPTS and all(entry.error and entry.body_text is None for entry in log)
    # given up: no further attempt, ever
    later = mail_sender.send_due(
        sessions=mail_sender.in_session(db), mail_settings=closed, now=lambda: moment + dt.timedelta(days=30)
    )
    assert (later.sent, later.retried, later.failed) == (0, 0, 0)


def test_a_mail_taken_by_one_sender_is_not_sent_by_another(db, demo, smtp_server):
    collector, smtp = smtp_server
    row = _queue(db)
    assert mail_sender._claim(db, row.id, NOW, "sender:first") is not None
    assert mail_sender._claim(db, row.id, NOW, "sender:second") is None  # a second sender, meanwhile
    report = mail_sender.send_due(sessions=mail_sender.in_session(db), mail_settings=smtp)
    assert report.sent == 0 and collector.messages == []
    # the first sender died while sending: after CLAIM_FOR another one sends it, once
    later = NOW + mail_sender.CLAIM_FOR + dt.timedelta(seconds=1)
    report = mail_sender.send_due(sessions=mail_sender.in_session(db), mail_settings=smtp, now=lambda: later)
    db.refresh(row)
    assert report.sent == 1 and len(collector.messages) == 1
    assert (row.sent_at, row.body_text, row.attempts) == (later, None, 1)


def test_sent_mail_keeps_no_body_outside_the_demo_outbox(db, demo, smtp_server):
    _collector, smtp = smtp_server
    row, mails = _queue(db), id_mark(db, MailMessage)
    assert mail_sender.send_due(sessions=mail_sender.in_session(db), mail_settings=smtp).sent == 1
    db.refresh(row)
    assert row.body_text is None and row.body_html is None
    assert [(m.to_address, m.body_text, m.sent_at) for m in rows_after(db, MailMessage, mails)] == [
        ("laura@example.it", None, NOW)
    ]


def test_nothing_queued_by_a_rolled_back_request(db, demo):
    queued = id_mark(db, MailOutbox)
    db.commit()
    request = db.exec(select(ServiceRequest).where(ServiceRequest.form_key == "iban_change")).one()
    tickets.service_desk_update(
        session=db,
        request=request,
        operator=_user(db, "servicedesk"),
        body="Ricevuto.",
        status=None,
        now=NOW,
        public_url="http://portal.test",
    )
    assert len(rows_after(db, MailOutbox, queued)) == 2
    db.rollback()
    assert rows_after(db, MailOutbox, queued) == []


def test_smtp_never_talks_while_a_session_is_open(db, demo, monkeypatch):
    open_sessions = []
    inner = mail_sender.in_session(db)

    class Counted:
        def __enter__(self):
            open_sessions.append(1)
            self._scope = inner()
            return self._scope.__enter__()

        def __exit__(self, *exc):
            open_sessions.pop()
            return self._scope.__exit__(*exc)

    seen = []
    monkeypatch.setattr(mail, "send_smtp", lambda message, settings: seen.append((message["To"], len(open_sessions))))
    _queue(db, to="uno@example.it")
    _queue(db, to="due@example.it")
    smtp = dataclasses.replace(settings.mail, backends=("smtp",))
    assert mail_sender.send_due(sessions=Counted, mail_settings=smtp).sent == 2
    assert seen == [("uno@example.it", 0), ("due@example.it", 0)]


def test_a_job_run_again_takes_its_own_claim_back_at_once(db, demo, smtp_server):
    """The job whose worker died mid-send is run again under the same id: it sends the mail now,
    while any other sender still waits for the claim to expire."""
    collector, smtp = smtp_server
    row = _queue(db)
    assert mail_sender._claim(db, row.id, NOW, "job:7") is not None  # the worker dies here
    assert mail_sender.send_one(row.id, owner="job:8", sessions=mail_sender.in_session(db), mail_settings=smtp) is None
    assert collector.messages == []
    result = mail_sender.send_one(row.id, owner="job:7", sessions=mail_sender.in_session(db), mail_settings=smtp)
    db.refresh(row)
    assert result == "sent" and len(collector.messages) == 1
    assert (row.sent_at, row.attempts, row.claimed_by, row.claimed_until) == (NOW, 1, None, None)
    # done: neither the same job nor anyone else sends it again
    assert mail_sender.send_one(row.id, owner="job:7", sessions=mail_sender.in_session(db), mail_settings=smtp) is None
    assert len(collector.messages) == 1


def test_a_drain_run_again_sends_the_mail_it_held(db, demo, smtp_server):
    """The minute's drain job took the mail and its worker died: run again, it sends it at once."""
    collector, smtp = smtp_server
    row = _queue(db)
    assert mail_sender._claim(db, row.id, NOW, "job:9") is not None
    others = mail_sender.send_due(sessions=mail_sender.in_session(db), mail_settings=smtp, owner="job:10")
    assert (others.sent, collector.messages) == (0, [])
    again = mail_sender.send_due(sessions=mail_sender.in_session(db), mail_settings=smtp, owner="job:9")
    db.refresh(row)
    assert again.sent == 1 and len(collector.messages) == 1 and row.sent_at == NOW
