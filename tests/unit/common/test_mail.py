"""Mail through a real SMTP server on loopback (aiosmtpd), and the demo outbox."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from portal.config import settings
from portal.models import MailMessage, Tenant
from portal.services.common import clock, mail, mail_sender, mail_templates
from tests.unit.conftest import id_mark, rows_after


class Collector:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector, port
    controller.stop()


def _send(db, outgoing: mail.OutgoingMail, mail_settings) -> mail_sender.SendReport:
    """Queue `outgoing` as the services do, then run the sender as the app does after the commit."""
    mail.enqueue(session=db, mail=outgoing)
    return mail_sender.send_due(sessions=mail_sender.in_session(db), mail_settings=mail_settings)


def _tenant(db) -> Tenant:
    return db.exec(select(Tenant).where(Tenant.slug == "aurora")).one()


def test_smtp_delivery_is_bilingual_and_branded(db, demo, smtp_server):
    collector, port = smtp_server
    smtp = dataclasses.replace(settings.mail, backends=("smtp",), smtp_host="127.0.0.1", smtp_port=port)
    tenant = _tenant(db)
    mails = id_mark(db, MailMessage)
    for lang in ("it", "en"):
        outgoing = mail_templates.login_code(
            mail_templates.Recipient(tenant=tenant, lang=lang, to="laura@pec.example.it", name="Laura Conti"),
            code="123456",
            minutes=5,
        )
        assert _send(db, outgoing, smtp).sent == 1
    assert len(collector.messages) == 2
    italian, english = collector.messages
    assert italian["Subject"] == "Aurora Leasing – Codice di accesso"
    assert english["Subject"] == "Aurora Leasing – Sign-in code"
    assert "Aurora Leasing" in italian["From"] and italian["To"] == "laura@pec.example.it"
    text = italian.get_body(("plain",)).get_content()
    assert "123456" in text and "Gentile Laura Conti" in text and tenant.legal_footer in text
    assert tenant.primary_color in italian.get_body(("html",)).get_content()
    assert "Dear Laura Conti" in english.get_body(("plain",)).get_content()
    # real mail leaves a trace but not its body
    rows = rows_after(db, MailMessage, mails)
    assert [(row.kind, row.to_address) for row in rows] == [("login_code", "laura@pec.example.it")] * 2
    assert all(row.body_text is None and row.sent_at == clock.now() and row.error is None for row in rows)


def test_outbox_keeps_the_body_for_the_demo_mailbox(db, demo):
    outbox_only = dataclasses.replace(settings.mail, backends=("outbox",))
    _send(db, mail.OutgoingMail(kind="test", to="a@b.it", subject="S", text="body 42"), outbox_only)
    rows, total = mail.outbox(session=db, address="a@b.it")
    assert [row.body_text for row in rows] == ["body 42"] and total == 1


def test_smtp_failure_is_reported_and_recorded(db, demo):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    smtp = dataclasses.replace(settings.mail, backends=("smtp",), smtp_port=closed_port, smtp_timeout=2)
    mails = id_mark(db, MailMessage)
    report = _send(db, mail.OutgoingMail(kind="test", to="a@b.it", subject="S", text="x"), smtp)
    assert (report.sent, report.retried) == (0, 1)  # kept in the outbox for the next attempt
    [row] = rows_after(db, MailMessage, mails)
    assert (row.kind, row.to_address, row.sent_at) == ("test", "a@b.it", None)
    assert "Connection refused" in row.error


def test_smtp_credentials_are_used(db, demo):
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"portal" and auth_data.password == b"s3cret")

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    collector = Collector()
    controller = Controller(
        collector, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        good = dataclasses.replace(
            settings.mail, backends=("smtp",), smtp_port=port, smtp_username="portal", smtp_password="s3cret"
        )
        assert _send(db, mail.OutgoingMail(kind="test", to="a@b.it", subject="S", text="x"), good).sent == 1
        bad = dataclasses.replace(good, smtp_password="wrong")
        report = _send(db, mail.OutgoingMail(kind="test", to="b@b.it", subject="S", text="x"), bad)
        assert (report.sent, report.retried) == (0, 1)
    finally:
        controller.stop()
    assert len(collector.messages) == 1
    assert seen[0] == (b"portal", b"s3cret")
