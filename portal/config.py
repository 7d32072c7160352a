"""Settings read from environment variables, with safe defaults.

Imported by rxconfig.py, the services and the tests alike, so it must not import Reflex.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

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
LOOPBACK = "127.0.0.1"


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

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_https(self) -> bool:
        return self.public_url.lower().startswith("https://")


def check_settings(settings: Settings) -> Settings:
    """Refuse the combinations that would expose a real portal (issue 11): the demo mailbox shows
    every code and link, so demo mode runs only on a local SQLite database and plain http, and
    CORS never admits any origin."""
    if "*" in settings.allowed_origins:
        raise SettingsError("PORTAL_ALLOWED_ORIGINS='*' is refused: list the portal's own origins")
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
    if settings.upload_max_bytes <= 0:
        raise SettingsError("PORTAL_UPLOAD_MAX_BYTES must be a positive number of bytes")
    return settings


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


def load_settings() -> Settings:
    port = int(os.environ.get("PORT", "3000"))
    origins_raw = os.environ.get("PORTAL_ALLOWED_ORIGINS", "")
    origins = tuple(o.strip() for o in origins_raw.split(",") if o.strip()) or (
        f"http://127.0.0.1:{port}",
        f"http://localhost:{port}",
    )
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
        raise ValueError(f"MAIL_BACKEND must be outbox, smtp or smtp+outbox, not {unknown or 'empty'}")
    mail = MailSettings(
        backends=backends,
        sender=os.environ.get("MAIL_FROM", ""),  # default: the tenant name and support address
        smtp_host=os.environ.get("SMTP_HOST", "127.0.0.1"),
        smtp_port=int(os.environ.get("SMTP_PORT", "25")),
        smtp_starttls=_flag("SMTP_STARTTLS", False),
        smtp_username=os.environ.get("SMTP_USERNAME", ""),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        smtp_timeout=float(os.environ.get("SMTP_TIMEOUT", "10")),
    )
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or _default_database_url(),
        redis_url=os.environ.get("REDIS_URL") or None,
        demo_mode=demo_mode,
        tenant_slug=os.environ.get("PORTAL_TENANT", "aurora"),
        port=port,
        allowed_origins=origins,
        session_idle_minutes=int(os.environ.get("PORTAL_SESSION_IDLE_MINUTES", "15")),
        session_idle_warning_seconds=max(20, int(os.environ.get("PORTAL_IDLE_WARNING_SECONDS", "60"))),
        session_absolute_hours=int(os.environ.get("PORTAL_SESSION_ABSOLUTE_HOURS", "12")),
        # Browsers accept Secure cookies on http://localhost only, so the flag follows the
        # origins: it is on as soon as the portal is served over https.
        cookie_secure=_flag("PORTAL_COOKIE_SECURE", any(o.startswith("https://") for o in origins)),
        public_url=os.environ.get("PORTAL_PUBLIC_URL", origins[0]).rstrip("/"),
        mail=mail,
        private_dir=Path(os.environ.get("PORTAL_PRIVATE_DIR") or PROJECT_ROOT / "data" / "private"),
        listen_host=listen_host,
        upload_max_bytes=int(os.environ.get("PORTAL_UPLOAD_MAX_BYTES") or DEFAULT_UPLOAD_MAX_BYTES),
    )


settings = check_settings(load_settings())
