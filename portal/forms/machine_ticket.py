"""A ticket about a leased machine (the machine maker's portal): type, machine, subject, status,
description, photos or videos, and people to keep informed."""

from portal.forms._shared import required
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
        required("ticket_type", FieldType.CHOICE, choices=TICKET_TYPES),
        required("machine", FieldType.ASSET),
        required("subject", FieldType.TEXT, max_length=120),
        required("machine_status", FieldType.CHOICE, choices=MACHINE_STATUS),
        required("description", FieldType.TEXTAREA, help="field.description.help", max_length=2000),
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
