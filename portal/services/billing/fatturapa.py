"""FatturaPA 1.2.2 (FPR12) XML for invoices (TD01) and credit notes (TD04), and its validation
against the official schema, loaded offline from portal/services/data/fatturapa/."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

import lxml.etree as etree  # the compiled module: pyright resolves it only imported this way

from portal.models import Customer, Tenant
from portal.models.enums import CustomerKind, DocumentKind, PaymentMethod
from portal.services.billing.documents import InvoiceDocument

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
SCHEMA_DIR = Path(__file__).with_name("data") / "fatturapa"
SCHEMA_FILE = SCHEMA_DIR / "Schema_del_file_xml_FatturaPA_v1.2.2.xsd"
SIGNATURE_URL = "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd"
NO_RECIPIENT_CODE = "0000000"  # delivered by PEC, or left in the recipient's tax drawer
PAYMENT_MODES = {
    PaymentMethod.SEPA_DIRECT_DEBIT: "MP19",
    PaymentMethod.BANK_TRANSFER: "MP05",
    PaymentMethod.COMPENSATION: "MP22",  # trattenuta su somme già riscosse
}


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _address(parent: etree._Element, place: Tenant | Customer) -> None:
    """The seat (Sede) of the seller (the tenant) or of the buyer (the customer)."""
    sede = _add(parent, "Sede")
    _add(sede, "Indirizzo", place.street[:60])
    _add(sede, "CAP", place.postal_code)
    _add(sede, "Comune", place.city[:60])
    if place.province:
        _add(sede, "Provincia", place.province.upper())
    _add(sede, "Nazione", place.country)


def _header(root: etree._Element, doc: InvoiceDocument) -> None:
    tenant, customer, invoice = doc.tenant, doc.customer, doc.invoice
    header = _add(root, "FatturaElettronicaHeader")
    transmission = _add(header, "DatiTrasmissione")
    sender = _add(transmission, "IdTrasmittente")
    _add(sender, "IdPaese", "IT")
    _add(sender, "IdCodice", tenant.fiscal_code)
    _add(transmission, "ProgressivoInvio", f"{invoice.id:x}".upper()[:10])
    _add(transmission, "FormatoTrasmissione", "FPR12")
    code = customer.sdi_code or NO_RECIPIENT_CODE
    _add(transmission, "CodiceDestinatario", code)
    if code == NO_RECIPIENT_CODE and customer.pec:
        _add(transmission, "PECDestinatario", customer.pec)

    seller = _add(header, "CedentePrestatore")
    seller_data = _add(seller, "DatiAnagrafici")
    vat = _add(seller_data, "IdFiscaleIVA")
    _add(vat, "IdPaese", "IT")
    _add(vat, "IdCodice", tenant.vat_number)
    _add(seller_data, "CodiceFiscale", tenant.fiscal_code)
    _add(_add(seller_data, "Anagrafica"), "Denominazione", tenant.legal_name[:80])
    _add(seller_data, "RegimeFiscale", "RF01")
    _address(seller, tenant)
    rea = _add(seller, "IscrizioneREA")
    _add(rea, "Ufficio", tenant.rea_office)
    _add(rea, "NumeroREA", tenant.rea_number)
    _add(rea, "CapitaleSociale", tenant.share_capital)
    _add(rea, "StatoLiquidazione", "LN")

    buyer = _add(header, "CessionarioCommittente")
    buyer_data = _add(buyer, "DatiAnagrafici")
    if customer.partita_iva:
        buyer_vat = _add(buyer_data, "IdFiscaleIVA")
        _add(buyer_vat, "IdPaese", customer.country)
        _add(buyer_vat, "IdCodice", customer.partita_iva)
    _add(buyer_data, "CodiceFiscale", customer.codice_fiscale)
    registry = _add(buyer_data, "Anagrafica")
    if customer.kind is CustomerKind.PERSON and customer.first_name and customer.last_name:
        _add(registry, "Nome", customer.first_name[:60])
        _add(registry, "Cognome", customer.last_name[:60])
    else:
        _add(registry, "Denominazione", customer.denominazione[:80])
    _address(buyer, customer)


def _body(root: etree._Element, doc: InvoiceDocument) -> None:
    invoice = doc.invoice
    body = _add(root, "FatturaElettronicaBody")
    general = _add(body, "DatiGenerali")
    document = _add(general, "DatiGeneraliDocumento")
    _add(document, "TipoDocumento", "TD04" if invoice.kind is DocumentKind.CREDIT_NOTE else "TD01")
    _add(document, "Divisa", "EUR")
    _add(document, "Data", invoice.issue_date.isoformat())
    _add(document, "Numero", invoice.number)
    _add(document, "ImportoTotaleDocumento", _money(invoice.total))
    _add(document, "Causale", invoice.description[:200])
    contract = _add(general, "DatiContratto")
    _add(contract, "IdDocumento", f"{doc.contract.number}/{doc.contract.module_number}")
    _add(contract, "Data", doc.contract.signed_on.isoformat())
    if doc.corrected is not None:
        linked = _add(general, "DatiFattureCollegate")
        _add(linked, "IdDocumento", doc.corrected.number)
        _add(linked, "Data", doc.corrected.issue_date.isoformat())

    goods = _add(body, "DatiBeniServizi")
    for line in doc.lines:
        detail = _add(goods, "DettaglioLinee")
        _add(detail, "NumeroLinea", str(line.line_number))
        _add(detail, "Descrizione", line.description[:1000])
        _add(detail, "Quantita", f"{line.quantity.quantize(Decimal('0.01'))}")
        if doc.schedule_line is not None:
            _add(detail, "DataInizioPeriodo", doc.schedule_line.competence_start.isoformat())
            _add(detail, "DataFinePeriodo", doc.schedule_line.competence_end.isoformat())
        _add(detail, "PrezzoUnitario", _money(line.unit_price))
        _add(detail, "PrezzoTotale", _money(line.taxable_amount))
        _add(detail, "AliquotaIVA", _money(line.vat_rate))
    by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in doc.lines:
        taxable, vat = by_rate.get(line.vat_rate, (Decimal("0"), Decimal("0")))
        by_rate[line.vat_rate] = (taxable + line.taxable_amount, vat + line.vat_amount)
    for rate, (taxable, vat) in sorted(by_rate.items()):
        summary = _add(goods, "DatiRiepilogo")
        _add(summary, "AliquotaIVA", _money(rate))
        _add(summary, "ImponibileImporto", _money(taxable))
        _add(summary, "Imposta", _money(vat))
        _add(summary, "EsigibilitaIVA", "I")

    payment = _add(body, "DatiPagamento")
    _add(payment, "CondizioniPagamento", "TP02")
    detail = _add(payment, "DettaglioPagamento")
    _add(detail, "ModalitaPagamento", PAYMENT_MODES[invoice.payment_method])
    _add(detail, "DataScadenzaPagamento", invoice.due_date.isoformat())
    _add(detail, "ImportoPagamento", _money(invoice.total))


def invoice_xml(doc: InvoiceDocument) -> bytes:
    root = etree.Element(f"{{{NAMESPACE}}}FatturaElettronica", nsmap={"p": NAMESPACE}, versione="FPR12")
    _header(root, doc)
    _body(root, doc)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def xml_filename(doc: InvoiceDocument) -> str:
    """IT<partita IVA>_<progressivo>.xml, the naming the Sistema di Interscambio expects."""
    return f"IT{doc.tenant.vat_number}_{doc.invoice.id:05X}.xml"[-40:]


@functools.cache
def schema() -> etree.XMLSchema:
    text = SCHEMA_FILE.read_bytes().replace(SIGNATURE_URL.encode(), b"xmldsig-core-schema.xsd")
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    document = etree.fromstring(text, parser=parser, base_url=str(SCHEMA_FILE))
    return etree.XMLSchema(document)


def validation_errors(xml: bytes) -> list[str]:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    document = etree.fromstring(xml, parser=parser)
    checker = schema()
    if checker.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in checker.error_log]
