"""Enumerations stored by value (see types.enum_field)."""

from __future__ import annotations

import enum
from typing import Self


class CodedEnum(enum.StrEnum):
    """An enumeration whose values are the codes stored and sent around; `parse` reads one safely."""

    @classmethod
    def parse(cls, value: object) -> Self | None:
        """The member with this value, or None for anything else (a browser may send anything)."""
        try:
            return cls(value)
        except ValueError:
            return None


class CustomerKind(CodedEnum):
    COMPANY = "company"
    PERSON = "person"


class UserRole(CodedEnum):
    CUSTOMER = "customer"
    SUB_USER = "sub_user"
    OPERATOR = "operator"


class Language(CodedEnum):
    IT = "it"
    EN = "en"


class ContractStatus(CodedEnum):
    ACTIVE = "active"
    EXTINGUISHED = "extinguished"


class ScheduleLineKind(CodedEnum):
    ADVANCE = "advance"  # Rata anticipata / maxi-canone
    INSTALMENT = "instalment"  # Rata
    INDEXATION = "indexation"  # Indicizzazione
    RESIDUAL_VALUE = "residual_value"  # Valore residuo / riscatto


class PaymentMethod(CodedEnum):
    SEPA_DIRECT_DEBIT = "sepa_direct_debit"
    BANK_TRANSFER = "bank_transfer"
    COMPENSATION = "compensation"  # an invoice settled against a credit note


class DocumentKind(CodedEnum):
    INVOICE = "invoice"  # TD01
    CREDIT_NOTE = "credit_note"  # TD04


class InvoiceStatus(CodedEnum):
    """Derived from what was paid and from the due date; never stored."""

    TO_BE_DUE = "to_be_due"  # a scadere
    OVERDUE = "overdue"  # scaduto
    PAID = "paid"  # pagato


class RequestStatus(CodedEnum):
    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    RESOLVED = "resolved"
    REJECTED = "rejected"

    @property
    def is_open(self) -> bool:
        return self not in (RequestStatus.RESOLVED, RequestStatus.REJECTED)


class NotificationKind(CodedEnum):
    BROADCAST = "broadcast"  # from the leasing company to every customer
    REQUEST = "request"  # from the service desk about one request
    DOCUMENT = "document"  # a new invoice or credit note was published
    DOCUMENT_AREA = "document_area"  # the Documenti area: a document published or asked for (issue 15)
    COMPLAINT = "complaint"  # a complaint (reclamo) was acknowledged or answered
    DATA_EXPORT = "data_export"  # the copy of the user's own data is ready (issue 15)


class ImportOutcome(CodedEnum):
    """How an import run of the integration ended."""

    IMPORTED = "imported"  # every record valid, written
    VALID = "valid"  # a dry run: every record valid, nothing written
    REJECTED = "rejected"  # a record was rejected: nothing written


class ProductCode(CodedEnum):
    """The product families the catalogue names (product.<code>): Contract.product_code."""

    VEHICLE = "vehicle"  # leasing targato
    EQUIPMENT = "equipment"  # leasing strumentale


# End of lease (issue 15): the products whose lease may be extended, and by how many months. A
# vehicle's residual value is a real part of its price (often 20%), worth financing for another
# year; equipment's is a token 1% of the amount, bought back at the end: no extension is offered.
EXTENSION_MONTHS: dict[str, int] = {ProductCode.VEHICLE: 12}


class ComplaintOutcome(CodedEnum):
    """How the company answered a complaint (reclamo), as its yearly report counts them."""

    ACCEPTED = "accepted"  # accolto
    PARTIAL = "partial"  # parzialmente accolto
    REJECTED = "rejected"  # respinto
