"""The OpenAPI 3.1 description of /api/v1/, served at GET /api/v1/openapi.json.

Built from the format itself, never written by hand: a record's schema is the format's JSON Schema
(portal/integration/schemas/v1/, every type of format.RECORD_TYPES), the scopes are keys.SCOPES and
the limits the running settings, so the description cannot drift from what the API accepts.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal import routes
from portal.config import settings
from portal.integration import format as fmt
from portal.integration import keys
from portal.web.api_v1 import openapi_requests
from portal.web.api_v1.problems import NO_STORE, PROBLEM

SECURITY = openapi_requests.SECURITY
_SCHEMAS = "#/components/schemas/"


def _record_schema(name: str, components: dict[str, Any]) -> dict[str, Any]:
    """The record type's JSON Schema as a component: its `$defs` become components of their own,
    named `<type>.<definition>`, and its `$id` goes (inside an OpenAPI document a `$id` would make
    every reference resolve against the schema's own address)."""
    schema = copy.deepcopy(fmt.schema_of(name))
    for definition, spec in schema.pop("$defs", {}).items():
        components[f"{name}.{definition}"] = spec

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    _SCHEMAS + f"{name}.{value.removeprefix('#/$defs/')}"
                    if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
                    else rewrite(value)
                )
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    component = {key: value for key, value in rewrite(schema).items() if key not in ("$id", "$schema")}
    # As in a JSON Lines file, null is an absent field: an optional field may be sent as null.
    required = set(component.get("required", []))
    component["properties"] = {
        field: spec if field in required else {"anyOf": [spec, {"type": "null"}]}
        for field, spec in component["properties"].items()
    }
    return component


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _SCHEMAS + name}


_COUNT = {"type": "integer", "minimum": 0}
_FINDING = {
    "type": "object",
    "required": ["record_type", "key", "message"],
    "properties": {"record_type": {"type": "string"}, "key": {"type": "string"}, "message": {"type": "string"}},
}
_REJECTION = {
    "type": "object",
    "required": ["file", "line", "field", "reason"],
    "properties": {
        "file": {"type": "string", "description": "the file of a file set; in a batch, the record type"},
        "line": {
            "type": "integer",
            "minimum": 0,
            "description": "the line in the file (CSV: the header is line 1); in a batch, the record's position "
            "in its array from 1; 0: the whole file or type",
        },
        "field": {"type": "string", "description": "the field(s) at fault; `-` for the whole record or file"},
        "reason": {"type": "string"},
        "record_type": {"type": ["string", "null"]},
        "pointer": {
            "type": ["string", "null"],
            "description": "batches only: the JSON pointer of the record in the request (/records/contract/3)",
        },
    },
}


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for record_type in fmt.RECORD_TYPES:
        schemas[record_type.name] = _record_schema(record_type.name, schemas)
    names = [record_type.name for record_type in fmt.RECORD_TYPES]
    schemas["Batch"] = {
        "type": "object",
        "description": "Records of any types of the format, imported all-or-nothing like a file set "
        "(docs/INTEGRATION.md §7).",
        "required": ["records"],
        "additionalProperties": False,
        "properties": {
            "full": {
                "type": "boolean",
                "default": False,
                "description": "each array holds every record of its type: the portal reports those it holds "
                "that the batch lacks (never deletes them)",
            },
            "dry_run": {"type": "boolean", "default": False, "description": "check and count, write nothing"},
            "records": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: {"type": "array", "items": _ref(name)} for name in names},
            },
        },
    }
    schemas["TypeCounts"] = {
        "type": "object",
        "required": ["created", "updated", "unchanged", "rejected", "missing"],
        "properties": dict.fromkeys(("created", "updated", "unchanged", "rejected", "missing"), _COUNT),
    }
    schemas["Rejection"] = _REJECTION
    schemas["Finding"] = _FINDING
    schemas["ImportReport"] = {
        "type": "object",
        "required": [
            "import_run",
            "format_version",
            "source",
            "dry_run",
            "full",
            "outcome",
            "counts",
            "rejections",
            "warnings",
            "missing",
        ],
        "properties": {
            "import_run": {"type": "integer", "description": "the id of the run kept in the portal"},
            "format_version": {"type": "integer", "const": fmt.FORMAT_VERSION},
            "source": {"type": "string"},
            "dry_run": {"type": "boolean"},
            "full": {"type": "boolean"},
            "outcome": {"enum": ["imported", "valid", "rejected"]},
            "counts": {
                "type": "object",
                "properties": {name: _ref("TypeCounts") for name in names},
                "additionalProperties": _ref("TypeCounts"),
            },
            "rejections": {"type": "array", "items": _ref("Rejection")},
            "warnings": {"type": "array", "items": _ref("Finding"), "description": "reconciliation warnings"},
            "missing": {"type": "array", "items": _ref("Finding"), "description": "records a full set lacks"},
        },
    }
    schemas.update(openapi_requests.schemas())
    schemas["Problem"] = {
        "type": "object",
        "description": "RFC 9457 problem details",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
        },
    }
    scopes = "\n".join(f"- `{scope}`: {meaning}" for scope, meaning in keys.SCOPES.items())
    return {
        "schemas": schemas,
        "securitySchemes": {
            SECURITY: {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": f"{keys.TOKEN_PREFIX}<key id>.<secret>",
                "description": "An API key an operator created with `python -m portal.integration keys create`. "
                f"Each operation names the scope it needs:\n{scopes}",
            }
        },
    }


