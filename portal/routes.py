"""Route constants and URL builders."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode, urlsplit

HOME = "/"
LOGIN = "/login"
BILLING = "/fatture-e-pagamenti"
CONTRACTS = "/contratti"
ASSETS = "/beni-in-locazione"
REQUESTS = "/richieste"
PROFILE = "/profilo"
REGISTER = "/registrazione"
FORGOT_PASSWORD = "/password-dimenticata"
UNLOCK = "/login-bloccata"
RESET_PASSWORD = "/reimposta-password"  # the link in the e-mail; see services/recovery.py
OPERATOR_CUSTOMERS = "/operatore/clienti"
DEV_MAILBOX = "/dev/mailbox"  # demo mode only

PLAN = "/contratti/piano"
NEW_REQUEST = "/richieste/nuova"
REQUEST_DETAIL = "/richieste/dettaglio"
NOTIFICATIONS = "/notifiche"
DESK = "/operatore/richieste"
DESK_DETAIL = "/operatore/richieste/dettaglio"
DESK_BROADCAST = "/operatore/comunicazioni"
FORM_PREVIEW = "/operatore/anteprima-moduli"
INTEGRATION = "/operatore/integrazione"
IMPORT_RUN = "/operatore/integrazione/importazione"
DOCUMENTS = "/documenti"  # issue 15: documents both ways
DESK_DOCUMENTS = "/operatore/documenti"
GUIDE = "/guida"  # public: the FAQ helps before signing in (docs/GUIDE.md)
ACCESSIBILITY = "/accessibilita"  # public: the accessibility statement and its feedback form

COMPLAINTS = "/reclami"
NEW_COMPLAINT = "/reclami/nuovo"
COMPLAINT_DETAIL = "/reclami/dettaglio"
ABF = "/reclami/arbitro-bancario-finanziario"
DESK_COMPLAINTS = "/operatore/reclami"
DESK_COMPLAINT_DETAIL = "/operatore/reclami/dettaglio"
MY_DATA = "/profilo/i-miei-dati"  # issue 15: the copy of the user's own data
ACCESS_LOG = "/profilo/registro-accessi"  # issue 15: the account's sign-ins

# The guide's section (services/guide, a file's name) that explains each page: the header's "?"
# opens the guide there; a page not listed opens the guide at its start.
GUIDE_SECTION_OF = {
    HOME: "home",
    BILLING: "billing",
    CONTRACTS: "contracts",
    PLAN: "contracts",
    ASSETS: "assets",
    REQUESTS: "requests",
    NEW_REQUEST: "requests",
    REQUEST_DETAIL: "requests",
    NOTIFICATIONS: "notifications",
    PROFILE: "profile",
    DOCUMENTS: "documents",
    COMPLAINTS: "complaints",
    NEW_COMPLAINT: "complaints",
    COMPLAINT_DETAIL: "complaints",
    ABF: "complaints",
    MY_DATA: "my-data",
    ACCESS_LOG: "access-log",
    LOGIN: "access",
    REGISTER: "access",
    FORGOT_PASSWORD: "access",
    UNLOCK: "access",
    RESET_PASSWORD: "access",
}


# HTTP routes beside Reflex's websocket (portal/api.py): the patterns it serves and the links pages build.
API_SIGN_IN = "/api/sessione"
API_SIGN_OUT = "/api/sessione/esci"
API_ATTACHMENT = "/api/allegati/{attachment_id:int}"
API_PAYOFF = "/api/documenti/stima-estinzione/{number}/{instalment:int}.pdf"
API_INVOICE = "/api/documenti/fattura/{invoice_id:int}.{fmt:str}"
API_STATEMENT = "/api/documenti/rendiconto/{number}/{year:int}.pdf"
API_TOTP_QR = "/api/totp/qr.svg"
API_DOWNLOAD = "/api/download/{token}"
API_PUBLISHED_DOCUMENT = "/api/documenti/pubblicati/{document_id:int}.pdf"
API_DOCUMENT_UPLOAD = "/api/documenti/inviati/{upload_id:int}"
API_MY_DATA = "/api/miei-dati/{code}.zip"  # issue 15: the requester's copy of their data, signed in
# Public, for the proxy and the orchestrator (issue 13): the process answers; its database and Redis answer.
API_HEALTH = "/api/health"
API_READY = "/api/ready"
# Prometheus scrapes each backend directly, with PORTAL_METRICS_TOKEN; the nginx site denies it (deploy/).
METRICS = "/metrics"
# The integration's API for the core leasing system (docs/INTEGRATION.md §7), with API keys, not sessions.
API_V1_BATCHES = "/api/v1/batches"
API_V1_FILE_SETS = "/api/v1/file-sets"
API_V1_OPENAPI = "/api/v1/openapi.json"
# The customers' requests handed to the core system (docs/INTEGRATION.md §8).
API_V1_REQUESTS = "/api/v1/requests"
API_V1_REQUESTS_ACK = "/api/v1/requests/ack"
API_V1_REQUEST_STATUS = "/api/v1/requests/{code}/status"
# The file's id is matched as text and read by the route: a malformed id gets the API's own 404.
API_V1_REQUEST_ATTACHMENT = "/api/v1/requests/{code}/attachments/{attachment_id}"


def login_url(next_path: str | None = None) -> str:
    """The login page, remembering where to go back to (only a portal page is kept: see safe_next)."""
    landing = _landing(next_path)
    if landing is not None:
        return f"{LOGIN}?{urlencode({'next': landing}, quote_via=quote)}"
    return LOGIN


def unlock_url(username: str = "") -> str:
    """The unlock page, knowing whose access is locked when the login page does."""
    return f"{UNLOCK}?{urlencode({'utente': username})}" if username else UNLOCK


# Where a login may send the user back to: the portal's own pages, nothing else (issue 11, finding 3).
LANDINGS = frozenset(
    {
        HOME,
        BILLING,
        CONTRACTS,
        ASSETS,
        REQUESTS,
        PROFILE,
        PLAN,
        NEW_REQUEST,
        REQUEST_DETAIL,
        NOTIFICATIONS,
        OPERATOR_CUSTOMERS,
        DESK,
        DESK_DETAIL,
        DESK_BROADCAST,
        FORM_PREVIEW,
        INTEGRATION,
        IMPORT_RUN,
        DOCUMENTS,
        DESK_DOCUMENTS,
        GUIDE,
        ACCESSIBILITY,
        COMPLAINTS,
        NEW_COMPLAINT,
        COMPLAINT_DETAIL,
        ABF,
        DESK_COMPLAINTS,
        DESK_COMPLAINT_DETAIL,
        MY_DATA,
        ACCESS_LOG,
    }
)
_MAX_LANDING = 512
# Printable ASCII without space, backslash, quotes and angle brackets: browsers silently drop tabs
# and newlines from URLs and read "\\" as "/", so what is not plainly a path is not kept at all.
_LANDING_CHARS = re.compile(r"[!#-&(-;=?-\[\]-~]+")


def _landing(next_path: str | None) -> str | None:
    """`next_path` when it names one of the portal's pages (with its query), None otherwise."""
    if not isinstance(next_path, str) or not next_path or len(next_path) > _MAX_LANDING:
        return None
    if not _LANDING_CHARS.fullmatch(next_path):
        return None
    parts = urlsplit(next_path)
    if parts.scheme or parts.netloc or parts.fragment or "%" in parts.path:
        return None
    path = parts.path.rstrip("/") or HOME
    if path not in LANDINGS:
        return None
    return f"{path}?{parts.query}" if parts.query else path


