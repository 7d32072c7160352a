"""The integration's command line (see __main__.py): import a file set; create, list and revoke the
HTTP API's keys."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from portal.config import settings
from portal.db import session_scope
from portal.integration import format as fmt
from portal.integration import keys
from portal.integration.importer import ImportResult
from portal.integration.runs import run_import
from portal.models.enums import ImportOutcome
from portal.services.common import clock
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


def keys_command(
    *, session: Session, tenant_id: int, args: argparse.Namespace, out: Callable[[str], None] = print
) -> int:
    """`keys create|list|revoke` in the caller's session: 0 done, 1 refused (the reason printed)."""
    try:
        if args.keys_command == "create":
            token = keys.create_key(
                session=session, tenant_id=tenant_id, name=args.name, scopes=args.scope, now=clock.now()
            )
            out(f"API key {args.name} created with scopes {', '.join(sorted(set(args.scope)))}.")
            out("Its token, shown this once only (the portal keeps a digest): keep it in the integration's secrets.")
            out(token)
        elif args.keys_command == "revoke":
            key = keys.revoke_key(session=session, tenant_id=tenant_id, name=args.name, now=clock.now())
            out(f"API key {key.name} revoked: its token is refused from now on.")
        else:
            out(f"{'name':<24}{'key id':<14}{'scopes':<44}{'created':<18}{'last used':<18}revoked")
            for key in keys.list_keys(session=session, tenant_id=tenant_id):
                out(
                    f"{key.name:<24}{key.key_id:<14}{' '.join(key.scopes):<44}{_when(key.created_at):<18}"
                    f"{_when(key.last_used_at):<18}{_when(key.revoked_at)}"
                )
    except keys.KeyRefused as refused:
        out(f"refused: {refused}")
        return 1
    return 0


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(clock.ROME).strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m portal.integration",
        description=f"The core system's interchange format, version {fmt.FORMAT_VERSION} (docs/INTEGRATION.md).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    importing = commands.add_parser("import", help="import a file set (a directory or a .zip)")
    importing.add_argument("path", type=Path, help="a directory of <type>.jsonl / <type>.csv files, or a .zip of them")
    importing.add_argument("--dry-run", action="store_true", help="validate and count, write no data (the run is kept)")
    api_keys = commands.add_parser("keys", help="the HTTP API's keys (docs/INTEGRATION.md section 7)")
    key_commands = api_keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create a key; its token is printed once")
    create.add_argument("name", help="the integration's name, unique in the portal (e.g. core-nightly)")
    create.add_argument(
        "--scope", action="append", required=True, choices=sorted(keys.SCOPES), help="repeat for several scopes"
    )
    key_commands.add_parser("list", help="every key, revoked ones too")
    revoke = key_commands.add_parser("revoke", help="revoke a key at once, for good")
    revoke.add_argument("name")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    if args.command == "import" and not args.path.exists():
        parser.error(f"{args.path}: no such file or directory")
    with session_scope() as session:
        tenant = sync_tenant(session=session, branding=load_branding(settings.tenant_slug))
        if args.command == "keys":
            return keys_command(session=session, tenant_id=tenant.id, args=args)
        return run_command(session=session, tenant_id=tenant.id, path=args.path, dry_run=args.dry_run)
