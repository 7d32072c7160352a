"""python -m portal.jobs worker [--concurrency N] [--name NAME]

A job worker (docs/DEPLOY.md): runs the portal's durable jobs from the PostgreSQL queue
(portal/jobs/tasks.py) until SIGTERM or SIGINT, which let the running jobs finish first. Start as
many as you like, on any machine that reaches the database, the SMTP server and PORTAL_PRIVATE_DIR;
the periodic jobs are deferred once for all of them. `python -m portal.jobs retry-stalled` puts
back in the queue, once, the jobs of workers that stopped beating.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys

from portal import logs
from portal.config import settings
from portal.jobs import tasks


async def _retry_stalled() -> int:
    async with tasks.app.open_async():
        return await tasks.retry_stalled(tasks.app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.jobs")
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser("worker", help="run jobs until stopped")
    worker.add_argument("--concurrency", type=int, default=4, help="jobs at once (each in a thread)")
    worker.add_argument("--name", default=f"{socket.gethostname()}-{os.getpid()}")
    commands.add_parser("retry-stalled", help="requeue the jobs of dead workers, once")
    args = parser.parse_args(argv)
    if settings.is_sqlite:
        print("portal.jobs: the job queue needs PostgreSQL (DATABASE_URL); with SQLite the app runs the jobs")
        return 2
    if settings.log_format == "json":
        logs.configure("json")
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    tasks.install()  # a job that mails (the billing run) defers the sending jobs with its changes
    if args.command == "retry-stalled":
        print(f"{asyncio.run(_retry_stalled())} stalled jobs put back in the queue")
        return 0
    asyncio.run(tasks.run_worker(concurrency=args.concurrency, name=args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
