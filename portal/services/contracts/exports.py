"""The amortization-plan and leased-asset exports (column layouts of the user manual)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from portal import i18n
from portal.i18n import translate
from portal.services.access.scope import Scope
from portal.services.common.xlsx import Column, write_workbook
from portal.services.contracts.queries import PlanRow, all_assets, plan_rows

PLAN_COLUMNS = (
    Column("plan.contract", "text", 12),
    Column("plan.number", "int", 9),
    Column("plan.due_date", "date", 13),
    Column("plan.kind", "text", 17),
    Column("plan.amount", "money", 14),
    Column("plan.principal", "money", 14),
    Column("plan.interest", "money", 14),
    Column("plan.residual", "money", 16),
    Column("plan.payment_method", "text", 22),
    Column("plan.competence_start", "date", 13),
    Column("plan.competence_end", "date", 13),
    Column("plan.collection_date", "date", 13),
    Column("plan.index_rate", "percent", 13),
    Column("plan.index_balance", "money", 16),
)

ASSET_COLUMNS = (
    Column("assets.export_contract", "text", 14),
    Column("assets.export_end", "date", 13),
    Column("assets.export_code", "text", 14),
    Column("assets.export_type", "text", 26),
    Column("assets.export_value", "money", 17),
    Column("assets.export_future_value", "money", 17),
    Column("assets.export_description", "text", 60),
)


def kind_label(line: PlanRow | sa.Row, lang: str) -> str:
    return translate(lang, f"plan.kind.{line.kind.value}")


def method_label(line: PlanRow | sa.Row, lang: str) -> str:
    return translate(lang, f"payment_method.{line.payment_method.value}")


def plan_values(row: sa.Row, lang: str) -> tuple:
    """One export row from a plan_rows row."""
    return (
        row.contract_number,
        row.number,
        row.due_date,
        kind_label(row, lang),
        row.amount,
        row.principal,
        row.interest,
        row.residual_capital,
        method_label(row, lang),
        row.competence_start,
        row.competence_end,
        row.collection_date,
        row.index_rate,
        row.index_base_balance,
    )


def _plan_values(session: Session, scope: Scope, contract_id: int | None, lang: str) -> Iterator[tuple]:
    for row in plan_rows(session=session, scope=scope, contract_id=contract_id):
        yield plan_values(row, lang)


def _asset_values(session: Session, scope: Scope, contract_id: int | None, lang: str) -> Iterator[tuple]:
    for asset in all_assets(session=session, scope=scope, contract_id=contract_id):
        yield (
            asset.contract_number,
            asset.lease_end,
            asset.code,
            i18n.coded(lang, "asset_type", asset.asset_type_code, asset.asset_type),
            asset.financial_value,
            asset.expected_future_value,
            asset.description,
        )


@dataclasses.dataclass(frozen=True)
class ContractSheet:
    """A workbook of contract rows, called as a function: the rows of one contract (contract_id)
    or of every contract the scope reads (None); returns how many rows it wrote."""

    title_key: str
    columns: tuple[Column, ...]
    values: Callable[[Session, Scope, int | None, str], Iterable[tuple]]

    def __call__(
        self,
        *,
        session: Session,
        scope: Scope,
        contract_id: int | None,
        lang: str,
        path: Path,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        return write_workbook(
            path=path,
            sheet_title=translate(lang, self.title_key),
            columns=self.columns,
            rows=self.values(session, scope, contract_id, lang),
            lang=lang,
            progress=progress,
        )


export_plan = ContractSheet("plan.title", PLAN_COLUMNS, _plan_values)  # one row per plan row
export_assets = ContractSheet("assets.title", ASSET_COLUMNS, _asset_values)
