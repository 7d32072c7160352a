"""The accessibility statement's feedback form: checks, the e-mail to the accessibility contact,
the rate limit."""

from __future__ import annotations

from sqlmodel import select

from portal.models import AuditEvent, MailMessage
from portal.services.common.branding import PROJECT_ROOT, load_branding_file
from portal.services.guide.feedback import Feedback, feedback_problems, send_feedback
from tests.conftest import NOW
from tests.unit.conftest import id_mark, mail_mark, mails_after

CONTACT = "accessibilita@aurora-leasing.example"  # tenants/aurora.toml
REPORT = {
    "name": "Maria Rossi",
    "email": "maria.rossi@example.org",
    "page": "Fatture e pagamenti",
    "description": "Il filtro per data non si usa con la tastiera.",
}


def _send(db, client_ip="10.0.0.1", **changes):
    return send_feedback(
        session=db, tenant_slug="aurora", lang="en", now=NOW, client_ip=client_ip, **{**REPORT, **changes}
    )


def test_problems_by_field():
    assert feedback_problems(**REPORT) == {}
    assert feedback_problems(**{**REPORT, "name": "", "page": ""}) == {}
    assert feedback_problems(name="x" * 121, email="maria@", page="p" * 301, description=" ") == {
        "name": "accessibility.name_too_long",
        "email": "identity.email_invalid",
        "page": "accessibility.page_too_long",
        "description": "accessibility.description_required",
    }
    assert feedback_problems(**{**REPORT, "email": "", "description": "corto"}) == {
        "email": "identity.email_required",
        "description": "accessibility.description_short",
    }
    assert feedback_problems(**{**REPORT, "description": "a" * 4001}) == {
        "description": "accessibility.description_too_long"
    }


def test_a_report_is_mailed_to_the_accessibility_contact(db, demo):
    mark = mail_mark(db)
    events = id_mark(db, AuditEvent)
    assert _send(db) is Feedback.SENT
    [message] = mails_after(db, mark)
    assert message.body_text is not None
    assert (message.to_address, message.kind) == (CONTACT, "accessibility_feedback")
    assert message.subject == "Aurora Leasing – Segnalazione di accessibilità"
    assert "Da: Maria Rossi <maria.rossi@example.org>" in message.body_text
    assert "Pagina o funzione: Fatture e pagamenti" in message.body_text
    assert "Lingua dell'utente: English" in message.body_text
    assert "Il filtro per data non si usa con la tastiera." in message.body_text
    [event] = db.exec(select(AuditEvent).where(AuditEvent.id > events)).all()
    assert (event.action, event.tenant_id) == ("accessibility.feedback_sent", demo.id)


def test_without_name_and_page(db, demo):
    mark = mail_mark(db)
    assert _send(db, name="", page="") is Feedback.SENT
    [message] = mails_after(db, mark)
    assert message.body_text is not None
    assert "Da: (non indicato) <maria.rossi@example.org>" in message.body_text
    assert "Pagina o funzione: (non indicato)" in message.body_text


def test_the_limit_per_address_and_per_client_sends_nothing_more(db, demo):
    mark = mail_mark(db)
    assert [_send(db, client_ip=f"10.0.0.{n}") for n in range(3)] == [Feedback.SENT] * 3
    # A fourth report from the same address in the hour: refused, whatever the client.
    assert _send(db, client_ip="10.0.0.9") is Feedback.THROTTLED
    # Five reports from one client in the hour, whatever the address; the sixth is refused.
    assert [_send(db, client_ip="10.0.1.1", email=f"u{n}@example.org") for n in range(5)] == [Feedback.SENT] * 5
    assert _send(db, client_ip="10.0.1.1", email="u9@example.org") is Feedback.THROTTLED
    assert len(mails_after(db, mark, MailMessage.kind == "accessibility_feedback")) == 8


def test_the_contact_defaults_to_the_support_address(tmp_path):
    source = (PROJECT_ROOT / "tenants" / "aurora.toml").read_text(encoding="utf-8")
    lines = [line for line in source.splitlines() if not line.startswith("accessibility_email")]
    path = tmp_path / "other.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert load_branding_file(path).accessibility_email == "servizioclienti@aurora-leasing.example"
    assert load_branding_file(PROJECT_ROOT / "tenants" / "aurora.toml").accessibility_email == CONTACT
