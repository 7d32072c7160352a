"""What the app's background sender does after a commit, run where a test needs it: unit and state
tests run no lifespan task, so before they read what was mailed they send what the outbox holds."""

from __future__ import annotations

from sqlmodel import Session

from portal.services.common import mail_sender


def send_queued(db: Session | None = None) -> mail_sender.SendReport:
    """Send the due outbox mail: inside the test's own (rolled back) session when given, else through
    the app's sessions, as portal.jobs.mail does."""
    if db is None:
        return mail_sender.send_due()
    db.flush()
    return mail_sender.send_due(sessions=mail_sender.in_session(db))
