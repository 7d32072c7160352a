"""python -m portal.jobs.data_exports

The copies of the customers' own data (portal/services/privacy/export.py): builds every export
waiting (one asked for, or one whose builder died: its claim lapses after CLAIM_TIMEOUT), tells
each requester (bell and e-mail), and deletes the files whose link has lapsed. The job workers run
it (portal/jobs/tasks.py: at once when asked, and every minute; the app itself with SQLite); this
command is the same run by hand.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from pathlib import Path

from portal.config import settings
from portal.db import session_scope
from portal.services.common import clock
from portal.services.privacy import export

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Report:
    built: int = 0
    failed: int = 0
    expired: int = 0


def build_one(*, base: Path | None = None) -> bool | None:
    """Claim and build one waiting export: True built, False failed (retried later or given up),
    None when nothing waits."""
    with session_scope() as db:
        export_id = export.claim_next(session=db, now=clock.now())
    if export_id is None:
        return None
    try:
        with session_scope() as db:
            storage_name = export.build(session=db, export_id=export_id, now=clock.now(), base=base)
    except Exception as problem:  # a bug or a full disk: retried on the next round, then given up
        logger.exception("data export %s failed", export_id)
        with session_scope() as db:
            export.give_up_or_retry(session=db, export_id=export_id, error=type(problem).__name__)
        return False
    with session_scope() as db:
        export.finish(session=db, export_id=export_id, storage_name=storage_name, now=clock.now(), base=base)
        export.notify_ready(session=db, export_id=export_id, public_url=settings.public_url)
    return True


def run(*, base: Path | None = None) -> Report:
    """Build what waits, then delete what lapsed."""
    export.wake.clear()
    built = failed = 0
    while (outcome := build_one(base=base)) is not None:
        built += outcome is True
        failed += outcome is False
        if failed >= export.MAX_ATTEMPTS * 4:  # something is badly wrong: the next round tries again
            break
    with session_scope() as db:
        expired = export.expire(session=db, now=clock.now(), base=base)
    return Report(built=built, failed=failed, expired=expired)


def main(argv: list[str] | None = None) -> int:
    report = run()
    print(f"data exports: {report.built} built, {report.failed} failed, {report.expired} expired")
    return 0


if __name__ == "__main__":
    sys.exit(main())
