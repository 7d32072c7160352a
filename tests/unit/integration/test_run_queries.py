"""What operators read of the import runs (services/integration/runs.py): rows the test inserts,
read back for their own tenant only."""

from __future__ import annotations

import datetime as dt
import json

from portal.models import ImportRun
from portal.models.enums import ImportOutcome
from portal.services.integration.runs import (
    FIRST,
    Finding,
    Problem,
    RunSummary,
    TypeCount,
    import_run,
    import_runs,
    write_report,
)
from tests.unit.integration.conftest import make_tenant

T0 = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
WARNING = {"record_type": "contract", "key": "K2", "message": "plan principal 4450.00 + advance 500.00 ..."}
MISSING = {"record_type": "customer", "key": "C300", "message": "in the portal but not in this full file set"}


def _counts(**per_type: dict[str, int]) -> dict:
    fields = ("created", "updated", "unchanged", "rejected", "missing")
    return {name: {field: values.get(field, 0) for field in fields} for name, values in per_type.items()}


def _imported(tenant_id: int, started: dt.datetime) -> ImportRun:
    """A full set imported with one warning and one missing customer."""
    counts = _counts(
        customer={"created": 2, "unchanged": 5, "missing": 1}, contract={"created": 1, "updated": 3, "unchanged": 1}
    )
    return ImportRun(
        tenant_id=tenant_id,
        started_at=started,
        finished_at=started + dt.timedelta(seconds=2, milliseconds=500),
        source="/data/nightly/2026-11-20.zip",
        dry_run=False,
        full=True,
        outcome=ImportOutcome.IMPORTED,
        created=3,
        updated=3,
        unchanged=6,
        rejected=0,
        counts=counts,
        warnings=[WARNING],
        report={"outcome": "imported", "counts": counts, "rejections": [], "warnings": [WARNING], "missing": [MISSING]},
    )


def _rejected(tenant_id: int, started: dt.datetime, problems: int = 2) -> ImportRun:
    rejections = [
        {
            "file": "contract.jsonl",
            "line": line,
            "field": "amount",
            "reason": f"bad amount {line}",
            "record_type": "contract",
        }
        for line in range(1, problems + 1)
    ]
    counts = _counts(contract={"rejected": problems})
    return ImportRun(
        tenant_id=tenant_id,
        started_at=started,
        finished_at=started + dt.timedelta(seconds=75),
        source="/data/changes",
        dry_run=True,
        full=False,
        outcome=ImportOutcome.REJECTED,
        rejected=problems,
        counts=counts,
        warnings=[],
        report={"outcome": "rejected", "counts": counts, "rejections": rejections, "warnings": [], "missing": []},
    )


def _add(db, *runs: ImportRun) -> list[int]:
    for run in runs:
        db.add(run)
    db.flush()
    return [run.id for run in runs]


def test_a_page_of_the_tenants_runs_latest_first_with_totals(db):
    mine, other = make_tenant(db, "runs-mine"), make_tenant(db, "runs-other")
    older, newer = _add(db, _imported(mine.id, T0), _rejected(mine.id, T0 + dt.timedelta(days=1)))
    _add(db, _imported(other.id, T0 + dt.timedelta(days=2)))

    runs, total = import_runs(session=db, tenant_id=mine.id, offset=0)

    assert total == 2
    assert runs == [
        RunSummary(
            run_id=newer,
            started_at=T0 + dt.timedelta(days=1),
            finished_at=T0 + dt.timedelta(days=1, seconds=75),
            source="/data/changes",
            dry_run=True,
            full=False,
            outcome="rejected",
            created=0,
            updated=0,
            unchanged=0,
            rejected=2,
            warnings=0,
            missing=0,
        ),
        RunSummary(
            run_id=older,
            started_at=T0,
            finished_at=T0 + dt.timedelta(seconds=2.5),
            source="/data/nightly/2026-11-20.zip",
            dry_run=False,
            full=True,
            outcome="imported",
            created=3,
            updated=3,
            unchanged=6,
            rejected=0,
            warnings=1,
            missing=1,
        ),
    ]


