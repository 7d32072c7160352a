"""The import runs of a tenant as operators read them: a page of runs, one run's detail, its whole
report as a file. Every query takes the tenant: a run of another tenant is no run at all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import ImportRun
from portal.services.common import clock

PAGE_SIZE = 20
FIRST = 50  # the rejections, warnings and missing records a run's page lists; the report has them all
COUNTS = ("created", "updated", "unchanged", "rejected", "missing")


@dataclasses.dataclass(frozen=True)
class RunSummary:
    """A run as the list shows it: totals over the record types."""

    run_id: int
    started_at: dt.datetime
    finished_at: dt.datetime
    source: str
    dry_run: bool
    full: bool
    outcome: str  # ImportOutcome's code: imported, valid, rejected
    created: int
    updated: int
    unchanged: int
    rejected: int
    warnings: int  # reconciliation warnings
    missing: int  # records a full set lacked (kept, not deleted)


@dataclasses.dataclass(frozen=True)
class TypeCount:
    record_type: str  # customer, contract, schedule_line, leased_asset
    created: int
    updated: int
    unchanged: int
    rejected: int
    missing: int


@dataclasses.dataclass(frozen=True)
class Finding:
    """A reconciliation warning or a missing record: the record's type and key, and what was found."""

    record_type: str
    key: str
    message: str


@dataclasses.dataclass(frozen=True)
class Problem:
    """A rejection: where (file, line; line 0 is the file itself), the field ("-": the whole line), why."""

    file: str
    line: int
    field: str
    reason: str


@dataclasses.dataclass(frozen=True)
class RunDetail:
    summary: RunSummary
    counts: tuple[TypeCount, ...]
    warnings: tuple[Finding, ...]  # the first FIRST of each list
    missing: tuple[Finding, ...]
    rejections: tuple[Problem, ...]
    rejection_total: int  # problems in the report (a record may have several)


@dataclasses.dataclass(frozen=True)
class ReportFile:
    path: Path
    filename: str


# The list reads the small columns only: a report may hold thousands of rejections.
_SUMMARY_COLUMNS = (
    col(ImportRun.id),
    col(ImportRun.started_at),
    col(ImportRun.finished_at),
    col(ImportRun.source),
    col(ImportRun.dry_run),
    col(ImportRun.full),
    col(ImportRun.outcome),
    col(ImportRun.created),
    col(ImportRun.updated),
    col(ImportRun.unchanged),
    col(ImportRun.rejected),
    col(ImportRun.counts),
    col(ImportRun.warnings),
)


def _summary(row: Any) -> RunSummary:
    counts: dict[str, Any] = row.counts or {}
    return RunSummary(
        run_id=row.id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        source=row.source,
        dry_run=row.dry_run,
        full=row.full,
        outcome=row.outcome.value,
        created=row.created,
        updated=row.updated,
        unchanged=row.unchanged,
        rejected=row.rejected,
        warnings=len(row.warnings or []),
        missing=sum(int(per_type.get("missing", 0)) for per_type in counts.values()),
    )


def import_runs(
    *, session: Session, tenant_id: int, offset: int, limit: int = PAGE_SIZE
) -> tuple[list[RunSummary], int]:
    """A page of the tenant's runs, the latest started first, and how many there are in all."""
    total = session.exec(select(sa.func.count()).select_from(ImportRun).where(ImportRun.tenant_id == tenant_id)).one()
    rows = session.execute(
        sa.select(*_SUMMARY_COLUMNS)
        .where(col(ImportRun.tenant_id) == tenant_id)
        .order_by(col(ImportRun.started_at).desc(), col(ImportRun.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [_summary(row) for row in rows], total


def _own_run(session: Session, tenant_id: int, run_id: int) -> ImportRun | None:
    return session.exec(select(ImportRun).where(ImportRun.id == run_id, ImportRun.tenant_id == tenant_id)).first()


def _finding(item: Any) -> Finding:
    return Finding(
        record_type=str(item.get("record_type", "")), key=str(item.get("key", "")), message=str(item.get("message", ""))
    )


def import_run(*, session: Session, tenant_id: int, run_id: int) -> RunDetail | None:
    """One run of the tenant with its counts per record type and the first findings; None when the
    tenant has no such run."""
    run = _own_run(session, tenant_id, run_id)
    if run is None:
        return None
    report: dict[str, Any] = run.report or {}
    counts = tuple(
        TypeCount(record_type=name, **{field: int(per_type.get(field, 0)) for field in COUNTS})
        for name, per_type in (run.counts or {}).items()
    )
    rejections = report.get("rejections") or []
    return RunDetail(
        summary=_summary(run),
        counts=counts,
        warnings=tuple(_finding(item) for item in (run.warnings or [])[:FIRST]),
        missing=tuple(_finding(item) for item in (report.get("missing") or [])[:FIRST]),
        rejections=tuple(
            Problem(
                file=str(item.get("file", "")),
                line=int(item.get("line", 0)),
                field=str(item.get("field", "")),
                reason=str(item.get("reason", "")),
            )
            for item in rejections[:FIRST]
        ),
        rejection_total=len(rejections),
    )


def write_report(
    *, session: Session, tenant_id: int, run_id: int, folder: Path, storage_name: str
) -> ReportFile | None:
    """The run's whole report (the JSON the import stored) written to `folder`/`storage_name`, and
    the name the browser saves it as; None when the tenant has no such run (nothing is written)."""
    run = _own_run(session, tenant_id, run_id)
    if run is None:
        return None
    path = folder / storage_name
    path.write_text(json.dumps(run.report, ensure_ascii=False, indent=2), encoding="utf-8")
    started = run.started_at.astimezone(clock.ROME)  # as the page shows it
    return ReportFile(path=path, filename=f"import-{run.id}-{started:%Y%m%d-%H%M%S}.json")
