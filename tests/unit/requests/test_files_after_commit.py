"""Issue 11, finding 8: a request's files reach storage only once its transaction has committed,
its mail is queued in that same transaction, and the sweep repairs a move cut short by a crash."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from portal.forms import registry
from portal.models import (
    AuditEvent,
    MailMessage,
    RequestAttachment,
    RequestContact,
    RequestMessage,
    RequestStatusChange,
    ServiceRequest,
    UserAccount,
)
from portal.models.mail import MailOutbox
from portal.models.outbound import OutboundSequence, RequestEvent
from portal.services.access.scope import scope_of
from portal.services.requests import attachments as files
from portal.services.requests import tickets
from tests.conftest import AS_OF, NOW
from tests.unit.conftest import id_mark, rows_after

IBAN_ANSWERS = {
    "contract": "90317",
    "new_iban": "IT40S0542811101000000123456",
    "foreign_iban": "",
    "start_date": "2030-01-01",
    "message": "Nuovo conto aziendale",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    return tmp_path


def _user(db, username="10093") -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _names(folder) -> set[str]:
    return {path.name for path in folder.iterdir()}


def _open(db, staged, title="Guasto"):
    user = _user(db)
    return tickets.open_request(
        session=db,
        author=user,
        customer_id=user.customer_id,
        form_key="machine_ticket",
        title=title,
        message="Non parte",
        now=NOW,
        staged=staged,
    )


def test_files_reach_storage_only_after_the_commit(db, demo, folders):
    staged = [files.stage(chunks=[PNG], display_name=f"foto{i}.png", kinds=("image",)) for i in range(2)]
    keys = {item.storage_key for item in staged}
    audits = id_mark(db, AuditEvent)
    request = _open(db, staged)
    try:
        # rows written, transaction still open: the files are still staged, nothing in storage
        assert _names(files.staging(folders)) == keys and _names(files.stored(folders)) == set()
        db.commit()  # on SQLite this really commits: the request is removed again below
        assert _names(files.staging(folders)) == set() and _names(files.stored(folders)) == keys
        rows = db.exec(select(RequestAttachment).where(RequestAttachment.request_id == request.id)).all()
        assert {row.storage_key for row in rows} == keys
        assert all(files.path_of(row.storage_key, folders).read_bytes() == PNG for row in rows)
    finally:
        _remove_request(db, request.id, audits)


def _remove_request(db, request_id: int, audits: int) -> None:
    """The test's own request, out of the shared test database again."""
    for model in (RequestAttachment, RequestMessage, RequestStatusChange, RequestContact):
        db.execute(sa.delete(model).where(model.request_id == request_id))
    db.execute(sa.delete(AuditEvent).where(col(AuditEvent.id) > audits))
    # its events too, and the company's event numbers back to the last one left
    db.execute(sa.delete(RequestEvent).where(col(RequestEvent.request_id) == request_id))
    db.execute(
        sa.update(OutboundSequence).values(
            last_seq=sa.select(sa.func.coalesce(sa.func.max(RequestEvent.seq), 0))
            .where(RequestEvent.tenant_id == OutboundSequence.tenant_id)
            .scalar_subquery()
        )
    )
    db.execute(sa.delete(ServiceRequest).where(col(ServiceRequest.id) == request_id))
    db.commit()


def test_a_failed_transaction_leaves_no_row_no_stored_file_and_no_mail(db, demo, folders):
    staged = files.stage(chunks=[PNG], display_name="foto.png", kinds=("image",))
    author = _user(db)
    requests, mails, queued = id_mark(db, ServiceRequest), id_mark(db, MailMessage), id_mark(db, MailOutbox)
    db.commit()  # the marks' own reads; the failure below undoes only the request's transaction
    tickets.open_from_form(
        session=db,
        author_id=author.id,
        scope=scope_of(session=db, user=author),
        definition=registry()["iban_change"],
        values=IBAN_ANSWERS,
        lang="it",
        today=AS_OF,
        now=NOW,
        public_url="http://portal.test",
        staged=[staged],
    )
    db.rollback()  # whatever failed before the commit
    assert rows_after(db, ServiceRequest, requests) == []
    assert rows_after(db, MailMessage, mails) == [] and rows_after(db, MailOutbox, queued) == []
    assert _names(files.stored(folders)) == set()  # no orphan in storage
    assert _names(files.staging(folders)) == {staged.storage_key}  # still the form's, to send again
    db.commit()  # a later commit on the same session moves nothing of the undone request
    assert _names(files.stored(folders)) == set()


def test_the_request_and_its_mail_are_one_transaction(db, demo, folders):
    author = _user(db)
    queued, mails = id_mark(db, MailOutbox), id_mark(db, MailMessage)
    request = tickets.open_from_form(
        session=db,
        author_id=author.id,
        scope=scope_of(session=db, user=author),
        definition=registry()["iban_change"],
        values=IBAN_ANSWERS,
        lang="it",
        today=AS_OF,
        now=NOW,
        public_url="http://portal.test",
    )
    # nothing was sent while the transaction was open; the acknowledgement waits in the outbox
    assert rows_after(db, MailMessage, mails) == []
    outbox = rows_after(db, MailOutbox, queued)
    assert [(row.to_address, row.kind, row.sent_at) for row in outbox] == [
        ("laura.conti@valverde-demo.it", "request_update", None)
    ]
    assert outbox[0].subject.startswith(f"{request.code} – ") and request.code in (outbox[0].body_text or "")


def test_the_sweep_finishes_a_cut_move_and_removes_orphans(db, demo, folders):
    import os
    import time

    committed = files.stage(chunks=[PNG], display_name="kept.png", kinds=("image",))
    abandoned = files.stage(chunks=[PNG], display_name="old.png", kinds=("image",))
    waiting = files.stage(chunks=[PNG], display_name="new.png", kinds=("image",))
    _open(db, [committed])
    db.flush()  # the row exists; the process "died" before moving the file
    orphan = files.stored(folders) / "deadbeef00"
    orphan.write_bytes(b"left by an old crash")
    day_old = time.time() - files.STAGING_TTL.total_seconds() - 60
    os.utime(files.staging(folders) / abandoned.storage_key, (day_old, day_old))
    report = files.sweep(session=db, base=folders)
    assert (report.finished, report.orphans, report.abandoned) == (1, 1, 1)
    assert _names(files.stored(folders)) == {committed.storage_key}
    assert _names(files.staging(folders)) == {waiting.storage_key}
    # the form still listing the committed file can neither send it again nor throw it away
    assert files.unclaimed(session=db, staged=[committed, waiting], base=folders) == [waiting]


def test_a_read_finishes_a_move_cut_short(db, demo, folders):
    staged = files.stage(chunks=[PNG], display_name="kept.png", kinds=("image",))
    _open(db, [staged])
    db.flush()  # the row exists, the file is still staged (the move waits for a commit)
    assert _names(files.stored(folders)) == set()
    assert files.path_of(staged.storage_key, folders).read_bytes() == PNG
    assert _names(files.staging(folders)) == set()
