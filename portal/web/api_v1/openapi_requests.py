"""The requests' part of the OpenAPI description (docs/INTEGRATION.md §8): the four operations of
portal/web/api_v1/requests.py, with the answers portal/integration/outbound builds (document.py,
feed.py, status.py) as schemas strict enough to catch a drift between the two (closed objects,
enums, patterns from the same constants the routes check)."""

from __future__ import annotations

import re
from typing import Any

from portal import routes
from portal.integration import keys
from portal.integration.outbound import feed, status
from portal.integration.outbound.document import CORE_SYSTEM, CUSTOMER, SERVICE_DESK
from portal.integration.outbound.events import KINDS
from portal.models.enums import RequestStatus
from portal.web.api_v1.problems import PROBLEM
from portal.web.api_v1.requests import CONSUMER, CURSOR, anchored

SECURITY = "apiKey"  # openapi.py's security scheme
_SCHEMAS = "#/components/schemas/"

_CURSOR = {"type": "string", "pattern": anchored(CURSOR), "description": "an event number, in decimal"}
_CONSUMER = {"type": "string", "pattern": anchored(CONSUMER)}
_MOMENT = {"type": "string", "format": "date-time", "description": "UTC, to the second"}
_ID = {"type": "integer", "minimum": 1}
_IDS = {"type": "array", "items": _ID}
_ACTOR = {"enum": [CUSTOMER, SERVICE_DESK, CORE_SYSTEM]}
_STATUS = {"enum": [s.value for s in RequestStatus]}
_TEXT_OR_NULL = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _SCHEMAS + name}


def _closed(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    schema = {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }
    return {"description": description, **schema} if description else schema


def schemas() -> dict[str, Any]:
    return {
        "RequestEvent": _closed(
            {
                "id": {**_ID, "description": "the event's number: the cursor after it"},
                "type": {"enum": list(KINDS)},
                "occurred_at": _MOMENT,
                "request_code": {"type": "string"},
                "actor": _ACTOR,
                "reference": {**_TEXT_OR_NULL, "description": "the core system's own id of its status change"},
                "detail": {
                    "type": "object",
                    "properties": {
                        "message_id": {"type": ["integer", "null"]},
                        "attachment_ids": _IDS,
                        "from_status": _STATUS,
                        "to_status": _STATUS,
                    },
                },
            }
        ),
        "RequestMessage": _closed(
            {
                "id": _ID,
                "author": _ACTOR,
                "author_name": {"type": "string"},
                "body": {"type": "string"},
                "created_at": _MOMENT,
                "attachment_ids": _IDS,
            }
        ),
        "RequestAttachment": _closed(
            {
                "id": _ID,
                "name": {"type": "string"},
                "content_type": {"type": "string"},
                "size": {"type": "integer", "minimum": 0},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "message_id": {"type": ["integer", "null"]},
                "created_at": _MOMENT,
            },
            "a file's metadata; its bytes at GET /api/v1/requests/{code}/attachments/{id}",
        ),
        "ServiceRequest": _closed(
            {
                "code": {"type": "string"},
                "form_key": {"type": "string"},
                "title": {"type": "string"},
                "status": _STATUS,
                "customer_code": _TEXT_OR_NULL,
                "customer_name": _TEXT_OR_NULL,
                "contract_number": _TEXT_OR_NULL,
                "asset_code": _TEXT_OR_NULL,
                "answers": {"type": "object", "description": "the form's answers by field key, as codes"},
                "payload": {"type": "object", "description": "the whole form as the customer saw it"},
                "created_at": _MOMENT,
                "updated_at": _MOMENT,
                "due_on": {
                    "type": ["string", "null"],
                    "format": "date",
                    "description": "the legal deadline (art. 119 TUB copies), if the request has one",
                },
                "messages": {"type": "array", "items": _ref("RequestMessage")},
                "attachments": {"type": "array", "items": _ref("RequestAttachment")},
                "status_history": {
                    "type": "array",
                    "items": _closed(
                        {"from": {"anyOf": [_STATUS, {"type": "null"}]}, "to": _STATUS, "at": _MOMENT, "by": _ACTOR}
                    ),
                },
            },
            "a request as it stands now",
        ),
        "RequestFeed": _closed(
            {
                "consumer": _CONSUMER,
                "acknowledged": {**_CURSOR, "description": "the consumer's acknowledged event number"},
                "cursor": {**_CURSOR, "description": "the page holds the events after this one"},
                "next_cursor": {**_CURSOR, "description": "the `since` of the next page"},
                "has_more": {"type": "boolean"},
                "events": {"type": "array", "items": _ref("RequestEvent"), "maxItems": feed.MAX_LIMIT},
                "requests": {"type": "array", "items": _ref("ServiceRequest")},
            },
            "the events after the cursor, in order, and each request they touched once",
        ),
        "Acknowledgement": {
            "type": "object",
            "required": ["cursor"],
            "additionalProperties": False,
            "properties": {
                "cursor": {**_CURSOR, "description": "the feed's next_cursor: every event up to it is stored"},
                "consumer": {**_CONSUMER, "description": "default: the API key's name"},
            },
        },
        "Acknowledged": _closed(
            {
                "consumer": _CONSUMER,
                "acknowledged": _CURSOR,
                "previous": _CURSOR,
                "acked_at": {"anyOf": [_MOMENT, {"type": "null"}], "description": "null: nothing acknowledged yet"},
            }
        ),
        "StatusChange": {
            "type": "object",
            "required": ["status"],
            "additionalProperties": False,
            "properties": {
                "status": {"enum": [s.value for s in status.SETTABLE]},
                "message": {
                    "type": "string",
                    "maxLength": status.MAX_MESSAGE,
                    "description": "to the customer, in the request's thread",
                },
                "reference": {
                    "anyOf": [{"type": "string", "minLength": 1, "maxLength": status.MAX_REFERENCE}, {"type": "null"}],
                    "description": "your id of this change: the same reference again changes nothing",
                },
            },
        },
        "StatusChanged": _closed(
            {
                "code": {"type": "string"},
                "status": _STATUS,
                "changed": {"type": "boolean"},
                "duplicate": {"type": "boolean", "description": "the reference was used already: nothing changed"},
                "notified": {"type": "integer", "minimum": 0, "description": "e-mails written"},
                "event_ids": _IDS,
            }
        ),
    }


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref("Problem")}}}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _refusals(scope: str, *, body: bool) -> dict[str, Any]:
    answers = {
        "400": _problem("a parameter or the body is malformed, or refused (the detail says why): nothing changed"),
        "401": _problem("no API key, or an unknown or revoked one"),
        "403": _problem(f"the API key lacks the scope {scope}"),
        "429": _problem("too many failed attempts from this address"),
    }
    if body:
        answers["413"] = _problem("the body is larger than the API accepts")
        answers["415"] = _problem("the body is not application/json")
    return answers


