"""Fatture e pagamenti for the fleet customer: the page's data load (a page of documents, the
overdue total and the 12-month chart) and the export of every document."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlmodel import Session, select

from bench.common import AS_OF, count_statements, large_database, peak_memory, timed
from portal.models import Customer
from portal.seed.fleet import FLEET_CODE
from portal.services.access.scope import whole_customer
from portal.services.billing.exports import export_documents
from portal.services.billing.queries import DocumentFilter, document_count, documents_page, monthly_due, overdue_balance


def main() -> None:
    engine = large_database()
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-billing-"))
    with Session(engine) as session:
        fleet = session.exec(select(Customer).where(Customer.code == FLEET_CODE)).one()
        scope = whole_customer(fleet.id)
        flt = DocumentFilter()

        def page_load():
            documents_page(session=session, scope=scope, flt=flt, today=AS_OF, offset=0)
            overdue_balance(session=session, scope=scope, contract_id=None, today=AS_OF)
            monthly_due(session=session, scope=scope, contract_id=None, today=AS_OF)

        with count_statements(engine) as statements:
            page_load()
        median, best = timed(page_load)
        documents = document_count(session=session, scope=scope, flt=flt, today=AS_OF)
        print(
            f"invoice page load ({documents} documents, first page + overdue total + 12-month chart): "
            f"median {median:.1f} ms, best {best:.1f} ms, {len(statements)} SQL statements"
        )

        def export():
            return export_documents(
                session=session, scope=scope, flt=flt, today=AS_OF, lang="it", path=folder / "billing.xlsx"
            )

        with count_statements(engine) as statements:
            started = time.perf_counter()
            written = export()
            elapsed = time.perf_counter() - started
        with peak_memory() as peak:
            export()
        print(
            f"invoice export: {written} rows in {elapsed:.2f} s = {written / elapsed:,.0f} rows/s, "
            f"peak {peak[0]:.1f} MiB, "
            f"{len(statements)} SQL statements"
        )


if __name__ == "__main__":
    main()
