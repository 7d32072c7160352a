"""The round trip at the screens' level: the demo leasing company written as a file set and imported
into an empty second one shows each customer the same figures on Home, "Fatture e pagamenti",
"Contratti" and the plan, to the cent, read through the services those pages call. (The row-level
round trip is test_demo_data.py.) Ids are the database's and differ; requests and accounts are the
portal's own, not in the format, so Home's latest requests are left out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal as D
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from portal.integration.export import records_of, write_jsonl
from portal.integration.importer import import_file_set
from portal.integration.readers import read_file_set
from portal.models import Customer
from portal.models.enums import ImportOutcome
from portal.services.access.scope import whole_customer
from portal.services.billing.queries import (
    STATUS_FILTERS,
    DocumentFilter,
    all_documents,
    document_count,
    monthly_due,
    overdue_balance,
)
from portal.services.contracts.queries import (
    all_assets,
    balance_series,
    contract_choices,
    contract_detail,
    instalment_progress,
    plan_page,
)
from portal.services.contracts.statements import statement_years
from portal.services.home import home_summary
from tests.conftest import AS_OF


def _without(value: Any, *names: str) -> dict[str, Any]:
    return {key: item for key, item in dataclasses.asdict(value).items() if key not in names}


def screens(db: Session, customer_id: int, today: dt.date) -> dict[str, Any]:
    """What the customer's pages compute, without the database's ids."""
    scope = whole_customer(customer_id)
    summary = home_summary(session=db, scope=scope, today=today)
    figures: dict[str, Any] = {
        "home": _without(summary, "contracts", "latest_requests"),
        "home_cards": [_without(card, "contract_id") for card in summary.contracts],
        "documents": [
            _without(row, "invoice_id")
            for row in all_documents(session=db, scope=scope, flt=DocumentFilter(), today=today)
        ],
        "document_counts": {
            status: document_count(session=db, scope=scope, flt=DocumentFilter(status=status), today=today)
            for status in STATUS_FILTERS
        },
        "overdue": overdue_balance(session=db, scope=scope, contract_id=None, today=today),
        "months": monthly_due(session=db, scope=scope, contract_id=None, today=today),
        "assets": [_without(row, "asset_id") for row in all_assets(session=db, scope=scope, contract_id=None)],
        "contracts": [],
    }
    for choice in contract_choices(session=db, scope=scope):
        detail = contract_detail(session=db, scope=scope, number=choice.number, today=today)
        assert detail is not None
        terms = detail.contract
        plan = plan_page(session=db, contract=terms, offset=0, limit=10_000)
        figures["contracts"].append(
            {
                "choice": _without(choice, "contract_id"),
                "detail": _without(detail, "contract") | {"terms": _without(terms, "id")},
                "progress": instalment_progress(session=db, contract=terms, today=today),
                "balance": balance_series(session=db, contract=terms),
                "plan": plan.rows,
                "plan_totals": [
                    sum((getattr(row, field) for row in plan.rows), D("0"))
                    for field in ("amount", "principal", "interest")
                ],
                "overdue": overdue_balance(session=db, scope=scope, contract_id=terms.id, today=today),
                "months": monthly_due(session=db, scope=scope, contract_id=terms.id, today=today),
                "statement_years": statement_years(terms, today),
            }
        )
    return figures


def test_the_demo_exported_and_imported_elsewhere_shows_the_same_figures(db, demo, tenant, tmp_path):
    # Without the users: an admin's username is its customer code across the whole portal, so the
    # demo's admins cannot be invited again by a second company (the figures are the customers' anyway).
    records = {name: rows for name, rows in records_of(db, demo.id).items() if name != "user"}
    file_set = read_file_set(write_jsonl(tmp_path / "demo", records))

    result = import_file_set(session=db, tenant_id=tenant.id, file_set=file_set)

    assert result.outcome is ImportOutcome.IMPORTED, [r.as_text() for r in result.rejections[:5]]
    db.expire_all()
    codes = db.exec(select(Customer.code).where(Customer.tenant_id == demo.id).order_by(Customer.code)).all()
    assert codes == ["10093", "12006", "20417", "30882", "41250", "50731"]
    for code in codes:
        original = db.exec(select(Customer).where(Customer.tenant_id == demo.id, Customer.code == code)).one()
        imported = db.exec(select(Customer).where(Customer.tenant_id == tenant.id, Customer.code == code)).one()
        assert screens(db, imported.id, AS_OF) == screens(db, original.id, AS_OF), code

    # The comparison is not of two empty pages: the company's overdue instalment and its documents,
    # read with plain SQL in the imported company.
    company = db.exec(select(Customer).where(Customer.tenant_id == tenant.id, Customer.code == "10093")).one()
    overdue, documents = db.execute(
        sa.text(
            "select sum(case when kind = 'invoice' and due_date < :today and paid_amount < total"
            " then total - paid_amount else 0 end), count(*) from invoice where customer_id = :customer"
        ),
        {"today": AS_OF, "customer": company.id},
    ).one()
    figures = screens(db, company.id, AS_OF)
    assert D(str(overdue)) > 0 and figures["overdue"] == D(str(overdue)).quantize(D("0.01"))
    assert len(figures["documents"]) == documents > 100
    assert len(figures["contracts"]) == 4
