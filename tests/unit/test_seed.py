"""The demo data set: the customers, contracts and documents the issue asks for, all consistent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

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


def test_seeding_is_deterministic(db, demo):
    """Seeding the same day twice yields the same plans (checked on a second, fresh database)."""
    from sqlmodel import Session

    from portal.db import make_engine
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
        seed_demo(session=session, tenant=sync_tenant(session=session, branding=load_branding("aurora")), as_of=AS_OF)
        session.flush()
        assert fingerprint(session) == fingerprint(db)
        session.rollback()
    other.dispose()
