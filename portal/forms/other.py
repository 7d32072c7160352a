"""Altre domande / richieste (user manual § 6.3): a default request type, a message, files."""

from portal.services.forms import AttachmentRule, Choice, Field, FormDefinition

REQUEST_TYPES = (
    Choice("contract_copy", "Copia del contratto", "Copy of the contract"),
    Choice("invoice_copy", "Duplicato di una fattura", "Duplicate of an invoice"),
    Choice("pec_change", "Modifica dell'indirizzo PEC", "Change of the PEC address"),
    Choice("interest_certificate", "Certificazione degli interessi", "Interest certificate"),
    Choice("insurance", "Assicurazione del bene", "Insurance of the asset"),
    Choice("other", "Altra richiesta", "Other request"),
)

FORM = FormDefinition(
    key="other",
    title_it="Altre richieste",
    title_en="Other requests",
    description_it="Copie di documenti, cambio PEC, certificazioni e ogni altra domanda.",
    description_en="Copies of documents, PEC change, certificates and any other question.",
    icon="message-square-text",
    fields=(
        Field("request_type", "choice", "Richieste default", "Request type", required=True, choices=REQUEST_TYPES),
        Field("message", "textarea", "Inserire la richiesta per il servizio clienti", "Your request for customer service",
              required=True, max_length=500, help_it="Max 500 caratteri", help_en="Up to 500 characters"),
    ),
    attachments=AttachmentRule(kinds=("pdf", "image"), max_files=5),
    message_field="message",
    subject=lambda values: next((c.label_it for c in REQUEST_TYPES if c.value == values.get("request_type")), ""),
)
