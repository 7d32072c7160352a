"""The Fatture e pagamenti export: the screen's columns, every row of the current filter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from portal.i18n import translate
from portal.models.enums import DocumentKind
from portal.services.access.scope import Scope
from portal.services.billing.queries import DocumentFilter, DocumentRow, all_documents
from portal.services.common.xlsx import Column, write_workbook

COLUMNS = (
    Column("billing.col.status", "text", 12),
    Column("billing.col.contract", "text", 11),
    Column("billing.col.due_date", "date", 12),
    Column("billing.col.instalment", "int", 10),
    Column("billing.col.reason", "text", 20),
    Column("billing.col.payment", "text", 20),
    Column("billing.col.amount", "money", 13),
    Column("billing.col.paid", "money", 13),
    Column("billing.col.balance", "money", 13),
    Column("billing.col.overdue", "money", 14),
    Column("billing.col.document", "text", 14),
)


def reason_key(row: DocumentRow) -> str:
    if row.kind is DocumentKind.CREDIT_NOTE:
        return "billing.reason.credit_note"
    if row.line_kind is None:
        return "billing.reason.other"
    return f"billing.reason.{row.line_kind.value}"


def export_documents(
    *,
    session: Session,
    scope: Scope,
    flt: DocumentFilter,
    today: dt.date,
    lang: str,
    path: Path,
    progress: Callable[[int], None] | None = None,
) -> int:
    rows = (
        (
            translate(lang, f"billing.status.{row.status.value}"),
            row.contract_number,
            row.due_date,
            row.instalment_number,
            translate(lang, reason_key(row)),
            translate(lang, f"payment_method.{row.payment_method.value}"),
            row.total,
            row.paid,
            row.balance,
            row.overdue_balance,
            row.number,
        )
        for row in all_documents(session=session, scope=scope, flt=flt, today=today)
    )
    title = translate(lang, "billing.title")
    return write_workbook(path=path, sheet_title=title, columns=COLUMNS, rows=rows, lang=lang, progress=progress)
