"""The command `python -m portal.integration import PATH [--dry-run]`: its summary and exit code, and
once for real in a process of its own on a fresh database."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import sqlalchemy as sa

from portal.config import PROJECT_ROOT
from portal.db import make_engine
from portal.integration.cli import run_command
from portal.integration.export import write_jsonl
from tests.conftest import _TMP, migrate
from tests.unit.integration.conftest import FILE_SET, file_set_copy

MONEY = 'a non-negative amount in euro as a decimal string, at most 2 decimals ("1234.50")'


def test_the_summary_of_an_import(db, tenant, tmp_path):
    printed: list[str] = []
    path = write_jsonl(tmp_path / "set", FILE_SET)

    code = run_command(session=db, tenant_id=tenant.id, path=path, dry_run=False, out=printed.append)

    assert code == 0
    lines = printed[0].splitlines()
    assert lines[0].startswith(f"{path}: imported (import run ")
    assert lines[1].split() == ["record", "type", "created", "updated", "unchanged", "rejected", "missing"]
    assert [line.split() for line in lines[2:11]] == [
        ["customer", "2", "0", "0", "0", "0"],
        ["contract", "2", "0", "0", "0", "0"],
        ["schedule_line", "10", "0", "0", "0", "0"],
        ["leased_asset", "3", "0", "0", "0", "0"],
        ["invoice", "5", "0", "0", "0", "0"],
        ["invoice_line", "6", "0", "0", "0", "0"],
        ["payment", "5", "0", "0", "0", "0"],
        ["rate", "2", "0", "0", "0", "0"],
        ["user", "3", "0", "0", "0", "0"],
    ]
    assert len(lines) == 11


def test_the_summary_of_a_rejected_set_lists_warnings_then_each_rejection(db, tenant, tmp_path):
    records = file_set_copy()
    records["contract"][0]["amount"] = "12000.005"
    records["customer"][1]["kind"] = "private"
    printed: list[str] = []

    code = run_command(
        session=db, tenant_id=tenant.id, path=write_jsonl(tmp_path / "set", records), dry_run=False, out=printed.append
    )

    assert code == 1
    lines = printed[0].splitlines()
    assert lines[0].startswith(f"{tmp_path / 'set'}: REJECTED: nothing was written")
    assert [line.split() for line in lines[2:11]] == [
        ["customer", "0", "0", "0", "1", "0"],
        ["contract", "0", "0", "0", "1", "0"],
        ["schedule_line", "0", "0", "0", "0", "0"],
        ["leased_asset", "0", "0", "0", "0", "0"],
        ["invoice", "0", "0", "0", "0", "0"],
        ["invoice_line", "0", "0", "0", "0", "0"],
        ["payment", "0", "0", "0", "0", "0"],
        ["rate", "0", "0", "0", "0", "0"],
        ["user", "0", "0", "0", "0", "0"],
    ]
    assert lines[11:] == [
        "2 rejection(s):",
        "  customer.jsonl:2 kind: 'private' is not one of the codes company, person",
        f"  contract.jsonl:1 amount: '12000.005' is not {MONEY}",
    ]


def test_the_summary_shows_reconciliation_warnings(db, tenant, tmp_path):
    records = file_set_copy()
    records["contract"][1]["residual_value"] = "49.99"
    printed: list[str] = []

    code = run_command(
        session=db, tenant_id=tenant.id, path=write_jsonl(tmp_path / "set", records), dry_run=True, out=printed.append
    )

    assert code == 0  # a warning is no rejection
    lines = printed[0].splitlines()
    assert lines[0].startswith(f"{tmp_path / 'set'}: dry run: every record is valid, nothing was written")
    assert lines[11:] == [
        "(a dry run: the counts say what an import would do)",
        "1 reconciliation warning(s):",
        "  contract K2: plan principal 4450.00 + advance 500.00 + residual value 49.99 = 4999.99, "
        "not the financed amount 5000.00 (difference -0.01)",
    ]


def test_the_command_in_a_process_of_its_own(tmp_path):
    url = f"sqlite:///{_TMP / f'integration-cli-{secrets.token_hex(3)}.db'}"
    engine = make_engine(url)
    migrate(engine)
    path = write_jsonl(tmp_path / "set", FILE_SET)
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_TENANT": "aurora"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portal.integration", "import", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def count(query: str) -> int:
        with engine.connect() as connection:
            return connection.execute(sa.text(query)).scalar_one()

    try:
        dry = run(str(path), "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "dry run: every record is valid" in dry.stdout
        assert count("select count(*) from contract") == 0
        assert count("select count(*) from import_run where dry_run") == 1

        real = run(str(path))
        assert real.returncode == 0, real.stderr
        assert count("select count(*) from schedule_line") == 10
        assert count("select count(*) from customer c join tenant t on t.id = c.tenant_id where t.slug = 'aurora'") == 2

        again = run(str(path))
        assert again.returncode == 0, again.stderr
        assert ["schedule_line", "0", "0", "10", "0", "0"] in [line.split() for line in again.stdout.splitlines()]
        assert count("select count(*) from import_run") == 3
        assert count("select count(*) from import_run where outcome = 'imported'") == 2
    finally:
        engine.dispose()
