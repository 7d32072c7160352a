"""What the Contratti, Piano di ammortamento and Beni in locazione screens read.

Every function takes the caller's Scope and answers only inside it: a contract number outside
the scope is as unknown as a number that does not exist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import Contract, Invoice, LeasedAsset, ScheduleLine
from portal.models.enums import ContractStatus, PaymentMethod, ScheduleLineKind
from portal.services.access.scope import Scope
from portal.services.common.paging import clamp_offset
from portal.services.common.snapshot import snapshot
from portal.services.contracts.lifecycle import residual_capital_on

PLAN_PAGE_SIZE = 25
ASSET_PAGE_SIZE = 20


@dataclasses.dataclass(frozen=True)
class ContractChoice:
    contract_id: int
    number: str
    product: str
    status: ContractStatus
    end_date: dt.date
    product_code: str | None = None


@dataclasses.dataclass(frozen=True)
class ContractTerms:
    """A contract's terms as the Contratti page shows them: plain values, so that the page state
    holding them is pickled without the ORM's bookkeeping (issue 13). The names are Contract's."""

    id: int
    number: str
    module_number: str
    product: str
    product_code: str | None
    status: ContractStatus
    signed_on: dt.date
    start_date: dt.date
    end_date: dt.date
    extinguished_on: dt.date | None
    amount: Decimal
    advance: Decimal
    residual_value: Decimal
    instalment_amount: Decimal
    periodicity_months: int
    instalment_count: int
    duration_months: int
    annual_rate: Decimal
    reference_rate: str | None
    base_index_rate: Decimal | None
    spread: Decimal | None
    subsidy: str | None
    beneficiary_code: str
    beneficiary_name: str
    direct_debit_iban: str | None


@dataclasses.dataclass(frozen=True)
class ContractDetail:
    contract: ContractTerms
    asset_count: int
    residual_capital_today: Decimal
    first_instalment: Decimal  # the advance when there is one, else the first rata


@dataclasses.dataclass(frozen=True)
class PlanRow:
    """A plan row as the plan page shows it: plain values, so that a page state holding some is
    pickled without the ORM's bookkeeping (issue 13)."""

    number: int
    due_date: dt.date
    kind: ScheduleLineKind
    amount: Decimal
    principal: Decimal
    interest: Decimal
    residual_capital: Decimal
    payment_method: PaymentMethod
    competence_start: dt.date
    competence_end: dt.date
    collection_date: dt.date | None
    index_rate: Decimal | None
    index_base_balance: Decimal | None
    position: int  # the row's place in its contract's plan


@dataclasses.dataclass(frozen=True)
class PlanPage:
    rows: list[PlanRow]
    total: int
    offset: int
    limit: int


@dataclasses.dataclass(frozen=True)
class Progress:
    paid_count: int
    paid_amount: Decimal
    overdue_count: int
    overdue_amount: Decimal
    due_count: int
    due_amount: Decimal


@dataclasses.dataclass(frozen=True)
class AssetRow:
    asset_id: int
    contract_number: str
    lease_end: dt.date
    code: str
    asset_type: str
    asset_type_code: str | None
    description: str
    financial_value: Decimal
    expected_future_value: Decimal
    serial_number: str | None
    plate: str | None


CHOICE_COLUMNS = (
    Contract.id,
    Contract.number,
    Contract.product,
    Contract.status,
    Contract.end_date,
    Contract.product_code,
)


def _readable_choices(scope: Scope) -> sa.Select:
    """Active contracts first (soonest expiry first), then the extinguished ones. Only the columns
    a choice shows: a fleet customer's 500 whole ORM rows on every page visit cost more than the
    rest of the page (issue 13)."""
    return (
        sa.select(*(col(column) for column in CHOICE_COLUMNS))  # sqlmodel's select types at most four columns
        .where(*scope.where(Contract.customer_id, Contract.id))
        .order_by(
            sa.case((col(Contract.status) == ContractStatus.ACTIVE, 0), else_=1),
            col(Contract.end_date),
            col(Contract.number),
        )
    )


