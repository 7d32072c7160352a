"""A ticket about a leased machine (the machine maker's portal): type, machine, subject, status,
description, photos or videos, and people to keep informed."""

from portal.services.requests.form_engine import AttachmentRule, Choice, Field, FieldType, FormDefinition

TICKET_TYPES = tuple(
    Choice(value=code, label=f"choice.ticket_type.{code}")
    for code in ("fault", "maintenance", "assistance", "spare_parts", "other")
)
MACHINE_STATUS = tuple(
    Choice(value=code, label=f"choice.machine_status.{code}") for code in ("stopped", "degraded", "working")
)

FORM = FormDefinition(
    key="machine_ticket",
    icon="wrench",
    fields=(
        Field(key="ticket_type", type=FieldType.CHOICE, label="field.ticket_type", required=True, choices=TICKET_TYPES),
        Field(key="machine", type=FieldType.ASSET, label="field.machine", required=True),
        Field(key="subject", type=FieldType.TEXT, label="field.subject", required=True, max_length=120),
        Field(
            key="machine_status",
            type=FieldType.CHOICE,
            label="field.machine_status",
            required=True,
            choices=MACHINE_STATUS,
        ),
        Field(
            key="description",
            type=FieldType.TEXTAREA,
            label="field.description",
            help="field.description.help",
            required=True,
            max_length=2000,
        ),
        Field(
            key="contacts",
            type=FieldType.CONTACTS,
            label="field.contacts",
            help="field.contacts.help",
            max_length=600,
        ),
    ),
    attachments=AttachmentRule(kinds=("image", "video"), max_files=5),
    asset_field="machine",
    contacts_field="contacts",
    message_field="description",
    has_subject=True,
)
