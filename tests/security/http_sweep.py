"""The HTTP route sweep's table: every route the running app serves, read from the app (the
portal's own routes in portal/api.py, the routes Reflex mounts, Reflex's endpoint list), with what
an attacker sends to it (the victim's ids in the path), what a refusal looks like, and the control
(the caller's own ids, which must work). A route missing here fails the suite
(test_every_route_has_a_sweep_entry), so a new route must say what it takes and who may call it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import sqlalchemy as sa
from reflex import constants
from sqlmodel import Session

import portal.portal  # noqa: F401  (builds the app: its routes are read below)
from portal import routes
from portal.api import api
from portal.integration import keys as api_keys
from portal.models import Contract, Customer, DataExport, ExportStatus
from portal.services.access.sessions import token_digest
from portal.services.common import downloads
from portal.services.contracts.payoff import payable_instalments
from portal.services.contracts.statements import statement_years
from tests.e2e.conftest import RunningApp
from tests.security.victims import Victim

UPLOAD = str(constants.Endpoint.UPLOAD)
UPLOADED_FILES = UPLOAD + "/{path}"  # Reflex mounts the public upload folder on the same endpoint (GET)
FRONTEND = "/{path}"  # the compiled pages, mounted by `reflex run --single-port` at start
DOCUMENT_TYPES = ("application/pdf", "application/xml", "text/xml", "image/svg+xml", "application/octet-stream")


def served_routes() -> set[str]:
    """Every path the app answers on, as the app declares them: the portal's routes, what Reflex
    mounted when the app was built, and the endpoints Reflex knows (some only in some setups)."""
    found = {route.path for route in api.routes}
    found |= {route.path for route in portal.portal.app._api.routes}  # noqa: SLF001  (read, not changed)
    found |= {str(endpoint) for endpoint in constants.Endpoint}
    found.add(UPLOADED_FILES)
    return found


@dataclasses.dataclass(frozen=True)
class Holdings:
    """What one customer owns that the HTTP routes name: the ids an attacker puts in a path, and
    what would betray a leak (texts and file bytes only this customer's data holds)."""

    who: Victim
    main_user_id: int
    attachment_ids: tuple[int, ...]
    storage_keys: tuple[str, ...]
    file_bytes: tuple[bytes, ...]  # the customer's stored files and export
    invoices: tuple[tuple[int, str], ...]  # (id, number)
    payoffs: tuple[tuple[str, int], ...]  # (contract number, an instalment that may be the last paid)
    statements: tuple[tuple[str, int], ...]  # (contract number, a closed year)
    totp_secret: str  # a pending authenticator enrolment, set for the sweep
    download_token: Callable[[], str]  # a fresh single-use ticket for one of the customer's exports
    api_token: Callable[..., str]  # a fresh API key of the customer's leasing company, with these scopes
    my_data_code: Callable[[], str] = lambda: ""  # a fresh ready copy of the main account's data (issue 15)
    request_files: tuple[tuple[str, int], ...] = ()  # (request code, attachment id) of the customer's files
    settable: tuple[tuple[str, str], ...] = ()  # (request code, status) of requests in a status the API sets
    document_ids: tuple[int, ...] = ()  # documents published to the customer (issue 15)
    upload_ids: tuple[int, ...] = ()  # files the customer sent for the documents the desk asked for

    @property
    def secrets(self) -> tuple[str, ...]:
        """The pending key, and its lines as the QR image prints them (groups of four, four a line)."""
        groups = [self.totp_secret[i : i + 4] for i in range(0, len(self.totp_secret), 4)]
        return (self.totp_secret, *(" ".join(groups[i : i + 4]) for i in range(0, len(groups), 4)))

    def sample(self, n: int = 2) -> Holdings:
        """The first few of each kind: enough where the id is not what decides (no session at all)."""
        return dataclasses.replace(
            self,
            attachment_ids=self.attachment_ids[:n],
            storage_keys=self.storage_keys[:n],
            invoices=self.invoices[:n],
            payoffs=self.payoffs[:n],
            statements=self.statements[:n],
            request_files=self.request_files[:n],
            settable=self.settable[:n],
            document_ids=self.document_ids[:n],
            upload_ids=self.upload_ids[:n],
        )


def holdings(app: RunningApp, who: Victim, totp_secret: str) -> Holdings:
    with app.engine.connect() as connection:
        main_user = connection.execute(
            sa.text("select id from user_account where username = :u"), {"u": who.code}
        ).scalar_one()
        keys = tuple(
            row[0]
            for row in connection.execute(
                sa.text(
                    "select storage_key from request_attachment where id in ("
                    + ", ".join(str(int(i)) for i in who.attachment_ids)
                    + ") order by id"
                )
            )
        )
        invoices = tuple(
            (row[0], row[1])
            for row in connection.execute(
                sa.text("select id, number from invoice where customer_id = :c order by id"), {"c": who.customer_id}
            )
        )
        ids = ", ".join(str(int(i)) for i in who.attachment_ids) or "0"
        request_files = tuple(
            (row[0], row[1])
            for row in connection.execute(
                sa.text(
                    "select r.code, a.id from request_attachment a join service_request r on r.id = a.request_id"
                    f" where a.id in ({ids}) order by a.id"
                )
            )
        )
        settable = tuple(
            (row[0], row[1])
            for row in connection.execute(
                sa.text(
                    "select code, status from service_request where customer_id = :c"
                    " and status in ('in_progress', 'waiting_customer', 'resolved', 'rejected') order by id"
                ),
                {"c": who.customer_id},
            )
        )
        documents = tuple(
            (row[0], row[1])
            for row in connection.execute(
                sa.text("select id, storage_key from published_document where customer_id = :c order by id"),
                {"c": who.customer_id},
            )
        )
        uploads = tuple(
            (row[0], row[1])
            for row in connection.execute(
                sa.text(
                    "select u.id, u.storage_key from document_upload u join document_ask a on a.id = u.ask_id"
                    " where a.customer_id = :c order by u.id"
                ),
                {"c": who.customer_id},
            )
        )
    stored = app.private_dir / "attachments" / "stored"
    payoffs, statements = [], []
    with Session(app.engine) as db:
        for contract_id in who.contract_ids:
            contract = db.get(Contract, contract_id)
            assert contract is not None
            payable = payable_instalments(session=db, contract=contract, today=app.today)
            if payable:
                payoffs.append((contract.number, payable[0].number))
            years = statement_years(contract, app.today)
            if years:
                statements.append((contract.number, years[0]))
    export = f"private export of customer {who.code}: {secrets.token_hex(16)}\n".encode()

    def download_token() -> str:
        name = downloads.new_storage_name(".txt")
        (downloads.exports_dir(app.private_dir) / name).write_bytes(export)
        with Session(app.engine) as db:
            token = downloads.issue_ticket(
                session=db,
                user_id=main_user,
                storage_name=name,
                filename=f"export-{who.code}.txt",
                content_type="text/plain",
                now=dt.datetime.now(dt.UTC),
            )
            db.commit()
        return token

    my_data = f"private data export of customer {who.code}: {secrets.token_hex(16)}\n".encode()

    def my_data_code() -> str:
        """A ready export of the main account's data (as the job leaves it), its link's code."""
        name = downloads.new_storage_name(".zip")
        (downloads.exports_dir(app.private_dir) / name).write_bytes(my_data)
        now = dt.datetime.now(dt.UTC)
        with Session(app.engine) as db:
            customer = db.get(Customer, who.customer_id)
            assert customer is not None
            row = DataExport(
                tenant_id=customer.tenant_id,
                user_id=main_user,
                customer_id=who.customer_id,
                code=secrets.token_urlsafe(18),
                status=ExportStatus.READY,
                requested_at=now,
                ready_at=now,
                expires_at=now + dt.timedelta(days=7),
                storage_name=name,
                size_bytes=len(my_data),
            )
            db.add(row)
            db.commit()
            return row.code

    def api_token(*scopes: str) -> str:
        with Session(app.engine) as db:
            customer = db.get(Customer, who.customer_id)
            assert customer is not None
            token = api_keys.create_key(
                session=db,
                tenant_id=customer.tenant_id,
                name=f"sweep-{who.code}-{secrets.token_hex(4)}",
                scopes=list(scopes or (api_keys.RECORDS_WRITE,)),
                now=dt.datetime.now(dt.UTC),
            )
            db.commit()
        return token

    return Holdings(
        who=who,
        main_user_id=main_user,
        attachment_ids=who.attachment_ids,
        storage_keys=keys,
        file_bytes=(
            *((stored / key).read_bytes() for key in keys),
            *((stored / key).read_bytes() for _, key in (*documents, *uploads)),
            export,
            my_data,
        ),
        invoices=invoices,
        payoffs=tuple(payoffs),
        statements=tuple(statements),
        totp_secret=totp_secret,
        download_token=download_token,
        my_data_code=my_data_code,
        api_token=api_token,
        request_files=request_files,
        settable=settable,
        document_ids=tuple(document_id for document_id, _ in documents),
        upload_ids=tuple(upload_id for upload_id, _ in uploads),
    )


def new_totp_secret() -> str:
    """A key as an enrolment stores it (32 base32 characters)."""
    return pyotp.random_base32()


@dataclasses.dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: dict[str, Any] | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    content: bytes | None = None


Calls = Callable[[Holdings], list[Call]]


@dataclasses.dataclass(frozen=True)
class RouteEntry:
    """audience: who the route serves ("public": anyone, it holds nothing of a customer's;
    "customer": a signed-in customer, about their own data; "signed_in": a customer or the service
    desk; "operator": the service desk only; "integration": the core system, with an API key, never a
    session; "absent": a Reflex endpoint this app does not serve).
    attempts: what an attacker sends with the victim's holdings; refused: the answers an attempt may
    get (a refusal, or for a public route its harmless answer). own: the control, the caller's own
    holdings, which must be served (None when the route has nothing of anyone's to serve)."""

    audience: str
    methods: frozenset[str]
    attempts: Calls
    refused: frozenset[int]
    own: Calls | None = None
    anonymous: frozenset[int] | None = None  # the answer without a session, when not `refused`
    wrong_method: frozenset[int] = frozenset({404, 405})  # the answer to a method the route does not take


GET = frozenset({"GET", "HEAD"})
POST = frozenset({"POST"})
NOT_FOUND = frozenset({404})
APP_ORIGIN = "{app}"  # replaced by the app's own origin when sent
JSON_FROM_PORTAL = {"Origin": APP_ORIGIN}  # the portal's own page posting JSON


def _gets(*paths: str) -> list[Call]:
    """GET every path, and HEAD the first (the same handler: one is enough to see it refused)."""
    return [Call("GET", path) for path in paths] + [Call("HEAD", path) for path in paths[:1]]


def _attachments(h: Holdings) -> list[Call]:
    return _gets(*(routes.attachment_url(i) for i in h.attachment_ids))


def _invoices(h: Holdings) -> list[Call]:
    return _gets(
        *(
            url
            for index, (invoice_id, _) in enumerate(h.invoices)
            for url in (
                (routes.invoice_pdf_url(invoice_id), routes.invoice_xml_url(invoice_id))
                + (
                    (routes.invoice_pdf_url(invoice_id, download=True), f"/api/documenti/fattura/{invoice_id}.html")
                    if index == 0
                    else ()
                )
            )
        )
    )


def _payoffs(h: Holdings) -> list[Call]:
    return _gets(*(routes.payoff_url(number, instalment) for number, instalment in h.payoffs))


def _statements(h: Holdings) -> list[Call]:
    return _gets(*(routes.statement_url(number, year) for number, year in h.statements))


def _published(h: Holdings) -> list[Call]:
    return _gets(*(routes.published_document_url(i) for i in h.document_ids))


def _document_uploads(h: Holdings) -> list[Call]:
    return _gets(*(routes.document_upload_url(i) for i in h.upload_ids))


def _download(h: Holdings) -> list[Call]:
    return [Call("GET", routes.download_url(h.download_token()))]


def _my_data(h: Holdings) -> list[Call]:
    """The copy of the main account's data: for that account only (its sub-users and everyone else
    get the 404 of a link that does not exist)."""
    return [Call("GET", routes.my_data_download_url(h.my_data_code()))]


def _uploaded_files(h: Holdings) -> list[Call]:
    """Reflex's public upload folder, and the ways out of it towards the private storage."""
    return _gets(
        *(
            path
            for key in h.storage_keys
            for path in (
                f"{UPLOAD}/{key}",
                f"{UPLOAD}/attachments/stored/{key}",
                f"{UPLOAD}/..%2f..%2fprivate%2fattachments%2fstored%2f{key}",
                f"{UPLOAD}/%2e%2e/%2e%2e/attachments/stored/{key}",
            )
        )
    )


def _frontend(h: Holdings) -> list[Call]:
    return _gets(
        *(
            path
            for key in h.storage_keys
            for path in (
                f"/attachments/stored/{key}",
                f"/..%2f..%2fattachments%2fstored%2f{key}",
                f"/%2e%2e/%2e%2e/%2e%2e/attachments/stored/{key}",
                f"/api/allegati/../../attachments/stored/{key}",
            )
        )
    )


def _upload_calls(h: Holdings) -> list[Call]:
    """An upload as the page sends it, bound to a tab and a handler: the route sweep checks who may
    post at all; what a signed-in upload may stage is test_upload_attacks.py's."""
    from portal.pages.request_detail import RequestDetailState
    from tests.support.reflex_socket import state_event

    boundary = "sweepboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{h.who.code}.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--{boundary}--\r\n"
    ).encode()
    return [
        Call(
            "POST",
            UPLOAD,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "reflex-client-token": secrets.token_hex(16),
                "reflex-event-handler": state_event(RequestDetailState, "upload"),
            },
            content=body,
        )
    ]