def safe_next(next_path: str | None) -> str:
    """Where to land after login: one of the portal's pages, never another site."""
    return _landing(next_path) or HOME


def contract_url(number: str | None = None) -> str:
    return f"{CONTRACTS}?{urlencode({'numero': number})}" if number else CONTRACTS


def plan_url(number: str) -> str:
    return f"{PLAN}?{urlencode({'numero': number})}"


def assets_url(number: str | None = None) -> str:
    return f"{ASSETS}?{urlencode({'numero': number})}" if number else ASSETS


def invoice_pdf_url(invoice_id: int, download: bool = False) -> str:
    return f"/api/documenti/fattura/{invoice_id}.pdf" + ("?scarica=1" if download else "")


def invoice_xml_url(invoice_id: int) -> str:
    return f"/api/documenti/fattura/{invoice_id}.xml"


def statement_url(number: str, year: int) -> str:
    return f"/api/documenti/rendiconto/{number}/{year}.pdf"


def billing_url(number: str | None = None) -> str:
    return f"{BILLING}?{urlencode({'numero': number})}" if number else BILLING


def payoff_url(number: str, instalment: int) -> str:
    return f"/api/documenti/stima-estinzione/{number}/{instalment}.pdf"


def new_request_url(form_key: str) -> str:
    return f"{NEW_REQUEST}?{urlencode({'modulo': form_key})}"


def request_url(code: str) -> str:
    return f"{REQUEST_DETAIL}?{urlencode({'codice': code})}"


def desk_request_url(code: str) -> str:
    return f"{DESK_DETAIL}?{urlencode({'codice': code})}"


def complaint_url(code: str) -> str:
    return f"{COMPLAINT_DETAIL}?{urlencode({'codice': code})}"


def desk_complaint_url(code: str) -> str:
    return f"{DESK_COMPLAINT_DETAIL}?{urlencode({'codice': code})}"


def import_run_url(run_id: int) -> str:
    return f"{IMPORT_RUN}?{urlencode({'numero': run_id})}"


def api_request_status_url(code: str) -> str:
    return f"{API_V1_REQUESTS}/{quote(code, safe='')}/status"


def api_request_attachment_url(code: str, attachment_id: int) -> str:
    return f"{API_V1_REQUESTS}/{quote(code, safe='')}/attachments/{attachment_id}"


def attachment_url(attachment_id: int) -> str:
    return f"/api/allegati/{attachment_id}"


def totp_qr_url(version: int | str) -> str:
    """The QR code of a pending authenticator enrolment; the version defeats the browser's cache."""
    return f"{API_TOTP_QR}?v={version}"


def guide_url(section: str | None = None) -> str:
    """The guide, opened at `section` (a key of GUIDE_SECTION_OF's values) or at its start."""
    return f"{GUIDE}?{urlencode({'sezione': section})}" if section else GUIDE


def download_url(token: str) -> str:
    return f"/api/download/{token}"


def published_document_url(document_id: int) -> str:
    return f"/api/documenti/pubblicati/{document_id}.pdf"


def document_upload_url(upload_id: int) -> str:
    return f"/api/documenti/inviati/{upload_id}"


def desk_documents_url(customer_code: str) -> str:
    return f"{DESK_DOCUMENTS}?{urlencode({'cliente': customer_code})}"


def my_data_download_url(code: str) -> str:
    return API_MY_DATA.replace("{code}", quote(code, safe=""))
