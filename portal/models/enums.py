"""Enumerations stored by value (see types.enum_field)."""

from __future__ import annotations

import enum


class CustomerKind(str, enum.Enum):
    COMPANY = "company"
    PERSON = "person"


class UserRole(str, enum.Enum):
    CUSTOMER = "customer"
    SUB_USER = "sub_user"
    OPERATOR = "operator"


class Language(str, enum.Enum):
    IT = "it"
    EN = "en"


class ContractStatus(str, enum.Enum):
    ACTIVE = "active"
    EXTINGUISHED = "extinguished"


class Periodicity(int, enum.Enum):
    """Months between two instalments."""

    MONTHLY = 1
    QUARTERLY = 3
    HALF_YEARLY = 6
    YEARLY = 12

    @property
    def periods_per_year(self) -> int:
        return 12 // self.value


class ScheduleLineKind(str, enum.Enum):
    ADVANCE = "advance"  # Rata anticipata / maxi-canone
    INSTALMENT = "instalment"  # Rata
    INDEXATION = "indexation"  # Indicizzazione
    RESIDUAL_VALUE = "residual_value"  # Valore residuo / riscatto


class PaymentMethod(str, enum.Enum):
    SEPA_DIRECT_DEBIT = "sepa_direct_debit"
    BANK_TRANSFER = "bank_transfer"
    COMPENSATION = "compensation"  # an invoice settled against a credit note


class DocumentKind(str, enum.Enum):
    INVOICE = "invoice"  # TD01
    CREDIT_NOTE = "credit_note"  # TD04


class InvoiceStatus(str, enum.Enum):
    """Derived from what was paid and from the due date; never stored."""

    TO_BE_DUE = "to_be_due"  # a scadere
    OVERDUE = "overdue"  # scaduto
    PAID = "paid"  # pagato


class RequestStatus(str, enum.Enum):
    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    RESOLVED = "resolved"
    REJECTED = "rejected"

    @property
    def is_open(self) -> bool:
        return self not in (RequestStatus.RESOLVED, RequestStatus.REJECTED)


class NotificationKind(str, enum.Enum):
    BROADCAST = "broadcast"  # from the leasing company to every customer
    REQUEST = "request"  # from the service desk about one request
    DOCUMENT = "document"  # a new invoice or credit note was published
