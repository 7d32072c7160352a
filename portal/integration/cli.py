"""The integration's command line (see __main__.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from portal.config import settings
from portal.db import session_scope
from portal.integration import format as fmt
from portal.integration.importer import ImportResult
from portal.integration.runs import run_import
from portal.models.enums import ImportOutcome
from portal.services.common.branding import load_branding, sync_tenant


def summary(result: ImportResult, *, run_id: int | None = None) -> str:
    """What an operator reads after a run: counts per type, warnings, then every rejection as
    `file:line field: reason`."""
    if result.outcome is ImportOutcome.REJECTED:
        headline = "REJECTED: nothing was written"
    elif result.dry_run:
        headline = "dry run: every record is valid, nothing was written"
    else:
        headline = "imported"
    lines = [f"{result.source}: {headline}" + ("" if run_id is None else f" (import run {run_id})")]
    lines.append(f"{'record type':<15}{'created':>9}{'updated':>9}{'unchanged':>11}{'rejected':>10}{'missing':>9}")
    for name, counts in result.counts.items():
        lines.append(
            f"{name:<15}{counts.created:>9}{counts.updated:>9}{counts.unchanged:>11}{counts.rejected:>10}"
            f"{counts.missing:>9}"
        )
    if result.dry_run and result.outcome is ImportOutcome.VALID:
        lines.append("(a dry run: the counts say what an import would do)")
    if result.warnings:
        lines.append(f"{len(result.warnings)} reconciliation warning(s):")
        lines.extend(f"  {warning.as_text()}" for warning in result.warnings)
    if result.missing:
        lines.append(f"{len(result.missing)} record(s) in the portal but not in this full file set (kept):")
        lines.extend(f"  {missing.as_text()}" for missing in result.missing)
    if result.rejections:
        lines.append(f"{len(result.rejections)} rejection(s):")
        lines.extend(f"  {rejection.as_text()}" for rejection in result.rejections)
    return "\n".join(lines)


def run_command(
    *, session: Session, tenant_id: int, path: Path, dry_run: bool, out: Callable[[str], None] = print
) -> int:
    """The import command's work in the caller's session: 0 imported (or valid), 1 rejected."""
    result, run = run_import(session=session, tenant_id=tenant_id, path=path, dry_run=dry_run)
    out(summary(result, run_id=run.id))
    return 1 if result.outcome is ImportOutcome.REJECTED else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m portal.integration",
        description=f"The core system's interchange format, version {fmt.FORMAT_VERSION} (docs/INTEGRATION.md).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    importing = commands.add_parser("import", help="import a file set (a directory or a .zip)")
    importing.add_argument("path", type=Path, help="a directory of <type>.jsonl / <type>.csv files, or a .zip of them")
    importing.add_argument("--dry-run", action="store_true", help="validate and count, write no data (the run is kept)")
    args = parser.parse_args(argv)

    if not args.path.exists():
        parser.error(f"{args.path}: no such file or directory")
    with session_scope() as session:
        tenant = sync_tenant(session=session, branding=load_branding(settings.tenant_slug))
        return run_command(session=session, tenant_id=tenant.id, path=args.path, dry_run=args.dry_run)
