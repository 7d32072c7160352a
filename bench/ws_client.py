"""An asyncio client of Reflex's event websocket for the load benchmark: socket.io (engine.io v4)
over wsproto, many tabs in one process without a thread each.

It sends the events the browser sends when the user follows a link (recorded from Chromium: the
client-side vars, the page's on_load, the bell's refresh), then a marker event whose delta it
recognises (`is_hydrated` flipped on the root state): the server handles one tab's events in
order, so the marker's delta closes the navigation. Big deltas are counted, not parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import urllib.parse
import uuid
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, Request, TextMessage

ROOT = "reflex___state____state"
# The floor's event: the leaf's setter (the root's would load every substate from Redis).
MARKER = f"{ROOT}.reflex___state____on_load_internal_state.set_is_hydrated"
NAMESPACE = "/_event"
PREFIX = f"42{NAMESPACE},"
SESSION_STATE = f"{ROOT}.portal___state___i18n___i18n_state.portal___state___session____session_state"
ON_LOAD = f"{ROOT}.reflex___state____on_load_internal_state.on_load_internal"
BELL_REFRESH = f"{SESSION_STATE}.portal___state___bell____notification_state.refresh"
BELL_INTERVAL = 30.0  # the bell's timer (components/bell.py), which also fires when a page is first loaded
ERROR_TEXTS = ("An error occurred", "Si è verificato un errore")


def _update(packet: str) -> dict[str, Any]:
    kind, update = json.loads(packet[len(PREFIX) :])
    return update if kind == "event" and isinstance(update, dict) else {}


def _root_hydrated(packet: str) -> bool | None:
    return ((_update(packet).get("delta") or {}).get(ROOT) or {}).get("is_hydrated_rx_state_")


def _error_shown(packet: str) -> bool:
    """An error toast among the events the server asked the browser to run (the catalogue in a
    delta holds the same words, so only the events are read)."""
    if not any(text in packet for text in ERROR_TEXTS):
        return False
    events = json.dumps(_update(packet).get("events") or [], ensure_ascii=False)
    return any(text in events for text in ERROR_TEXTS)


class ProtocolError(Exception):
    pass


@dataclasses.dataclass
class Received:
    bytes: int = 0
    errors: int = 0


class Tab:
    """One browser tab: its own state token and the browser's session cookie."""

    def __init__(self, base_url: str, cookie: str):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.origin, self.cookie = base_url, cookie
        self.token = str(uuid.uuid4())
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._messages: list[str] = []
        self._partial: list[str] = []
        self._bell_due = 0.0

    async def open(self, timeout: float) -> None:
        self._reader, self._writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), timeout)
        query = urllib.parse.urlencode({"EIO": "4", "transport": "websocket", "token": self.token})
        headers = [(b"origin", self.origin.encode())]
        if self.cookie:
            headers.append((b"cookie", self.cookie.encode()))
        self._send_bytes(
            self._ws.send(
                Request(host=f"{self.host}:{self.port}", target=f"{NAMESPACE}/?{query}", extra_headers=headers)
            )
        )
        opened = await self._next(timeout)
        if not opened.startswith("0"):
            raise ProtocolError(f"no engine.io open: {opened[:200]}")
        self._send_text(f"40{NAMESPACE},")
        while not (await self._next(timeout)).startswith(f"40{NAMESPACE},"):
            pass

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()

    def emit(self, name: str, path: str, payload: dict[str, Any] | None = None, query: str = "") -> None:
        router = {"pathname": path, "asPath": path + (f"?{query}" if query else "")}
        if query:
            router["query"] = dict(urllib.parse.parse_qsl(query))
        event = {"token": self.token, "name": name, "payload": payload or {}, "router_data": router}
        self._send_text(PREFIX + json.dumps(["event", event]))

    async def answer(self, timeout: float) -> Received:
        """Take every packet up to the delta that sets `is_hydrated` true after one that set it
        false: what the events sent before brought back (bytes, and whether an error toast came).
        A navigation's on_load_internal sets it false and queues the page's load handlers followed by
        the flip back to true, behind the events already sent, so that flip closes the answer."""
        received = Received()
        seen_false = False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            packet = await self._next(max(0.05, deadline - loop.time()))
            if not packet.startswith(PREFIX):
                continue
            received.bytes += len(packet.encode())
            if _error_shown(packet):
                received.errors += 1
            if "is_hydrated_rx_state_" in packet:
                hydrated = _root_hydrated(packet)
                seen_false = seen_false or hydrated is False
                if hydrated is True and seen_false:
                    return received

    async def navigate(self, path: str, timeout: float, query: str = "") -> Received:
        """Follow a link to `path` as the browser does (seen in Chromium's websocket frames): the
        page's load handlers; and the bell's refresh when its timer is due (at the tab's first page,
        then every BELL_INTERVAL seconds), sent ahead of the navigation and counted with it."""
        now = asyncio.get_running_loop().time()
        if now >= self._bell_due:
            self.emit(BELL_REFRESH, path, query=query)
            self._bell_due = now + BELL_INTERVAL
        self.emit(ON_LOAD, path, query=query)
        return await self.answer(timeout)

    async def refresh_bell(self, path: str, timeout: float) -> Received:
        """The bell's 30-second refresh alone, closed by the marker pair (as noop)."""
        self.emit(BELL_REFRESH, path)
        return await self.noop(path, timeout)

    async def noop(self, path: str, timeout: float) -> Received:
        """The floor: an event that does nothing but flip a flag, sent as a pair (false, true)."""
        self.emit(MARKER, path, {"value": False})
        self.emit(MARKER, path, {"value": True})
        return await self.answer(timeout)

    def _send_bytes(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)

    def _send_text(self, text: str) -> None:
        self._send_bytes(self._ws.send(TextMessage(data=text)))

    async def _next(self, timeout: float) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while self._messages:
                message = self._messages.pop(0)
                if message == "2":  # engine.io ping: answer, or the server drops the tab
                    self._send_text("3")
                    continue
                return message
            assert self._reader is not None
            data = await asyncio.wait_for(self._reader.read(262144), max(0.01, deadline - loop.time()))
            if not data:
                raise ProtocolError("the server closed the connection")
            self._ws.receive_data(data)
            for event in self._ws.events():
                if isinstance(event, TextMessage):
                    self._partial.append(event.data)
                    if event.message_finished:
                        self._messages.append("".join(self._partial))
                        self._partial = []
                elif isinstance(event, Ping):
                    self._send_bytes(self._ws.send(event.response()))
                elif isinstance(event, (CloseConnection, RejectConnection)):
                    raise ProtocolError(f"closed: {event}")
                elif isinstance(event, AcceptConnection):
                    continue
