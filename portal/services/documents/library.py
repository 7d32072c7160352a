"""Documents the company publishes to a customer: a PDF for the customer (and optionally one of its
contracts), stored as it came under a random key with its SHA-256, never changed afterwards (there
is no update: a correction is a new document). The files live beside the requests' attachments
(services/requests/attachments.py: staged, then kept after the commit, swept)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, col, select

from portal import i18n
from portal.models import Contract, Customer, PublishedDocument, UserAccount
from portal.models.document import DocumentCategory
from portal.models.enums import UserRole
from portal.services.access.scope import Scope, scope_of
from portal.services.common import audit
from portal.services.documents.news import tell_readers
from portal.services.requests import attachments as files

PDF = "application/pdf"
MAX_TITLE = 200


class DocumentRefused(ValueError):
    """What the desk or the customer may not do here; carries the catalogue key of the reason."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclasses.dataclass(frozen=True)
class DocumentInfo:
    document_id: int
    title: str
    category: DocumentCategory
    contract_number: str  # "" for a document of the customer as a whole
    created_at: dt.datetime
    display_name: str
    size_bytes: int
    sha256: str


def operator_of(session: Session, operator_id: int) -> UserAccount:
    operator = session.get(UserAccount, operator_id)
    if operator is None or operator.role is not UserRole.OPERATOR:
        raise PermissionError("only the service desk does this")
    return operator


def customer_and_contract(
    session: Session, *, tenant_id: int, customer_id: int, contract_id: int | None
) -> tuple[Customer, Contract | None]:
    """The customer (of the desk's company) and, when named, one of that customer's contracts."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.tenant_id != tenant_id:
        raise DocumentRefused("docs.error.customer")
    contract = None
    if contract_id is not None:
        contract = session.get(Contract, contract_id)
        if contract is None or contract.customer_id != customer.id:
            raise DocumentRefused("docs.error.contract")
    return customer, contract


def publish_document(
    *,
    session: Session,
    operator_id: int,
    customer_id: int,
    contract_id: int | None,
    title: str,
    category: DocumentCategory,
    staged: files.StagedFile,
    now: dt.datetime,
    public_url: str,
) -> PublishedDocument:
    """Store the staged PDF as a document of the customer and tell whoever may see it; the file
    moves to storage once the caller's transaction commits."""
    operator = operator_of(session, operator_id)
    customer, contract = customer_and_contract(
        session, tenant_id=operator.tenant_id, customer_id=customer_id, contract_id=contract_id
    )
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise DocumentRefused("docs.error.title")
    if staged.content_type != PDF:
        raise DocumentRefused("docs.error.not_pdf")
    document = PublishedDocument(
        tenant_id=customer.tenant_id,
        customer_id=customer.id,
        contract_id=contract.id if contract else None,
        title=title,
        category=category,
        storage_key=staged.storage_key,
        display_name=staged.display_name,
        size_bytes=staged.size_bytes,
        sha256=staged.sha256,
        published_by_id=operator.id,
        created_at=now,
    )
    session.add(document)
    session.flush()
    number = contract.number if contract else ""
    tell_readers(
        session=session,
        tenant_id=customer.tenant_id,
        customer_id=customer.id,
        contract_id=document.contract_id,
        event="published",
        params=lambda lang: {"title": title, "contract": number or "—"},
        now=now,
        public_url=public_url,
    )
    audit.record(
        session=session,
        action="document.published",
        tenant_id=customer.tenant_id,
        user_id=operator.id,
        customer_id=customer.id,
        document_id=document.id,
        sha256=document.sha256,
    )
    files.keep_after_commit(session=session, staged=[staged])
    return document


def _infos(session: Session, conditions: list) -> list[DocumentInfo]:
    rows = session.exec(
        select(PublishedDocument, Contract.number)
        .outerjoin(Contract, col(Contract.id) == col(PublishedDocument.contract_id))
        .where(*conditions)
        .order_by(col(PublishedDocument.created_at).desc(), col(PublishedDocument.id).desc())
    ).all()
    return [
        DocumentInfo(
            document_id=document.id,
            title=document.title,
            category=document.category,
            contract_number=number or "",
            created_at=document.created_at,
            display_name=document.display_name,
            size_bytes=document.size_bytes,
            sha256=document.sha256,
        )
        for document, number in rows
    ]


def readable(scope: Scope) -> list:
    """The documents a scope reads: its customer's, and for a sub-user only those of its contracts."""
    conditions: list = [col(PublishedDocument.customer_id) == scope.customer_id]
    if scope.contract_ids is not None:
        conditions.append(col(PublishedDocument.contract_id).in_(sorted(scope.contract_ids)))
    return conditions


def documents_for(*, session: Session, scope: Scope, contract_id: int | None = None) -> list[DocumentInfo]:
    """The customer's documents the scope reads, newest first; with `contract_id`, that contract's."""
    conditions = readable(scope)
    if contract_id is not None:
        conditions.append(col(PublishedDocument.contract_id) == contract_id)
    return _infos(session, conditions)


def documents_of_customer(*, session: Session, tenant_id: int, customer_id: int) -> list[DocumentInfo]:
    """Every document of a customer, for the service desk."""
    return _infos(
        session, [col(PublishedDocument.customer_id) == customer_id, col(PublishedDocument.tenant_id) == tenant_id]
    )


def access_document(*, session: Session, user: UserAccount, document_id: int) -> PublishedDocument | None:
    """The document when `user` may read it (the desk: its company's), None otherwise."""
    if user.role is UserRole.OPERATOR:
        conditions = [col(PublishedDocument.tenant_id) == user.tenant_id]
    else:
        scope = scope_of(session=session, user=user)
        if scope is None:
            return None
        conditions = readable(scope)
    return session.exec(select(PublishedDocument).where(col(PublishedDocument.id) == document_id, *conditions)).first()


def size_text(size_bytes: int, lang: str) -> str:
    """ "12 KB" (at least 1), in the reader's words."""
    return i18n.number(max(1, round(size_bytes / 1024)), lang, 0) + " KB"


@dataclasses.dataclass(frozen=True)
class DeskCustomer:
    """A customer as the desk's document page shows it, with its contracts (id, number)."""

    customer_id: int
    code: str
    name: str
    contracts: tuple[tuple[int, str], ...]


def desk_customer(*, session: Session, tenant_id: int, code: str) -> DeskCustomer | None:
    """The customer of the desk's company with this customer code, None when there is none."""
    customer = session.exec(
        select(Customer).where(col(Customer.tenant_id) == tenant_id, col(Customer.code) == code.strip())
    ).first()
    if customer is None:
        return None
    contracts = session.exec(
        select(Contract.id, Contract.number)
        .where(col(Contract.customer_id) == customer.id)
        .order_by(col(Contract.number))
    ).all()
    return DeskCustomer(
        customer_id=customer.id,
        code=customer.code,
        name=customer.denominazione,
        contracts=tuple((contract_id, number) for contract_id, number in contracts),
    )
