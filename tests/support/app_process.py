"""The portal in a process of its own, as production runs it, for the browser, hostile, deploy and
durability tests and the load benchmark: the database prepared by the real commands, the server
in a process group of its own (so it ends whole) with its output in a log file."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The production build served on one port; `--loglevel info` is added where a test reads the log.
SINGLE_PORT_APP = ("reflex", "run", "--env", "prod", "--single-port")
INFO_LOG = ("--loglevel", "info")


def prepare_database(env: Mapping[str, str], *seed_args: str) -> None:
    """The schema (alembic) and the demo data (`python -m portal.seed *seed_args`) in the env's database."""
    for command in (["alembic", "upgrade", "head"], ["portal.seed", *seed_args]):
        subprocess.run([sys.executable, "-m", *command], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)


def start(module_args: Sequence[str], env: Mapping[str, str], log_path: Path, *, append: bool = False):
    """`python -m *module_args` in the project folder, in a process group of its own, its output
    written to `log_path` (added after what is there with `append`)."""
    with open(log_path, "a" if append else "w", encoding="utf-8") as log:
        return subprocess.Popen(
            [sys.executable, "-m", *module_args],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen, *, grace: float = 20) -> None:
    """SIGTERM to the process group; SIGKILL to it when it has not ended `grace` seconds later."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def own_web_folder(folder: str, shared: str) -> str:
    """A web build folder of its own (`folder`) for another app, so its build never replaces the
    files an app built in `shared` is serving; the installed packages are copied from `shared`,
    not downloaded. Without a shared folder (a fresh checkout) Reflex builds anew."""
    source, target = PROJECT_ROOT / shared, PROJECT_ROOT / folder
    if not target.exists() and source.exists():
        # not the shared app's own build (top level only: packages have "build" folders of their own)
        shutil.copytree(
            source, target, symlinks=True, ignore=lambda where, names: ["build"] if where == str(source) else []
        )
    return folder
