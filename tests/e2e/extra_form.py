"""A form that exists only in the browser tests: it proves a new form needs only its definition.

The test app imports it through PORTAL_EXTRA_FORMS=tests.e2e.extra_form; its texts come with it.
"""

import datetime as dt

from portal.services.requests.form_engine import Choice, Field, FieldType, FormContext, FormDefinition


def not_in_the_future(value: str, ctx: FormContext):
    return "forms.date_future" if dt.date.fromisoformat(value) > ctx.today else None


FORM = FormDefinition(
    key="vehicle_damage",
    icon="car",
    fields=(
        Field(key="contract", type=FieldType.CONTRACT, label="form.vehicle_damage.contract", required=True),
        Field(
            key="event_date",
            type=FieldType.DATE,
            label="form.vehicle_damage.event_date",
            required=True,
            validators=(not_in_the_future,),
        ),
        Field(key="place", type=FieldType.TEXT, label="form.vehicle_damage.place", required=True, max_length=120),
        Field(
            key="other_party",
            type=FieldType.CHOICE,
            label="form.vehicle_damage.other_party",
            required=True,
            choices=tuple(
                Choice(value=code, label=f"form.vehicle_damage.other_party.{code}") for code in ("none", "one", "more")
            ),
        ),
        Field(
            key="account", type=FieldType.TEXTAREA, label="form.vehicle_damage.account", required=True, max_length=1000
        ),
    ),
    contract_field="contract",
    message_field="account",
    has_subject=True,
    on_home=False,
    messages={
        "it": {
            "form.vehicle_damage.title": "Denuncia di sinistro",
            "form.vehicle_damage.description": "Segnala un sinistro su un veicolo in leasing.",
            "form.vehicle_damage.subject": "{place}",
            "form.vehicle_damage.contract": "Contratto del veicolo",
            "form.vehicle_damage.event_date": "Data del sinistro",
            "form.vehicle_damage.place": "Luogo",
            "form.vehicle_damage.other_party": "Altri veicoli coinvolti",
            "form.vehicle_damage.other_party.none": "Nessuno",
            "form.vehicle_damage.other_party.one": "Uno",
            "form.vehicle_damage.other_party.more": "Più di uno",
            "form.vehicle_damage.account": "Dinamica",
        },
        "en": {
            "form.vehicle_damage.title": "Accident report",
            "form.vehicle_damage.description": "Report an accident involving a leased vehicle.",
            "form.vehicle_damage.subject": "{place}",
            "form.vehicle_damage.contract": "Vehicle's contract",
            "form.vehicle_damage.event_date": "Date of the accident",
            "form.vehicle_damage.place": "Place",
            "form.vehicle_damage.other_party": "Other vehicles involved",
            "form.vehicle_damage.other_party.none": "None",
            "form.vehicle_damage.other_party.one": "One",
            "form.vehicle_damage.other_party.more": "More than one",
            "form.vehicle_damage.account": "What happened",
        },
    },
)
