"""The integration's HTTP API in process: the portal's Starlette routes with their middlewares
(no Reflex, no server), on a database of this package's own, migrated from empty, which the
routes' sessions (portal.db.get_engine) reach. Each test makes its own leasing companies and keys."""

from __future__ import annotations

import dataclasses
import os
import secrets
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from starlette.testclient import TestClient

import portal.db
from portal.api import api
from portal.db import make_engine
from portal.integration import keys
from portal.models import Customer, Tenant, UserAccount
from portal.models.enums import CustomerKind, UserRole
from portal.services.common import clock, throttle
from portal.services.common.branding import load_branding, sync_tenant
from portal.services.requests import attachments as files
from portal.services.requests import tickets
from portal.web.stack import protect
from tests.conftest import NOW, _postgres_engine, migrate
from tests.unit.integration.conftest import FILE_SET as SAMPLE_SET
from tests.unit.integration.conftest import SNAPSHOT_QUERIES, file_set_copy

BASE_URL = "http://127.0.0.1:3000"
# The sample set without its reference rates and its users: rates are shared by every leasing company,
# an admin's username is its customer code across the portal, and each test here imports into a
# company of its own in one database.
SHARED = ("rate", "user")
FILE_SET = {name: records for name, records in SAMPLE_SET.items() if name not in SHARED}


def sample_copy() -> dict[str, list]:
    """A copy of FILE_SET to alter."""
    return {name: records for name, records in file_set_copy().items() if name not in SHARED}


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 3000 + b"\n%%EOF\n"


@dataclasses.dataclass(frozen=True)
class Opened:
    """A customer's request as the portal stored it: what the tests name and compare."""

    code: str
    request_id: int
    author_id: int
    attachment_id: int | None


@dataclasses.dataclass
class Portal:
    engine: sa.Engine
    client: TestClient

    def tenant(self) -> int:
        """A new leasing company with no data, as the demo's branding."""
        with Session(self.engine) as db:
            demo = db.exec(select(Tenant).where(Tenant.slug == "aurora")).one()
            tenant = Tenant(slug=f"api-{secrets.token_hex(4)}", **demo.model_dump(exclude={"id", "slug", "created_at"}))
            db.add(tenant)
            db.commit()
            return tenant.id

    def token(self, tenant_id: int, *scopes: str, name: str | None = None) -> str:
        with Session(self.engine) as db:
            token = keys.create_key(
                session=db,
                tenant_id=tenant_id,
                name=name or f"core-{secrets.token_hex(3)}",
                scopes=list(scopes or (keys.RECORDS_WRITE,)),
                now=clock.now(),
            )
            db.commit()
        return token

    def revoke(self, tenant_id: int, name: str) -> None:
        with Session(self.engine) as db:
            keys.revoke_key(session=db, tenant_id=tenant_id, name=name, now=clock.now())
            db.commit()

    def open_request(self, tenant_id: int, *, title: str = "Guasto al riunito", with_file: bool = True) -> Opened:
        """A new customer of the tenant, with its account, opens a request (a PDF attached)."""
        marker = secrets.token_hex(3)
        with Session(self.engine) as db:
            customer = Customer(
                tenant_id=tenant_id,
                code=f"C{marker}",
                kind=CustomerKind.COMPANY,
                denominazione=f"Cliente {marker} S.r.l.",
                codice_fiscale="09876543210",
                street="Via Po 1",
                postal_code="10100",
                city="Torino",
                province="TO",
            )
            db.add(customer)
            db.flush()
            author = UserAccount(
                tenant_id=tenant_id,
                customer_id=customer.id,
                username=f"api-{marker}",
                role=UserRole.CUSTOMER,
                primary_email=f"{marker}@cliente.example",
            )
            db.add(author)
            db.flush()
            staged = [files.stage(chunks=[PDF], display_name="mandato SEPA.pdf", kinds=("pdf",))] if with_file else []
            request = tickets.open_request(
                session=db,
                author=author,
                customer_id=customer.id,
                form_key="other",
                title=title,
                message="Non si accende",
                now=NOW,
                payload={"what": title},
                staged=staged,
            )
            db.commit()
            opened = Opened(request.code, request.id, author.id, None)
        found = self.rows("select id from request_attachment where request_id = :r", r=opened.request_id)
        return dataclasses.replace(opened, attachment_id=found[0][0] if found else None)

    def rows(self, query: str, **params: Any) -> list[tuple]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(query), params)]

    def snapshot(self, tenant_id: int) -> dict[str, list[tuple]]:
        """Every imported row of the tenant, as plain SQL reads it (the import tests' queries)."""
        return {name: self.rows(query, tenant=tenant_id) for name, query in SNAPSHOT_QUERIES.items()}

    def runs(self, tenant_id: int) -> list[tuple]:
        return self.rows(
            "select source, dry_run, outcome, created, updated, unchanged, rejected from import_run"
            " where tenant_id = :t order by id",
            t=tenant_id,
        )


@pytest.fixture(scope="package")
def api_engine(tmp_path_factory):
    """SQLite, or PostgreSQL in a schema of its own when TEST_DATABASE_URL is set (as tests/conftest.py)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine, schema = _postgres_engine(url)
    else:
        engine, schema = make_engine(f"sqlite:///{tmp_path_factory.mktemp('api-db') / 'api.db'}"), None
    migrate(engine)
    with Session(engine) as db:
        sync_tenant(session=db, branding=load_branding("aurora"))
        db.commit()
    yield engine
    engine.dispose()
    if url and schema:
        admin = sa.create_engine(url)
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def portal_api(api_engine, monkeypatch, tmp_path) -> Portal:
    monkeypatch.setattr(portal.db, "get_engine", lambda: api_engine)
    # the requests' files go to the test's own folder
    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    throttle.reset()
    return Portal(engine=api_engine, client=TestClient(protect(api), base_url=BASE_URL))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