def _sign_in_calls(h: Holdings) -> list[Call]:
    """A ticket that is not one (a guessed one, the victim's user id, a session digest), and a
    form posted from another site."""
    return [
        Call("POST", routes.API_SIGN_IN, json={"ticket": ticket}, headers=JSON_FROM_PORTAL)
        for ticket in ("forged", str(h.main_user_id), h.who.code, "")
    ] + [
        Call(
            "POST",
            routes.API_SIGN_IN,
            content=b'{"ticket": "forged"}',
            headers={"Content-Type": "text/plain", "Origin": "http://evil.example"},
        )
    ]


def _sign_out_calls(h: Holdings) -> list[Call]:
    """Logout CSRF: a form posted from another site."""
    return [
        Call(
            "POST", routes.API_SIGN_OUT, content=b"x=1", headers={"Content-Type": "application/x-www-form-urlencoded"}
        ),
        Call("POST", routes.API_SIGN_OUT, json={}, headers={"Origin": "http://evil.example"}),
    ]


def _api_credentials(h: Holdings) -> list[dict[str, str]]:
    """What an attacker may send instead of an API key with records:write: nothing, the victim's
    code or a forged token as a bearer, another scheme, a real key of the company without the scope."""
    return [
        {},
        {"Authorization": f"Bearer {h.who.code}"},
        {"Authorization": f"Bearer {api_keys.TOKEN_PREFIX}{'0' * 12}.{'A' * 43}"},
        {"Authorization": f"Basic {h.who.code}"},
        {"Authorization": f"Bearer {h.api_token(api_keys.REQUESTS_READ, api_keys.REQUESTS_WRITE)}"},
    ]


