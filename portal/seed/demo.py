"""The demo data set: one leasing company, its customers, contracts, invoices and requests.

Every figure is produced by the services (amortization, indexation, billing), never typed in;
only the agreed terms of each contract are written here. The same `as_of` gives the same data.
All names are fictional.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from sqlmodel import Session, select

from portal.config import settings
from portal.models import (
    Contract,
    Customer,
    Invoice,
    LeasedAsset,
    Notification,
    ScheduleLine,
    SubUserContract,
    Tenant,
    UserAccount,
)
from portal.models.enums import (
    CustomerKind,
    DocumentKind,
    Language,
    NotificationKind,
    PaymentMethod,
    RequestStatus,
    ScheduleLineKind,
    UserRole,
)
from portal.forms import get as get_form
from portal.seed.euribor import EURIBOR_3M, euribor_3m_observations
from portal.services import billing, requests
from portal.services.access import scope_of
from portal.services.contracts import ContractDraft, close_finished_contracts, open_contract
from portal.services.forms import context_for, payload_of
from portal.services.indexation import RateSeries
from portal.services.passwords import hash_password
from portal.services.publication import publish
from portal.services.rates import load_series, store_observations

DEMO_PASSWORD = "Aurora-Demo-2026"  # shown in README.md; every demo account uses it
D = Decimal


@dataclasses.dataclass(frozen=True)
class AssetSpec:
    code: str
    asset_type: str
    description: str
    financial_value: Decimal
    expected_future_value: Decimal
    serial_number: str | None = None
    plate: str | None = None


def _moment(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.timezone.utc)


def add_customer(session: Session, tenant: Tenant, **fields) -> Customer:
    customer = Customer(tenant_id=tenant.id, **fields)
    session.add(customer)
    session.flush()
    return customer


def add_user(session: Session, tenant: Tenant, *, password: str = DEMO_PASSWORD, **fields) -> UserAccount:
    user = UserAccount(tenant_id=tenant.id, password_hash=hash_password(password), **fields)
    session.add(user)
    session.flush()
    return user


def add_assets(session: Session, contract: Contract, specs: list[AssetSpec]) -> None:
    session.add_all(
        LeasedAsset(contract_id=contract.id, customer_id=contract.customer_id, **dataclasses.asdict(spec))
        for spec in specs
    )


def collect_payments(
    *, session: Session, customer_ids: list[int], as_of: dt.date, unpaid_line_ids: set[int]
) -> None:
    """Simulate the bank: every invoice due before `as_of` is paid on its due date, except
    the ones billing the plan rows left unpaid on purpose."""
    rows = session.exec(
        select(Invoice, ScheduleLine)
        .join(ScheduleLine, ScheduleLine.id == Invoice.schedule_line_id, isouter=True)
        .where(
            Invoice.customer_id.in_(customer_ids),
            Invoice.due_date < as_of,
            Invoice.paid_amount < Invoice.total,
        )
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    for invoice, line in rows:
        if line is not None and line.id in unpaid_line_ids:
            continue
        method = (
            PaymentMethod.COMPENSATION if invoice.kind is DocumentKind.CREDIT_NOTE else invoice.payment_method
        )
        billing.record_payment(
            session=session,
            invoice=invoice,
            paid_on=invoice.due_date,
            amount=invoice.total - invoice.paid_amount,
            method=method,
            reference=f"{'SDD' if method is PaymentMethod.SEPA_DIRECT_DEBIT else 'BON'}-{invoice.number}",
            schedule_line=line,
        )


def latest_instalment_before(session: Session, contract: Contract, as_of: dt.date) -> ScheduleLine | None:
    return session.exec(
        select(ScheduleLine)
        .where(
            ScheduleLine.contract_id == contract.id,
            ScheduleLine.kind == ScheduleLineKind.INSTALMENT,
            ScheduleLine.due_date < as_of,
        )
        .order_by(ScheduleLine.due_date.desc())
        .limit(1)
    ).first()


def seed_demo(*, session: Session, tenant: Tenant, as_of: dt.date) -> dict[str, int]:
    store_observations(session=session, name=EURIBOR_3M, observations=euribor_3m_observations())
    euribor: RateSeries = load_series(session=session, name=EURIBOR_3M)

    company = add_customer(
        session, tenant,
        code="10093",
        kind=CustomerKind.COMPANY,
        denominazione="Odontoiatrica Valverde S.r.l.",
        codice_fiscale="09158730961",
        partita_iva="09158730961",
        pec="odontoiatrica.valverde@pec.valverde-demo.it",
        email="amministrazione@valverde-demo.it",
        street="Via Lorenzo il Magnifico 18",
        postal_code="50129",
        city="Firenze",
        province="FI",
        sdi_code="M5UXCR1",
    )
    person = add_customer(
        session, tenant,
        code="20417",
        kind=CustomerKind.PERSON,
        denominazione="Alessandro Bianchi",
        first_name="Alessandro",
        last_name="Bianchi",
        codice_fiscale="BNCLSN80A01F205T",
        pec=None,
        email="alessandro.bianchi@posta-demo.it",
        street="Corso Vittorio Emanuele II 52",
        postal_code="10123",
        city="Torino",
        province="TO",
    )

    owner = add_user(
        session, tenant,
        customer_id=company.id,
        username="10093",
        role=UserRole.CUSTOMER,
        first_name="Laura",
        last_name="Conti",
        language=Language.IT,
        primary_email=company.pec,
        secondary_email="laura.conti@valverde-demo.it",
    )
    fleet_manager = add_user(
        session, tenant,
        customer_id=company.id,
        parent_id=owner.id,
        username="10093.1",
        role=UserRole.SUB_USER,
        first_name="Marco",
        last_name="Ferri",
        language=Language.IT,
        primary_email="marco.ferri@valverde-demo.it",
        all_contracts=False,  # he looks after the vehicles only
    )
    private_user = add_user(
        session, tenant,
        customer_id=person.id,
        username="20417",
        role=UserRole.CUSTOMER,
        first_name="Alessandro",
        last_name="Bianchi",
        language=Language.EN,
        primary_email=person.email,
    )
    operator = add_user(
        session, tenant,
        customer_id=None,
        username="servicedesk",
        role=UserRole.OPERATOR,
        first_name="Chiara",
        last_name="Lombardi",
        language=Language.IT,
        primary_email=tenant.support_email,
    )

    common = dict(tenant_id=tenant.id, beneficiary_code="F00412", beneficiary_name="Dental Forniture Toscane S.r.l.")
    old_lease = open_contract(
        session=session,
        draft=ContractDraft(
            **common,
            customer_id=company.id,
            number="71204",
            module_number="2",
            product="Leasing strumentale",
            amount=D("38500.00"),
            advance=D("3850.00"),
            residual_value=D("385.00"),
            instalment_count=60,
            periodicity_months=1,
            signed_on=dt.date(2016, 5, 20),
            first_due_date=dt.date(2016, 6, 1),
            fixed_annual_rate=D("0.0435"),
            subsidy="Nessuna agevolazione",
            direct_debit_iban="IT60X0542811101000000123456",
        ),
        series=None,
        as_of=as_of,
    )
    add_assets(session, old_lease, [
        AssetSpec("118402", "Beni mobili in leasing", "RIUNITO ODONTOIATRICO CON LAMPADA OPERATORIA LED",
                  D("38500.00"), D("385.00"), serial_number="RO-2016-55821"),
    ])

    dental = open_contract(
        session=session,
        draft=ContractDraft(
            **common,
            customer_id=company.id,
            number="84963",
            module_number="1",
            product="Leasing strumentale",
            amount=D("25150.00"),
            advance=D("2515.00"),
            residual_value=D("251.50"),
            instalment_count=84,
            periodicity_months=1,
            signed_on=dt.date(2022, 3, 10),
            first_due_date=dt.date(2022, 4, 1),
            fixed_annual_rate=D("0.0510"),
            subsidy="Nuova Sabatini (contributo MISE)",
            direct_debit_iban="IT60X0542811101000000123456",
        ),
        series=None,
        as_of=as_of,
    )
    add_assets(session, dental, [
        AssetSpec("166029", "Beni mobili in leasing", "POLTRONA PER TRATTAMENTI TEST PLUS CON ACCESSORI",
                  D("1500.00"), D("15.00"), serial_number="PT-88120"),
        AssetSpec("166030", "Beni mobili in leasing", "PANORAMICO PAX I 2D COMFORT EXTRA",
                  D("11500.00"), D("115.00"), serial_number="PX2D-30417"),
        AssetSpec("166031", "Beni mobili in leasing", "MOBILI STERILIZZAZIONE",
                  D("2850.00"), D("28.50")),
        AssetSpec("166032", "Beni mobili in leasing", "COMPOSIZIONE MOBILI STUDIO 2",
                  D("3800.00"), D("38.00")),
        AssetSpec("166033", "Beni mobili in leasing", "COMPOSIZIONE MOBILI STUDIO 1",
                  D("5500.00"), D("55.00")),
    ])

    van = open_contract(
        session=session,
        draft=ContractDraft(
            tenant_id=tenant.id,
            customer_id=company.id,
            number="90317",
            module_number="3",
            product="Leasing targato",
            amount=D("48900.00"),
            advance=D("4890.00"),
            residual_value=D("489.00"),
            instalment_count=59,
            periodicity_months=1,
            signed_on=dt.date(2022, 6, 15),
            first_due_date=dt.date(2022, 7, 1),
            reference_rate=EURIBOR_3M,
            spread=D("0.0275"),
            subsidy="Nessuna agevolazione",
            beneficiary_code="F00977",
            beneficiary_name="Autoveicoli Commerciali Arno S.p.A.",
            direct_debit_iban="IT60X0542811101000000123456",
        ),
        series=euribor,
        as_of=as_of,
    )
    add_assets(session, van, [
        AssetSpec("171550", "Auto leasing finanziario", "AUTOCARRO FURGONATO 3,5 T PASSO LUNGO - AMBULATORIO MOBILE",
                  D("48900.00"), D("489.00"), serial_number="ZCFC35A0005471182", plate="GH482LK"),
    ])

    car = open_contract(
        session=session,
        draft=ContractDraft(
            tenant_id=tenant.id,
            customer_id=company.id,
            number="97702",
            module_number="1",
            product="Leasing targato",
            amount=D("36000.00"),
            advance=D("3600.00"),
            residual_value=D("7200.00"),
            instalment_count=48,
            periodicity_months=1,
            signed_on=dt.date(2025, 2, 14),
            first_due_date=dt.date(2025, 3, 1),
            fixed_annual_rate=D("0.0490"),
            subsidy="Nessuna agevolazione",
            beneficiary_code="F01203",
            beneficiary_name="Concessionaria Colli Fiorentini S.r.l.",
            direct_debit_iban="IT60X0542811101000000123456",
        ),
        series=None,
        as_of=as_of,
    )
    add_assets(session, car, [
        AssetSpec("183004", "Auto leasing finanziario", "AUTOVETTURA IBRIDA BERLINA 5 PORTE",
                  D("36000.00"), D("7200.00"), serial_number="WF0FXXWPCFRA12345", plate="GR215TZ"),
    ])

    private_car = open_contract(
        session=session,
        draft=ContractDraft(
            tenant_id=tenant.id,
            customer_id=person.id,
            number="88120",
            module_number="1",
            product="Leasing targato",
            amount=D("24000.00"),
            advance=D("2400.00"),
            residual_value=D("4800.00"),
            instalment_count=48,
            periodicity_months=1,
            signed_on=dt.date(2023, 9, 1),
            first_due_date=dt.date(2023, 10, 1),
            fixed_annual_rate=D("0.0590"),
            subsidy="Nessuna agevolazione",
            beneficiary_code="F00861",
            beneficiary_name="Auto Sabauda S.r.l.",
            direct_debit_iban="IT02L1234512345123456789012",
        ),
        series=None,
        as_of=as_of,
    )
    add_assets(session, private_car, [
        AssetSpec("177431", "Auto leasing finanziario", "AUTOVETTURA UTILITARIA 5 PORTE BENZINA",
                  D("24000.00"), D("4800.00"), serial_number="ZFA31200000987654", plate="GE731AB"),
    ])
    session.add_all(SubUserContract(user_id=fleet_manager.id, contract_id=contract.id) for contract in (van, car))
    _seed_customers_without_access(session, tenant, as_of)
    workshop = _seed_long_standing_customer(session, tenant, as_of)
    session.flush()

    # An investigation fee billed at signing and then waived: the demo's credit note.
    fee_day = old_lease.signed_on
    billing.issue_pending_documents(session=session, tenant_id=tenant.id, as_of=fee_day)
    fee = billing.issue_invoice(
        session=session,
        contract=old_lease,
        numbering=billing.InvoiceNumbering(session, tenant.id),
        issue_date=fee_day,
        due_date=dt.date(2016, 6, 20),
        description=f"Spese di istruttoria pratica contratto {old_lease.number}",
        taxable=D("250.00"),
        payment_method=PaymentMethod.BANK_TRANSFER,
    )
    waiver_day = dt.date(2016, 6, 15)
    billing.issue_pending_documents(session=session, tenant_id=tenant.id, as_of=waiver_day - dt.timedelta(days=1))
    billing.issue_credit_note(
        session=session,
        contract=old_lease,
        corrected=fee,
        numbering=billing.InvoiceNumbering(session, tenant.id),
        issue_date=waiver_day,
        reason="Spese di istruttoria non dovute",
    )
    billing.issue_pending_documents(session=session, tenant_id=tenant.id, as_of=as_of)
    session.flush()

    overdue_line = latest_instalment_before(session, van, as_of)
    collect_payments(
        session=session,
        customer_ids=[company.id, person.id, workshop.id, *_customers_without_access(session, tenant)],
        as_of=as_of,
        unpaid_line_ids={overdue_line.id} if overdue_line else set(),
    )
    session.flush()
    close_finished_contracts(session=session, as_of=as_of)
    # The company's newest document is announced as the billing job would; the rest is history.
    latest = session.exec(
        select(Invoice).where(Invoice.customer_id == company.id).order_by(Invoice.issue_date.desc(), Invoice.id.desc())
    ).first()
    mark_history_notified(session, keep=latest)
    publish(session=session, invoice=latest, now=_moment(latest.issue_date, 8, 5), public_url=settings.public_url)

    _seed_requests(session, tenant=tenant, owner=owner, operator=operator, dental=dental, van=van, as_of=as_of)
    _seed_requests_for_person(session, user=private_user, customer=person, as_of=as_of)
    session.add(
        Notification(
            tenant_id=tenant.id,
            kind=NotificationKind.BROADCAST,
            title="Rendiconti annuali disponibili nell'area Documenti dei contratti",
            body="I rendiconti annuali ai fini della trasparenza sono ora consultabili in ogni contratto.",
            created_at=_moment(as_of - dt.timedelta(days=12), 10),
        )
    )
    session.flush()
    return {"customers": 4, "users": 4, "contracts": 7}


WITHOUT_ACCESS = ("30882", "41250")


def mark_history_notified(session: Session, keep: Invoice | None = None) -> None:
    """Documents of the past were announced when they were published: no notice goes out again."""
    for invoice in session.exec(select(Invoice).where(Invoice.notified_at.is_(None))).all():
        if invoice is not keep:
            invoice.notified_at = invoice.published_at
            session.add(invoice)


def _seed_long_standing_customer(session: Session, tenant: Tenant, as_of: dt.date) -> Customer:
    """A customer since 2008: its invoice history goes back to the first one."""
    workshop = add_customer(
        session, tenant,
        code="12006",
        kind=CustomerKind.COMPANY,
        denominazione="Officine Meccaniche Ferraresi S.r.l.",
        codice_fiscale="01987654322",
        partita_iva="01987654322",
        pec="officine.ferraresi@pec.ferraresi-demo.it",
        street="Via Bologna 311",
        postal_code="44122",
        city="Ferrara",
        province="FE",
        sdi_code="T04ZHR3",
    )
    add_user(
        session, tenant,
        customer_id=workshop.id,
        username="12006",
        role=UserRole.CUSTOMER,
        first_name="Paolo",
        last_name="Ferraresi",
        language=Language.IT,
        primary_email=workshop.pec,
    )
    drafts = (
        ("40518", "1", D("86000.00"), D("8600.00"), D("860.00"), 60, dt.date(2008, 3, 18), dt.date(2008, 4, 1), D("0.0585"),
         "CENTRO DI LAVORO VERTICALE A CONTROLLO NUMERICO", "164020"),
        ("81277", "2", D("54000.00"), D("5400.00"), D("540.00"), 72, dt.date(2021, 9, 6), dt.date(2021, 10, 1), D("0.0395"),
         "TORNIO CNC A BANCALE INCLINATO", "178815"),
    )
    for number, module, amount, advance, residual, count, signed, first_due, rate, description, code in drafts:
        contract = open_contract(
            session=session,
            draft=ContractDraft(
                tenant_id=tenant.id, customer_id=workshop.id, number=number, module_number=module,
                product="Leasing strumentale", amount=amount, advance=advance, residual_value=residual,
                instalment_count=count, periodicity_months=1, signed_on=signed, first_due_date=first_due,
                fixed_annual_rate=rate, subsidy="Nessuna agevolazione", beneficiary_code="F00210",
                beneficiary_name="Macchine Utensili Estensi S.p.A.", direct_debit_iban="IT17X0605502100000001234567",
            ),
            series=None,
            as_of=as_of,
        )
        add_assets(session, contract, [AssetSpec(code, "Beni mobili in leasing", description, amount, residual)])
    return workshop


def _customers_without_access(session: Session, tenant: Tenant) -> list[int]:
    return list(session.exec(select(Customer.id).where(Customer.tenant_id == tenant.id, Customer.code.in_(WITHOUT_ACCESS))).all())


def _seed_customers_without_access(session: Session, tenant: Tenant, as_of: dt.date) -> None:
    """Two customers with no portal account yet: one to register by itself, one for the
    service desk to invite."""
    studio = add_customer(
        session, tenant,
        code="30882",
        kind=CustomerKind.COMPANY,
        denominazione="Studio Tecnico Mariani Associati S.r.l.",
        codice_fiscale="05527480155",
        partita_iva="05527480155",
        pec="studio.mariani@pec.mariani-demo.it",
        street="Viale Piave 31",
        postal_code="20129",
        city="Milano",
        province="MI",
    )
    bakery = add_customer(
        session, tenant,
        code="41250",
        kind=CustomerKind.COMPANY,
        denominazione="Panificio Gallo S.n.c.",
        codice_fiscale="03742190238",
        partita_iva="03742190238",
        pec="panificio.gallo@pec.gallo-demo.it",
        street="Via Roma 7",
        postal_code="37121",
        city="Verona",
        province="VR",
    )
    plotter = open_contract(
        session=session,
        draft=ContractDraft(
            tenant_id=tenant.id, customer_id=studio.id, number="93015", module_number="2",
            product="Leasing strumentale", amount=D("14800.00"), advance=D("1480.00"), residual_value=D("148.00"),
            instalment_count=36, periodicity_months=1, signed_on=dt.date(2024, 9, 12), first_due_date=dt.date(2024, 10, 1),
            fixed_annual_rate=D("0.0575"), subsidy="Nessuna agevolazione", beneficiary_code="F01877",
            beneficiary_name="Sistemi Grafici Lombardi S.r.l.", direct_debit_iban="IT60X0542811101000000654321",
        ),
        series=None,
        as_of=as_of,
    )
    add_assets(session, plotter, [
        AssetSpec("185220", "Beni mobili in leasing", "PLOTTER A0 MULTIFUNZIONE CON SCANNER", D("14800.00"), D("148.00"),
                  serial_number="PLT-A0-77123"),
    ])
    oven = open_contract(
        session=session,
        draft=ContractDraft(
            tenant_id=tenant.id, customer_id=bakery.id, number="95540", module_number="1",
            product="Leasing strumentale", amount=D("42000.00"), advance=D("4200.00"), residual_value=D("420.00"),
            instalment_count=60, periodicity_months=1, signed_on=dt.date(2025, 5, 6), first_due_date=dt.date(2025, 6, 1),
            fixed_annual_rate=D("0.0540"), subsidy="Nessuna agevolazione", beneficiary_code="F02301",
            beneficiary_name="Forni Professionali Veneti S.r.l.", direct_debit_iban="IT60X0542811101000000777888",
        ),
        series=None,
        as_of=as_of,
    )
    add_assets(session, oven, [
        AssetSpec("187410", "Beni mobili in leasing", "FORNO A TUNNEL ELETTRICO CON CELLA DI LIEVITAZIONE", D("42000.00"),
                  D("420.00"), serial_number="FT-2025-0412"),
    ])


def _form_payload(session: Session, *, user: UserAccount, form_key: str, values: dict[str, str], today: dt.date) -> dict:
    """What the form engine would have stored for these answers, so seeded requests read like real ones."""
    ctx = context_for(session=session, user=user, scope=scope_of(session=session, user=user), lang=user.language.value,
                      today=today, values=values)
    return payload_of(get_form(form_key), values, ctx)


def _seed_requests(
    session: Session,
    *,
    tenant: Tenant,
    owner: UserAccount,
    operator: UserAccount,
    dental: Contract,
    van: Contract,
    as_of: dt.date,
) -> None:
    moved = requests.open_request(
        session=session,
        author=owner,
        customer_id=owner.customer_id,
        form_key="address_change",
        title="Variazione indirizzo",
        message="Dal 1° del mese prossimo la sede legale si trasferisce in Via Lorenzo il Magnifico 18, Firenze.",
        now=_moment(as_of - dt.timedelta(days=160), 11, 20),
        payload=_form_payload(session, user=owner, form_key="address_change", today=as_of - dt.timedelta(days=160), values={
            "start_date": (as_of - dt.timedelta(days=130)).isoformat(), "new_address": "Via Lorenzo il Magnifico 18, 50129 Firenze FI",
            "message": "Dal 1° del mese prossimo la sede legale si trasferisce in Via Lorenzo il Magnifico 18, Firenze.",
        }),
    )
    requests.add_message(
        session=session, request=moved, author=operator,
        body="Gentile cliente, abbiamo aggiornato l'indirizzo in anagrafica. Cordiali saluti.",
        now=_moment(as_of - dt.timedelta(days=158), 15, 5),
    )
    requests.change_status(
        session=session, request=moved, author=operator, status=RequestStatus.RESOLVED,
        now=_moment(as_of - dt.timedelta(days=158), 15, 6),
    )

    copy = requests.open_request(
        session=session,
        author=owner,
        customer_id=owner.customer_id,
        form_key="other",
        title="Copia del contratto e delle condizioni",
        message="Potete inviarci copia del contratto 84963 firmato e delle condizioni generali?",
        now=_moment(as_of - dt.timedelta(days=9), 9, 40),
        contract_id=dental.id,
        payload=_form_payload(session, user=owner, form_key="other", today=as_of - dt.timedelta(days=9), values={
            "request_type": "contract_copy",
            "message": "Potete inviarci copia del contratto 84963 firmato e delle condizioni generali?",
        }),
    )
    requests.change_status(
        session=session, request=copy, author=operator, status=RequestStatus.IN_PROGRESS,
        now=_moment(as_of - dt.timedelta(days=8), 10, 15),
    )
    requests.add_message(
        session=session, request=copy, author=operator,
        body="Abbiamo richiesto la copia all'archivio: la riceverà entro cinque giorni lavorativi.",
        now=_moment(as_of - dt.timedelta(days=8), 10, 16),
    )
    session.add(
        Notification(
            tenant_id=tenant.id,
            kind=NotificationKind.REQUEST,
            user_id=owner.id,
            request_id=copy.id,
            title=copy.title,
            body="Abbiamo richiesto la copia all'archivio.",
            created_at=_moment(as_of - dt.timedelta(days=8), 10, 16),
        )
    )

    requests.open_request(
        session=session,
        author=owner,
        customer_id=owner.customer_id,
        form_key="iban_change",
        title="Modifica banca appoggio / IBAN",
        message="Vi chiediamo di addebitare i canoni del contratto 90317 sul nuovo conto.",
        now=_moment(as_of - dt.timedelta(days=2), 16, 30),
        contract_id=van.id,
        payload=_form_payload(session, user=owner, form_key="iban_change", today=as_of - dt.timedelta(days=2), values={
            "contract": van.number, "new_iban": "IT40S0542811101000000123456", "foreign_iban": "",
            "start_date": (as_of + dt.timedelta(days=28)).isoformat(),
            "message": "Vi chiediamo di addebitare i canoni del contratto 90317 sul nuovo conto.",
        }),
    )


def _seed_requests_for_person(session: Session, *, user: UserAccount, customer: Customer, as_of: dt.date) -> None:
    requests.open_request(
        session=session,
        author=user,
        customer_id=customer.id,
        form_key="other",
        title="Informazioni sul riscatto",
        message="Vorrei sapere come esercitare il riscatto alla scadenza del contratto.",
        now=_moment(as_of - dt.timedelta(days=20), 18, 2),
        payload=_form_payload(session, user=user, form_key="other", today=as_of - dt.timedelta(days=20), values={
            "request_type": "other", "message": "Vorrei sapere come esercitare il riscatto alla scadenza del contratto.",
        }),
    )
