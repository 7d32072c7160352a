"""Reflex configuration; every value comes from portal.config (environment variables)."""

import os
import sys
from typing import TYPE_CHECKING, cast

import reflex as rx

from portal.config import demo_banner, settings
from portal.services.common.branding import load_branding
from portal.web import multiprocess

if TYPE_CHECKING:  # the theme's colour names; only pyright needs them
    from reflex_components_radix.themes.base import LiteralAccentColor

branding = load_branding(settings.tenant_slug)
# Before the app (and prometheus_client) is imported: the server's process empties the metrics
# directory and hands it to its workers (portal/web/multiprocess.py); a worker only inherits it.
multiprocess.prepare(settings.metrics_dir)
if banner := demo_banner(settings):  # loud on purpose: demo mode hands out every code (issue 11)
    print(banner, file=sys.stderr, flush=True)

# Where the browser reaches the backend (the websocket, uploads), baked into the exported frontend:
# in production the public address, behind the reverse proxy of deploy/; elsewhere the one port.
backend_only = os.environ.get("REFLEX_BACKEND_ONLY", "").lower() in ("1", "true", "yes")
backend_url = settings.public_url if settings.is_production else f"http://127.0.0.1:{settings.port}"

config = rx.Config(
    app_name="portal",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Production serves the exported frontend from nginx and runs `--backend-only` processes.
    frontend_port=None if settings.is_production or backend_only else settings.port,
    backend_port=settings.port,
    backend_host=settings.listen_host,  # loopback in demo mode unless PORTAL_LISTEN_HOST says otherwise
    api_url=backend_url,
    deploy_url=backend_url,
    cors_allowed_origins=list(settings.allowed_origins),
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="light",
                # load_branding refuses any colour that is not a Radix scale
                accent_color=cast("LiteralAccentColor", branding.accent_color),
                gray_color="slate",
                radius="medium",
                scaling="100%",
            )
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
