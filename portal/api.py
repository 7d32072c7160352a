"""HTTP routes next to Reflex's websocket, for what must not travel through UI state.

Each route authenticates with the portal's own session cookie (sent by the browser on
same-origin requests) and answers only about the signed-in user; the integration's API under
/api/v1/ (portal/web/api_v1/) authenticates with API keys instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import html

import segno
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal import i18n, routes
from portal.config import settings
from portal.db import get_engine, session_scope
from portal.models import Contract, Customer, Tenant, UserAccount
from portal.services.access import authenticator, sign_in
from portal.services.access.scope import Scope, scope_of
from portal.services.access.sessions import LANGUAGE_COOKIE, SESSION_COOKIE, SESSION_POLICY, resolve_session
from portal.services.billing import document_files
from portal.services.billing.documents import load_invoice_document
from portal.services.billing.fatturapa import invoice_xml, xml_filename
from portal.services.billing.invoice_pdf import invoice_pdf, pdf_filename
from portal.services.billing.queries import access_invoice
from portal.services.common import clock, downloads, health
from portal.services.contracts.payoff import estimate
from portal.services.contracts.payoff_pdf import payoff_filename, payoff_pdf
from portal.services.contracts.queries import access_contract
from portal.services.contracts.statement_pdf import statement_filename, statement_pdf
from portal.services.contracts.statements import build_statement, statement_years
from portal.services.documents.asks import access_upload
from portal.services.documents.library import access_document
from portal.services.privacy import export
from portal.services.requests import attachments as files
from portal.services.requests.queries import access_attachment
from portal.web import metrics as prometheus
from portal.web.api_v1.auth import bearer_token
from portal.web.api_v1.imports import post_batch, post_file_set
from portal.web.api_v1.openapi import openapi_json
from portal.web.api_v1.requests import get_attachment, get_feed, post_ack, post_status
from portal.web.origin import is_json, portal_origins, same_origin

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # as the language switch's own cookie (state/i18n.py)


def _not_found() -> Response:
    return Response(status_code=404, headers=NO_STORE)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _signed_in_user(request: Request, db: Session) -> UserAccount | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    return resolve_session(session=db, token=token, now=clock.now(), policy=SESSION_POLICY) if token else None


@dataclasses.dataclass(frozen=True)
class Reader:
    """The signed-in customer (or sub-user) and the data they may see."""

    user: UserAccount
    scope: Scope


def _customer_reader(request: Request, db: Session) -> Reader | None:
    user = _signed_in_user(request, db)
    if user is None:
        return None
    scope = scope_of(session=db, user=user)
    return Reader(user=user, scope=scope) if scope is not None else None


def _from_portal_page(request: Request) -> bool:
    """Login and logout CSRF (issue 11): only the portal's own page, posting JSON, may open or
    close a session; a form on another site can do neither."""
    return is_json(request.headers) and same_origin(request.headers, portal_origins(settings))


async def open_session(request: Request) -> Response:
    """The end of a login: the one-time ticket the login page handed over becomes the session
    cookie, HttpOnly so that no script of the page can read it; 403 for a used or stale ticket,
    or for a request that is not the portal's own page posting JSON."""
    if not _from_portal_page(request):
        return Response(status_code=403, headers=NO_STORE)
    try:
        ticket = str((await request.json()).get("ticket", ""))
    except (ValueError, AttributeError):
        return Response(status_code=400, headers=NO_STORE)
    with session_scope() as db:
        opened = sign_in.open_from_ticket(
            session=db,
            ticket=ticket,
            now=clock.now(),
            policy=SESSION_POLICY,
            client_ip=_client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            previous_token=request.cookies.get(SESSION_COOKIE, ""),
        )
    if opened is None:
        return Response(status_code=403, headers=NO_STORE)
    response = Response(status_code=204, headers=NO_STORE)
    response.set_cookie(
        SESSION_COOKIE, opened.token, path="/", httponly=True, secure=settings.cookie_secure, samesite="strict"
    )
    response.set_cookie(LANGUAGE_COOKIE, opened.language, path="/", max_age=LANGUAGE_COOKIE_AGE, samesite="strict")
    return response


