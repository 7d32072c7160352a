"""The demo's customers and portal accounts: a company with a sub-user, a private person, a
workshop that has been a customer since 2008, two customers with no portal account yet (one to
register by itself, one for the service desk to invite), and the service desk."""

from __future__ import annotations

from portal.models.enums import Language, UserRole
from portal.seed.specs import Address, Mailbox, UserSpec, company, person

SERVICE_DESK = "servicedesk"
ANNOUNCED_CUSTOMER = "10093"  # its newest document is announced as the billing job would; the rest is history

# Tables read best one row to a few lines: the formatter would spread every field over a line.
# fmt: off
CUSTOMERS = (
    company(
        "10093", "Odontoiatrica Valverde S.r.l.", vat="09158730961", sdi_code="M5UXCR1",
        pec="odontoiatrica.valverde@pec.valverde-demo.it", email="amministrazione@valverde-demo.it",
        address=Address("Via Lorenzo il Magnifico 18", "50129", "Firenze", "FI"),
    ),
    person(
        "20417", "Alessandro", "Bianchi", codice_fiscale="BNCLSN80A01F205T", email="alessandro.bianchi@posta-demo.it",
        address=Address("Corso Vittorio Emanuele II 52", "10123", "Torino", "TO"),
    ),
    company(
        "30882", "Studio Tecnico Mariani Associati S.r.l.", vat="05527480155",
        pec="studio.mariani@pec.mariani-demo.it", address=Address("Viale Piave 31", "20129", "Milano", "MI"),
    ),
    company(
        "41250", "Panificio Gallo S.n.c.", vat="03742190238",
        pec="panificio.gallo@pec.gallo-demo.it", address=Address("Via Roma 7", "37121", "Verona", "VR"),
    ),
    company(
        "12006", "Officine Meccaniche Ferraresi S.r.l.", vat="01987654322", sdi_code="T04ZHR3",
        pec="officine.ferraresi@pec.ferraresi-demo.it", address=Address("Via Bologna 311", "44122", "Ferrara", "FE"),
    ),
)

USERS = (
    UserSpec(
        "10093", customer="10093", first_name="Laura", last_name="Conti",
        primary_email=Mailbox.PEC, secondary_email="laura.conti@valverde-demo.it",
    ),
    UserSpec(  # the company's fleet manager: he looks after the vehicles only
        "10093.1", customer="10093", first_name="Marco", last_name="Ferri",
        primary_email="marco.ferri@valverde-demo.it", role=UserRole.SUB_USER, parent="10093", sees=("90317", "97702"),
    ),
    UserSpec(
        "20417", customer="20417", first_name="Alessandro", last_name="Bianchi",
        primary_email=Mailbox.EMAIL, language=Language.EN,
    ),
    UserSpec(
        SERVICE_DESK, customer=None, first_name="Chiara", last_name="Lombardi",
        primary_email=Mailbox.SUPPORT, role=UserRole.OPERATOR,
    ),
    UserSpec("12006", customer="12006", first_name="Paolo", last_name="Ferraresi", primary_email=Mailbox.PEC),
)
# fmt: on
