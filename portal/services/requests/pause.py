"""A test-only hook: the durability tests stop the app at a chosen point of a submission, then
kill it (SIGKILL) there. It does nothing unless PORTAL_TEST_HOOKS=1 AND demo mode are both on
(demo mode refuses production origins and databases), so no production process ever pauses.

PORTAL_TEST_PAUSE_AT names the point ("after_files", "after_commit", ...); on reaching it the
process writes PORTAL_TEST_PAUSE_FILE (so the test knows where it stands) and waits forever.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from portal.config import settings


def pause_at(point: str) -> None:
    if os.environ.get("PORTAL_TEST_HOOKS") != "1" or not settings.demo_mode:
        return
    if os.environ.get("PORTAL_TEST_PAUSE_AT") != point:
        return
    marker = os.environ.get("PORTAL_TEST_PAUSE_FILE")
    if marker:
        Path(marker).write_text(point, encoding="utf-8")
    while True:  # the test kills the process here
        time.sleep(60)
