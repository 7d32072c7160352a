"""Import runs for the browser tests of the Integrazione pages: one written as a nightly import with a
reconciliation warning and a missing record would leave it, one made by the real import of a file
set with two mistakes (rejected: nothing written). Register `tidy.drop_new("import_run")` first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from portal.integration.export import write_jsonl
from portal.integration.runs import run_import
from portal.models import ImportRun, Tenant
from portal.models.enums import ImportOutcome
from tests.e2e.conftest import RunningApp
from tests.unit.integration.conftest import file_set_copy

WARNING = {
    "record_type": "contract",
    "key": "K2",
    "message": "plan principal 4450.00 + advance 500.00 + residual value 50.00 = 5000.00, "
    "not the financed amount 5000.01 (difference -0.01)",
}
MISSING = {
    "record_type": "customer",
    "key": "C300",
    "message": "in the portal but not in this full file set (kept, not deleted)",
}
COUNTS: dict[str, dict[str, int]] = {
    "customer": {"created": 2, "updated": 0, "unchanged": 5, "rejected": 0, "missing": 1},
    "contract": {"created": 1, "updated": 3, "unchanged": 1, "rejected": 0, "missing": 0},
}
STARTED = dt.datetime(2026, 11, 20, 1, 15, 4, tzinfo=dt.UTC)  # 02:15 in Rome
SOURCE = "/srv/feeds/nightly-2026-11-20.zip"


def _tenant_id(session: Session) -> int:
    return session.exec(select(Tenant.id).where(Tenant.slug == "aurora")).one()


def nightly_report() -> dict[str, Any]:
    return {
        "format_version": 1,
        "source": SOURCE,
        "dry_run": False,
        "full": True,
        "outcome": "imported",
        "counts": COUNTS,
        "rejections": [],
        "warnings": [WARNING],
        "missing": [MISSING],
    }


def add_nightly_run(app: RunningApp) -> int:
    """An imported full set: 3 created, 3 updated, 6 unchanged, one warning, one missing customer."""
    with app.session() as session:
        run = ImportRun(
            tenant_id=_tenant_id(session),
            started_at=STARTED,
            finished_at=STARTED + dt.timedelta(seconds=2, milliseconds=500),
            source=SOURCE,
            dry_run=False,
            full=True,
            outcome=ImportOutcome.IMPORTED,
            created=3,
            updated=3,
            unchanged=6,
            rejected=0,
            counts=COUNTS,
            warnings=[WARNING],
            report=nightly_report(),
        )
        session.add(run)
        session.commit()
        return run.id


CORE_OF_A_LEASE = ("customer", "contract", "schedule_line", "leased_asset")


def add_rejected_run(app: RunningApp, folder: Path) -> int:
    """The real import of a file set with an amount written the Italian way and an asset of an
    unknown contract: rejected, nothing written but the run."""
    # the lessees, their contracts, plans and goods of the sample set: its invoices, payments and users
    # would add rejections of their own against the demo company's records
    records = {name: rows for name, rows in file_set_copy().items() if name in CORE_OF_A_LEASE}
    records["contract"][0]["amount"] = "12.000,00"
    records["leased_asset"][0]["contract_number"] = "K9"
    with app.session() as session:
        _, run = run_import(session=session, tenant_id=_tenant_id(session), path=write_jsonl(folder, records))
        session.commit()
        return run.id
