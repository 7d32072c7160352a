"""File exports shared by several screens: built in a worker thread while the page shows the
progress, then handed to the browser through a short-lived download ticket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import reflex as rx
from sqlmodel import Session

from portal.db import session_scope
from portal.services import clock, downloads
from portal.services.access import Scope
from portal.state.session import SessionState

# build(session, scope, lang, path, progress) -> rows written; total(session, scope) -> rows expected
Build = Callable[[Session, Scope, str, Path, Callable[[int], None]], int]
Total = Callable[[Session, Scope], int]
POLL_SECONDS = 0.25


class ExportState(SessionState):
    export_running: bool = False
    export_done: int = 0
    export_total: int = 0

    @rx.var
    def export_percent(self) -> int:
        return min(100, int(100 * self.export_done / self.export_total)) if self.export_total else 0

    @rx.var
    def export_progress_text(self) -> str:
        return self._t("plan.exporting", done=self.export_done, total=self.export_total)

    async def _export(self, *, build: Build, total: Total, filename: str, content_type: str = downloads.XLSX):
        """Run from a background event handler; returns the events that start the download."""
        async with self:
            if self.export_running:
                return rx.toast.info(self._t("export.busy"))
            principal = self._principal()
            if principal is None or principal.scope is None:
                return self._to_login()
            self.export_running = True
            self.export_done = 0
            self.export_total = 0
            lang = self.lang
        scope = principal.scope
        done = [0]
        storage_name = downloads.new_storage_name(Path(filename).suffix)
        path = downloads.exports_dir() / storage_name

        def work() -> str:
            with session_scope() as db:
                expected = total(db, scope)
                done.append(expected)
                build(db, scope, lang, path, lambda count: done.__setitem__(0, count))
            with session_scope() as db:
                return downloads.issue_ticket(
                    session=db, user_id=principal.user_id, storage_name=storage_name, filename=filename,
                    content_type=content_type, now=clock.now(),
                )

        task = asyncio.ensure_future(asyncio.to_thread(work))
        while not task.done():
            await asyncio.sleep(POLL_SECONDS)
            async with self:
                self.export_done = done[0]
                self.export_total = done[1] if len(done) > 1 else 0
        try:
            token = task.result()
        except Exception:
            path.unlink(missing_ok=True)
            async with self:
                self.export_running = False
            return rx.toast.error(self._t("export.failed"))
        async with self:
            self.export_running = False
            self.export_done = self.export_total
        return [rx.download(url=f"/api/download/{token}", filename=filename), rx.toast.success(self._t("plan.export_ready"))]
