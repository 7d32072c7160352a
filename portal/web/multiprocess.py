"""The directory of prometheus_client's multiprocess mode (portal/web/metrics.py, docs/DEPLOY.md).

`reflex run --env prod` serves the app with several Granian worker processes (GRANIAN_WORKERS),
forked or spawned by the server's own process. Each worker writes its metrics to memory-mapped
files in PROMETHEUS_MULTIPROC_DIR, and GET /metrics, whichever worker answers it, adds up the
files of all of them. prometheus_client reads that variable when it is first imported, so it must
be in the environment before any worker imports it, and the files of a previous run must go
before the first worker writes, once, not by each worker (a worker started later would wipe the
counts of the others).

`prepare` is called from rxconfig.py, which Reflex loads in the server's process before it starts
the workers (more than once: Reflex reloads its configuration), and again in every worker. The
first process, the server, owns the directory: it empties it (or makes a fresh one), and exports
the variable and its own pid in PORTAL_METRICS_OWNER; the owner itself, and a process that finds
the owner among its ancestors (one of its workers), leave the files alone. A process started by
anything else (a test run, another server) is not a descendant of that owner and prepares a
directory of its own.

No prometheus_client import here (nor anything that imports it): this runs before it may be.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
OWNER_ENV = "PORTAL_METRICS_OWNER"


def _parent_of(pid: int) -> int:
    """The parent of process `pid` (Linux /proc); 0 when it cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    # "pid (comm) state ppid ...": the command may hold spaces and parentheses, so read after the last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0


def _descends_from(owner: int) -> bool:
    """Whether this process was started, at any depth, by process `owner`."""
    pid = os.getppid()
    for _ in range(64):  # the depth of a server's process tree is a handful; never loop forever
        if pid == owner:
            return True
        if pid <= 1:
            return False
        pid = _parent_of(pid)
    return False


def _remove_when_done(directory: Path, owner: int) -> None:
    """At the server's exit its own temporary directory goes (not when a forked worker exits)."""

    def remove() -> None:
        if os.getpid() == owner:
            shutil.rmtree(directory, ignore_errors=True)

    atexit.register(remove)


def prepare(configured: Path | None) -> Path:
    """The multiprocess directory of this server, made ready and exported (see the module's doc)."""
    inherited = os.environ.get(MULTIPROC_ENV, "")
    owner = os.environ.get(OWNER_ENV, "")
    if inherited and owner.isdigit() and (int(owner) == os.getpid() or _descends_from(int(owner))):
        return Path(inherited)  # prepared already: by this process (Reflex reloads its config), or by its server
    if configured is None:
        directory = Path(tempfile.mkdtemp(prefix="portal-metrics-"))  # empty, and this server's alone
        _remove_when_done(directory, os.getpid())
    else:
        directory = configured
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # the files of the previous run
            stale.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    os.environ[OWNER_ENV] = str(os.getpid())
    return directory