async def forget_session(request: Request) -> Response:
    """Logout's last step: the session, already ended by the page's state, leaves the browser
    (only a route can delete an HttpOnly cookie). Only the portal's own page may ask."""
    if not _from_portal_page(request):
        return Response(status_code=403, headers=NO_STORE)
    response = Response(status_code=204, headers=NO_STORE)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=settings.cookie_secure, samesite="strict")
    return response


def _grouped_lines(secret: str) -> list[str]:
    """The key in groups of four, four groups a line, as authenticator apps display it."""
    groups = [secret[i : i + 4] for i in range(0, len(secret), 4)]
    return [" ".join(groups[i : i + 4]) for i in range(0, len(groups), 4)]


async def totp_qr(request: Request) -> Response:
    """The QR code of a pending authenticator enrolment, with the key to type by hand."""
    with session_scope() as db:
        user = _signed_in_user(request, db)
        if user is None or not user.totp_pending_secret:
            return _not_found()
        tenant = db.get(Tenant, user.tenant_id)
        if tenant is None:
            return _not_found()
        uri = authenticator.provisioning_uri(user=user, issuer=tenant.name)
        secret = user.totp_pending_secret
    qr = segno.make(uri, error="m")
    width, height = qr.symbol_size(scale=6, border=2)
    code = qr.svg_inline(scale=6, border=2, dark="#111111", light="#ffffff", omitsize=False)
    lines = _grouped_lines(secret)
    text = "".join(
        f'<text x="{width / 2}" y="{height + 18 + 18 * index}" text-anchor="middle" font-family="monospace" '
        f'font-size="14" fill="#111111">{html.escape(line)}</text>'
        for index, line in enumerate(lines)
    )
    total = height + 18 * len(lines) + 10
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" viewBox="0 0 {width} {total}">'
        f'<rect width="100%" height="100%" fill="#ffffff"/>{code}{text}</svg>'
    )
    return Response(svg, media_type="image/svg+xml", headers=NO_STORE)


async def download(request: Request) -> Response:
    """A generated file, for the user its ticket was made for, once. The file stays until the
    ticket expires (see downloads.purge_expired): the server may still be sending it from disk
    after this handler has returned."""
    with session_scope() as db:
        user = _signed_in_user(request, db)
        found = None
        if user is not None:
            found = downloads.redeem(session=db, token=request.path_params["token"], user_id=user.id, now=clock.now())
    if found is None:
        return _not_found()
    return FileResponse(
        found.path,
        media_type=found.content_type,
        filename=found.filename,
        headers=NO_STORE,
    )


async def my_data(request: Request) -> Response:
    """The copy of the user's own data (issue 15), for the account that asked for it, signed in,
    while its link lives; 404 for any other account, exactly as for a link that does not exist.
    Without a session (the e-mail's link opened in a new browser) the login page, which then leads
    to the "I miei dati" page: the same answer whatever the link, so it tells nothing either."""
    with session_scope() as db:
        user = _signed_in_user(request, db)
        found = None
        if user is not None:
            found = export.access_export(session=db, user_id=user.id, code=request.path_params["code"], now=clock.now())
    if user is None:
        return RedirectResponse(routes.login_url(routes.MY_DATA), status_code=303, headers=NO_STORE)
    if found is None:
        return _not_found()
    return FileResponse(found.path, media_type=found.content_type, filename=found.filename, headers=NO_STORE)


def _disposition(request: Request, filename: str, *, always_attachment: bool = False) -> str:
    """PDFs open in the browser unless ?scarica=1 asks for a download."""
    kind = "attachment" if always_attachment or request.query_params.get("scarica") == "1" else "inline"
    return f'{kind}; filename="{filename}"'


def _language(request: Request, user: UserAccount) -> str:
    lang = request.cookies.get(LANGUAGE_COOKIE, "")
    return lang if lang in i18n.LANGUAGES else user.language.value


def _document(request: Request, body: bytes, media: str, name: str, *, always_attachment: bool = False) -> Response:
    headers = {**NO_STORE, "Content-Disposition": _disposition(request, name, always_attachment=always_attachment)}
    return Response(body, media_type=media, headers=headers)


