"""Variazione indirizzo (user manual § 6.2)."""

from portal.forms._shared import MESSAGE, START_DATE, current_address, display, required
from portal.services.requests.form_engine import FieldType, FormDefinition

FORM = FormDefinition(
    key="address_change",
    icon="map-pin",
    fields=(
        display("current_address", current_address),
        START_DATE,
        required(
            "new_address", FieldType.TEXT, help="field.new_address.help", max_length=200, autocomplete="street-address"
        ),
        MESSAGE,
    ),
    message_field="message",
    has_subject=True,
)