def test_the_pages_follow_each_other(db):
    tenant = make_tenant(db, "runs-paged")
    ids = _add(db, *[_imported(tenant.id, T0 + dt.timedelta(hours=hour)) for hour in range(5)])

    first, total = import_runs(session=db, tenant_id=tenant.id, offset=0, limit=2)
    last, _ = import_runs(session=db, tenant_id=tenant.id, offset=4, limit=2)

    assert total == 5
    assert [run.run_id for run in first] == [ids[4], ids[3]]
    assert [run.run_id for run in last] == [ids[0]]


def test_a_tenant_without_runs_has_an_empty_list(db):
    assert import_runs(session=db, tenant_id=make_tenant(db, "runs-none").id, offset=0) == ([], 0)


def test_a_runs_detail_counts_per_type_and_its_findings(db):
    tenant = make_tenant(db, "runs-detail")
    (run_id,) = _add(db, _imported(tenant.id, T0))

    detail = import_run(session=db, tenant_id=tenant.id, run_id=run_id)

    assert detail is not None
    assert detail.summary.run_id == run_id and detail.summary.warnings == 1 and detail.summary.missing == 1
    assert detail.counts == (
        TypeCount("customer", created=2, updated=0, unchanged=5, rejected=0, missing=1),
        TypeCount("contract", created=1, updated=3, unchanged=1, rejected=0, missing=0),
    )
    assert detail.warnings == (Finding("contract", "K2", "plan principal 4450.00 + advance 500.00 ..."),)
    assert detail.missing == (Finding("customer", "C300", "in the portal but not in this full file set"),)
    assert detail.rejections == () and detail.rejection_total == 0


def test_a_rejected_runs_detail_lists_the_first_rejections_and_counts_them_all(db):
    tenant = make_tenant(db, "runs-rejected")
    (run_id,) = _add(db, _rejected(tenant.id, T0, problems=FIRST + 7))

    detail = import_run(session=db, tenant_id=tenant.id, run_id=run_id)

    assert detail is not None
    assert detail.rejection_total == 57 and len(detail.rejections) == 50
    assert detail.rejections[0] == Problem("contract.jsonl", 1, "amount", "bad amount 1")
    assert detail.rejections[-1] == Problem("contract.jsonl", 50, "amount", "bad amount 50")
    assert detail.counts == (TypeCount("contract", created=0, updated=0, unchanged=0, rejected=57, missing=0),)


def test_another_tenants_run_is_no_run(db, tmp_path):
    mine, other = make_tenant(db, "runs-own"), make_tenant(db, "runs-foreign")
    (foreign,) = _add(db, _imported(other.id, T0))

    assert import_run(session=db, tenant_id=mine.id, run_id=foreign) is None
    assert import_run(session=db, tenant_id=mine.id, run_id=foreign + 1000) is None
    assert write_report(session=db, tenant_id=mine.id, run_id=foreign, folder=tmp_path, storage_name="x.json") is None
    assert list(tmp_path.iterdir()) == []


def test_the_report_file_is_the_stored_report(db, tmp_path):
    tenant = make_tenant(db, "runs-report")
    (run_id,) = _add(db, _rejected(tenant.id, T0, problems=3))

    written = write_report(session=db, tenant_id=tenant.id, run_id=run_id, folder=tmp_path, storage_name="r.json")

    assert written is not None
    assert written.path == tmp_path / "r.json"
    assert written.filename == f"import-{run_id}-20261120-030000.json"  # 02:00 UTC is 03:00 in Rome
    report = json.loads(written.path.read_text(encoding="utf-8"))
    assert report["outcome"] == "rejected"
    assert [item["line"] for item in report["rejections"]] == [1, 2, 3]
    assert report["rejections"][2] == {
        "file": "contract.jsonl",
        "line": 3,
        "field": "amount",
        "reason": "bad amount 3",
        "record_type": "contract",
    }
