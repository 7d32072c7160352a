"""A crafted client of Reflex's websocket, as an attacker writes one: socket.io (engine.io v4) over a
plain websocket, no browser. It sends any event with any payload and router data, and collects
every delta and event the server sends back for it.

The server gives no "done" signal for an event (StateUpdate.final is gone since Reflex 0.9), and it
processes one tab's events in order: after the event under test the client sends a marker event
whose delta it recognises (`is_hydrated` flipped on the root state), and everything received before
the marker's delta is the event's answer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
import urllib.parse
import uuid
from typing import Any

import simple_websocket

ROOT_STATE = "reflex___state____state"
MARKER = f"{ROOT_STATE}.set_is_hydrated"
ANSWER_TIMEOUT = 30.0
VAR_SUFFIX = "_rx_state_"  # how a delta names a state var
NAMESPACE = "/_event"  # socket.io namespace: the path of the endpoint (reflex config.get_event_namespace)


@dataclasses.dataclass
class Answer:
    """What the server sent back for one event: its deltas (substate name → vars) and the events
    it asked the browser to run (redirects, scripts, toasts)."""

    deltas: list[dict[str, dict[str, Any]]]
    events: list[dict[str, Any]]

    def text(self) -> str:
        """Everything received, as one JSON text: to search for what must not be there."""
        return json.dumps({"deltas": self.deltas, "events": self.events}, ensure_ascii=False, default=str)

    def var(self, name: str) -> Any:
        """The last value a delta gave the var `name` (any substate); KeyError if none did."""
        found, value = False, None
        for delta in self.deltas:
            for substate in delta.values():
                if name + VAR_SUFFIX in substate:
                    found, value = True, substate[name + VAR_SUFFIX]
        if not found:
            raise KeyError(name)
        return value

    def redirects(self) -> list[str]:
        return [event["payload"].get("path", "") for event in self.events if event.get("name") == "_redirect"]


class SocketClosed(Exception):
    pass


class ReflexSocket:
    """One browser tab's connection: its own state token, the cookie header of its "browser"."""

    def __init__(self, base_url: str, cookie: str = "", token: str | None = None):
        self.token = token or str(uuid.uuid4())
        parts = urllib.parse.urlsplit(base_url)
        query = urllib.parse.urlencode({"EIO": "4", "transport": "websocket", "token": self.token})
        url = f"ws://{parts.netloc}/_event/?{query}"
        headers = {"Cookie": cookie} if cookie else {}
        headers["Origin"] = base_url
        self._ws = simple_websocket.Client.connect(url, headers=headers)
        self._hydrated = False
        opened = self._receive_packet(ANSWER_TIMEOUT)
        assert opened.startswith("0"), opened  # engine.io OPEN
        self._ws.send(f"40{NAMESPACE},")  # socket.io CONNECT to the event namespace
        while True:
            packet = self._receive_packet(ANSWER_TIMEOUT)
            if packet.startswith(f"40{NAMESPACE},"):
                break
            if packet.startswith(f"44{NAMESPACE},"):
                raise SocketClosed(f"connection refused: {packet}")

    def close(self) -> None:
        """Close the connection; one the server already closed (an idle tab that missed its pings
        while the test was busy with others) is closed already."""
        with contextlib.suppress(simple_websocket.ConnectionClosed):
            self._ws.close()

    def __enter__(self) -> ReflexSocket:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _receive_packet(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the server sent nothing in time")
            try:
                packet = self._ws.receive(timeout=left)
            except simple_websocket.ConnectionClosed as closed:
                raise SocketClosed(str(closed)) from closed
            if packet is None:
                continue
            if isinstance(packet, bytes):
                packet = packet.decode()
            if packet == "2":  # engine.io PING: answer, or the server drops the connection
                self._ws.send("3")
                continue
            return packet

    def _emit(self, name: str, payload: dict[str, Any], path: str, query: dict[str, str] | None) -> None:
        router_data: dict[str, Any] = {
            "pathname": path,
            "asPath": path + (f"?{urllib.parse.urlencode(query)}" if query else ""),
        }
        if query:
            router_data["query"] = query
        event = {"token": self.token, "name": name, "payload": payload, "router_data": router_data}
        self._ws.send(f"42{NAMESPACE}," + json.dumps(["event", event]))

    def send(
        self, name: str, payload: dict[str, Any] | None = None, *, path: str = "/", query: dict[str, str] | None = None
    ) -> Answer:
        """Send the event `name` (full state path + handler) and collect the server's answer to it."""
        self._emit(name, payload or {}, path, query)
        return self.collect(path=path, query=query)

    def collect(self, *, path: str = "/", query: dict[str, str] | None = None) -> Answer:
        """Everything the server has sent this tab so far (after `send`, or pushed by an upload to
        the tab's token over HTTP), up to the marker's delta."""
        self._hydrated = not self._hydrated
        self._emit(MARKER, {"value": self._hydrated}, path, query)
        answer = Answer(deltas=[], events=[])
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while True:
            packet = self._receive_packet(max(0.1, deadline - time.monotonic()))
            prefix = f"42{NAMESPACE},"
            if not packet.startswith(prefix):
                continue
            kind, update = json.loads(packet[len(prefix) :])
            if kind != "event":
                continue
            delta = update.get("delta") or {}
            marker = delta.get(ROOT_STATE, {}).get(f"is_hydrated{VAR_SUFFIX}")
            if marker is self._hydrated:
                return answer
            if delta:
                answer.deltas.append(delta)
            answer.events.extend(update.get("events") or [])


def state_event(state: Any, handler: str) -> str:
    """The name the browser sends for `handler` of the state class `state`."""
    return f"{state.get_full_name()}.{handler}"
