"""prometheus_client's multiprocess mode (portal/web/multiprocess.py, portal/web/metrics.py): the
server's process empties the directory once and hands it to its workers; a scrape in any worker
adds up every worker's counts, and the open websockets of the live ones only."""

from __future__ import annotations

import os
import subprocess
import sys

from prometheus_client.parser import text_string_to_metric_families

from portal.config import PROJECT_ROOT
from portal.web.multiprocess import MULTIPROC_ENV, OWNER_ENV

PREPARE = """
import os, sys
from pathlib import Path
from portal.web.multiprocess import prepare
print(prepare(Path(sys.argv[1])), os.environ["PORTAL_METRICS_OWNER"] == str(os.getpid()), flush=True)
if len(sys.argv) > 2:  # then a worker of this server prepares it again
    import subprocess
    subprocess.run([sys.executable, "-c", sys.argv[2], sys.argv[1]], check=True)
"""
WORKER_PREPARES = """
import os, sys
from pathlib import Path
from portal.web.multiprocess import prepare
print(prepare(Path(sys.argv[1]) / "elsewhere"), os.environ["PORTAL_METRICS_OWNER"] == str(os.getpid()), flush=True)
"""


def _python(code: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (MULTIPROC_ENV, OWNER_ENV)}
    return {**env, **extra}


def test_the_server_empties_the_directory_and_its_workers_leave_it(tmp_path):
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_4242.db").write_bytes(b"old run")
    (directory / "keep.txt").write_text("not a metrics file")

    done = _python(PREPARE, str(directory), WORKER_PREPARES, env=_env())

    assert done.returncode == 0, done.stderr
    server, worker = done.stdout.splitlines()
    assert server == f"{directory} True"  # the server owns it...
    assert worker == f"{directory} False"  # ...its worker inherits it, whatever it was given
    assert not (directory / "counter_4242.db").exists()
    assert (directory / "keep.txt").exists()


def test_the_server_loading_its_configuration_again_keeps_its_directory(tmp_path):
    """Reflex reloads rxconfig.py in the server's process: a second fresh directory would leave the
    workers writing where the first scrape does not read (seen with `reflex run`, two workers)."""
    twice = (
        "from portal.web.multiprocess import prepare\n"
        "first, again = prepare(None), prepare(None)\n"
        "print(first == again, first.exists())\n"
    )
    done = _python(twice, env=_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True True"


def test_a_process_outside_the_server_prepares_its_own(tmp_path):
    """A variable copied from elsewhere (a test run, another server) is not inherited ownership."""
    other = subprocess.Popen([sys.executable, "-c", "pass"])  # a server that is not this process's ancestor
    other.wait(timeout=30)
    copied = {MULTIPROC_ENV: str(tmp_path), OWNER_ENV: str(other.pid)}
    done = _python(WORKER_PREPARES, str(tmp_path), env=_env(**copied))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{tmp_path / 'elsewhere'} True"


WORKER = """
import sys
from portal.web import metrics
metrics.HTTP_REQUESTS.labels("/api/health", "GET", "2xx").inc()
metrics.WEBSOCKETS_OPEN.inc()  # a tab connected, never closed
print("counted", flush=True)
if sys.argv[1] == "stay":
    sys.stdin.read()  # alive until the test closes its input
"""
SCRAPE = """
import sys
from portal.web import metrics
sys.stdout.write(metrics.exposition(metrics.OutboxCollector(now=lambda: None, sessions=None)).decode())
"""


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    raise AssertionError(f"{name} {labels} not in:\n{text}")


def test_a_scrape_adds_up_every_worker_and_the_open_websockets_of_the_live_ones(tmp_path):
    env = _env(**{MULTIPROC_ENV: str(tmp_path)})
    alive = subprocess.Popen(
        [sys.executable, "-c", WORKER, "stay"],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert alive.stdout is not None and alive.stdout.readline().strip() == "counted"
        gone = _python(WORKER, "exit", env=env)  # a worker that died with a tab open
        assert gone.returncode == 0, gone.stderr

        scraped = _python(SCRAPE, env=env)

        assert scraped.returncode == 0, scraped.stderr
        text = scraped.stdout
        assert _value(text, "portal_http_requests_total", route="/api/health", method="GET", status="2xx") == 2
        assert _value(text, "portal_websockets_open") == 1
    finally:
        assert alive.stdin is not None
        alive.stdin.close()
        alive.wait(timeout=30)