async def invoice_document(request: Request) -> Response:
    """An invoice or credit note as PDF or FatturaPA XML, for whoever may see it; 404 otherwise,
    exactly as for a number that does not exist. The file the core system sent is served as it
    came; without one, the portal generates the document."""
    fmt = request.path_params["fmt"]
    if fmt not in ("pdf", "xml"):
        return _not_found()
    with session_scope() as db:
        reader = _customer_reader(request, db)
        if reader is None:
            return _not_found()
        invoice = access_invoice(session=db, scope=reader.scope, invoice_id=request.path_params["invoice_id"])
        if invoice is None:
            return _not_found()
        doc = load_invoice_document(session=db, invoice=invoice)
        sent = document_files.stored_bytes(invoice, fmt)  # the core system's own file, when it sent one
        if fmt == "xml":
            body = sent if sent is not None else invoice_xml(doc)
            return _document(request, body, downloads.XML, xml_filename(doc), always_attachment=True)
        body = sent if sent is not None else invoice_pdf(doc, _language(request, reader.user))
        return _document(request, body, downloads.PDF, pdf_filename(doc))


def _readers_contract(request: Request, db: Session) -> tuple[Reader, Contract] | None:
    """The signed-in customer and the contract the path names, when they may read it."""
    reader = _customer_reader(request, db)
    contract = access_contract(session=db, scope=reader.scope, number=request.path_params["number"]) if reader else None
    return (reader, contract) if reader is not None and contract is not None else None


async def annual_statement(request: Request) -> Response:
    """The rendiconto annuale of one of the user's contracts for a closed year."""
    year, today = request.path_params["year"], clock.today()
    with session_scope() as db:
        found = _readers_contract(request, db)
        if found is None or year not in statement_years(found[1], today):
            return _not_found()
        reader, contract = found
        tenant = db.get(Tenant, contract.tenant_id)
        if tenant is None:
            return _not_found()
        statement = build_statement(session=db, contract=contract, year=year)
        body = statement_pdf(statement, lang=_language(request, reader.user), tenant=tenant, today=today)
        return _document(request, body, downloads.PDF, statement_filename(statement))


async def request_attachment(request: Request) -> Response:
    """A request's file, for the customer who owns the request (within a sub-user's rights) and
    for the service desk; 404 for anyone else. The stored name is random; the label is sent
    only as the download's file name."""
    with session_scope() as db:
        user = _signed_in_user(request, db)
        attachment_id = request.path_params["attachment_id"]
        attachment = access_attachment(session=db, user=user, attachment_id=attachment_id) if user is not None else None
        if attachment is None:
            return _not_found()
        path, name, media = files.path_of(attachment.storage_key), attachment.display_name, attachment.content_type
    inline = media.startswith("image/") or media == "application/pdf"
    return FileResponse(
        path,
        media_type=media,
        filename=name,
        content_disposition_type="inline" if inline else "attachment",
        headers={**NO_STORE, "Content-Security-Policy": "sandbox"},
    )


def _stored_file(path, name: str, media: str) -> Response:
    """A stored file as it came: PDFs open in the browser, anything else is downloaded; sandboxed."""
    inline = media.startswith("image/") or media == "application/pdf"
    return FileResponse(
        path,
        media_type=media,
        filename=name,
        content_disposition_type="inline" if inline else "attachment",
        headers={**NO_STORE, "Content-Security-Policy": "sandbox"},
    )


async def published_document(request: Request) -> Response:
    """A document the company published (issue 15), unchanged, for whoever may read it (the
    customer's readers of its contract, the service desk); 404 for anyone else."""
    with session_scope() as db:
        user = _signed_in_user(request, db)
        document_id = request.path_params["document_id"]
        document = access_document(session=db, user=user, document_id=document_id) if user is not None else None
        if document is None:
            return _not_found()
        path, name = files.path_of(document.storage_key), document.display_name
    return _stored_file(path, name, downloads.PDF)


async def document_upload(request: Request) -> Response:
    """A file the customer sent for a document the company asked for: for the customer's readers
    of the ask and the service desk; 404 for anyone else."""
    with session_scope() as db:
        user = _signed_in_user(request, db)
        upload_id = request.path_params["upload_id"]
        upload = access_upload(session=db, user=user, upload_id=upload_id) if user is not None else None
        if upload is None:
            return _not_found()
        path, name, media = files.path_of(upload.storage_key), upload.display_name, upload.content_type
    return _stored_file(path, name, media)


