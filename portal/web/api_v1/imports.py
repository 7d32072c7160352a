"""POST /api/v1/batches and POST /api/v1/file-sets: records sent by the core system, imported by
the same service as `python -m portal.integration import` (all-or-nothing, idempotent, one
import_run row per call whatever its outcome), into the leasing company of the caller's key."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal.config import settings
from portal.db import session_scope
from portal.integration import keys
from portal.integration.batches import BatchError, batch_options, file_set_of, pointer
from portal.integration.readers import FileSet, read_file_set
from portal.integration.runs import run_file_set
from portal.models.enums import ImportOutcome
from portal.web.api_v1.auth import authorize
from portal.web.api_v1.bodies import media_type, read_limited, spool_limited
from portal.web.api_v1.problems import NO_STORE, problem

JSON = "application/json"
ZIPS = ("application/zip", "application/x-zip-compressed")  # the second: what Windows tools send
FLAGS = {"true": True, "1": True, "false": False, "0": False}


def refuse_constant(name: str) -> Any:
    """json.loads' parse_constant: NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not JSON")


def _import(caller: keys.Caller, file_set: FileSet, dry_run: bool, *, batch: bool) -> Response:
    try:
        with session_scope() as db:
            result, run = run_file_set(session=db, tenant_id=caller.tenant_id, file_set=file_set, dry_run=dry_run)
            run_id = run.id
    except IntegrityError:
        # Another import wrote the same keys meanwhile: this
        # one was rolled back whole and may simply be sent again.
        return problem(409, "another import changed the same records at the same time: nothing was written, send again")
    report = {"import_run": run_id, **result.report()}
    if batch:
        for rejection in report["rejections"]:
            rejection["pointer"] = pointer(rejection)
    status = 422 if result.outcome is ImportOutcome.REJECTED else 200
    return JSONResponse(report, status_code=status, headers=NO_STORE)


async def post_batch(request: Request) -> Response:
    """A batch of records as JSON (portal/integration/batches.py)."""
    caller = await authorize(request, keys.RECORDS_WRITE)
    if isinstance(caller, Response):
        return caller
    if media_type(request) != JSON:
        return problem(415, f"send the batch as {JSON}")
    body = await read_limited(request, settings.api_json_max_bytes)
    if isinstance(body, Response):
        return body
    try:
        data = json.loads(body, parse_constant=refuse_constant)
        _, dry_run = batch_options(data)
    except (ValueError, RecursionError) as error:  # BatchError is a ValueError, as JSON's own errors
        return problem(400, str(error) if isinstance(error, BatchError) else "the body is not valid JSON")
    file_set = file_set_of(data, source=f"api:{caller.name}")
    return await run_in_threadpool(_import, caller, file_set, dry_run, batch=True)


def _read_zip(path: Path, source: str) -> FileSet | Response:
    if not zipfile.is_zipfile(path):
        return problem(400, "the body is not a zip file")
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
        if unzipped > settings.api_unzipped_max_bytes:
            return problem(
                413, f"the zip's files hold {unzipped} bytes uncompressed, more than {settings.api_unzipped_max_bytes}"
            )
        file_set = read_file_set(path)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as error:
        # a damaged member, an encrypted one, a compression method zipfile does not know
        return problem(400, f"the zip file cannot be read: {error}")
    file_set.source = source
    return file_set


def _import_zip(caller: keys.Caller, path: Path, dry_run: bool) -> Response:
    file_set = _read_zip(path, f"api:{caller.name} (zip)")
    if isinstance(file_set, Response):
        return file_set
    return _import(caller, file_set, dry_run, batch=False)


async def post_file_set(request: Request) -> Response:
    """A file set as a zip, exactly as the command imports one; `?dry_run=true` for a dry run."""
    caller = await authorize(request, keys.RECORDS_WRITE)
    if isinstance(caller, Response):
        return caller
    if media_type(request) not in ZIPS:
        return problem(415, f"send the file set as {ZIPS[0]}")
    unknown = sorted(set(request.query_params) - {"dry_run"})
    dry_run = FLAGS.get(request.query_params.get("dry_run", "false"))
    if unknown or dry_run is None:
        return problem(400, "the only parameter is dry_run=true or dry_run=false")
    with tempfile.TemporaryDirectory(prefix="portal-api-") as folder:
        path = Path(folder) / "file-set.zip"
        refused = await spool_limited(request, settings.api_zip_max_bytes, path)
        if refused is not None:
            return refused
        return await run_in_threadpool(_import_zip, caller, path, dry_run)