def _code() -> dict[str, Any]:
    return {
        "name": "code",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "the request's code",
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path(route: str) -> str:
    """The route's pattern as OpenAPI writes a path (no Starlette convertors)."""
    return re.sub(r":[a-z]+}", "}", route)


def paths() -> dict[str, Any]:
    read, write = [{SECURITY: [keys.REQUESTS_READ]}], [{SECURITY: [keys.REQUESTS_WRITE]}]
    return {
        routes.API_V1_REQUESTS: {
            "get": {
                "operationId": "getRequestFeed",
                "summary": "The changes of the customers' requests after a cursor, with the requests they touched",
                "security": read,
                "parameters": [
                    _query("since", _CURSOR, "the events after this one (default: the consumer's acknowledged point)"),
                    _query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": feed.MAX_LIMIT, "default": feed.DEFAULT_LIMIT},
                        "at most this many events",
                    ),
                    _query("consumer", _CONSUMER, "whose acknowledgement counts (default: the API key's name)"),
                    _query(
                        "replay",
                        {"type": "string", "enum": ["true", "false", "1", "0"]},
                        "true: after `since` even what was acknowledged",
                    ),
                ],
                "responses": {
                    "200": _json("RequestFeed", "a page of the feed"),
                    **_refusals(keys.REQUESTS_READ, body=False),
                },
            }
        },
        routes.API_V1_REQUESTS_ACK: {
            "post": {
                "operationId": "acknowledgeRequestFeed",
                "summary": "Acknowledge the feed up to a cursor",
                "security": read,
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Acknowledgement")}}},
                "responses": {
                    "200": _json("Acknowledged", "the consumer's acknowledged point (it never goes back)"),
                    **_refusals(keys.REQUESTS_READ, body=True),
                },
            }
        },
        _path(routes.API_V1_REQUEST_STATUS): {
            "post": {
                "operationId": "changeRequestStatus",
                "summary": "Change a request's status, optionally with a message to the customer",
                "security": write,
                "parameters": [_code()],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("StatusChange")}}},
                "responses": {
                    "200": _json("StatusChanged", "done (or nothing to do: `changed` false)"),
                    **_refusals(keys.REQUESTS_WRITE, body=True),
                    "404": _problem("no such request in your leasing company"),
                },
            }
        },
        _path(routes.API_V1_REQUEST_ATTACHMENT): {
            "get": {
                "operationId": "getRequestAttachment",
                "summary": "The bytes of a request's file",
                "security": read,
                "parameters": [
                    _code(),
                    {
                        "name": "attachment_id",
                        "in": "path",
                        "required": True,
                        "schema": _ID,
                        "description": "the file's id",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the file, as a download; check it against the feed's sha256",
                        "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    **_refusals(keys.REQUESTS_READ, body=False),
                    "404": _problem("no such file of that request in your leasing company"),
                },
            }
        },
    }
