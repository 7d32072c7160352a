"""An empty leasing company to import into, and a small, consistent file set to import."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from portal.models import Tenant

CUSTOMERS: list[dict[str, Any]] = [
    {
        "code": "C100",
        "kind": "company",
        "denominazione": "Officina Rossi S.r.l.",
        "codice_fiscale": "01234567890",
        "partita_iva": "01234567890",
        "pec": "officina.rossi@pec.example.it",
        "street": "Via Roma 1",
        "postal_code": "20100",
        "city": "Milano",
        "province": "MI",
        "sdi_code": "ABC1234",
    },
    {
        "code": "C200",
        "kind": "person",
        "denominazione": "Anna Verdi",
        "first_name": "Anna",
        "last_name": "Verdi",
        "codice_fiscale": "VRDNNA80A41F205X",
        "email": "anna.verdi@example.it",
        "street": "Via Po 2",
        "postal_code": "10100",
        "city": "Torino",
        "province": "TO",
    },
]

CONTRACTS: list[dict[str, Any]] = [
    {
        "number": "K1",
        "customer_code": "C100",
        "module_number": "1",
        "product": "Leasing strumentale",
        "product_code": "equipment",
        "signed_on": "2025-01-10",
        "start_date": "2025-02-01",
        "end_date": "2025-04-30",
        "amount": "12000.00",
        "advance": "1200.00",
        "residual_value": "120.00",
        "instalment_amount": "3610.00",
        "instalment_count": 3,
        "duration_months": 3,
        "annual_rate": "0.0425",
        "reference_rate": "EURIBOR_3M",
        "base_index_rate": "0.0300",
        "spread": "0.0125",
        "beneficiary_code": "F1",
        "beneficiary_name": "Forniture Dentali S.p.A.",
        "direct_debit_iban": "IT60X0542811101000000123456",
    },
    {
        "number": "K2",
        "customer_code": "C200",
        "module_number": "2",
        "product": "Leasing targato",
        "product_code": "vehicle",
        "status": "extinguished",
        "signed_on": "2024-01-10",
        "start_date": "2024-02-01",
        "end_date": "2024-03-31",
        "extinguished_on": "2024-04-15",
        "amount": "5000.00",
        "advance": "500.00",
        "residual_value": "50.00",
        "instalment_amount": "2250.00",
        "instalment_count": 2,
        "duration_months": 2,
        "annual_rate": "0.05",
        "beneficiary_code": "F2",
        "beneficiary_name": "Auto Nord S.r.l.",
        "payment_method": "bank_transfer",
        "vat_rate": "22.00",
    },
]


def _line(contract: str, position: int, kind: str, number: int, due: str, principal: str, interest: str, **extra):
    from decimal import Decimal

    return {
        "contract_number": contract,
        "position": position,
        "kind": kind,
        "number": number,
        "due_date": due,
        "amount": str(Decimal(principal) + Decimal(interest)),
        "principal": principal,
        "interest": interest,
        "residual_capital": extra.pop("residual_capital", "0.00"),
        "competence_start": extra.pop("start", due),
        "competence_end": extra.pop("end", due),
        **extra,
    }


# fmt: off
LINES: list[dict[str, Any]] = [
    _line("K1", 1, "advance", 0, "2025-02-01", "1200.00", "0.00", residual_capital="10800.00"),
    _line("K1", 2, "instalment", 1, "2025-02-01", "3560.00", "50.00", residual_capital="7240.00",
          start="2025-02-01", end="2025-02-28", collection_date="2025-02-03"),
    _line("K1", 3, "instalment", 2, "2025-03-01", "3560.00", "50.00", residual_capital="3680.00",
          start="2025-03-01", end="2025-03-31"),
    _line("K1", 4, "indexation", 0, "2025-03-31", "0.00", "4.33", residual_capital="3680.00",
          start="2025-02-01", end="2025-03-31", index_rate="0.0304", index_base_balance="7240.00"),
    _line("K1", 5, "instalment", 3, "2025-04-01", "3560.00", "50.00", residual_capital="120.00",
          start="2025-04-01", end="2025-04-30"),
    _line("K1", 6, "residual_value", 4, "2025-05-01", "120.00", "0.00"),
    _line("K2", 1, "advance", 0, "2024-02-01", "500.00", "0.00", residual_capital="4500.00"),
    _line("K2", 2, "instalment", 1, "2024-02-01", "2225.00", "25.00", residual_capital="2275.00",
          start="2024-02-01", end="2024-02-29"),
    _line("K2", 3, "instalment", 2, "2024-03-01", "2225.00", "25.00", residual_capital="50.00",
          start="2024-03-01", end="2024-03-31"),
    _line("K2", 4, "residual_value", 3, "2024-04-01", "50.00", "0.00"),
]
# fmt: on

ASSETS: list[dict[str, Any]] = [
    {
        "code": "A1",
        "contract_number": "K1",
        "asset_type": "Beni mobili in leasing",
        "asset_type_code": "equipment",
        "description": "RIUNITO ODONTOIATRICO",
        "financial_value": "8000.00",
        "expected_future_value": "80.00",
        "serial_number": "SN-1",
    },
    {
        "code": "A2",
        "contract_number": "K1",
        "asset_type": "Beni mobili in leasing",
        "description": "AUTOCLAVE",
        "financial_value": "4000.00",
        "expected_future_value": "40.00",
    },
    {
        "code": "A3",
        "contract_number": "K2",
        "asset_type": "Auto leasing finanziario",
        "asset_type_code": "vehicle",
        "description": "UTILITARIA 1.0",
        "financial_value": "5000.00",
        "expected_future_value": "50.00",
        "plate": "GA123BC",
    },
]


def _invoice(
    number: str,
    kind: str,
    customer: str,
    contract: str,
    issued: str,
    due: str,
    taxable: str,
    vat: str,
    method: str,
    description: str,
    **extra,
) -> dict[str, Any]:
    from decimal import Decimal

    return {
        "number": number,
        "kind": kind,
        "customer_code": customer,
        "contract_number": contract,
        "issue_date": issued,
        "due_date": due,
        "description": description,
        "taxable_amount": taxable,
        "vat_amount": vat,
        "total": str(Decimal(taxable) + Decimal(vat)),
        "payment_method": method,
        **extra,
    }


# fmt: off
INVOICES: list[dict[str, Any]] = [
    _invoice("2025/000001", "invoice", "C100", "K1", "2025-02-01", "2025-02-01", "1200.00", "264.00",
             "sepa_direct_debit", "Rata anticipata (maxi-canone) contratto K1", schedule_line_position=1),
    _invoice("2025/000002", "invoice", "C100", "K1", "2025-01-22", "2025-02-01", "3610.00", "794.20",
             "sepa_direct_debit", "Canone n. 1 di 3 contratto K1", schedule_line_position=2),
    _invoice("2025/000003", "invoice", "C100", "K1", "2025-01-10", "2025-01-31", "250.00", "55.00",
             "bank_transfer", "Spese di istruttoria pratica contratto K1"),
    _invoice("2025/000004", "credit_note", "C100", "K1", "2025-01-20", "2025-01-20", "250.00", "55.00",
             "compensation", "Spese di istruttoria non dovute - storno fattura n. 2025/000003",
             corrects_number="2025/000003"),
    _invoice("2024/000001", "invoice", "C200", "K2", "2024-01-22", "2024-02-01", "2250.00", "495.00",
             "bank_transfer", "Canone n. 1 di 2 contratto K2", schedule_line_position=2),
]
INVOICE_LINES: list[dict[str, Any]] = [
    {"invoice_number": "2025/000001", "line_number": 1, "description": "Rata anticipata", "quantity": "1.00",
     "unit_price": "1200.00", "taxable_amount": "1200.00", "vat_rate": "22.00", "vat_amount": "264.00"},
    {"invoice_number": "2025/000002", "line_number": 1, "description": "Quota capitale",
     "unit_price": "3560.00", "taxable_amount": "3560.00", "vat_rate": "22.00", "vat_amount": "783.20"},
    {"invoice_number": "2025/000002", "line_number": 2, "description": "Quota interessi",
     "unit_price": "50.00", "taxable_amount": "50.00", "vat_rate": "22.00", "vat_amount": "11.00"},
    {"invoice_number": "2025/000003", "line_number": 1, "description": "Spese di istruttoria",
     "unit_price": "250.00", "taxable_amount": "250.00", "vat_rate": "22.00", "vat_amount": "55.00"},
    {"invoice_number": "2025/000004", "line_number": 1, "description": "Storno spese di istruttoria",
     "unit_price": "250.00", "taxable_amount": "250.00", "vat_rate": "22.00", "vat_amount": "55.00"},
    {"invoice_number": "2024/000001", "line_number": 1, "description": "Canone n. 1",
     "unit_price": "2250.00", "taxable_amount": "2250.00", "vat_rate": "22.00", "vat_amount": "495.00"},
]
PAYMENTS: list[dict[str, Any]] = [
    {"code": "P1", "invoice_number": "2025/000001", "paid_on": "2025-02-03", "amount": "1464.00",
     "method": "sepa_direct_debit", "reference": "SDD-2025/000001"},
    {"code": "P2", "invoice_number": "2025/000002", "paid_on": "2025-02-03", "amount": "4404.20",
     "method": "sepa_direct_debit", "reference": "SDD-2025/000002"},
    {"code": "P3", "invoice_number": "2025/000003", "paid_on": "2025-01-20", "amount": "305.00",
     "method": "compensation", "reference": "NC 2025/000004"},
    {"code": "P4", "invoice_number": "2025/000004", "paid_on": "2025-01-20", "amount": "305.00",
     "method": "compensation", "reference": "FT 2025/000003"},
    {"code": "P5", "invoice_number": "2024/000001", "paid_on": "2024-02-05", "amount": "1000.00",
     "method": "bank_transfer"},
]
# Reference rates are shared by every leasing company: a name the demo data does not use.
RATES: list[dict[str, Any]] = [
    {"name": "EURIBOR_6M", "observed_on": "2025-01-02", "rate": "0.0262"},
    {"name": "EURIBOR_6M", "observed_on": "2025-02-03", "rate": "-0.0031"},
]
# fmt: on

USERS: list[dict[str, Any]] = [
    {
        "customer_code": "C100",
        "email": "mario.rossi@officinarossi.example.it",
        "role": "admin",
        "first_name": "Mario",
        "last_name": "Rossi",
    },
    {
        "customer_code": "C100",
        "email": "contabilita@officinarossi.example.it",
        "role": "sub_user",
        "first_name": "Luca",
        "last_name": "Bianchi",
        "language": "en",
        "contract_numbers": "K1",
    },
    {"customer_code": "C200", "email": "anna.verdi@example.it", "role": "admin"},
]

FILE_SET: dict[str, list[dict[str, Any]]] = {
    "customer": CUSTOMERS,
    "contract": CONTRACTS,
    "schedule_line": LINES,
    "leased_asset": ASSETS,
    "invoice": INVOICES,
    "invoice_line": INVOICE_LINES,
    "payment": PAYMENTS,
    "rate": RATES,
    "user": USERS,
}


def file_set_copy() -> dict[str, list[dict[str, Any]]]:
    return {name: [dict(record) for record in records] for name, records in FILE_SET.items()}


@pytest.fixture
def tenant(db) -> Tenant:
    """A second leasing company with no data at all, beside the demo's (which the import must not touch)."""
    return make_tenant(db, "import-test")