async def payoff_estimate(request: Request) -> Response:
    """The early-termination estimate of one of the user's active contracts, as PDF."""
    number, today = request.path_params["number"], clock.today()
    with session_scope() as db:
        found = _readers_contract(request, db)
        if found is None:
            return _not_found()
        reader, contract = found
        customer, tenant = db.get(Customer, contract.customer_id), db.get(Tenant, contract.tenant_id)
        if customer is None or tenant is None:
            return _not_found()
        try:
            result = estimate(session=db, contract=contract, last_number=request.path_params["instalment"], today=today)
        except LookupError:
            return _not_found()
        body = payoff_pdf(result, customer=customer, tenant=tenant, lang=_language(request, reader.user), today=today)
        return _document(request, body, downloads.PDF, payoff_filename(number))


async def alive(request: Request) -> Response:
    """Liveness: the process answers (nothing else is checked, nothing about it is told)."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


async def ready(request: Request) -> Response:
    """Readiness: 200 when the database (and Redis, when configured) answer; 503 naming what did
    not, so that the proxy or orchestrator sends no user to this process meanwhile."""
    checks = await run_in_threadpool(health.readiness, get_engine(), settings.redis_url)
    up = all(outcome == health.OK for outcome in checks.values())
    body = {"status": "ok" if up else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=200 if up else 503, headers=NO_STORE)


async def metrics(request: Request) -> Response:
    """Prometheus's scrape (docs/DEPLOY.md): 404 while PORTAL_METRICS_TOKEN is unset, 401 without
    that token as a bearer (compared in constant time), else the text format. Never proxied by the
    nginx site: Prometheus reaches the backends on their private address."""
    expected = settings.metrics_token
    if not expected:
        return _not_found()
    # Digests of equal length: the comparison's time tells nothing, not even the token's length.
    given = hashlib.sha256(bearer_token(request).encode()).digest()
    if not hmac.compare_digest(given, hashlib.sha256(expected.encode()).digest()):
        return Response(status_code=401, headers={**NO_STORE, "WWW-Authenticate": "Bearer"})
    body = await run_in_threadpool(prometheus.exposition)
    return Response(body, media_type=prometheus.CONTENT_TYPE, headers=NO_STORE)


api = Starlette(
    routes=[
        Route(routes.API_HEALTH, alive, methods=["GET"]),
        Route(routes.API_READY, ready, methods=["GET"]),
        Route(routes.METRICS, metrics, methods=["GET"]),
        Route(routes.API_SIGN_IN, open_session, methods=["POST"]),
        Route(routes.API_SIGN_OUT, forget_session, methods=["POST"]),
        # A path that is not a number does not match: Starlette answers 404 itself.
        Route(routes.API_ATTACHMENT, request_attachment),
        Route(routes.API_PAYOFF, payoff_estimate),
        Route(routes.API_INVOICE, invoice_document),
        Route(routes.API_STATEMENT, annual_statement),
        Route(routes.API_TOTP_QR, totp_qr),
        Route(routes.API_DOWNLOAD, download),
        Route(routes.API_PUBLISHED_DOCUMENT, published_document),
        Route(routes.API_DOCUMENT_UPLOAD, document_upload),
        Route(routes.API_MY_DATA, my_data, methods=["GET"]),
        # The integration's API: API keys instead of sessions (portal/web/api_v1/).
        Route(routes.API_V1_BATCHES, post_batch, methods=["POST"]),
        Route(routes.API_V1_FILE_SETS, post_file_set, methods=["POST"]),
        Route(routes.API_V1_OPENAPI, openapi_json, methods=["GET"]),
        Route(routes.API_V1_REQUESTS, get_feed, methods=["GET"]),
        Route(routes.API_V1_REQUESTS_ACK, post_ack, methods=["POST"]),
        Route(routes.API_V1_REQUEST_STATUS, post_status, methods=["POST"]),
        Route(routes.API_V1_REQUEST_ATTACHMENT, get_attachment, methods=["GET"]),
    ]
)