def _lacking(h: Holdings, scope: str) -> list[dict[str, str]]:
    """Credentials without `scope`: nothing, the victim's code or a forged token, another scheme, a
    real key of the customer's own leasing company holding every scope but that one."""
    others = [other for other in api_keys.SCOPES if other != scope]
    return [
        {},
        {"Authorization": f"Bearer {h.who.code}"},
        {"Authorization": f"Bearer {api_keys.TOKEN_PREFIX}{'0' * 12}.{'A' * 43}"},
        {"Authorization": f"Basic {h.who.code}"},
        {"Authorization": f"Bearer {h.api_token(*others)}"},
    ]


def _feed_calls(h: Holdings) -> list[Call]:
    path = f"{routes.API_V1_REQUESTS}?since=0&replay=true"
    return [Call("GET", path, headers=headers) for headers in _lacking(h, api_keys.REQUESTS_READ)]


def _ack_calls(h: Holdings) -> list[Call]:
    return [
        Call("POST", routes.API_V1_REQUESTS_ACK, json={"cursor": "0"}, headers=headers)
        for headers in _lacking(h, api_keys.REQUESTS_READ)
    ]


def _status_calls(h: Holdings) -> list[Call]:
    """A status change that would reject each of the victim's requests and write to the customer."""
    body = {"status": "rejected", "message": f"Respinta {h.who.code}"}
    return [
        Call("POST", routes.api_request_status_url(code), json=body, headers=headers)
        for code in h.who.request_codes
        for headers in _lacking(h, api_keys.REQUESTS_WRITE)
    ]


