"""Settings read from environment variables, with safe defaults.

Imported by rxconfig.py, the services and the tests alike, so it must not import Reflex.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


class SettingsError(ValueError):
    """A setting the portal refuses to start with; the message says which and why."""


# The largest body POST /_upload accepts unless PORTAL_UPLOAD_MAX_BYTES says otherwise: the largest
# attachment kind (videos, 200 MiB: services/requests/attachments.py) plus room for the multipart framing.
DEFAULT_UPLOAD_MAX_BYTES = 210 * 1024 * 1024
# The integration's HTTP API (docs/INTEGRATION.md §7): the largest JSON batch and zipped file set it
# reads, and what a zip's files may hold once uncompressed (a zip bomb is refused before it is read).
DEFAULT_API_JSON_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_API_ZIP_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_API_UNZIPPED_MAX_BYTES = 1024 * 1024 * 1024
BILLING_SOURCES = ("portal", "core")  # PORTAL_BILLING: who issues the invoices
LOOPBACK = "127.0.0.1"
MIN_METRICS_TOKEN = 24  # characters of PORTAL_METRICS_TOKEN
PRODUCTION = "production"
DEVELOPMENT = "development"
JOB_WORKER_APP = "app"
JOB_WORKER_SEPARATE = "separate"
# Host names that never leave the machine or the private network: a demo may face them.
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".test", ".home.arpa")


def host_of(url: str) -> str:
    """The host of an address ("" when it has none)."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def is_loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_public_host(host: str) -> bool:
    """A host the internet may reach: not loopback, not a private or link-local address, not a
    name of the local network."""
    if not host or is_loopback_host(host) or host.endswith(_PRIVATE_SUFFIXES) or "." not in host and ":" not in host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a DNS name of the internet
    return address.is_global


def _default_database_url() -> str:
    data_dir = PROJECT_ROOT / "data"
    data_dir.mkdir(exist_ok=True)
    return f"sqlite:///{data_dir / 'portal.db'}"


@dataclasses.dataclass(frozen=True)
class MailSettings:
    """MAIL_BACKEND: "outbox" (kept in the database, read at /dev/mailbox in demo mode),
    "smtp", or "smtp+outbox" (both). The default is the outbox in demo mode, SMTP otherwise."""

    backends: tuple[str, ...]
    sender: str
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    smtp_username: str
    smtp_password: str
    smtp_timeout: float


@dataclasses.dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    demo_mode: bool
    tenant_slug: str
    port: int
    allowed_origins: tuple[str, ...]
    session_idle_minutes: int
    session_idle_warning_seconds: int  # the page warns this long before the idle timeout (>= 20 s, WCAG 2.2.1)
    session_absolute_hours: int
    cookie_secure: bool
    public_url: str  # where links in e-mails point to
    mail: MailSettings
    private_dir: Path  # generated files and attachments: never under Reflex's public upload folder
    listen_host: str  # the address the server binds: loopback in demo mode unless PORTAL_LISTEN_HOST says
    upload_max_bytes: int  # the largest body POST /_upload reads (portal/web/upload_guard.py)
    environment: str = DEVELOPMENT  # PORTAL_ENV: "production" turns on the checks of docs/DEPLOY.md
    processes: int = 1  # PORTAL_WORKERS: how many backend processes the deployment runs (all machines)
    process_workers: int = 1  # workers in each process: GRANIAN_WORKERS, else what Reflex starts
    log_format: str = "text"  # PORTAL_LOG_FORMAT: "json" (one event a line) or "text"
    trusted_proxy_hops: int = 0  # PORTAL_TRUSTED_PROXY_HOPS: proxies whose X-Forwarded-For is believed
    test_hooks: bool = False  # PORTAL_TEST_HOOKS (services/requests/pause.py)
    # PORTAL_JOB_WORKER: "app" (the app's processes run the background jobs themselves) or
    # "separate" (worker processes of their own: python -m portal.jobs worker); portal/jobs.
    job_worker: str = "app"
    # PORTAL_JOB_STALLED_SECONDS: a job worker silent this long is taken for dead and its jobs run again.
    job_stalled_seconds: float = 30.0
    # PORTAL_METRICS_TOKEN: the bearer token Prometheus sends to GET /metrics; unset, the endpoint is
    # a 404. A secret: kept out of the settings' repr (which may be logged).
    metrics_token: str = dataclasses.field(default="", repr=False)
    # PORTAL_METRICS_DIR: where the server's worker processes keep their metrics files (prometheus_client's
    # multiprocess mode, portal/web/multiprocess.py); None: a fresh directory of the server's own under the
    # system's temporary directory. Local to the machine, one per server process: never a shared volume.
    metrics_dir: Path | None = None
    # PORTAL_API_JSON_MAX_BYTES, PORTAL_API_ZIP_MAX_BYTES, PORTAL_API_UNZIPPED_MAX_BYTES (see the defaults)
    api_json_max_bytes: int = DEFAULT_API_JSON_MAX_BYTES
    api_zip_max_bytes: int = DEFAULT_API_ZIP_MAX_BYTES
    api_unzipped_max_bytes: int = DEFAULT_API_UNZIPPED_MAX_BYTES
    # PORTAL_BILLING: who issues the invoices. "portal" (the default, the demo): the daily billing job
    # bills the plan rows as they come due. "core": the core system bills and sends its invoices in the
    # interchange format (docs/INTEGRATION.md); the job then issues nothing, or every row would be billed twice.
    billing: str = "portal"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_https(self) -> bool:
        return self.public_url.lower().startswith("https://")

    @property
    def is_production(self) -> bool:
        return self.environment == PRODUCTION

    @property
    def workers(self) -> int:
        """Every worker that serves the app, in every backend process of the deployment."""
        return self.processes * self.process_workers


