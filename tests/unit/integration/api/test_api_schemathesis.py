"""The API against its own OpenAPI description, property-based (schemathesis): requests generated
from the served document (valid batches and invalid ones, zip bodies, parameters, the requests'
feed, acknowledgements and status changes), sent in process to the app with a valid key holding
every scope, in a leasing company with customers' requests (so that the feed, a file and a status
change answer with real data); every answer must be one the document declares (status, content
type, body schema, headers), never a server error, and what the schema forbids must be refused."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from portal import routes
from portal.api import api
from portal.integration import keys
from portal.services.common import throttle
from portal.web.stack import protect
from tests.unit.integration.api.conftest import Opened, bearer

# Bounded so that the whole module runs in seconds, not minutes: each operation gets this many
# generated examples per generation mode (valid, invalid), plus schemathesis's explicit examples.
EXAMPLES = 40

# Loaded from the app itself (GET /api/v1/openapi.json, which needs no database nor key).
schema = schemathesis.openapi.from_asgi(routes.API_V1_OPENAPI, protect(api))


@schemathesis.serializer("application/zip")
def _zip_bytes(ctx: Any, value: Any) -> bytes:
    """A `format: binary` body goes as it was generated (random bytes: mostly not a zip at all)."""
    return value if isinstance(value, bytes) else str(value).encode()


@pytest.fixture
def holder(portal_api) -> tuple[str, Opened]:
    """A key with every scope, of a leasing company with two requests (one with a file)."""
    tenant = portal_api.tenant()
    portal_api.open_request(tenant, with_file=False)
    opened = portal_api.open_request(tenant)
    return portal_api.token(tenant, *keys.SCOPES, name="schemathesis"), opened


def _aim(case: Any, opened: Opened) -> None:
    """A generated request code is no request of the company's (a 404 every time): valid cases
    name the company's request, and its file, so that their answers are the real ones."""
    if "code" in (case.path_parameters or {}) and case.meta.generation.mode.is_positive:
        case.path_parameters["code"] = opened.code
        if "attachment_id" in case.path_parameters:
            case.path_parameters["attachment_id"] = opened.attachment_id


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis folder in the project
    derandomize=True,  # the same examples every run: a failure is reproducible, the time stable
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_the_api_answers_as_its_openapi_description_says(case, holder):
    token, opened = holder
    _aim(case, opened)
    # schemathesis also sends wrong credentials each time (its "ignored auth" check): the failed
    # attempts' limit (test_api_auth.py) would answer them 429 after a few examples.
    throttle.reset()
    # Every check but "schema-valid data is accepted": a JSON Schema cannot say that a contract names
    # a customer the portal holds, so a schema-valid batch may rightly get its 422 with the report.
    case.call_and_validate(headers=bearer(token), excluded_checks=[positive_data_acceptance])
