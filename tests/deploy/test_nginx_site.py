"""The nginx site of deploy/ never hands GET /metrics to a backend (docs/DEPLOY.md): Prometheus
scrapes the backends on their private address, and from outside /metrics is denied, however the
path is spelled. nginx runs with the rendered site in front of a stand-in backend that records
every path it is asked for (no database, no Reflex: a second or so)."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from portal.config import settings
from portal.deploy import Site, render_main, render_site
from tests.deploy.conftest import NGINX, _wait_http
from tests.e2e.conftest import _free_port


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.seen.append(self.path)
        self._answer()

    def do_POST(self):  # noqa: N802 (the standard library's name)
        received = len(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.seen.append(f"POST {self.path} {received}")
        self._answer()

    def _answer(self):
        body = b"backend"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(nginx's port, the paths the backend was asked for)."""
    tmp = tmp_path_factory.mktemp("nginx-site")
    _Recorder.seen = []
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    static = tmp / "static"
    static.mkdir()
    (static / "index.html").write_text("<html>page</html>")
    (static / "404.html").write_text("<html>not found</html>")
    port = _free_port()
    (tmp / "nginx").mkdir()
    site_file = tmp / "nginx" / "portal.conf"
    site_file.write_text(
        render_site(
            Site(
                backends=(f"127.0.0.1:{backend.server_address[1]}",),
                static_root=static,
                listen=f"127.0.0.1:{port}",
                access_log=str(tmp / "nginx" / "access.log"),
            )
        )
    )
    main = tmp / "nginx" / "nginx.conf"
    main.write_text(render_main(site_file, tmp / "nginx"))
    with open(tmp / "nginx" / "stdout.log", "w", encoding="utf-8") as out:
        nginx = subprocess.Popen(
            [NGINX, "-c", str(main), "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/health", nginx, tmp / "nginx" / "error.log")
        yield port, _Recorder.seen
    finally:
        nginx.send_signal(signal.SIGQUIT)
        try:
            nginx.wait(timeout=15)
        except subprocess.TimeoutExpired:
            nginx.kill()
        backend.shutdown()


def _get(port: int, path: str, **headers: str) -> int:
    """The status nginx answers for `path`, sent as written (no client-side normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        with contextlib.suppress(OSError):
            connection.close()


@pytest.mark.parametrize(
    "path",
    ["/metrics", "/metrics?format=text", "/metrics/", "//metrics", "/api/../metrics", "/api/%2e%2e/metrics",
     "/_event/../metrics", "/%6detrics"],
)  # fmt: skip
def test_metrics_are_denied_from_outside_however_spelled(site, path):
    port, seen = site
    assert _get(port, path, Authorization="Bearer a-token-guessed-or-stolen") == 403
    time.sleep(0.05)
    assert not [asked for asked in seen if "metrics" in asked.lower()]


def test_the_api_still_reaches_the_backends(site):
    """The denial is not the backend being out of reach: /api/ is proxied."""
    port, seen = site
    assert _get(port, "/api/health") == 200
    assert "/api/health" in seen


def _post(port: int, path: str, size: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=b"x" * size, headers={"Content-Type": "application/zip"})
        return connection.getresponse().status
    finally:
        with contextlib.suppress(OSError):
            connection.close()


def test_the_integration_api_takes_bodies_larger_than_the_other_routes(site):
    """A 3 MiB file set reaches the backend through /api/v1/ (the API's own limit, portal/config.py),
    where the portal's other routes stop at 1 MiB."""
    port, seen = site
    size = 3 * 1024 * 1024
    assert _post(port, "/api/v1/file-sets", size) == 200
    assert f"POST /api/v1/file-sets {size}" in seen
    assert _post(port, "/api/sessione", size) == 413
    assert not [asked for asked in seen if asked.startswith("POST /api/sessione")]


def test_the_api_location_allows_the_larger_of_the_api_limits():
    rendered = render_site(Site(backends=("127.0.0.1:8001",), static_root=Path("/srv/static")))
    block = rendered[rendered.index("location /api/v1/ {") :]
    block = block[: block.index("}")]
    limit = max(settings.api_json_max_bytes, settings.api_zip_max_bytes)
    assert f"client_max_body_size {limit};" in block
    assert "proxy_request_buffering off;" in block