def check_settings(settings: Settings) -> Settings:
    """Refuse the combinations that would expose a real portal (issue 11): the demo mailbox shows
    every code and link, so demo mode runs only on a local SQLite database, plain http and no
    public address, and CORS never admits any origin; and those that would break under several
    workers (issue 13): SQLite, or no Redis for the tabs' state. PORTAL_ENV=production adds the
    checks of docs/DEPLOY.md."""
    if "*" in settings.allowed_origins:
        raise SettingsError("PORTAL_ALLOWED_ORIGINS='*' is refused: list the portal's own origins")
    if settings.is_production and settings.demo_mode:
        raise SettingsError("PORTAL_DEMO_MODE is refused in production (PORTAL_ENV=production)")
    if settings.demo_mode:
        https = [url for url in (settings.public_url, *settings.allowed_origins) if url.lower().startswith("https:")]
        if https:
            raise SettingsError(
                f"PORTAL_DEMO_MODE is refused with https addresses ({', '.join(https)}): demo mode shows every "
                "one-time code at /dev/mailbox and must never face real users"
            )
        if not settings.is_sqlite:
            raise SettingsError(
                "PORTAL_DEMO_MODE is refused with a non-SQLite DATABASE_URL: demo mode runs on a local database only"
            )
        public = [url for url in (settings.public_url, *settings.allowed_origins) if is_public_host(host_of(url))]
        if public:
            raise SettingsError(
                f"PORTAL_DEMO_MODE is refused with public addresses ({', '.join(public)}): demo mode shows every "
                "one-time code at /dev/mailbox; it may face this machine or a private network only"
            )
    if settings.upload_max_bytes <= 0:
        raise SettingsError("PORTAL_UPLOAD_MAX_BYTES must be a positive number of bytes")
    if min(settings.api_json_max_bytes, settings.api_zip_max_bytes, settings.api_unzipped_max_bytes) <= 0:
        raise SettingsError("PORTAL_API_JSON_MAX_BYTES, _ZIP_ and _UNZIPPED_ must be positive numbers of bytes")
    if settings.billing not in BILLING_SOURCES:
        raise SettingsError(f"PORTAL_BILLING must be one of {', '.join(BILLING_SOURCES)}, not {settings.billing!r}")
    if "smtp" in settings.mail.backends and not settings.mail.smtp_host:
        raise SettingsError("SMTP_HOST is missing: MAIL_BACKEND sends by SMTP and needs the server's address")
    if settings.workers > 1:
        several = (
            f"{settings.workers} workers ({settings.processes} process(es) by PORTAL_WORKERS x "
            f"{settings.process_workers} by GRANIAN_WORKERS, or Reflex's default with REDIS_URL)"
        )
        if settings.is_sqlite:
            raise SettingsError(
                f"SQLite is refused with {several}: several writers on one file lock each other out; "
                "use PostgreSQL (DATABASE_URL=postgresql+psycopg://...)"
            )
        if not settings.redis_url:
            raise SettingsError(
                f"REDIS_URL is missing with {several}: each worker would keep its own copy of every "
                "tab's state, and a tab served by another worker would lose it"
            )
    if settings.metrics_token and len(settings.metrics_token) < MIN_METRICS_TOKEN:
        raise SettingsError(
            f"PORTAL_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN} characters (e.g. `openssl rand -hex 32`)"
        )
    if settings.is_production:
        _check_production(settings)
    if settings.job_worker == JOB_WORKER_SEPARATE and settings.is_sqlite:
        raise SettingsError(
            "PORTAL_JOB_WORKER=separate is refused with SQLite: the job queue of separate workers lives in "
            "PostgreSQL (DATABASE_URL=postgresql+psycopg://...); with SQLite the app runs the jobs itself"
        )
    return settings


