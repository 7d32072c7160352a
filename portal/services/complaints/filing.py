"""Writing complaints: filing one (with its files and the acknowledgement that names the date
by which the company must answer) and the desk's answer (text and outcome), each telling the
customer by bell and e-mail in the same transaction; and the yearly figures as a CSV file."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import os
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from portal import i18n, routes
from portal.models import Complaint, ComplaintAttachment, Notification, UserAccount
from portal.models.enums import ComplaintOutcome, NotificationKind, UserRole
from portal.services.access.scope import Scope
from portal.services.common import audit, downloads, mail, mail_templates
from portal.services.complaints.queries import YearFigures, due_date
from portal.services.requests import attachments as files
from portal.services.requests.queries import contract_id_in_scope, person_name

SUBJECT_MAX = 200
BODY_MAX = 5000
ANSWER_MAX = 5000
MAX_FILES = 5


class ComplaintRefused(ValueError):
    """A complaint or answer that cannot be stored; `key` is the catalogue key saying why."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def complaint_code(year: int, sequence: int) -> str:
    return f"REC-{year}-{sequence:06d}"


def _tell(
    session: Session, complaint: Complaint, user: UserAccount, *, text: str, now: dt.datetime, public_url: str
) -> None:
    """The bell notice and the e-mail (secondary address, else primary) to one of the customer's accounts."""
    lang = user.language.value
    session.add(
        Notification(
            tenant_id=complaint.tenant_id,
            kind=NotificationKind.COMPLAINT,
            user_id=user.id,
            title=f"{complaint.code} – {complaint.subject}"[:200],
            body=text[:2000],
            created_at=now,
        )
    )
    recipient = mail_templates.recipient_of(
        session=session, user=user, to=user.secondary_email or user.primary_email, name=person_name(user)
    )
    status = i18n.translate(lang, "complaints.status.answered" if complaint.answered_on else "complaints.status.open")
    update = mail_templates.request_update(
        recipient,
        code=complaint.code,
        title=complaint.subject,
        status=status,
        text=text,
        link=f"{public_url}{routes.complaint_url(complaint.code)}",
    )
    mail.enqueue(session=session, mail=dataclasses.replace(update, kind="complaint"))


def file_complaint(
    *,
    session: Session,
    author: UserAccount,
    scope: Scope,
    subject: str,
    body: str,
    contract_number: str,
    now: dt.datetime,
    today: dt.date,
    public_url: str,
    staged: Sequence[files.StagedFile] = (),
) -> Complaint:
    """Store a complaint received today, due in 60 days, with its files; acknowledge it to its
    author. A contract must be one the author may read (ComplaintRefused otherwise)."""
    subject, body = subject.strip(), body.strip()
    if not subject:
        raise ComplaintRefused("complaints.subject_required")
    if not body:
        raise ComplaintRefused("complaints.text_required")
    if len(subject) > SUBJECT_MAX or len(body) > BODY_MAX:
        raise ComplaintRefused("complaints.too_long")
    if len(staged) > MAX_FILES:
        raise ComplaintRefused("complaints.too_many_files")
    contract_id = None
    if contract_number:
        contract_id = contract_id_in_scope(session=session, scope=scope, number=contract_number)
        if contract_id is None:
            raise ComplaintRefused("complaints.contract_unknown")
    complaint = Complaint(
        tenant_id=author.tenant_id,
        customer_id=scope.customer_id,
        created_by_id=author.id,
        code=f"TMP-{secrets.token_hex(6)}",
        subject=subject,
        body=body,
        contract_id=contract_id,
        received_on=today,
        due_on=due_date(today),
        created_at=now,
    )
    session.add(complaint)
    session.flush()
    complaint.code = complaint_code(today.year, complaint.id)
    session.add_all(
        ComplaintAttachment(
            complaint_id=complaint.id,
            storage_key=item.storage_key,
            display_name=item.display_name,
            content_type=item.content_type,
            size_bytes=item.size_bytes,
            sha256=item.sha256,
            uploaded_by_id=author.id,
            created_at=now,
        )
        for item in staged
    )
    session.flush()
    files.keep_after_commit(session=session, staged=staged)
    lang = author.language.value
    text = i18n.translate(lang, "complaints.ack_body", code=complaint.code, due=i18n.long_date(complaint.due_on, lang))
    _tell(session, complaint, author, text=text, now=now, public_url=public_url)
    audit.record(
        session=session,
        action="complaint.filed",
        tenant_id=complaint.tenant_id,
        user_id=author.id,
        customer_id=complaint.customer_id,
        code=complaint.code,
    )
    return complaint


def answer_complaint(
    *,
    session: Session,
    complaint: Complaint,
    operator: UserAccount,
    answer: str,
    outcome: ComplaintOutcome | None,
    now: dt.datetime,
    today: dt.date,
    public_url: str,
) -> None:
    """The company's answer (text and outcome), once; the complaint's author is told by bell and e-mail."""
    if operator.role is not UserRole.OPERATOR or operator.tenant_id != complaint.tenant_id:
        raise PermissionError("only the company's operators answer its complaints")
    if complaint.answered_on is not None:
        raise ComplaintRefused("complaints.already_answered")
    answer = answer.strip()
    if not answer:
        raise ComplaintRefused("complaints.answer_required")
    if len(answer) > ANSWER_MAX:
        raise ComplaintRefused("complaints.too_long")
    if outcome is None:
        raise ComplaintRefused("complaints.outcome_required")
    complaint.answer = answer
    complaint.outcome = outcome
    complaint.answered_on = today
    complaint.answered_by_id = operator.id
    session.add(complaint)
    author = session.get(UserAccount, complaint.created_by_id)
    if author is not None and author.is_active:
        lang = author.language.value
        text = i18n.translate(
            lang,
            "complaints.answered_body",
            code=complaint.code,
            outcome=i18n.translate(lang, f"complaints.outcome.{outcome.value}"),
        )
        _tell(session, complaint, author, text=text, now=now, public_url=public_url)
    audit.record(
        session=session,
        action="complaint.answered",
        tenant_id=complaint.tenant_id,
        user_id=operator.id,
        customer_id=complaint.customer_id,
        code=complaint.code,
        outcome=outcome.value,
    )


CSV_COLUMNS = (
    "year",
    "received",
    "answered",
    "answered_in_time",
    "answered_late",
    "still_open",
    "accepted",
    "partially_accepted",
    "rejected",
)


def write_figures_csv(figures: YearFigures, *, lang: str, path: Path) -> str:
    """The year's figures as a CSV file (a header row in `lang`, one row of counts); its file name."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([i18n.translate(lang, f"complaints.csv.{name}") for name in CSV_COLUMNS])
        writer.writerow([getattr(figures, name) for name in CSV_COLUMNS])
    return f"reclami-{figures.year}.csv"


def attachment_ticket(*, session: Session, attachment: ComplaintAttachment, user_id: int, now: dt.datetime) -> str:
    """A download ticket for a complaint's file (already checked with access_complaint_attachment):
    the stored file is linked (or copied) into the exports folder, which the ticket serves once."""
    storage_name = downloads.new_storage_name("")
    source, target = files.path_of(attachment.storage_key), downloads.exports_dir() / storage_name
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return downloads.issue_ticket(
        session=session,
        user_id=user_id,
        storage_name=storage_name,
        filename=attachment.display_name,
        content_type=attachment.content_type,
        now=now,
    )
