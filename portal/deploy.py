"""nginx configuration for the production topology (issue 13, docs/DEPLOY.md), rendered from the
templates in deploy/ with the portal's own settings, so that the proxy's upload limit and the
static pages' security headers are the ones the backends enforce.

    python -m portal.deploy site --backend 10.0.0.11:8001 --backend 10.0.0.12:8001 \\
        --static-root /srv/portal/static --server-name portale.example.com \\
        --tls-certificate /etc/ssl/portal.pem --tls-key /etc/ssl/private/portal.key > portal.conf
    python -m portal.deploy main --site portal.conf --prefix /run/portal-nginx > nginx.conf

No Reflex import: the settings come from portal.config (the environment).
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
from pathlib import Path

from portal.config import PROJECT_ROOT, Settings, settings
from portal.web.headers import PAGE_POLICY, common_headers

TEMPLATES = PROJECT_ROOT / "deploy"
MIME_TYPES = Path("/etc/nginx/mime.types")


@dataclasses.dataclass(frozen=True)
class Site:
    backends: tuple[str, ...]  # host:port of each backend process
    static_root: Path  # the exported frontend (.web/build/client)
    listen: str = "80"  # an nginx listen address: "8080", "127.0.0.1:8080", "443"
    server_name: str = "_"
    access_log: str = "/var/log/nginx/portal.access.log"
    tls_certificate: str = ""  # both set: https on `listen`, and port 80 redirects to it
    tls_key: str = ""
    fail_timeout_seconds: int = 10


def _fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{{" + name + "}}", value)
    if "{{" in template:
        raise ValueError(f"a placeholder was left unfilled: {template[template.index('{{') :][:40]}")
    return template


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_headers(portal: Settings, indent: str = "        ") -> str:
    """add_header lines for the static pages: what portal/web/headers.py adds to the app's answers."""
    headers = [(name.decode(), value.decode()) for name, value in common_headers(portal)]
    headers.append(("Content-Security-Policy", PAGE_POLICY))
    return "\n".join(f"{indent}add_header {name} {_quoted(value)} always;" for name, value in headers)


def render_site(site: Site, portal: Settings = settings) -> str:
    if not site.backends:
        raise ValueError("at least one backend (host:port)")
    tls = bool(site.tls_certificate and site.tls_key)
    indent = "    "
    listen = (
        f"{indent}listen {site.listen} ssl http2;\n"
        f"{indent}ssl_certificate {site.tls_certificate};\n"
        f"{indent}ssl_certificate_key {site.tls_key};\n"
        f"{indent}ssl_protocols TLSv1.2 TLSv1.3;\n"
        f"{indent}ssl_session_cache shared:portal_tls:10m;"
        if tls
        else f"{indent}listen {site.listen};\n"
        f"{indent}# TLS: render with --tls-certificate and --tls-key (https here, port 80 redirected),\n"
        f"{indent}# or terminate TLS in front and set PORTAL_TRUSTED_PROXY_HOPS=2 on the backends."
    )
    redirect = (
        "server {\n    listen 80;\n    server_name "
        f"{site.server_name};\n    server_tokens off;\n    return 301 https://$host$request_uri;\n}}\n"
        if tls
        else ""
    )
    proxy_headers = "\n".join(
        f"        proxy_set_header {name} {value};"
        for name, value in (
            ("Host", "$host"),
            # the backends believe the last entry only (PORTAL_TRUSTED_PROXY_HOPS=1): the address nginx saw
            ("X-Forwarded-For", "$proxy_add_x_forwarded_for"),
            ("X-Forwarded-Proto", "$scheme"),
            ("X-Request-ID", "$request_id"),
        )
    )
    upstream = "\n".join(
        f"    server {backend} max_fails=1 fail_timeout={site.fail_timeout_seconds}s;" for backend in site.backends
    )
    template = (TEMPLATES / "nginx-site.conf.template").read_text(encoding="utf-8")
    return _fill(
        template,
        {
            "upstream_servers": upstream,
            "https_redirect": redirect,
            "listen": listen,
            "server_name": site.server_name,
            "static_root": str(site.static_root),
            "access_log": site.access_log,
            "page_headers": page_headers(portal),
            "proxy_headers": proxy_headers,
            "upload_max_bytes": str(portal.upload_max_bytes),
            "api_max_bytes": str(max(portal.api_json_max_bytes, portal.api_zip_max_bytes)),
        },
    )


def render_main(site_file: Path, prefix: Path, *, worker_processes: int = 1, user: str = "") -> str:
    template = (TEMPLATES / "nginx-main.conf.template").read_text(encoding="utf-8")
    return _fill(
        template,
        {
            "user": user or getpass.getuser(),
            "worker_processes": str(worker_processes),
            "prefix": str(prefix),
            "mime_types": str(MIME_TYPES),
            "site": str(site_file),
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.deploy", description="nginx configuration for the portal")
    commands = parser.add_subparsers(dest="command", required=True)
    site = commands.add_parser("site", help="the server block (goes in nginx's http block)")
    site.add_argument("--backend", action="append", required=True, help="host:port of a backend (repeat)")
    site.add_argument("--static-root", required=True, type=Path, help="the exported frontend")
    site.add_argument("--listen", default="80")
    site.add_argument("--server-name", default="_")
    site.add_argument("--access-log", default="/var/log/nginx/portal.access.log")
    site.add_argument("--tls-certificate", default="")
    site.add_argument("--tls-key", default="")
    whole = commands.add_parser("main", help="a whole nginx.conf around a site file, for nginx as its own process")
    whole.add_argument("--site", required=True, type=Path)
    whole.add_argument("--prefix", required=True, type=Path, help="where pid, logs and temporary files go")
    whole.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "site":
        text = render_site(
            Site(
                backends=tuple(args.backend),
                static_root=args.static_root.resolve(),
                listen=args.listen,
                server_name=args.server_name,
                access_log=args.access_log,
                tls_certificate=args.tls_certificate,
                tls_key=args.tls_key,
            )
        )
    else:
        text = render_main(args.site.resolve(), args.prefix.resolve(), worker_processes=args.workers)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
