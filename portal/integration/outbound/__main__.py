"""python -m portal.integration.outbound webhooks
    {add URL [--description TEXT] | list | disable ID | deliveries [--limit N] | deliver}

The webhook endpoints of the leasing company the portal is configured for (PORTAL_TENANT), and
their delivery log (docs/INTEGRATION.md §8). `add` prints the endpoint's signing secret once: give
it to the receiver; it is not shown again. `deliver` sends what is due now (the job workers, or the
app with SQLite, do it anyway). Exit status 0, or 2 for wrong arguments or an unknown endpoint.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sqlmodel import Session

from portal.config import settings
from portal.db import session_scope
from portal.integration.outbound import webhooks
from portal.integration.outbound.document import iso
from portal.integration.outbound.errors import OutboundError
from portal.services.common.branding import load_branding, sync_tenant


def run(session: Session, tenant_id: int, args: argparse.Namespace, out: Callable[[str], None] = print) -> int:
    """The command's work in the caller's session."""
    if args.action == "add":
        endpoint, secret = webhooks.add_endpoint(
            session, tenant_id=tenant_id, url=args.url, description=args.description
        )
        out(f"webhook endpoint {endpoint.id} added: {endpoint.url}")
        out(f"signing secret (shown once, give it to the receiver): {secret}")
    elif args.action == "list":
        for row in webhooks.list_endpoints(session, tenant_id=tenant_id):
            state = "active" if row.is_active else f"disabled {iso(row.disabled_at)}"
            out(f"{row.id:>4} {state:<28} {row.url}  {row.description}".rstrip())
    elif args.action == "disable":
        dropped = webhooks.disable_endpoint(session, tenant_id=tenant_id, endpoint_id=args.id)
        out(f"webhook endpoint {args.id} disabled; {dropped} waiting deliveries given up")
    elif args.action == "deliveries":
        for row in webhooks.deliveries(session, tenant_id=tenant_id, limit=args.limit):
            out(webhooks.describe(row))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.integration.outbound")
    groups = parser.add_subparsers(dest="group", required=True)
    hooks = groups.add_parser("webhooks", help="the webhook endpoints and their delivery log")
    actions = hooks.add_subparsers(dest="action", required=True)
    adding = actions.add_parser("add", help="add an endpoint; prints its signing secret once")
    adding.add_argument("url", help="https://… where the events are POSTed")
    adding.add_argument("--description", default="", help="a label for operators")
    actions.add_parser("list", help="the endpoints")
    disabling = actions.add_parser("disable", help="stop pushing to an endpoint")
    disabling.add_argument("id", type=int)
    log = actions.add_parser("deliveries", help="the latest deliveries, newest first")
    log.add_argument("--limit", type=int, default=50)
    actions.add_parser("deliver", help="send the deliveries that are due now")
    args = parser.parse_args(argv)
    if args.action == "deliver":
        report = webhooks.deliver_due()
        print(f"webhooks: {report.delivered} delivered, {report.retrying} to retry, {report.given_up} given up")
        return 0
    try:
        with session_scope() as session:
            tenant = sync_tenant(session=session, branding=load_branding(settings.tenant_slug))
            return run(session, tenant.id, args)
    except OutboundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
