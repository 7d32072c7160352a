"""A form that exists only in the browser tests: it proves a new form needs only its definition.

The test app imports it through PORTAL_EXTRA_FORMS=tests.e2e.extra_form.
"""

from portal.services.forms import Choice, Field, FormContext, FormDefinition


def not_in_the_future(value: str, ctx: FormContext):
    import datetime as dt

    return "forms.date_future" if dt.date.fromisoformat(value) > ctx.today else None


FORM = FormDefinition(
    key="vehicle_damage",
    title_it="Denuncia di sinistro",
    title_en="Accident report",
    description_it="Segnala un sinistro su un veicolo in leasing.",
    description_en="Report an accident involving a leased vehicle.",
    icon="car",
    fields=(
        Field("contract", "contract", "Contratto del veicolo", "Vehicle's contract", required=True, active_contracts_only=True),
        Field("event_date", "date", "Data del sinistro", "Date of the accident", required=True, validators=(not_in_the_future,)),
        Field("place", "text", "Luogo", "Place", required=True, max_length=120),
        Field("other_party", "choice", "Altri veicoli coinvolti", "Other vehicles involved", required=True,
              choices=(Choice("none", "Nessuno", "None"), Choice("one", "Uno", "One"), Choice("more", "Più di uno", "More than one"))),
        Field("account", "textarea", "Dinamica", "What happened", required=True, max_length=1000),
    ),
    contract_field="contract",
    message_field="account",
    subject=lambda values: values.get("place", ""),
    on_home=False,
)
