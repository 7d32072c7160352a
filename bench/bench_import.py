"""Import of the large data set (the demo customers and the fleet: ~500 contracts, ~30,000 plan
rows) through the interchange format: written as JSON Lines, then imported into an empty tenant,
then again (every record unchanged), then once more into another empty tenant to measure memory.
The target of issue 14: at most 15 s on SQLite and on PostgreSQL."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlmodel import Session, select

from bench.common import large_database, peak_memory
from portal.integration.export import records_of, write_jsonl
from portal.integration.importer import import_file_set
from portal.integration.readers import read_file_set
from portal.models import Tenant


def _empty_tenant(session: Session, slug: str) -> int:
    """A second leasing company beside the demo's, with the demo's branding and no data."""
    demo = session.exec(select(Tenant).where(Tenant.slug == "aurora")).one()
    tenant = Tenant(slug=slug, **demo.model_dump(exclude={"id", "slug", "created_at"}))
    session.add(tenant)
    session.commit()
    return tenant.id


def _timed_import(engine, tenant_id: int, path: Path) -> tuple[float, dict[str, tuple[int, int, int]]]:
    """Seconds to read, check and import the file set and commit; the counts it reported."""
    started = time.perf_counter()
    with Session(engine) as session:
        result = import_file_set(session=session, tenant_id=tenant_id, file_set=read_file_set(path))
        session.commit()
    elapsed = time.perf_counter() - started
    assert not result.rejections, [rejection.as_text() for rejection in result.rejections[:5]]
    return elapsed, {name: (counts.created, counts.updated, counts.unchanged) for name, counts in result.counts.items()}


def _counted(counts: dict[str, tuple[int, int, int]]) -> str:
    """Created/updated/unchanged of the record types the set has."""
    return ", ".join(f"{name} {c:,}/{u:,}/{n:,}" for name, (c, u, n) in counts.items() if c or u or n)


def main() -> None:
    engine = large_database()
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-import-"))
    with Session(engine) as session:
        demo = session.exec(select(Tenant).where(Tenant.slug == "aurora")).one()
        # Without the users: an admin's username is its customer code, unique across the portal,
        # and the demo tenant holds those already.
        records = {name: rows for name, rows in records_of(session, demo.id).items() if name != "user"}
        first_tenant, memory_tenant = _empty_tenant(session, "bench-import"), _empty_tenant(session, "bench-memory")
    path = write_jsonl(folder / "set", records)
    sizes = ", ".join(f"{len(rows):,} {name}" for name, rows in records.items())
    megabytes = sum(file.stat().st_size for file in path.iterdir()) / 2**20
    print(f"file set: {sizes} ({sum(map(len, records.values())):,} records, {megabytes:.1f} MiB of JSON Lines)")
    print(f"database: {engine.url.get_backend_name()}")
    first, counts = _timed_import(engine, first_tenant, path)
    print(f"first import into an empty tenant: {first:.1f} s (created/updated/unchanged: {_counted(counts)})")
    again, counts = _timed_import(engine, first_tenant, path)
    print(f"the same set again: {again:.1f} s (created/updated/unchanged: {_counted(counts)})")
    with peak_memory() as peak:  # a run of its own: tracemalloc slows what it watches
        _timed_import(engine, memory_tenant, path)
    print(f"peak Python memory of an import: {peak[0]:.0f} MiB")
    print(f"first import / 15 s target: {first / 15:.2f}")


if __name__ == "__main__":
    main()
