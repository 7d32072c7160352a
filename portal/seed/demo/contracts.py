"""The demo's leases, as agreed with each customer, with the goods they finance. An asset without
figures is the lease's only one: it is worth the lease's amount and residual value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from portal.seed.specs import INSTRUMENTAL, VEHICLE, AssetSpec, EuriborPlus, LeaseSpec, Supplier

VALVERDE_IBAN = "IT60X0542811101000000123456"
FERRARESI_IBAN = "IT17X0605502100000001234567"
DENTAL_SUPPLIER = Supplier("F00412", "Dental Forniture Toscane S.r.l.")
MACHINE_SUPPLIER = Supplier("F00210", "Macchine Utensili Estensi S.p.A.")

OLD_LEASE = "71204"  # extinguished by `as_of`; the fee billed at its signing is waived by a credit note
OVERDUE_LEASE = "90317"  # its latest instalment is left unpaid

# Tables read best one row to a few lines: the formatter would spread every field over a line.
# fmt: off
LEASES = (
    # Odontoiatrica Valverde: the old dental unit, the new studio, the mobile clinic, the company car.
    LeaseSpec(
        "10093", "71204", module="2", product=INSTRUMENTAL, supplier=DENTAL_SUPPLIER, iban=VALVERDE_IBAN,
        amount=D("38500.00"), advance=D("3850.00"), residual=D("385.00"), instalments=60, rate=D("0.0435"),
        signed_on=dt.date(2016, 5, 20), first_due=dt.date(2016, 6, 1),
        goods=(AssetSpec("118402", "RIUNITO ODONTOIATRICO CON LAMPADA OPERATORIA LED", serial_number="RO-2016-55821"),),
    ),
    LeaseSpec(
        "10093", "84963", module="1", product=INSTRUMENTAL, supplier=DENTAL_SUPPLIER, iban=VALVERDE_IBAN,
        amount=D("25150.00"), advance=D("2515.00"), residual=D("251.50"), instalments=84, rate=D("0.0510"),
        signed_on=dt.date(2022, 3, 10), first_due=dt.date(2022, 4, 1), subsidy="Nuova Sabatini (contributo MISE)",
        goods=(
            AssetSpec("166029", "POLTRONA PER TRATTAMENTI TEST PLUS CON ACCESSORI", D("1500.00"), D("15.00"),
                      serial_number="PT-88120"),
            AssetSpec("166030", "PANORAMICO PAX I 2D COMFORT EXTRA", D("11500.00"), D("115.00"),
                      serial_number="PX2D-30417"),
            AssetSpec("166031", "MOBILI STERILIZZAZIONE", D("2850.00"), D("28.50")),
            AssetSpec("166032", "COMPOSIZIONE MOBILI STUDIO 2", D("3800.00"), D("38.00")),
            AssetSpec("166033", "COMPOSIZIONE MOBILI STUDIO 1", D("5500.00"), D("55.00")),
        ),
    ),
    LeaseSpec(
        "10093", "90317", module="3", product=VEHICLE, iban=VALVERDE_IBAN,
        supplier=Supplier("F00977", "Autoveicoli Commerciali Arno S.p.A."),
        amount=D("48900.00"), advance=D("4890.00"), residual=D("489.00"), instalments=59, rate=EuriborPlus(D("0.0275")),
        signed_on=dt.date(2022, 6, 15), first_due=dt.date(2022, 7, 1),
        goods=(AssetSpec("171550", "AUTOCARRO FURGONATO 3,5 T PASSO LUNGO - AMBULATORIO MOBILE",
                         serial_number="ZCFC35A0005471182", plate="GH482LK"),),
    ),
    LeaseSpec(
        "10093", "97702", module="1", product=VEHICLE, iban=VALVERDE_IBAN,
        supplier=Supplier("F01203", "Concessionaria Colli Fiorentini S.r.l."),
        amount=D("36000.00"), advance=D("3600.00"), residual=D("7200.00"), instalments=48, rate=D("0.0490"),
        signed_on=dt.date(2025, 2, 14), first_due=dt.date(2025, 3, 1),
        goods=(AssetSpec("183004", "AUTOVETTURA IBRIDA BERLINA 5 PORTE", serial_number="WF0FXXWPCFRA12345",
                         plate="GR215TZ"),),
    ),
    # Alessandro Bianchi's car.
    LeaseSpec(
        "20417", "88120", module="1", product=VEHICLE, iban="IT02L1234512345123456789012",
        supplier=Supplier("F00861", "Auto Sabauda S.r.l."),
        amount=D("24000.00"), advance=D("2400.00"), residual=D("4800.00"), instalments=48, rate=D("0.0590"),
        signed_on=dt.date(2023, 9, 1), first_due=dt.date(2023, 10, 1),
        goods=(AssetSpec("177431", "AUTOVETTURA UTILITARIA 5 PORTE BENZINA", serial_number="ZFA31200000987654",
                         plate="GE731AB"),),
    ),
    # The two customers with no portal account yet: the studio's plotter, the bakery's oven.
    LeaseSpec(
        "30882", "93015", module="2", product=INSTRUMENTAL, iban="IT60X0542811101000000654321",
        supplier=Supplier("F01877", "Sistemi Grafici Lombardi S.r.l."),
        amount=D("14800.00"), advance=D("1480.00"), residual=D("148.00"), instalments=36, rate=D("0.0575"),
        signed_on=dt.date(2024, 9, 12), first_due=dt.date(2024, 10, 1),
        goods=(AssetSpec("185220", "PLOTTER A0 MULTIFUNZIONE CON SCANNER", serial_number="PLT-A0-77123"),),
    ),
    LeaseSpec(
        "41250", "95540", module="1", product=INSTRUMENTAL, iban="IT60X0542811101000000777888",
        supplier=Supplier("F02301", "Forni Professionali Veneti S.r.l."),
        amount=D("42000.00"), advance=D("4200.00"), residual=D("420.00"), instalments=60, rate=D("0.0540"),
        signed_on=dt.date(2025, 5, 6), first_due=dt.date(2025, 6, 1),
        goods=(AssetSpec("187410", "FORNO A TUNNEL ELETTRICO CON CELLA DI LIEVITAZIONE",
                         serial_number="FT-2025-0412"),),
    ),
    # Officine Meccaniche Ferraresi, a customer since 2008: its invoice history goes back to the first one.
    LeaseSpec(
        "12006", "40518", module="1", product=INSTRUMENTAL, supplier=MACHINE_SUPPLIER, iban=FERRARESI_IBAN,
        amount=D("86000.00"), advance=D("8600.00"), residual=D("860.00"), instalments=60, rate=D("0.0585"),
        signed_on=dt.date(2008, 3, 18), first_due=dt.date(2008, 4, 1),
        goods=(AssetSpec("164020", "CENTRO DI LAVORO VERTICALE A CONTROLLO NUMERICO"),),
    ),
    LeaseSpec(
        "12006", "81277", module="2", product=INSTRUMENTAL, supplier=MACHINE_SUPPLIER, iban=FERRARESI_IBAN,
        amount=D("54000.00"), advance=D("5400.00"), residual=D("540.00"), instalments=72, rate=D("0.0395"),
        signed_on=dt.date(2021, 9, 6), first_due=dt.date(2021, 10, 1),
        goods=(AssetSpec("178815", "TORNIO CNC A BANCALE INCLINATO"),),
    ),
)
# fmt: on
