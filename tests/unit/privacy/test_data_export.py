"""The copy of the customer's own data: what the zip holds (checked against plain SQL), whose data a
sub-user gets, who may download it and until when, and the job that builds it and resumes."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import select

from portal.jobs import data_exports
from portal.models import DataExport, ExportStatus, MailMessage, Notification, UserAccount
from portal.models.enums import NotificationKind
from portal.services.privacy import export
from tests.conftest import NOW as T0
from tests.unit.conftest import id_mark, mail_mark, mails_after, rows_after


def _user(db, username: str) -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _sql(db, query: str, **params) -> list:
    return [tuple(row) for row in db.execute(sa.text(query), params).all()]


def _built(db, tmp_path, username: str, now: dt.datetime = T0) -> tuple[DataExport, zipfile.ZipFile]:
    view, created = export.request_export(session=db, user=_user(db, username), now=now)
    assert created
    export_id = export.claim_next(session=db, now=now)
    assert export_id is not None
    name = export.build(session=db, export_id=export_id, now=now, base=tmp_path)
    row = export.finish(session=db, export_id=export_id, storage_name=name, now=now, base=tmp_path)
    db.flush()
    assert row.code == view.code
    return row, zipfile.ZipFile(tmp_path / "exports" / name)


def _json(archive: zipfile.ZipFile, section: str) -> list[dict]:
    return json.loads(archive.read(f"{section}.json"))


def _csv(archive: zipfile.ZipFile, section: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(f"{section}.csv").decode())))


def test_the_main_account_gets_every_section_as_json_and_csv_matching_the_database(db, demo, tmp_path):
    row, archive = _built(db, tmp_path, "10093")
    names = sorted(archive.namelist())
    sections = [s.name for s in export.SECTIONS]
    assert names == sorted([*(f"{s}.json" for s in sections), *(f"{s}.csv" for s in sections), "manifest.json"])
    customer_id = _user(db, "10093").customer_id

    contracts = _sql(db, "select number from contract where customer_id = :c order by id", c=customer_id)
    assert [c["number"] for c in _json(archive, "contracts")] == [c[0] for c in contracts]
    assert [c["number"] for c in _csv(archive, "contracts")] == [c[0] for c in contracts]

    invoices = _sql(
        db,
        "select number, total from invoice where customer_id = :c and published_at <= :now order by id",
        c=customer_id,
        now=T0,
    )
    assert [(i["number"], Decimal(i["total"])) for i in _json(archive, "invoices")] == [
        (n, Decimal(str(t))) for n, t in invoices
    ]
    assert [(i["number"], Decimal(i["total"])) for i in _csv(archive, "invoices")] == [
        (n, Decimal(str(t))) for n, t in invoices
    ]
    payments = _sql(db, "select code, amount from payment where customer_id = :c order by id", c=customer_id)
    assert [(p["code"], Decimal(p["amount"])) for p in _json(archive, "payments")] == [
        (c, Decimal(str(a))) for c, a in payments
    ]
    [(plan_lines,)] = _sql(db, "select count(*) from schedule_line where customer_id = :c", c=customer_id)
    assert len(_json(archive, "plans")) == len(_csv(archive, "plans")) == plan_lines

    accounts = _sql(db, "select username from user_account where customer_id = :c order by id", c=customer_id)
    users = _json(archive, "users")
    assert [u["username"] for u in users] == [a[0] for a in accounts] == ["10093", "10093.1"]
    secrets_named = {"password_hash", "totp_secret", "totp_pending_secret", "totp_last_step", "failed_login_count"}
    assert not secrets_named & {key for user in users for key in user}
    assert not secrets_named & set(_csv(archive, "users")[0])
    assert users[1]["granted_contracts"] == "90317 97702"

    requests = _sql(db, "select code from service_request where customer_id = :c order by id", c=customer_id)
    assert [r["code"] for r in _json(archive, "requests")] == [r[0] for r in requests]
    [(messages,)] = _sql(
        db,
        "select count(*) from request_message m join service_request r on r.id = m.request_id where r.customer_id = :c",
        c=customer_id,
    )
    assert len(_json(archive, "messages")) == messages

    sign_ins = _sql(
        db,
        "select a.id, a.action, a.client_ip from audit_event a join user_account u on u.id = a.user_id "
        "where u.customer_id = :c and a.created_at >= :since and a.action in "
        "('login.success', 'login.failure', 'login.refused_locked', 'login.temporary_password_expired', "
        "'otp.failed') order by a.created_at, a.id",
        c=customer_id,
        since=T0 - dt.timedelta(days=365),
    )
    log = _json(archive, "access_log")
    assert [(e["id"], e["event"], e["client_ip"]) for e in log] == sign_ins
    assert len(sign_ins) >= 4  # the demo's past sign-ins
    assert {e["browser"].split(" ")[0] for e in log} >= {"Chrome", "Firefox", "Safari"}

    # each invoice's PDF and XML, and an annual statement per closed year of each contract
    documents = _json(archive, "documents")
    assert sum(1 for d in documents if d["document"].startswith("invoice.")) == 2 * sum(
        1 for i in _json(archive, "invoices") if i["kind"] == "invoice"
    )
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["scope"] == "customer" and manifest["sections"]["contracts"] == len(contracts)


def test_a_sub_user_gets_only_its_own_account_and_the_contracts_it_was_granted(db, demo, tmp_path):
    _, archive = _built(db, tmp_path, "10093.1")
    sub = _user(db, "10093.1")
    granted = _sql(
        db,
        "select c.number from sub_user_contract s join contract c on c.id = s.contract_id "
        "where s.user_id = :u order by c.id",
        u=sub.id,
    )
    assert sorted(g[0] for g in granted) == ["90317", "97702"]
    assert [c["number"] for c in _json(archive, "contracts")] == [g[0] for g in granted]
    [(others,)] = _sql(
        db,
        "select count(*) from contract where customer_id = :c and number not in ('90317', '97702')",
        c=sub.customer_id,
    )
    assert others > 0  # the customer has contracts the sub-user must not get
    invoices = _sql(
        db,
        "select i.number from invoice i join contract c on c.id = i.contract_id "
        "where c.number in ('90317', '97702') and i.published_at <= :now order by i.id",
        now=T0,
    )
    assert [i["number"] for i in _json(archive, "invoices")] == [i[0] for i in invoices]
    granted_ids = {row[0] for row in _sql(db, "select contract_id from sub_user_contract where user_id = :u", u=sub.id)}
    assert {p["contract_id"] for p in _json(archive, "payments")} <= granted_ids
    assert {line["contract_id"] for line in _json(archive, "plans")} == granted_ids
    assert [u["username"] for u in _json(archive, "users")] == ["10093.1"]
    assert all(e["user_id"] == sub.id for e in _json(archive, "access_log"))
    requests = _sql(
        db,
        "select r.code from service_request r left join contract c on c.id = r.contract_id "
        "where r.customer_id = :c and (c.number in ('90317', '97702') or r.created_by_id = :u) order by r.id",
        c=sub.customer_id,
        u=sub.id,
    )
    assert [r["code"] for r in _json(archive, "requests")] == [r[0] for r in requests]
    assert json.loads(archive.read("manifest.json"))["scope"] == "user"


def test_the_link_works_for_the_requester_only_and_until_it_expires(db, demo, tmp_path):
    row, _ = _built(db, tmp_path, "10093")
    owner, colleague, stranger = _user(db, "10093"), _user(db, "10093.1"), _user(db, "20417")
    assert row.expires_at == T0 + dt.timedelta(days=7)
    found = export.access_export(session=db, user_id=owner.id, code=row.code, now=T0, base=tmp_path)
    assert found is not None and found.path.is_file() and found.content_type == "application/zip"
    for other in (colleague, stranger):  # the same answer as for a code that does not exist
        assert export.access_export(session=db, user_id=other.id, code=row.code, now=T0, base=tmp_path) is None
    assert export.access_export(session=db, user_id=owner.id, code="no-such-code", now=T0, base=tmp_path) is None

    lapsed = T0 + dt.timedelta(days=7)
    assert export.access_export(session=db, user_id=owner.id, code=row.code, now=lapsed, base=tmp_path) is None
    assert export.expire(session=db, now=lapsed - dt.timedelta(seconds=1), base=tmp_path) == 0
    assert found.path.is_file()
    assert export.expire(session=db, now=lapsed, base=tmp_path) == 1
    db.flush()
    assert not found.path.exists()
    assert _sql(db, "select status, storage_name from data_export where id = :i", i=row.id) == [("expired", None)]


def test_a_second_ask_while_one_is_in_progress_changes_nothing(db, demo):
    user = _user(db, "10093")
    mark = id_mark(db, DataExport)
    first, created = export.request_export(session=db, user=user, now=T0)
    assert created and first.status is ExportStatus.REQUESTED
    again, created_again = export.request_export(session=db, user=user, now=T0 + dt.timedelta(minutes=1))
    assert not created_again and again == first
    assert [(r.code, r.requested_at) for r in rows_after(db, DataExport, mark)] == [(first.code, T0)]


def test_an_operator_has_no_data_of_its_own_to_export(db, demo):
    mark = id_mark(db, DataExport)
    with pytest.raises(PermissionError):
        export.request_export(session=db, user=_user(db, "servicedesk"), now=T0)
    assert rows_after(db, DataExport, mark) == []


def test_the_job_resumes_an_export_whose_builder_died_and_tells_the_requester(db, demo, tmp_path, monkeypatch):
    user = _user(db, "10093")
    view, _ = export.request_export(session=db, user=user, now=T0)
    # a builder claims it, then its process dies: nothing else may take it until the claim lapses
    export_id = export.claim_next(session=db, now=T0)
    assert export.claim_next(session=db, now=T0 + dt.timedelta(minutes=9)) is None

    later = T0 + export.CLAIM_TIMEOUT + dt.timedelta(minutes=1)

    @contextlib.contextmanager
    def same_session():
        yield db
        db.flush()

    monkeypatch.setattr(data_exports, "session_scope", same_session)
    monkeypatch.setattr(data_exports.clock, "now", lambda: later)
    notices, mails = id_mark(db, Notification), mail_mark(db)
    report = data_exports.run(base=tmp_path)
    assert report == data_exports.Report(built=1, failed=0, expired=0)
    row = db.get(DataExport, export_id)
    assert row is not None and row.code == view.code
    assert (row.status, row.attempts, row.ready_at, row.claimed_at) == (ExportStatus.READY, 2, later, None)
    assert (tmp_path / "exports" / str(row.storage_name)).is_file()
    [notice] = rows_after(db, Notification, notices)
    assert (notice.kind, notice.user_id, notice.title) == (
        NotificationKind.DATA_EXPORT,
        user.id,
        "I tuoi dati sono pronti",
    )
    [mail] = mails_after(db, mails)
    assert isinstance(mail, MailMessage)
    assert mail.to_address == user.primary_email
    assert f"/api/miei-dati/{row.code}.zip" in mail.body_text
    # nothing waits any more: a second round builds nothing
    assert data_exports.run(base=tmp_path) == data_exports.Report()


def test_a_build_that_keeps_failing_is_given_up_after_three_attempts(db, demo, tmp_path, monkeypatch):
    export.request_export(session=db, user=_user(db, "10093"), now=T0)

    @contextlib.contextmanager
    def same_session():
        yield db
        db.flush()

    def broken(ctx):
        raise OSError("disk full")

    monkeypatch.setattr(data_exports, "session_scope", same_session)
    monkeypatch.setattr(data_exports.clock, "now", lambda: T0)
    monkeypatch.setattr(export, "SECTIONS", [export.Section("profile", broken)])
    report = data_exports.run(base=tmp_path)
    assert report.built == 0 and report.failed == 3
    assert _sql(db, "select status, attempts, error from data_export where user_id = :u", u=_user(db, "10093").id) == [
        ("failed", 3, "OSError")
    ]
    assert list((tmp_path / "exports").iterdir()) == []


def test_the_notifications_are_those_the_users_bell_shows(db, demo, tmp_path):
    user = _user(db, "10093")
    _, archive = _built(db, tmp_path, "10093")
    expected = _sql(
        db,
        "select n.id from notification n where (n.user_id = :u or (n.user_id is null and n.kind = 'broadcast' "
        "and n.tenant_id = :t)) order by n.created_at, n.id",
        u=user.id,
        t=user.tenant_id,
    )
    assert [n["id"] for n in _json(archive, "notifications")] == [row[0] for row in expected]
    assert len(expected) > 0
