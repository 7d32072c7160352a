"""HTTP routes next to Reflex's websocket, for what must not travel through UI state.

Each route authenticates with the portal's own session cookie (sent by the browser on
same-origin requests) and answers only about the signed-in user.
"""

from __future__ import annotations

import html

import segno
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from portal.db import session_scope
from portal.models import Customer, Tenant, UserAccount
from portal.services import attachments as files
from portal.services import clock, downloads, two_factor
from portal.services.access import scope_of
from portal.services.billing_views import invoice_in_scope
from portal.services.contract_views import find_contract
from portal.services.fatturapa import invoice_xml, xml_filename
from portal.services.invoice_documents import load_invoice_document
from portal.services.invoice_pdf import invoice_pdf, pdf_filename
from portal.services.payoff import estimate
from portal.services.payoff_pdf import payoff_pdf
from portal.services.requests import attachment_for
from portal.services.sessions import resolve_session
from portal.services.statement_pdf import statement_filename, statement_pdf
from portal.services.statements import build_statement, statement_years
from portal.state.session import POLICY, SESSION_COOKIE

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _signed_in_user(request: Request, db) -> UserAccount | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    return resolve_session(session=db, token=token, now=clock.now(), policy=POLICY) if token else None


def _grouped_lines(secret: str) -> list[str]:
    """The key in groups of four, four groups a line, as authenticator apps display it."""
    groups = [secret[i:i + 4] for i in range(0, len(secret), 4)]
    return [" ".join(groups[i:i + 4]) for i in range(0, len(groups), 4)]


async def totp_qr(request: Request) -> Response:
    """The QR code of a pending authenticator enrolment, with the key to type by hand."""
    with session_scope() as db:
        user = _signed_in_user(request, db)
        if user is None or not user.totp_pending_secret:
            return Response(status_code=404, headers=NO_STORE)
        tenant = db.get(Tenant, user.tenant_id)
        uri = two_factor.provisioning_uri(user=user, issuer=tenant.name)
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
        return Response(status_code=404, headers=NO_STORE)
    return FileResponse(
        found.path,
        media_type=found.content_type,
        filename=found.filename,
        headers=NO_STORE,
    )


def _disposition(request: Request, filename: str, *, always_attachment: bool = False) -> str:
    """PDFs open in the browser unless ?scarica=1 asks for a download."""
    kind = "attachment" if always_attachment or request.query_params.get("scarica") == "1" else "inline"
    return f'{kind}; filename="{filename}"'


def _language(request: Request, user: UserAccount) -> str:
    lang = request.cookies.get("portal_lang", "")
    return lang if lang in ("it", "en") else user.language.value


async def invoice_document(request: Request) -> Response:
    """An invoice or credit note as PDF or FatturaPA XML, for whoever may see it; 404 otherwise,
    exactly as for a number that does not exist."""
    try:
        invoice_id = int(request.path_params["invoice_id"])
    except ValueError:
        return Response(status_code=404, headers=NO_STORE)
    fmt = request.path_params["fmt"]
    if fmt not in ("pdf", "xml"):
        return Response(status_code=404, headers=NO_STORE)
    with session_scope() as db:
        user = _signed_in_user(request, db)
        scope = scope_of(session=db, user=user) if user is not None else None
        invoice = invoice_in_scope(session=db, scope=scope, invoice_id=invoice_id) if scope is not None else None
        if invoice is None:
            return Response(status_code=404, headers=NO_STORE)
        doc = load_invoice_document(session=db, invoice=invoice)
        if fmt == "xml":
            body, media, name = invoice_xml(doc), "application/xml", xml_filename(doc)
        else:
            body, media, name = invoice_pdf(doc, _language(request, user)), "application/pdf", pdf_filename(doc)
    headers = {**NO_STORE, "Content-Disposition": _disposition(request, name, always_attachment=fmt == "xml")}
    return Response(body, media_type=media, headers=headers)


async def annual_statement(request: Request) -> Response:
    """The rendiconto annuale of one of the user's contracts for a closed year."""
    number = request.path_params["number"]
    try:
        year = int(request.path_params["year"])
    except ValueError:
        return Response(status_code=404, headers=NO_STORE)
    with session_scope() as db:
        user = _signed_in_user(request, db)
        scope = scope_of(session=db, user=user) if user is not None else None
        contract = find_contract(session=db, scope=scope, number=number) if scope is not None else None
        if contract is None or year not in statement_years(contract, clock.today()):
            return Response(status_code=404, headers=NO_STORE)
        statement = build_statement(session=db, contract=contract, year=year)
        body = statement_pdf(statement, lang=_language(request, user), tenant=db.get(Tenant, contract.tenant_id),
                             today=clock.today())
        name = statement_filename(statement)
    return Response(body, media_type="application/pdf",
                    headers={**NO_STORE, "Content-Disposition": _disposition(request, name)})


async def request_attachment(request: Request) -> Response:
    """A request's file, for the customer who owns the request (within a sub-user's rights) and
    for the service desk; 404 for anyone else. The stored name is random; the label is sent
    only as the download's file name."""
    try:
        attachment_id = int(request.path_params["attachment_id"])
    except ValueError:
        return Response(status_code=404, headers=NO_STORE)
    with session_scope() as db:
        user = _signed_in_user(request, db)
        attachment = attachment_for(session=db, user=user, attachment_id=attachment_id) if user is not None else None
        if attachment is None:
            return Response(status_code=404, headers=NO_STORE)
        path, name, media = files.path_of(attachment.storage_key), attachment.display_name, attachment.content_type
    inline = media.startswith("image/") or media == "application/pdf"
    return FileResponse(path, media_type=media, filename=name, content_disposition_type="inline" if inline else "attachment",
                        headers={**NO_STORE, "Content-Security-Policy": "sandbox"})


async def payoff_estimate(request: Request) -> Response:
    """The early-termination estimate of one of the user's active contracts, as PDF."""
    number = request.path_params["number"]
    try:
        last = int(request.path_params["instalment"])
    except ValueError:
        return Response(status_code=404, headers=NO_STORE)
    with session_scope() as db:
        user = _signed_in_user(request, db)
        scope = scope_of(session=db, user=user) if user is not None else None
        contract = find_contract(session=db, scope=scope, number=number) if scope is not None else None
        if contract is None:
            return Response(status_code=404, headers=NO_STORE)
        try:
            result = estimate(session=db, contract=contract, last_number=last, today=clock.today())
        except LookupError:
            return Response(status_code=404, headers=NO_STORE)
        body = payoff_pdf(result, customer=db.get(Customer, contract.customer_id), tenant=db.get(Tenant, contract.tenant_id),
                          lang=_language(request, user), today=clock.today())
    name = f"stima-estinzione-{number}.pdf"
    return Response(body, media_type="application/pdf", headers={**NO_STORE, "Content-Disposition": _disposition(request, name)})


api = Starlette(routes=[
    Route("/api/allegati/{attachment_id}", request_attachment),
    Route("/api/documenti/stima-estinzione/{number}/{instalment}.pdf", payoff_estimate),
    Route("/api/documenti/fattura/{invoice_id}.{fmt:str}", invoice_document),
    Route("/api/documenti/rendiconto/{number}/{year}.pdf", annual_statement),
    Route("/api/totp/qr.svg", totp_qr),
    Route("/api/download/{token}", download),
])
