"""Variazione indirizzo (user manual § 6.2)."""

from portal.forms._shared import MESSAGE, START_DATE, current_address
from portal.services.requests.form_engine import Field, FieldType, FormDefinition

FORM = FormDefinition(
    key="address_change",
    icon="map-pin",
    fields=(
        Field(key="current_address", type=FieldType.DISPLAY, label="field.current_address", compute=current_address),
        START_DATE,
        Field(
            key="new_address",
            type=FieldType.TEXT,
            label="field.new_address",
            help="field.new_address.help",
            required=True,
            max_length=200,
            autocomplete="street-address",
        ),
        MESSAGE,
    ),
    message_field="message",
    has_subject=True,
)
