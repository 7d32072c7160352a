"""An invoice's PDF and FatturaPA XML sent in the set's documents/ folder: stored under random names
only once the transaction commits (removed if it rolls back), unchanged when the same bytes come
again, replaced when they differ, served by the invoice route instead of the generated document."""

from __future__ import annotations

import contextlib
import hashlib
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from portal import api, routes
from portal.db import make_engine
from portal.integration.export import documents_of, records_of, write_documents, write_jsonl
from portal.integration.importer import TypeCounts, import_file_set
from portal.integration.readers import read_file_set
from portal.models import UserAccount
from portal.models.enums import ImportOutcome, UserRole
from portal.services.access.scope import scope_of
from portal.services.billing import document_files
from portal.services.common.branding import load_branding, sync_tenant
from tests.conftest import migrate
from tests.unit.integration.conftest import file_set_copy, make_tenant

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<p:FatturaElettronica xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2" versione="FPR12">'
    b"<FatturaElettronicaHeader/></p:FatturaElettronica>\n"
)


@pytest.fixture
def db(tmp_path):
    """A database of its own, where a commit is a real one (the shared test database cannot take
    one: its tests roll back), with the demo's leasing company and no data."""
    engine = make_engine(f"sqlite:///{tmp_path / 'documents.db'}")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def tenant(db):
    tenant = sync_tenant(session=db, branding=load_branding("aurora"))
    db.commit()
    return tenant


def _with_documents(tmp_path: Path, name: str = "set", pdf: bytes = PDF, xml: bytes = XML) -> Path:
    records = file_set_copy()
    records["invoice"][0] |= {"pdf_file": "2025_000001.pdf", "xml_file": "2025_000001.xml"}
    path = write_jsonl(tmp_path / name, records)
    return write_documents(path, {"2025_000001.pdf": pdf, "2025_000001.xml": xml})


def _import(db, tenant, path: Path, base: Path, **kwargs):
    return import_file_set(session=db, tenant_id=tenant.id, file_set=read_file_set(path), document_base=base, **kwargs)


def _files(base: Path, folder: str) -> dict[str, bytes]:
    where = base / "invoice_documents" / folder
    return {item.name: item.read_bytes() for item in where.iterdir()} if where.exists() else {}


def _stored_columns(db, tenant) -> tuple:
    return tuple(
        db.execute(
            sa.text(
                "select pdf_storage_key, pdf_sha256, xml_storage_key, xml_sha256 from invoice"
                " where tenant_id = :t and number = '2025/000001'"
            ),
            {"t": tenant.id},
        ).one()
    )


def test_documents_are_stored_once_the_transaction_commits(db, tenant, tmp_path):
    base = tmp_path / "private"

    result = _import(db, tenant, _with_documents(tmp_path), base)

    assert result.outcome is ImportOutcome.IMPORTED, [r.as_text() for r in result.rejections]
    db.flush()
    pdf_key, pdf_sha, xml_key, xml_sha = _stored_columns(db, tenant)
    assert (pdf_sha, xml_sha) == (hashlib.sha256(PDF).hexdigest(), hashlib.sha256(XML).hexdigest())
    assert len(pdf_key) == 32 and pdf_key.isalnum() and pdf_key != xml_key  # random names, not the sent ones
    assert _files(base, "stored") == {} and _files(base, "staging") == {pdf_key: PDF, xml_key: XML}

    db.commit()

    assert _files(base, "staging") == {} and _files(base, "stored") == {pdf_key: PDF, xml_key: XML}


def test_a_rolled_back_import_leaves_no_file(db, tenant, tmp_path):
    base = tmp_path / "private"

    _import(db, tenant, _with_documents(tmp_path), base)
    db.rollback()

    assert _files(base, "staging") == {} and _files(base, "stored") == {}
    assert db.execute(sa.text("select count(*) from invoice where tenant_id = :t"), {"t": tenant.id}).scalar() == 0


def test_a_dry_run_stores_no_file(db, tenant, tmp_path):
    base = tmp_path / "private"

    result = _import(db, tenant, _with_documents(tmp_path), base, dry_run=True)
    db.commit()

    assert result.outcome is ImportOutcome.VALID and result.counts["invoice"] == TypeCounts(created=5)
    assert _files(base, "staging") == {} and _files(base, "stored") == {}


