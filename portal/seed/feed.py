"""The core leasing system's part of a data set goes into the portal the way a real feed does.

What the core system owns (customers, contracts with their plans and goods, documents and their
lines, payments, reference rates, closings) is built by the usual builders and services in a
scratch database standing in for the core system, written as an interchange file set (JSON Lines,
docs/INTEGRATION.md) and imported with the integration's own import run: the format is exercised
by every `make run`, and the operators' "Integrazione" page shows the data set's run.

The scratch database starts from the tenant's records as the portal has them (through the format
too), so that the builders go on from there (invoice numbers follow the tenant's), and the file
set carries only what the data set adds or changes. What the portal owns (accounts, requests,
notices) is the caller's to add after the import, looking rows up by the core system's keys.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, select

from portal.integration import format as fmt
from portal.integration.batches import file_set_of
from portal.integration.export import Records, records_of, write_jsonl
from portal.integration.importer import ImportResult, import_file_set
from portal.integration.runs import run_import
from portal.models import Contract, Customer, ImportRun, Invoice, Tenant
from portal.models.enums import ImportOutcome

SOURCE = "portal.seed"  # the manifest's `source`
# The scratch copy leaves out the documents the core system sent (their files stay in the portal):
# the data sets make none, and an invoice the data set does not change is not sent back.
_DOCUMENT_FIELDS = ("pdf_file", "xml_file")
# In the data sets the accounts are the portal's part (with the demo password, added after the
# import), not users the core system invites: they are neither copied nor sent.
_PORTAL_PART = ("user",)


@dataclasses.dataclass(frozen=True)
class CoreSystem:
    """The scratch database (`session`), its copy of the tenant, and the records it started from."""

    session: Session
    tenant: Tenant
    copied: Records


@contextlib.contextmanager
def core_system(session: Session, tenant: Tenant) -> Iterator[CoreSystem]:
    """A scratch database (in memory, the portal's tables but not its database) holding the
    tenant's records as the portal has them in `session`."""
    engine = sa.create_engine("sqlite://", poolclass=StaticPool)
    try:
        SQLModel.metadata.create_all(engine)
        with Session(engine, expire_on_commit=False) as scratch:
            mirror = Tenant(**tenant.model_dump())
            scratch.add(mirror)
            scratch.flush()
            copied = _comparable(records_of(session, tenant.id))
            if any(copied.values()):
                _imported(
                    import_file_set(
                        session=scratch, tenant_id=mirror.id, file_set=file_set_of({"records": copied}, source=SOURCE)
                    )
                )
            yield CoreSystem(scratch, mirror, copied)
    finally:
        engine.dispose()


def hand_over(
    core: CoreSystem, *, session: Session, tenant: Tenant, directory: Path | None = None, announce: str | None = None
) -> ImportRun:
    """Write what the data set added or changed in the core system as a file set in `directory`
    (a temporary one, removed after, when None) and import it into the tenant.

    The import publishes the documents it creates, as the billing job publishes its own; the data
    sets' documents are history: they are stamped as published and announced on their issue day,
    as the core system's billing did, except `announce` (a document number), left unannounced for
    the caller to announce once the accounts exist."""
    known = set(session.exec(select(Invoice.number).where(Invoice.tenant_id == tenant.id)).all())
    published = {
        number: moment
        for number, moment in core.session.exec(
            select(Invoice.number, Invoice.published_at).where(Invoice.tenant_id == core.tenant.id)
        ).all()
        if number not in known
    }
    with _folder(directory) as folder:
        write_feed(folder, _changed(core))
        core.session.close()  # the core system's part is written: its rows need not stay in memory
        result, run = run_import(session=session, tenant_id=tenant.id, path=folder)
    _imported(result)
    _stamp_history(session, tenant.id, published, announce=announce)
    return run


def write_feed(directory: Path, records: Records) -> Path:
    """The file set: one JSON Lines file per record type that has records, and a manifest. A
    directory already there is replaced (it is the previous seed's)."""
    if directory.exists():
        shutil.rmtree(directory)
    write_jsonl(directory, {name: rows for name, rows in records.items() if rows})
    manifest = {"format_version": fmt.FORMAT_VERSION, "source": SOURCE}
    (directory / fmt.MANIFEST).write_text(json.dumps(manifest) + "\n", encoding="utf-8")
    return directory


def customers_by_code(session: Session, tenant_id: int) -> dict[str, Customer]:
    return {row.code: row for row in session.exec(select(Customer).where(Customer.tenant_id == tenant_id))}


def contracts_by_number(session: Session, tenant_id: int) -> dict[str, Contract]:
    return {row.number: row for row in session.exec(select(Contract).where(Contract.tenant_id == tenant_id))}


def _comparable(records: Records) -> Records:
    return {
        name: [{field: value for field, value in row.items() if field not in _DOCUMENT_FIELDS} for row in rows]
        for name, rows in records.items()
        if name not in _PORTAL_PART
    }


def _changed(core: CoreSystem) -> Records:
    """The core system's records that are not, as they are, among those it started from."""

    def text(row: dict[str, Any]) -> str:
        return json.dumps(row, sort_keys=True)

    now = _comparable(records_of(core.session, core.tenant.id))
    before = {name: {text(row) for row in rows} for name, rows in core.copied.items()}
    return {name: [row for row in rows if text(row) not in before.get(name, set())] for name, rows in now.items()}


@contextlib.contextmanager
def _folder(directory: Path | None) -> Iterator[Path]:
    if directory is not None:
        yield directory
        return
    with tempfile.TemporaryDirectory(prefix="portal-seed-feed-") as temporary:
        yield Path(temporary) / "feed"


def _imported(result: ImportResult) -> None:
    if result.outcome is not ImportOutcome.IMPORTED:
        shown = "; ".join(rejection.as_text() for rejection in result.rejections[:5])
        raise RuntimeError(f"the data set's file set was not imported ({result.outcome.value}): {shown}")


def _stamp_history(
    session: Session, tenant_id: int, published: Mapping[str, dt.datetime], *, announce: str | None
) -> None:
    """The imported documents as published (and announced) when the core system issued them."""
    invoice = SQLModel.metadata.tables["invoice"]
    update = (
        sa.update(invoice)
        .where(invoice.c.tenant_id == tenant_id, invoice.c.number == sa.bindparam("stamped_number"))
        .values(published_at=sa.bindparam("published"), notified_at=sa.bindparam("notified"))
    )
    rows = [
        {"stamped_number": number, "published": moment, "notified": None if number == announce else moment}
        for number, moment in published.items()
    ]
    if rows:
        session.flush()
        session.execute(update, rows)
    for row in session.identity_map.values():
        if isinstance(row, Invoice) and row.number in published:
            session.expire(row, ["published_at", "notified_at"])
