"""A ticket about a leased machine (the machine maker's portal): type, machine, subject, status,
description, photos or videos, and people to keep informed."""

from portal.services.forms import AttachmentRule, Choice, Field, FormDefinition

TICKET_TYPES = (
    Choice("fault", "Guasto", "Fault"),
    Choice("maintenance", "Manutenzione programmata", "Scheduled maintenance"),
    Choice("assistance", "Assistenza tecnica", "Technical assistance"),
    Choice("spare_parts", "Ricambi", "Spare parts"),
    Choice("other", "Altro", "Other"),
)
MACHINE_STATUS = (
    Choice("stopped", "Ferma", "Stopped"),
    Choice("degraded", "Funziona parzialmente", "Partly working"),
    Choice("working", "Funzionante", "Working"),
)

FORM = FormDefinition(
    key="machine_ticket",
    title_it="Segnalazione su un bene",
    title_en="Ticket about an asset",
    description_it="Guasti, manutenzione e assistenza su una macchina in locazione, con foto o video.",
    description_en="Faults, maintenance and assistance on a leased machine, with photos or videos.",
    icon="wrench",
    fields=(
        Field("ticket_type", "choice", "Tipo di richiesta", "Request type", required=True, choices=TICKET_TYPES),
        Field("machine", "asset", "Macchina", "Machine", required=True),
        Field("subject", "text", "Oggetto", "Subject", required=True, max_length=120),
        Field("machine_status", "choice", "Stato della macchina", "Machine status", required=True, choices=MACHINE_STATUS),
        Field("description", "textarea", "Descrizione", "Description", required=True, max_length=2000,
              help_it="Che cosa succede, da quando, eventuali codici di errore",
              help_en="What happens, since when, any error codes"),
        Field("contacts", "contacts", "Contatti da avvisare", "Contacts to notify", max_length=600,
              help_it="Indirizzi e-mail separati da virgola", help_en="E-mail addresses separated by commas"),
    ),
    attachments=AttachmentRule(kinds=("image", "video"), max_files=5),
    asset_field="machine",
    contacts_field="contacts",
    message_field="description",
    subject=lambda values: values.get("subject", ""),
)