def test_the_same_bytes_again_are_unchanged_and_other_bytes_replace_the_file(db, tenant, tmp_path):
    base = tmp_path / "private"
    _import(db, tenant, _with_documents(tmp_path, "first"), base)
    db.commit()
    first = _stored_columns(db, tenant)

    again = _import(db, tenant, _with_documents(tmp_path, "again"), base)
    db.commit()

    assert again.counts["invoice"] == TypeCounts(unchanged=5)
    assert _stored_columns(db, tenant) == first and set(_files(base, "stored")) == {first[0], first[2]}

    new_pdf = PDF.replace(b"%%EOF", b"% corrected\n%%EOF")
    changed = _import(db, tenant, _with_documents(tmp_path, "changed", pdf=new_pdf), base)
    db.commit()

    assert changed.counts["invoice"] == TypeCounts(updated=1, unchanged=4)
    pdf_key, pdf_sha, xml_key, xml_sha = _stored_columns(db, tenant)
    assert pdf_key != first[0] and pdf_sha == hashlib.sha256(new_pdf).hexdigest()
    assert (xml_key, xml_sha) == (first[2], first[3])  # the XML did not change
    assert _files(base, "stored") == {pdf_key: new_pdf, xml_key: XML}  # the replaced PDF is gone

    without = _import(db, tenant, write_jsonl(tmp_path / "without", {"invoice": file_set_copy()["invoice"]}), base)
    db.commit()

    assert without.counts["invoice"] == TypeCounts(updated=1, unchanged=4)
    assert _stored_columns(db, tenant) == (None, None, None, None)
    assert _files(base, "stored") == {}


def test_documents_in_a_zip_and_the_export_round_trip(db, tenant, tmp_path):
    base = tmp_path / "private"
    path = _with_documents(tmp_path)
    archive = tmp_path / "nightly.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for item in sorted(path.rglob("*")):
            if item.is_file():
                bundle.write(item, f"export/{item.relative_to(path)}")

    result = _import(db, tenant, archive, base)
    db.commit()

    assert result.outcome is ImportOutcome.IMPORTED, [r.as_text() for r in result.rejections]
    exported = documents_of(db, tenant.id, base)
    assert {name: item.read_bytes() for name, item in exported.items()} == {
        "2025_000001.pdf": PDF,
        "2025_000001.xml": XML,
    }
    other = make_tenant(db, "import-test-documents")
    records = {name: rows for name, rows in records_of(db, tenant.id).items() if name != "user"}  # one tenant's
    copy = write_documents(write_jsonl(tmp_path / "copy", records), exported)
    assert _import(db, other, copy, base).outcome is ImportOutcome.IMPORTED
    db.commit()
    assert _stored_columns(db, other)[1::2] == _stored_columns(db, tenant)[1::2]


@pytest.fixture
def served(db, tenant, tmp_path, monkeypatch):
    """The invoice route, on this test's session, signed in as the owner of customer C100."""
    base = tmp_path / "private"
    monkeypatch.setattr(document_files, "root", lambda _base=None: base / "invoice_documents")

    @contextlib.contextmanager
    def this_session():
        yield db

    def owner(_request, session):
        user = session.exec(select(UserAccount).where(UserAccount.username == "imp-doc-owner")).one()
        return api.Reader(user=user, scope=scope_of(session=session, user=user))

    monkeypatch.setattr(api, "session_scope", this_session)
    monkeypatch.setattr(api, "_customer_reader", owner)
    return TestClient(Starlette(routes=[Route(routes.API_INVOICE, api.invoice_document)]))


def _invoice_id(db, tenant, number: str) -> int:
    return db.execute(
        sa.text("select id from invoice where tenant_id = :t and number = :n"), {"t": tenant.id, "n": number}
    ).scalar_one()


def test_the_invoice_route_serves_the_sent_files_and_generates_the_others(db, tenant, tmp_path, served):
    _import(db, tenant, _with_documents(tmp_path), None)
    db.commit()
    customer_id = db.execute(
        sa.text("select id from customer where tenant_id = :t and code = 'C100'"), {"t": tenant.id}
    ).scalar_one()
    db.add(
        UserAccount(
            tenant_id=tenant.id,
            customer_id=customer_id,
            username="imp-doc-owner",
            role=UserRole.CUSTOMER,
            primary_email="owner@example.it",
        )
    )
    db.flush()
    sent = _invoice_id(db, tenant, "2025/000001")
    generated = _invoice_id(db, tenant, "2025/000002")

    pdf = served.get(f"/api/documenti/fattura/{sent}.pdf")
    xml = served.get(f"/api/documenti/fattura/{sent}.xml")
    other = served.get(f"/api/documenti/fattura/{generated}.xml")

    assert (pdf.status_code, pdf.content, pdf.headers["content-type"]) == (200, PDF, "application/pdf")
    assert (xml.status_code, xml.content) == (200, XML)
    assert other.status_code == 200 and other.content != XML and b"2025/000002" in other.content
