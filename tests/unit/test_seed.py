"""The demo data set: the customers, contracts and documents the issue asks for, all consistent."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import sqlalchemy as sa
from sqlmodel import col, select
from stdnum.it import codicefiscale, iva

from portal.models import Contract, Customer, Invoice, LeasedAsset, Payment, ScheduleLine, UserAccount
from portal.models.enums import ContractStatus, CustomerKind, DocumentKind, ScheduleLineKind, UserRole
from tests.conftest import AS_OF


def _contract(db, number):
    return db.exec(select(Contract).where(Contract.number == number)).one()


def test_demo_company_customer(db, demo):
    company = db.exec(select(Customer).where(Customer.code == "10093")).one()
    assert company.kind is CustomerKind.COMPANY
    assert company.denominazione.endswith("S.r.l.")
    assert iva.is_valid(company.partita_iva)
    assert iva.is_valid(company.codice_fiscale)  # a company's codice fiscale is its 11 digits
    assert company.pec == "odontoiatrica.valverde@pec.valverde-demo.it"
    person = db.exec(select(Customer).where(Customer.kind == CustomerKind.PERSON)).one()
    assert codicefiscale.is_valid(person.codice_fiscale)


def test_demo_users(db, demo):
    users = {user.username: user for user in db.exec(select(UserAccount)).all()}
    assert users["10093"].role is UserRole.CUSTOMER
    assert users["10093.1"].role is UserRole.SUB_USER and users["10093.1"].parent_id == users["10093"].id
    assert any(user.role is UserRole.OPERATOR and user.customer_id is None for user in users.values())
    assert all(user.password_hash.startswith("$argon2id$") for user in users.values())


def test_demo_contracts(db, demo):
    dental = _contract(db, "84963")
    assert db.exec(select(LeasedAsset).where(LeasedAsset.contract_id == dental.id)).all().__len__() == 5
    van = _contract(db, "90317")
    assert van.product == "Leasing targato" and van.reference_rate == "EURIBOR_3M"
    adjustments = db.exec(
        select(ScheduleLine).where(ScheduleLine.contract_id == van.id, ScheduleLine.kind == ScheduleLineKind.INDEXATION)
    ).all()
    assert len(adjustments) >= 10 and all(row.index_rate is not None for row in adjustments)
    statuses = set(db.exec(select(Contract.status)).all())
    assert statuses == {ContractStatus.ACTIVE, ContractStatus.EXTINGUISHED}


def test_every_plan_reconciles(db, demo):
    for contract in db.exec(select(Contract)).all():
        rows = db.exec(
            select(ScheduleLine).where(ScheduleLine.contract_id == contract.id).order_by(col(ScheduleLine.position))
        ).all()
        assert sum(row.principal for row in rows) == contract.amount, contract.number
        last_instalment = [row for row in rows if row.kind is ScheduleLineKind.INSTALMENT][-1]
        assert last_instalment.residual_capital == contract.residual_value
        assert rows[-1].residual_capital == 0


def test_invoices_history_credit_note_and_overdue(db, demo):
    invoices = db.exec(select(Invoice)).all()
    assert min(invoice.issue_date for invoice in invoices).year == 2008  # the long-standing customer
    company = db.exec(select(Customer).where(Customer.code == "10093")).one()
    assert min(i.issue_date for i in invoices if i.customer_id == company.id).year == 2016
    notes = [invoice for invoice in invoices if invoice.kind is DocumentKind.CREDIT_NOTE]
    # the one note not from the plan waives the investigation fee of 71204 (due 20 June 2016)
    [waiver] = [note for note in notes if note.schedule_line_id is None]
    fee = db.get(Invoice, waiver.corrects_invoice_id)
    assert (fee.due_date, fee.taxable_amount, waiver.total) == (dt.date(2016, 6, 20), D("250.00"), fee.total)
    # overdue by hand: past its due date on AS_OF and not paid in full; the demo leaves exactly one
    overdue = [invoice for invoice in invoices if invoice.due_date < AS_OF and invoice.paid_amount < invoice.total]
    assert len(overdue) == 1 and overdue[0].kind is DocumentKind.INVOICE
    # paid amounts equal the payments recorded against each invoice
    for invoice in invoices:
        paid = sum(db.exec(select(col(Payment.amount)).where(Payment.invoice_id == invoice.id)).all(), D("0"))
        assert paid == invoice.paid_amount
        assert invoice.total == invoice.taxable_amount + invoice.vat_amount


def test_invoice_numbers_follow_the_calendar(db, demo):
    invoices = db.exec(select(Invoice).order_by(Invoice.number)).all()
    days = [invoice.issue_date for invoice in invoices]
    assert days == sorted(days)


def test_the_demo_came_through_one_import_run(db, demo):
    """The core system's part of the demo is a file set imported once: every row of the imported
    tables was created by that run, and its counts say so (plain SQL)."""
    runs = db.execute(
        sa.text(
            "select outcome, dry_run, created, updated, unchanged, rejected, counts"
            " from import_run where tenant_id = :t"
        ),
        {"t": demo.id},
    ).all()
    assert len(runs) == 1
    outcome, dry_run, created, updated, unchanged, rejected, counts = runs[0]
    assert (outcome, bool(dry_run), updated, unchanged, rejected) == ("imported", False, 0, 0, 0)
    contract_of = "join contract c on c.id = x.contract_id where c.tenant_id = :t"
    invoice_of = "join invoice i on i.id = x.invoice_id where i.tenant_id = :t"
    tables = {
        "customer": "customer x where x.tenant_id = :t",
        "contract": "contract x where x.tenant_id = :t",
        "schedule_line": f"schedule_line x {contract_of}",
        "leased_asset": f"leased_asset x {contract_of}",
        "invoice": "invoice x where x.tenant_id = :t",
        "invoice_line": f"invoice_line x {invoice_of}",
        "payment": f"payment x {invoice_of}",
        "rate": "reference_rate x where :t = :t",  # shared by every tenant; the demo's are the only ones
    }
    rows = {
        name: db.execute(sa.text(f"select count(*) from {table}"), {"t": demo.id}).scalar()
        for name, table in tables.items()
    }
    counts = json.loads(counts) if isinstance(counts, str) else counts
    # the accounts are the portal's part of the demo, added after the import: no user came by it
    assert counts.pop("user")["created"] == 0
    assert {name: count["created"] for name, count in counts.items()} == rows
    assert created == sum(rows.values()) and min(rows.values()) > 0


def test_the_imported_history_is_no_news(db, demo):
    """The import publishes the documents it creates, but the demo's accounts came after it: the
    history stands as published and announced on each issue day, and only the company's newest
    document was announced to its accounts (a notice each, plain SQL)."""
    params = {"t": demo.id}
    stamps = db.exec(
        select(Invoice.issue_date, Invoice.published_at, Invoice.notified_at).where(Invoice.tenant_id == demo.id)
    ).all()
    assert len(stamps) > 400
    for issued, published, notified in stamps:
        assert published == dt.datetime.combine(issued, dt.time(8), tzinfo=dt.UTC), issued
        assert notified is not None and notified.date() == issued
    newest = db.execute(
        sa.text(
            "select i.id from invoice i join customer c on c.id = i.customer_id where c.code = '10093'"
            " order by i.issue_date desc, i.number desc limit 1"
        )
    ).scalar()
    notices = db.execute(
        sa.text(
            "select n.invoice_id, u.username from notification n join user_account u on u.id = n.user_id"
            " where n.kind = 'document' and n.tenant_id = :t order by u.username"
        ),
        params,
    ).all()
    assert [tuple(row) for row in notices] == [(newest, "10093"), (newest, "10093.1")]


def test_seeding_is_deterministic(db, demo, tmp_path):
    """Seeding the same day twice yields the same plans (checked on a second, fresh database), and
    the file set the seed imports, kept where it is asked to, holds the demo's records as the
    portal exports them."""
    from sqlmodel import Session

    from portal.db import make_engine
    from portal.integration.export import records_of
    from portal.seed.demo import seed_demo
    from portal.services.common.branding import load_branding, sync_tenant
    from tests.conftest import _TMP, migrate

    def fingerprint(session):
        return [
            (contract.number, row.position, row.kind, row.due_date, row.amount, row.residual_capital)
            for contract, row in session.exec(
                select(Contract, ScheduleLine)
                .join(ScheduleLine, col(ScheduleLine.contract_id) == col(Contract.id))
                .order_by(col(Contract.number), col(ScheduleLine.position))
            ).all()
        ]

    other = make_engine(f"sqlite:///{_TMP / 'determinism.db'}")
    migrate(other)
    with Session(other) as session:
        seed_demo(
            session=session,
            tenant=sync_tenant(session=session, branding=load_branding("aurora")),
            as_of=AS_OF,
            feed=tmp_path / "feed",
        )
        session.flush()
        assert fingerprint(session) == fingerprint(db)
        session.rollback()
    other.dispose()

    def lines(rows):
        return sorted(json.dumps(row, sort_keys=True) for row in rows)

    # the demo's accounts are the portal's part, not records of the core system's feed
    exported = {name: rows for name, rows in records_of(db, demo.id).items() if name != "user"}
    kept = sorted(path.name for path in (tmp_path / "feed").iterdir())
    assert kept == sorted([f"{name}.jsonl" for name in exported] + ["manifest.json"])
    for name, rows in exported.items():
        assert lines(
            json.loads(line) for line in (tmp_path / "feed" / f"{name}.jsonl").read_text().splitlines()
        ) == lines(rows), name