def contract_choices(
    *, session: Session, scope: Scope, matching: str = "", limit: int | None = None
) -> list[ContractChoice]:
    """The scope's contracts in the order of _readable_choices: all of them, or at most `limit`
    whose number or product holds `matching` (whatever its case)."""
    query = _readable_choices(scope)
    if matching:
        wanted = matching.lower()
        query = query.where(
            sa.or_(
                sa.func.lower(col(Contract.number)).contains(wanted, autoescape=True),
                sa.func.lower(col(Contract.product)).contains(wanted, autoescape=True),
            )
        )
    return [ContractChoice(*row) for row in session.execute(query.limit(limit)).all()]


def contract_choice(*, session: Session, scope: Scope, number: str) -> ContractChoice | None:
    """Contract `number` as a choice, if the scope reads it."""
    found = session.execute(_readable_choices(scope).where(col(Contract.number) == number)).first()
    return ContractChoice(*found) if found is not None else None


def contract_count(*, session: Session, scope: Scope) -> int:
    """How many contracts the scope reads."""
    query = sa.select(sa.func.count()).select_from(Contract).where(*scope.where(Contract.customer_id, Contract.id))
    return int(session.execute(query).scalar_one())


def access_contract(*, session: Session, scope: Scope, number: str) -> Contract | None:
    return session.exec(
        select(Contract).where(*scope.where(Contract.customer_id, Contract.id), Contract.number == number)
    ).first()


def checked_contract_id(*, session: Session, scope: Scope, number: str) -> int:
    """The id of contract `number` for work the user asked for a moment ago (an export running in
    the background): a contract that has left the scope since then stops the work."""
    contract = access_contract(session=session, scope=scope, number=number)
    if contract is None:
        raise PermissionError("contract outside the caller's scope")
    return contract.id


def contract_detail(*, session: Session, scope: Scope, number: str, today: dt.date) -> ContractDetail | None:
    contract = access_contract(session=session, scope=scope, number=number)
    if contract is None:
        return None
    assets = session.exec(
        select(sa.func.count(col(LeasedAsset.id))).where(LeasedAsset.contract_id == contract.id)
    ).one()
    first = contract.advance if contract.advance > 0 else contract.instalment_amount
    return ContractDetail(
        contract=snapshot(ContractTerms, contract),
        asset_count=int(assets),
        residual_capital_today=residual_capital_on(session=session, contract=contract, on=today),
        first_instalment=first,
    )


def plan_page(
    *, session: Session, contract: Contract | ContractTerms, offset: int, limit: int = PLAN_PAGE_SIZE
) -> PlanPage:
    total = session.exec(
        select(sa.func.count(col(ScheduleLine.id))).where(ScheduleLine.contract_id == contract.id)
    ).one()
    offset = clamp_offset(offset, int(total), limit)
    rows = session.execute(
        sa.select(*(getattr(ScheduleLine, field.name) for field in dataclasses.fields(PlanRow)))
        .where(col(ScheduleLine.contract_id) == contract.id)
        .order_by(col(ScheduleLine.position))
        .offset(offset)
        .limit(limit)
    ).all()
    return PlanPage(rows=[PlanRow(*row) for row in rows], total=int(total), offset=offset, limit=limit)


def plan_rows(*, session: Session, scope: Scope, contract_id: int | None, batch: int = 2000) -> Iterator[sa.Row]:
    """The exported columns of the plan rows (`contract_number`, then PlanRow's fields) of one
    contract or of all the scope's contracts, streamed in batches so that 30,000 rows never sit in
    memory at once. Columns, not ScheduleLine objects: building 30,000 ORM objects took a quarter
    of the export's time (issue 13)."""
    query = (
        select(
            col(Contract.number).label("contract_number"),
            *(getattr(ScheduleLine, field.name) for field in dataclasses.fields(PlanRow)),
        )
        .join(Contract, col(Contract.id) == ScheduleLine.contract_id)
        .where(*scope.where(Contract.customer_id, Contract.id))
        .order_by(col(Contract.number), col(ScheduleLine.position))
    )
    if contract_id is not None:
        query = query.where(Contract.id == contract_id)
    yield from session.exec(query.execution_options(yield_per=batch))