def _request_file_calls(h: Holdings) -> list[Call]:
    return [
        Call("GET", routes.api_request_attachment_url(code, attachment_id), headers=headers)
        for code, attachment_id in h.request_files
        for headers in _lacking(h, api_keys.REQUESTS_READ)
    ]


def _requests_own(h: Holdings) -> dict[str, list[Call]]:
    """The controls, with real keys: a feed page after every event there is (empty: the company's
    feed holds the other customer's requests too, rightly, and the sweep would count them), an
    acknowledgement of nothing, a status change to the status the request has (which changes
    nothing), and the customer's own file."""
    reader = {"Authorization": f"Bearer {h.api_token(api_keys.REQUESTS_READ)}"}
    writer = {"Authorization": f"Bearer {h.api_token(api_keys.REQUESTS_WRITE)}"}
    return {
        routes.API_V1_REQUESTS: [Call("GET", f"{routes.API_V1_REQUESTS}?since={'9' * 18}", headers=reader)],
        routes.API_V1_REQUESTS_ACK: [
            Call("POST", routes.API_V1_REQUESTS_ACK, json={"cursor": "0", "consumer": "sweep"}, headers=reader)
        ],
        routes.API_V1_REQUEST_STATUS: [
            Call("POST", routes.api_request_status_url(code), json={"status": status}, headers=writer)
            for code, status in h.settable[:1]
        ],
        routes.API_V1_REQUEST_ATTACHMENT: [
            Call("GET", routes.api_request_attachment_url(code, attachment_id), headers=reader)
            for code, attachment_id in h.request_files[:1]
        ],
    }


