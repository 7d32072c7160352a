"""Amortization plan for the fleet customer: the plan page's load, and the export of every plan
(about 30,000 rows) next to a bare openpyxl write-only export of the same rows as the floor."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from sqlmodel import Session, select

from bench.common import AS_OF, count_statements, large_database, peak_memory, timed
from portal.models import Contract, Customer
from portal.seed.fleet import FLEET_CODE
from portal.services.access.scope import Scope, whole_customer
from portal.services.contracts.exports import export_plan, plan_values
from portal.services.contracts.queries import contract_detail, plan_page, plan_row_count, plan_rows


def main() -> None:
    engine = large_database()
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-export-"))
    with Session(engine) as session:
        fleet = session.exec(select(Customer).where(Customer.code == FLEET_CODE)).one()
        scope = whole_customer(fleet.id)
        number = session.exec(
            select(Contract.number).where(Contract.customer_id == fleet.id).order_by(Contract.number)
        ).first()
        assert number is not None, "the large data set has no fleet contract"

        def page_load():
            detail = contract_detail(session=session, scope=scope, number=number, today=AS_OF)
            assert detail is not None
            return plan_page(session=session, contract=detail.contract, offset=25)

        with count_statements(engine) as statements:
            page_load()
        median, best = timed(page_load)
        print(
            f"plan page load (contract {number}, rows 26-50): median {median:.2f} ms, best {best:.2f} ms, "
            f"{len(statements)} SQL statements"
        )
        elapsed = _portal_export(session, engine=engine, scope=scope, folder=folder)
        values = [plan_values(row, "it") for row in plan_rows(session=session, scope=scope, contract_id=None)]
        floor = _bare_export(values, folder=folder)
        print(f"portal export / floor time ratio: {elapsed / floor:.2f}x")


def _portal_export(session: Session, *, engine: sa.Engine, scope: Scope, folder: Path) -> float:
    """Export every plan as the portal does; returns the elapsed seconds."""
    rows = plan_row_count(session=session, scope=scope, contract_id=None)

    def portal_export():
        return export_plan(session=session, scope=scope, contract_id=None, lang="it", path=folder / "plans.xlsx")

    # time and memory in separate runs: tracemalloc slows the code it watches several times over
    with count_statements(engine) as statements:
        started = time.perf_counter()
        written = portal_export()
        elapsed = time.perf_counter() - started
    with peak_memory() as peak:
        portal_export()
    assert written == rows
    print(
        f"export of every plan: {written} rows in {elapsed:.2f} s = {written / elapsed:,.0f} rows/s, "
        f"peak {peak[0]:.1f} MiB, {len(statements)} SQL statements, "
        f"{(folder / 'plans.xlsx').stat().st_size / 2**20:.1f} MiB file"
    )
    return elapsed


def _bare_export(values: list[tuple[Any, ...]], *, folder: Path) -> float:
    """The floor: the same rows written by bare openpyxl; returns the elapsed seconds."""

    def bare_export():
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("floor")
        for row in values:
            sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
        workbook.save(folder / "floor.xlsx")

    started = time.perf_counter()
    bare_export()
    floor = time.perf_counter() - started
    with peak_memory() as floor_peak:
        bare_export()
    print(
        f"floor, bare openpyxl write-only (rows already in memory, no styles): {floor:.2f} s = "
        f"{len(values) / floor:,.0f} rows/s, peak {floor_peak[0]:.1f} MiB"
    )
    return floor


if __name__ == "__main__":
    main()
