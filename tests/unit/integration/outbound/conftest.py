"""The demo's customer and desk, a second leasing company with a request of its own, files kept in
a folder of the test's own, and a real HTTP server in a thread to receive webhooks."""

from __future__ import annotations

import dataclasses
import http.server
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import select

from portal.models import Customer, ServiceRequest, Tenant, UserAccount
from portal.models.enums import CustomerKind, UserRole
from portal.services.requests import attachments as files
from portal.services.requests import tickets
from tests.conftest import NOW
from tests.unit.integration.conftest import make_tenant

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 3000 + b"\n%%EOF\n"


@pytest.fixture
def base(tmp_path, monkeypatch):
    """Attachments go to the test's own folder."""
    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    return tmp_path


def user(db, username: str) -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


@pytest.fixture
def customer(db, demo) -> UserAccount:
    return user(db, "10093")


@pytest.fixture
def desk(db, demo) -> UserAccount:
    return user(db, "servicedesk")


def open_ticket(db, author: UserAccount, *, title="Guasto al riunito", message="Non si accende", staged=()):
    request = tickets.open_request(
        session=db,
        author=author,
        customer_id=author.customer_id or 0,
        form_key="other",
        title=title,
        message=message,
        now=NOW,
        payload={"what": title},
        staged=staged,
    )
    db.flush()
    return request


@dataclasses.dataclass
class Other:
    tenant: Tenant
    author: UserAccount
    request: ServiceRequest


@pytest.fixture
def other(db, demo) -> Other:
    """A second leasing company, with one customer account and one request."""
    tenant = make_tenant(db, "outbound-other")
    customer = Customer(
        tenant_id=tenant.id,
        code="X1",
        kind=CustomerKind.COMPANY,
        denominazione="Altra S.r.l.",
        codice_fiscale="09876543210",
        street="Via Po 1",
        postal_code="10100",
        city="Torino",
        province="TO",
    )
    db.add(customer)
    db.flush()
    author = UserAccount(
        tenant_id=tenant.id,
        customer_id=customer.id,
        username="outbound-other-x1",
        role=UserRole.CUSTOMER,
        primary_email="x1@altra.example",
    )
    db.add(author)
    db.flush()
    return Other(tenant, author, open_ticket(db, author, title="Richiesta altrui"))


def count(db, sql: str, **params) -> int:
    db.flush()
    return int(db.execute(sa.text(sql), params).scalar_one())


@dataclasses.dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A webhook receiver on a real socket: answers each POST with the next status of `answers`
    (the last one again when they run out) and keeps what it received."""

    def __init__(self) -> None:
        self.answers: list[int] = [200]
        self.received: list[Received] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args) -> None:  # quiet
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/portal"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running