def _hijack(h: Holdings) -> dict[str, Any]:
    """A record that would rename the victim's customer if it were imported."""
    return {
        "code": h.who.code,
        "kind": "company",
        "denominazione": "Rinominata S.r.l.",
        "codice_fiscale": "01234567890",
        "partita_iva": "01234567890",
        "street": "Via Roma 1",
        "postal_code": "20100",
        "city": "Milano",
        "province": "MI",
    }


def _zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _api_batches(h: Holdings) -> list[Call]:
    body = {"records": {"customer": [_hijack(h)]}}
    return [Call("POST", routes.API_V1_BATCHES, json=body, headers=headers) for headers in _api_credentials(h)]


def _api_file_sets(h: Holdings) -> list[Call]:
    body = _zip_of({"customer.jsonl": json.dumps(_hijack(h)) + "\n"})
    return [
        Call("POST", routes.API_V1_FILE_SETS, content=body, headers={**headers, "Content-Type": "application/zip"})
        for headers in _api_credentials(h)
    ]


def _api_own(h: Holdings) -> list[Call]:
    """The control: a real key with the scope, a dry run that imports nothing."""
    bearer = {"Authorization": f"Bearer {h.api_token(api_keys.RECORDS_WRITE)}"}
    return [
        Call("POST", routes.API_V1_BATCHES, json={"dry_run": True, "records": {}}, headers=bearer),
        Call(
            "POST",
            f"{routes.API_V1_FILE_SETS}?dry_run=true",
            content=_zip_of({}),
            headers={**bearer, "Content-Type": "application/zip"},
        ),
    ]


