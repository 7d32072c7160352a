"""Variazione indirizzo (user manual § 6.2)."""

from portal.forms._shared import current_address, not_in_the_past
from portal.services.forms import Field, FormDefinition

FORM = FormDefinition(
    key="address_change",
    title_it="Variazione indirizzo",
    title_en="Change of address",
    description_it="Comunica il nuovo indirizzo della sede o di residenza.",
    description_en="Tell us your new registered or home address.",
    icon="map-pin",
    fields=(
        Field("current_address", "display", "Indirizzo attuale", "Current address", compute=current_address),
        Field("start_date", "date", "A partire dal", "Starting from", required=True, validators=(not_in_the_past,)),
        Field("new_address", "text", "Nuovo indirizzo", "New address", required=True, max_length=200,
              help_it="Es: Via Rossi, 110, Roma, RM, Italia", help_en="E.g. Via Rossi, 110, Roma, RM, Italia"),
        Field("message", "textarea", "Messaggio per il servizio clienti (opzionale)",
              "Message for customer service (optional)", max_length=500,
              help_it="Max 500 caratteri", help_en="Up to 500 characters"),
    ),
    message_field="message",
    subject=lambda values: values.get("new_address", "")[:80],
)
