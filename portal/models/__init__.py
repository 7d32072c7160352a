"""All tables; importing this package registers them on SQLModel.metadata.

A table's `__tablename__` is annotated `ClassVar[str]`: SQLModel defines its default with
`declared_attr`, so a bare string assignment reads to pyright as a type mismatch.
"""

from portal.models.api_key import ApiKey
from portal.models.audit import AuditEvent
from portal.models.billing import Invoice, InvoiceLine, Payment
from portal.models.complaint import Complaint, ComplaintAttachment
from portal.models.contract import Contract, LeasedAsset, ReferenceRate, ScheduleLine
from portal.models.customer import Customer
from portal.models.data_export import DataExport, ExportStatus
from portal.models.document import DocumentAsk, DocumentUpload, ExpiryReminder, PublishedDocument
from portal.models.download import DownloadTicket
from portal.models.integration import ImportRun
from portal.models.mail import MailMessage
from portal.models.notification import Notification, NotificationRead
from portal.models.outbound import (
    OutboundConsumer,
    OutboundSequence,
    RequestEvent,
    WebhookDelivery,
    WebhookEndpoint,
)
from portal.models.request import (
    RequestAttachment,
    RequestContact,
    RequestMessage,
    RequestStatusChange,
    ServiceRequest,
)
from portal.models.tenant import Tenant
from portal.models.user import (
    LoginChallenge,
    PasswordResetToken,
    RecoveryCode,
    RegistrationRequest,
    SubUserContract,
    UserAccount,
    UserSession,
)

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Complaint",
    "ComplaintAttachment",
    "Contract",
    "Customer",
    "DocumentAsk",
    "DocumentUpload",
    "DataExport",
    "ExportStatus",
    "DownloadTicket",
    "ExpiryReminder",
    "ImportRun",
    "Invoice",
    "InvoiceLine",
    "LeasedAsset",
    "LoginChallenge",
    "MailMessage",
    "Notification",
    "RecoveryCode",
    "NotificationRead",
    "OutboundConsumer",
    "OutboundSequence",
    "PasswordResetToken",
    "PublishedDocument",
    "Payment",
    "ReferenceRate",
    "RegistrationRequest",
    "RequestAttachment",
    "RequestContact",
    "RequestEvent",
    "RequestMessage",
    "RequestStatusChange",
    "ScheduleLine",
    "ServiceRequest",
    "SubUserContract",
    "Tenant",
    "UserAccount",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
]
