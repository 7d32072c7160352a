"""An import run: read a file set, import it, and keep one `import_run` row of what happened."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlmodel import Session

from portal.integration.importer import ImportResult, import_file_set
from portal.integration.readers import FileSet, read_file_set
from portal.models import ImportRun
from portal.services.common import clock


def run_import(
    *, session: Session, tenant_id: int, path: Path, dry_run: bool = False
) -> tuple[ImportResult, ImportRun]:
    """Import the file set at `path` into the tenant (see import_file_set) and record the run, a dry
    run or a rejected one too, in the same transaction: the caller commits both or neither."""
    started_at = clock.now()
    return run_file_set(
        session=session, tenant_id=tenant_id, file_set=read_file_set(path), dry_run=dry_run, started_at=started_at
    )


def run_file_set(
    *, session: Session, tenant_id: int, file_set: FileSet, dry_run: bool = False, started_at: dt.datetime | None = None
) -> tuple[ImportResult, ImportRun]:
    """As run_import, for a file set already read (the HTTP API's batches and uploads): its
    `source` is what the run records."""
    started_at = started_at or clock.now()
    result = import_file_set(session=session, tenant_id=tenant_id, file_set=file_set, dry_run=dry_run)
    counts = result.counts.values()
    run = ImportRun(
        tenant_id=tenant_id,
        started_at=started_at,
        finished_at=clock.now(),
        source=file_set.source[:500],
        dry_run=dry_run,
        full=result.full,
        outcome=result.outcome,
        created=sum(count.created for count in counts),
        updated=sum(count.updated for count in counts),
        unchanged=sum(count.unchanged for count in counts),
        rejected=sum(count.rejected for count in counts),
        counts={name: dataclasses.asdict(count) for name, count in result.counts.items()},
        warnings=[dataclasses.asdict(warning) for warning in result.warnings],
        report=result.report(),
    )
    session.add(run)
    session.flush()
    return result, run
