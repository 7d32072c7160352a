"""File exports shared by several screens: built in a worker thread while the page shows the
progress, then handed to the browser through a short-lived download ticket.

A page starts one from a background handler (the page keeps answering while the file is written)
marked `@guarded_by("_exporter")`: the guard cannot wrap a background handler, whose state is
reachable only inside `async with self`, so `_export` runs the guarded `_exporter` there first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import reflex as rx
from sqlmodel import Session

from portal import routes
from portal.db import session_scope
from portal.services.access.accounts import Principal
from portal.services.access.scope import Scope
from portal.services.common import clock, downloads
from portal.services.contracts.exports import ContractSheet
from portal.state.session import CUSTOMER, SessionState, guard, page_notice, redirect_to

# build(session, scope, lang, path, progress) -> rows written; total(session, scope) -> rows expected
Build = Callable[[Session, Scope, str, Path, Callable[[int], None]], int]
Total = Callable[[Session, Scope], int]


class ContractRowCount(Protocol):
    def __call__(self, *, session: Session, scope: Scope, contract_id: int | None) -> int: ...


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
        return self._t("plan.exporting", done=self.export_done, count=self.export_total)

    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def _exporter(self, principal: Principal) -> Principal:
        """Who asks for the export, admitted by the guard (called by `_export` inside `async with self`)."""
        return principal

    async def _export_by_contract(
        self,
        *,
        rows: ContractSheet,
        count: ContractRowCount,
        contract_id: Callable[[Session, Scope], int | None],
        filename: str,
    ):
        """`_export` of the rows `rows` writes for the contract `contract_id` picks (None: all)."""
        return await self._export(
            build=lambda db, scope, lang, path, progress: rows(
                session=db, scope=scope, contract_id=contract_id(db, scope), lang=lang, path=path, progress=progress
            ),
            total=lambda db, scope: count(session=db, scope=scope, contract_id=contract_id(db, scope)),
            filename=filename,
        )

    async def _export(self, *, build: Build, total: Total, filename: str, content_type: str = downloads.XLSX):
        """Run from a background event handler; returns the events that start the download."""
        async with self:
            if self.export_running:
                return rx.toast.info(self._t("export.busy"))
            principal = self._exporter()
            if not isinstance(principal, Principal):
                return principal  # the guard's refusal: the login page, or Home for an operator
            scope = principal.customer_scope
            self.export_running = True
            self.export_done = 0
            self.export_total = 0
            lang = self.lang
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
                    session=db,
                    user_id=principal.user_id,
                    storage_name=storage_name,
                    filename=filename,
                    content_type=content_type,
                    now=clock.now(),
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
        return [
            rx.download(url=routes.download_url(token), filename=filename),
            page_notice(self._t("plan.export_ready")),
        ]