def _check_production(settings: Settings) -> None:
    """PORTAL_ENV=production: the topology of docs/DEPLOY.md and nothing of the test hooks."""
    if settings.test_hooks:
        raise SettingsError("PORTAL_TEST_HOOKS is refused in production: it lets a request pause on purpose")
    if settings.is_sqlite:
        raise SettingsError(
            "SQLite is refused in production: set DATABASE_URL to PostgreSQL (postgresql+psycopg://...)"
        )
    if not settings.redis_url:
        raise SettingsError(
            "REDIS_URL is missing: production keeps the tabs' state in Redis, so that any backend "
            "process serves any tab and a process may die without losing them"
        )
    if "smtp" not in settings.mail.backends:
        raise SettingsError(
            "MAIL_BACKEND must send by SMTP in production (smtp or smtp+outbox): the outbox alone "
            "never reaches the users, and the sign-in codes travel by mail"
        )
    if not settings.is_https and not is_loopback_host(host_of(settings.public_url)):
        raise SettingsError(
            f"PORTAL_PUBLIC_URL must be https in production ({settings.public_url}): plain http is "
            "accepted on loopback only (a test of the topology on one machine)"
        )
    if settings.is_https and not settings.cookie_secure:
        raise SettingsError("PORTAL_COOKIE_SECURE=0 is refused in production over https")


def demo_banner(settings: Settings) -> str:
    """The warning printed at start in demo mode ("" otherwise)."""
    if not settings.demo_mode:
        return ""
    rule = "!" * 88
    exposed = "" if settings.listen_host == LOOPBACK else f" -- listening on {settings.listen_host}, NOT loopback only"
    return "\n".join(
        (
            rule,
            f"!!  DEMO MODE{exposed}",
            "!!  /dev/mailbox shows every one-time code, temporary password and reset link, to anyone.",
            "!!  Every demo account has the password from README.md. Never use demo mode for real users.",
            rule,
        )
    )