def _plain(path: str) -> Calls:
    return lambda h: _gets(path)


def _absent(path: str) -> Calls:
    return lambda h: _gets(path, f"{path}?user={h.who.code}")


SWEEP: dict[str, RouteEntry] = {
    routes.API_SIGN_IN: RouteEntry(
        "public", POST, _sign_in_calls, frozenset({400, 403}), own=None
    ),  # control: every sign_in() of the suite
    routes.API_SIGN_OUT: RouteEntry(
        "public",
        POST,
        _sign_out_calls,
        frozenset({403}),
        own=lambda h: [Call("POST", routes.API_SIGN_OUT, json={}, headers=JSON_FROM_PORTAL)],
    ),
    routes.API_ATTACHMENT: RouteEntry("signed_in", GET, _attachments, NOT_FOUND, own=lambda h: _attachments(h)[:1]),
    routes.API_PAYOFF: RouteEntry("customer", GET, _payoffs, NOT_FOUND, own=lambda h: _payoffs(h)[:1]),
    routes.API_INVOICE: RouteEntry(
        "customer",
        GET,
        _invoices,
        NOT_FOUND,
        own=lambda h: [
            Call("GET", routes.invoice_pdf_url(h.invoices[0][0])),
            Call("GET", routes.invoice_xml_url(h.invoices[0][0])),
        ],
    ),
    routes.API_STATEMENT: RouteEntry("customer", GET, _statements, NOT_FOUND, own=lambda h: _statements(h)[:1]),
    routes.API_TOTP_QR: RouteEntry(
        "signed_in", GET, _plain(routes.totp_qr_url(1)), NOT_FOUND, own=lambda h: [Call("GET", routes.totp_qr_url(1))]
    ),
    routes.API_DOWNLOAD: RouteEntry("signed_in", GET, _download, NOT_FOUND, own=_download),
    # issue 15: the customer's readers of the contract, and the service desk
    routes.API_PUBLISHED_DOCUMENT: RouteEntry("signed_in", GET, _published, NOT_FOUND, own=lambda h: _published(h)[:1]),
    routes.API_DOCUMENT_UPLOAD: RouteEntry(
        "signed_in", GET, _document_uploads, NOT_FOUND, own=lambda h: _document_uploads(h)[:1]
    ),
    # Without a session: the login page (then "I miei dati"), whatever the link (issue 15).
    routes.API_MY_DATA: RouteEntry("signed_in", GET, _my_data, NOT_FOUND, own=_my_data, anonymous=frozenset({303})),
    # For the proxy and the orchestrator: "alive" and "database and Redis reachable", nothing of anyone's.
    routes.API_HEALTH: RouteEntry(
        "public", GET, _plain(routes.API_HEALTH), frozenset({200}), own=_plain(routes.API_HEALTH)
    ),
    routes.API_READY: RouteEntry(
        "public", GET, _plain(routes.API_READY), frozenset({200}), own=_plain(routes.API_READY)
    ),
    # Prometheus scrapes the backends with PORTAL_METRICS_TOKEN (docs/DEPLOY.md §9): no session opens
    # it, nor a guessed token, nor the victim's code as one (404 while the setting is unset, as here).
    routes.METRICS: RouteEntry(
        "public",
        GET,
        lambda h: [
            *_gets(routes.METRICS),
            Call("GET", routes.METRICS, headers={"Authorization": f"Bearer {h.who.code * 8}"}),
            Call("GET", routes.METRICS, headers={"Authorization": "Basic bWV0cmljczptZXRyaWNz"}),
        ],
        frozenset({401, 404}),
        own=None,
    ),
    # The integration's API (docs/INTEGRATION.md §7): API keys, never sessions. Without a key with
    # records:write nothing is imported (401, 403 for a key without the scope; 429 once an address
    # has failed too often); the control is a dry run with a real key.
    routes.API_V1_BATCHES: RouteEntry(
        "integration", POST, _api_batches, frozenset({401, 403, 429}), own=lambda h: _api_own(h)[:1]
    ),
    routes.API_V1_FILE_SETS: RouteEntry(
        "integration", POST, _api_file_sets, frozenset({401, 403, 429}), own=lambda h: _api_own(h)[1:]
    ),
    # The customers' requests for the core system (docs/INTEGRATION.md §8): a key of the company with
    # requests:read (requests:write for a status change), never a session. A customer's session, a
    # forged token or a key lacking the scope gets nothing and changes nothing.
    routes.API_V1_REQUESTS: RouteEntry(
        "integration",
        GET,
        _feed_calls,
        frozenset({401, 403, 429}),
        own=lambda h: _requests_own(h)[routes.API_V1_REQUESTS],
    ),
    routes.API_V1_REQUESTS_ACK: RouteEntry(
        "integration",
        POST,
        _ack_calls,
        frozenset({401, 403, 429}),
        own=lambda h: _requests_own(h)[routes.API_V1_REQUESTS_ACK],
    ),
    routes.API_V1_REQUEST_STATUS: RouteEntry(
        "integration",
        POST,
        _status_calls,
        frozenset({401, 403, 429}),
        own=lambda h: _requests_own(h)[routes.API_V1_REQUEST_STATUS],
    ),
    routes.API_V1_REQUEST_ATTACHMENT: RouteEntry(
        "integration",
        GET,
        _request_file_calls,
        frozenset({401, 403, 429}),
        own=lambda h: _requests_own(h)[routes.API_V1_REQUEST_ATTACHMENT],
    ),
    # The API's description: public, and about no one's data.
    routes.API_V1_OPENAPI: RouteEntry(
        "public", GET, _plain(routes.API_V1_OPENAPI), frozenset({200}), own=_plain(routes.API_V1_OPENAPI)
    ),
    str(constants.Endpoint.PING): RouteEntry("public", GET, _plain("/ping"), frozenset({200}), own=_plain("/ping")),
    str(constants.Endpoint.HEALTH): RouteEntry(
        "public", GET, _plain("/_health"), frozenset({200}), own=_plain("/_health")
    ),
    # The websocket: tests/security/test_idor_websocket.py sends it every handler. Over plain HTTP
    # (engine.io's long polling) it answers nothing.
    str(constants.Endpoint.EVENT): RouteEntry(
        "public",
        frozenset({"GET"}),
        lambda h: _gets("/_event/?EIO=4&transport=polling", f"/_event/?EIO=4&transport=polling&token={h.who.code}"),
        frozenset({400}),
        wrong_method=frozenset({400}),  # engine.io answers every method of its polling transport: refused
    ),
    # Without a session the gate answers 401 unread; a signed-in caller posting to a tab that is not
    # theirs gets the handler's refusal (the login page) in a 200 stream, and nothing is staged.
    UPLOAD: RouteEntry("signed_in", POST, _upload_calls, frozenset({200}), anonymous=frozenset({401})),
    UPLOADED_FILES: RouteEntry("public", GET, _uploaded_files, NOT_FOUND),
    str(constants.Endpoint.AUTH_CODESPACE): RouteEntry("absent", GET, _absent("/auth-codespace"), NOT_FOUND),
    str(constants.Endpoint.ALL_ROUTES): RouteEntry("absent", GET, _absent("/_all_routes"), NOT_FOUND),
    FRONTEND: RouteEntry("public", GET, _frontend, NOT_FOUND, own=lambda h: _gets("/favicon.svg")),
}

WRONG_METHODS = {"GET": ("POST", "PUT", "PATCH", "DELETE"), "POST": ("GET", "PUT", "PATCH", "DELETE")}


def wrong_methods(entry: RouteEntry) -> tuple[str, ...]:
    main = "POST" if "POST" in entry.methods else "GET"
    return WRONG_METHODS[main]


def looks_like_a_document(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in DOCUMENT_TYPES


def files_under(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def session_digest(cookie: str) -> str:
    return token_digest(cookie.split("=", 1)[1])


def report_line(config: Any, line: str) -> None:
    """A line on pytest's terminal, also under -q and output capture (for the closing note's figures)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        reporter.ensure_newline()
        reporter.write_line(line)