def plan_row_count(*, session: Session, scope: Scope, contract_id: int | None) -> int:
    query = (
        select(sa.func.count(col(ScheduleLine.id)))
        .join(Contract, col(Contract.id) == ScheduleLine.contract_id)
        .where(*scope.where(Contract.customer_id, Contract.id))
    )
    if contract_id is not None:
        query = query.where(Contract.id == contract_id)
    return int(session.exec(query).one())


def balance_series(*, session: Session, contract: Contract | ContractTerms) -> list[tuple[dt.date, Decimal]]:
    """Capitale residuo after each principal-bearing row, starting from the contract amount."""
    rows = session.exec(
        select(col(ScheduleLine.due_date), col(ScheduleLine.residual_capital))
        .where(ScheduleLine.contract_id == contract.id, ScheduleLine.kind != ScheduleLineKind.INDEXATION)
        .order_by(col(ScheduleLine.position))
    ).all()
    return [(contract.signed_on, contract.amount), *rows]


def instalment_progress(*, session: Session, contract: Contract | ContractTerms, today: dt.date) -> Progress:
    """Instalments (advance, rate and residual value) paid, overdue and still to come."""
    rows = session.exec(
        select(col(ScheduleLine.due_date), col(ScheduleLine.amount), col(Invoice.total), col(Invoice.paid_amount))
        .outerjoin(Invoice, col(Invoice.schedule_line_id) == ScheduleLine.id)
        .where(ScheduleLine.contract_id == contract.id, ScheduleLine.kind != ScheduleLineKind.INDEXATION)
    ).all()
    paid = overdue = due = 0
    paid_amount = overdue_amount = due_amount = Decimal("0.00")
    for due_date, amount, total, paid_total in rows:
        if total is not None and paid_total >= total:
            paid, paid_amount = paid + 1, paid_amount + amount
        elif due_date < today:
            overdue, overdue_amount = overdue + 1, overdue_amount + amount
        else:
            due, due_amount = due + 1, due_amount + amount
    return Progress(paid, paid_amount, overdue, overdue_amount, due, due_amount)


def _asset_query(scope: Scope, contract_id: int | None):
    query = (
        select(LeasedAsset, col(Contract.number), col(Contract.end_date))
        .join(Contract, col(Contract.id) == LeasedAsset.contract_id)
        .where(*scope.where(LeasedAsset.customer_id, LeasedAsset.contract_id))
    )
    if contract_id is not None:
        query = query.where(LeasedAsset.contract_id == contract_id)
    return query


def _asset_row(asset: LeasedAsset, number: str, end_date: dt.date) -> AssetRow:
    return AssetRow(
        asset_id=asset.id,
        contract_number=number,
        lease_end=end_date,
        code=asset.code,
        asset_type=asset.asset_type,
        asset_type_code=asset.asset_type_code,
        description=asset.description,
        financial_value=asset.financial_value,
        expected_future_value=asset.expected_future_value,
        serial_number=asset.serial_number,
        plate=asset.plate,
    )


def assets_page(
    *, session: Session, scope: Scope, contract_id: int | None, offset: int, limit: int = ASSET_PAGE_SIZE
) -> tuple[list[AssetRow], int]:
    query = _asset_query(scope, contract_id)
    total = asset_count(session=session, scope=scope, contract_id=contract_id)
    rows = session.exec(query.order_by(Contract.number, LeasedAsset.code).offset(max(0, offset)).limit(limit)).all()
    return [_asset_row(*row) for row in rows], total


def asset_count(*, session: Session, scope: Scope, contract_id: int | None) -> int:
    return int(session.exec(select(sa.func.count()).select_from(_asset_query(scope, contract_id).subquery())).one())


def all_assets(*, session: Session, scope: Scope, contract_id: int | None) -> Iterator[AssetRow]:
    query = _asset_query(scope, contract_id).order_by(Contract.number, LeasedAsset.code)
    for row in session.exec(query.execution_options(yield_per=2000)):
        yield _asset_row(*row)