def make_tenant(db, slug: str) -> Tenant:
    demo = db.exec(select(Tenant).where(Tenant.slug == "aurora")).one()
    tenant = Tenant(slug=slug, **demo.model_dump(exclude={"id", "slug", "created_at"}))
    db.add(tenant)
    db.flush()
    return tenant


# The tenant's imported rows as plain SQL sees them, without the ids the database gave.
SNAPSHOT_QUERIES = {
    "customer": "select code, kind, denominazione, first_name, last_name, codice_fiscale, partita_iva, pec, email,"
    " street, postal_code, city, province, country, sdi_code, paper_invoices, created_at"
    " from customer where tenant_id = :tenant order by code",
    "contract": "select c.number, cu.code, c.module_number, c.product, c.product_code, c.status, c.signed_on,"
    " c.start_date, c.end_date, c.extinguished_on, c.amount, c.advance, c.residual_value, c.instalment_amount,"
    " c.periodicity_months, c.instalment_count, c.duration_months, c.annual_rate, c.reference_rate,"
    " c.base_index_rate, c.spread, c.subsidy, c.beneficiary_code, c.beneficiary_name, c.direct_debit_iban,"
    " c.payment_method, c.vat_rate, c.created_at"
    " from contract c join customer cu on cu.id = c.customer_id where c.tenant_id = :tenant order by c.number",
    "schedule_line": "select c.number, s.position, cu.code, s.kind, s.number, s.due_date, s.amount, s.principal,"
    " s.interest, s.residual_capital, s.payment_method, s.competence_start, s.competence_end, s.collection_date,"
    " s.index_rate, s.index_base_balance"
    " from schedule_line s join contract c on c.id = s.contract_id join customer cu on cu.id = s.customer_id"
    " where c.tenant_id = :tenant order by c.number, s.position",
    "leased_asset": "select a.code, c.number, cu.code, a.asset_type, a.asset_type_code, a.description,"
    " a.financial_value, a.expected_future_value, a.serial_number, a.plate"
    " from leased_asset a join contract c on c.id = a.contract_id join customer cu on cu.id = a.customer_id"
    " where c.tenant_id = :tenant order by a.code",
    "invoice": "select i.number, i.kind, cu.code, c.number, s.position, ci.number, i.issue_date, i.due_date,"
    " i.description, i.taxable_amount, i.vat_amount, i.total, i.paid_amount, i.payment_method,"
    " i.pdf_sha256, i.xml_sha256, i.pdf_storage_key is not null, i.xml_storage_key is not null"
    " from invoice i join customer cu on cu.id = i.customer_id join contract c on c.id = i.contract_id"
    " left join schedule_line s on s.id = i.schedule_line_id left join invoice ci on ci.id = i.corrects_invoice_id"
    " where i.tenant_id = :tenant order by i.number",
    "invoice_line": "select i.number, l.line_number, l.description, l.quantity, l.unit_price, l.taxable_amount,"
    " l.vat_rate, l.vat_amount from invoice_line l join invoice i on i.id = l.invoice_id"
    " where i.tenant_id = :tenant order by i.number, l.line_number",
    "payment": "select p.code, i.number, cu.code, c.number, p.paid_on, p.amount, p.method, p.reference"
    " from payment p join invoice i on i.id = p.invoice_id join customer cu on cu.id = p.customer_id"
    " join contract c on c.id = p.contract_id where i.tenant_id = :tenant order by p.code, p.id",
    "user": "select cu.code, u.primary_email, u.role, u.username, p.username, u.first_name, u.last_name, u.language,"
    " u.all_contracts, (select count(*) from sub_user_contract g where g.user_id = u.id),"
    " u.password_hash is not null, u.must_change_password"
    " from user_account u join customer cu on cu.id = u.customer_id left join user_account p on p.id = u.parent_id"
    " where cu.tenant_id = :tenant order by cu.code, u.username",
    # shared by every tenant: the rates that are not the demo data's series
    "rate": "select name, observed_on, rate from reference_rate where name <> 'EURIBOR_3M'"
    " and :tenant = :tenant order by name, observed_on",
}


def snapshot(db, tenant_id: int) -> dict[str, list[tuple]]:
    import sqlalchemy as sa

    db.flush()
    return {
        name: [tuple(row) for row in db.execute(sa.text(query), {"tenant": tenant_id}).all()]
        for name, query in SNAPSHOT_QUERIES.items()
    }