def _number(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None


def _process_workers(redis_url: str | None) -> int:
    """How many workers `reflex run --env prod` starts in one process (reflex/utils/processes.py):
    GRANIAN_WORKERS when set, else 2 x cores + 1 (at most 8) with Redis, else one."""
    declared = _number("GRANIAN_WORKERS", 0)
    if declared > 0:
        return declared
    return min((os.cpu_count() or 1) * 2 + 1, 8) if redis_url else 1


def load_settings() -> Settings:
    environment = os.environ.get("PORTAL_ENV", "").strip().lower() or DEVELOPMENT
    if environment not in (DEVELOPMENT, PRODUCTION):
        raise SettingsError(f"PORTAL_ENV must be {DEVELOPMENT} or {PRODUCTION}, not {environment!r}")
    production = environment == PRODUCTION
    port = _number("PORT", 3000)
    public_url_raw = os.environ.get("PORTAL_PUBLIC_URL", "").strip()
    if production and not public_url_raw:
        raise SettingsError(
            "PORTAL_PUBLIC_URL is missing: production needs the address users open (https://portale.example)"
        )
    origins_raw = os.environ.get("PORTAL_ALLOWED_ORIGINS", "")
    default_origins = (
        (_origin_of(public_url_raw),)
        if production
        else (
            f"http://127.0.0.1:{port}",
            f"http://localhost:{port}",
        )
    )
    origins = tuple(o.strip() for o in origins_raw.split(",") if o.strip()) or default_origins
    demo_mode = _flag("PORTAL_DEMO_MODE", False)
    # Outside demo mode Reflex's own default (all interfaces), as a server behind a proxy expects.
    listen_host = os.environ.get("PORTAL_LISTEN_HOST", "").strip() or (LOOPBACK if demo_mode else "0.0.0.0")
    backends = tuple(
        part.strip()
        for part in os.environ.get("MAIL_BACKEND", "outbox" if demo_mode else "smtp").split("+")
        if part.strip()
    )
    unknown = set(backends) - {"outbox", "smtp"}
    if unknown or not backends:
        raise SettingsError(f"MAIL_BACKEND must be outbox, smtp or smtp+outbox, not {unknown or 'empty'}")
    mail = MailSettings(
        backends=backends,
        sender=os.environ.get("MAIL_FROM", ""),  # default: the tenant name and support address
        # Production names its SMTP server; elsewhere the machine's own is assumed.
        smtp_host=os.environ.get("SMTP_HOST", "" if production else "127.0.0.1").strip(),
        smtp_port=_number("SMTP_PORT", 25),
        smtp_starttls=_flag("SMTP_STARTTLS", False),
        smtp_username=os.environ.get("SMTP_USERNAME", ""),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        smtp_timeout=float(os.environ.get("SMTP_TIMEOUT", "10")),
    )
    redis_url = os.environ.get("REDIS_URL") or None
    log_format = os.environ.get("PORTAL_LOG_FORMAT", "").strip().lower() or ("json" if production else "text")
    if log_format not in ("json", "text"):
        raise SettingsError(f"PORTAL_LOG_FORMAT must be json or text, not {log_format!r}")
    # Production runs its jobs in worker processes of their own (docs/DEPLOY.md), the demo in the app.
    job_worker = os.environ.get("PORTAL_JOB_WORKER", "").strip().lower() or (
        JOB_WORKER_SEPARATE if production else JOB_WORKER_APP
    )
    if job_worker not in (JOB_WORKER_APP, JOB_WORKER_SEPARATE):
        raise SettingsError(f"PORTAL_JOB_WORKER must be app or separate, not {job_worker!r}")
    job_stalled_seconds = float(_number("PORTAL_JOB_STALLED_SECONDS", 30))
    if job_stalled_seconds < 1:
        raise SettingsError("PORTAL_JOB_STALLED_SECONDS must be at least 1")
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or _default_database_url(),
        redis_url=redis_url,
        demo_mode=demo_mode,
        tenant_slug=os.environ.get("PORTAL_TENANT", "aurora"),
        port=port,
        allowed_origins=origins,
        session_idle_minutes=_number("PORTAL_SESSION_IDLE_MINUTES", 15),
        session_idle_warning_seconds=max(20, _number("PORTAL_IDLE_WARNING_SECONDS", 60)),
        session_absolute_hours=_number("PORTAL_SESSION_ABSOLUTE_HOURS", 12),
        # Browsers accept Secure cookies on http://localhost only, so the flag follows the
        # origins: it is on as soon as the portal is served over https.
        cookie_secure=_flag("PORTAL_COOKIE_SECURE", any(o.startswith("https://") for o in origins)),
        public_url=(public_url_raw or origins[0]).rstrip("/"),
        mail=mail,
        private_dir=Path(os.environ.get("PORTAL_PRIVATE_DIR") or PROJECT_ROOT / "data" / "private"),
        listen_host=listen_host,
        upload_max_bytes=_number("PORTAL_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES),
        environment=environment,
        processes=max(1, _number("PORTAL_WORKERS", 1)),
        process_workers=_process_workers(redis_url),
        log_format=log_format,
        # Production runs behind the reverse proxy of deploy/: its X-Forwarded-For names the client.
        trusted_proxy_hops=max(0, _number("PORTAL_TRUSTED_PROXY_HOPS", 1 if production else 0)),
        test_hooks=os.environ.get("PORTAL_TEST_HOOKS") == "1",
        job_worker=job_worker,
        job_stalled_seconds=job_stalled_seconds,
        metrics_token=os.environ.get("PORTAL_METRICS_TOKEN", "").strip(),
        metrics_dir=Path(metrics_dir) if (metrics_dir := os.environ.get("PORTAL_METRICS_DIR", "").strip()) else None,
        api_json_max_bytes=_number("PORTAL_API_JSON_MAX_BYTES", DEFAULT_API_JSON_MAX_BYTES),
        api_zip_max_bytes=_number("PORTAL_API_ZIP_MAX_BYTES", DEFAULT_API_ZIP_MAX_BYTES),
        api_unzipped_max_bytes=_number("PORTAL_API_UNZIPPED_MAX_BYTES", DEFAULT_API_UNZIPPED_MAX_BYTES),
        billing=os.environ.get("PORTAL_BILLING", "portal").strip().lower() or "portal",
    )


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url.rstrip("/")


def startup_settings() -> Settings:
    """The settings the portal starts with; a refused setting ends the process with its reason
    (exit status 2) instead of a traceback."""
    try:
        return check_settings(load_settings())
    except SettingsError as refused:
        print(f"portal: refusing to start: {refused}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


settings = startup_settings()
