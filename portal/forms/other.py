"""Altre domande / richieste (user manual § 6.3): a default request type, a message, files."""

from portal.services.requests.form_engine import AttachmentRule, Choice, Field, FieldType, FormDefinition

REQUEST_TYPES = tuple(
    Choice(value=code, label=f"choice.request_type.{code}")
    for code in ("contract_copy", "invoice_copy", "pec_change", "interest_certificate", "insurance", "other")
)

FORM = FormDefinition(
    key="other",
    icon="message-square-text",
    fields=(
        Field(
            key="request_type",
            type=FieldType.CHOICE,
            label="field.request_type.prompt",
            name="field.request_type",
            required=True,
            choices=REQUEST_TYPES,
        ),
        Field(
            key="message",
            type=FieldType.TEXTAREA,
            label="field.request_text.prompt",
            name="field.request_text",
            help="forms.max_chars",
            required=True,
            max_length=500,
        ),
    ),
    attachments=AttachmentRule(kinds=("pdf", "image"), max_files=5),
    message_field="message",
    has_subject=True,
)