def _problem(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": {PROBLEM: {"schema": _ref("Problem")}}}
    if headers:
        answer["headers"] = headers
    return answer


def _report(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("ImportReport")}}}


def _import_responses(limit: int) -> dict[str, Any]:
    return {
        "200": _report("imported (or, in a dry run, every record valid): the report"),
        "400": _problem("the body or a parameter is malformed (not JSON, not a batch, not a zip)"),
        "401": _problem(
            "no API key, or an unknown or revoked one",
            {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
        ),
        "403": _problem("the API key lacks the operation's scope"),
        "409": _problem("another import wrote the same records at the same time: nothing written, send again"),
        "413": _problem(f"the body is larger than {limit} bytes"),
        "415": _problem("the body's Content-Type is not the operation's"),
        "422": _report("a record was rejected: nothing was written; the report lists every rejection"),
        "429": _problem(
            "too many failed attempts from this address",
            {"Retry-After": {"schema": {"type": "string"}, "description": "seconds"}},
        ),
    }


@functools.cache
def document() -> dict[str, Any]:
    security = [{SECURITY: [keys.RECORDS_WRITE]}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Leasing portal integration API",
            "version": str(fmt.FORMAT_VERSION),
            "description": "Records from the core leasing system, in the interchange format of "
            "docs/INTEGRATION.md. Batches and file sets are imported all-or-nothing and idempotently. "
            "The customers' requests go back to the core system through their feed (docs/INTEGRATION.md §8).",
        },
        "paths": {
            routes.API_V1_BATCHES: {
                "post": {
                    "operationId": "postBatch",
                    "summary": "Import a batch of records (JSON)",
                    "security": security,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Batch")}}},
                    "responses": _import_responses(settings.api_json_max_bytes),
                }
            },
            routes.API_V1_FILE_SETS: {
                "post": {
                    "operationId": "postFileSet",
                    "summary": "Import a file set (a zip, as the import command reads it)",
                    "security": security,
                    "parameters": [
                        {
                            "name": "dry_run",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["true", "false", "1", "0"]},
                            "description": "true: check and count, write nothing",
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "responses": _import_responses(settings.api_zip_max_bytes),
                }
            },
            routes.API_V1_OPENAPI: {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This description",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "the OpenAPI document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            **openapi_requests.paths(),
        },
        "components": _components(),
    }


async def openapi_json(request: Request) -> Response:
    return JSONResponse(document(), headers=NO_STORE)
