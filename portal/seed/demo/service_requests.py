"""The demo's service requests, written through the form engine so they read like real ones: the
company's resolved one, one in progress with an answer, one just sent, and the private customer's."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from portal.forms import get as get_form
from portal.models import Contract, ServiceRequest, Tenant, UserAccount
from portal.models.enums import RequestStatus
from portal.seed.builders import moment
from portal.seed.demo.customers import SERVICE_DESK
from portal.services.access.scope import scope_of
from portal.services.requests import notices, tickets
from portal.services.requests.form_engine import context_for
from portal.services.requests.form_payload import payload_of


@dataclasses.dataclass(frozen=True)
class At:
    """A moment `days` after the data set's day (before it when negative), at hour:minute UTC."""

    days: int
    hour: int
    minute: int

    def on(self, as_of: dt.date) -> dt.datetime:
        return moment(as_of + dt.timedelta(days=self.days), self.hour, self.minute)


@dataclasses.dataclass(frozen=True)
class Day:
    """A date answered in a form, `days` after the data set's day."""

    days: int

    def on(self, as_of: dt.date) -> str:
        return (as_of + dt.timedelta(days=self.days)).isoformat()


@dataclasses.dataclass(frozen=True)
class Reply:
    at: At
    body: str
    notice: str | None = None  # what the author's portal notice about the reply says, if any


@dataclasses.dataclass(frozen=True)
class NewStatus:
    at: At
    status: RequestStatus


@dataclasses.dataclass(frozen=True)
class RequestSpec:
    author: str  # a username: the request is its customer's
    form_key: str
    title: str
    message: str  # also the form's message field
    opened: At
    answers: Mapping[str, str | Day]  # the form's other fields
    contract: str | None = None
    desk: tuple[Reply | NewStatus, ...] = ()  # what the service desk did next, in order


# Tables read best one row to a few lines: the formatter would spread every field over a line.
# fmt: off
REQUESTS = (
    RequestSpec(
        "10093", "address_change", "Variazione indirizzo", opened=At(-160, 11, 20),
        message="Dal 1° del mese prossimo la sede legale si trasferisce in Via Lorenzo il Magnifico 18, Firenze.",
        answers={"start_date": Day(-130), "new_address": "Via Lorenzo il Magnifico 18, 50129 Firenze FI"},
        desk=(
            Reply(At(-158, 15, 5), "Gentile cliente, abbiamo aggiornato l'indirizzo in anagrafica. Cordiali saluti."),
            NewStatus(At(-158, 15, 6), RequestStatus.RESOLVED),
        ),
    ),
    RequestSpec(
        "10093", "other", "Copia del contratto e delle condizioni", opened=At(-9, 9, 40), contract="84963",
        message="Potete inviarci copia del contratto 84963 firmato e delle condizioni generali?",
        answers={"request_type": "contract_copy"},
        desk=(
            NewStatus(At(-8, 10, 15), RequestStatus.IN_PROGRESS),
            Reply(At(-8, 10, 16),
                  "Abbiamo richiesto la copia all'archivio: la riceverà entro cinque giorni lavorativi.",
                  notice="Abbiamo richiesto la copia all'archivio."),
        ),
    ),
    RequestSpec(
        "10093", "iban_change", "Modifica banca appoggio / IBAN", opened=At(-2, 16, 30), contract="90317",
        message="Vi chiediamo di addebitare i canoni del contratto 90317 sul nuovo conto.",
        answers={"contract": "90317", "new_iban": "IT40S0542811101000000123456", "foreign_iban": "",
                 "start_date": Day(28)},
    ),
    RequestSpec(
        "20417", "other", "Informazioni sul riscatto", opened=At(-20, 18, 2),
        message="Vorrei sapere come esercitare il riscatto alla scadenza del contratto.",
        answers={"request_type": "other"},
    ),
)
# fmt: on


def open_requests(
    session: Session,
    *,
    tenant: Tenant,
    users: Mapping[str, UserAccount],
    contracts: Mapping[str, Contract],
    as_of: dt.date,
) -> None:
    desk = users[SERVICE_DESK]
    for spec in REQUESTS:
        author = users[spec.author]
        request = _open_request(session, spec, author=author, contracts=contracts, as_of=as_of)
        for step in spec.desk:
            now = step.at.on(as_of)
            if isinstance(step, NewStatus):
                tickets.change_status(session=session, request=request, author=desk, status=step.status, now=now)
                continue
            tickets.add_message(session=session, request=request, author=desk, body=step.body, now=now)
            if step.notice is not None:
                session.add(notices.request_notice(request, user_id=author.id, body=step.notice, now=now))


def _open_request(
    session: Session, spec: RequestSpec, *, author: UserAccount, contracts: Mapping[str, Contract], as_of: dt.date
) -> ServiceRequest:
    if author.customer_id is None:
        raise ValueError(f"{author.username} has no customer to write a request for")
    opened = spec.opened.on(as_of)
    answers = {name: value.on(as_of) if isinstance(value, Day) else value for name, value in spec.answers.items()}
    return tickets.open_request(
        session=session,
        author=author,
        customer_id=author.customer_id,
        form_key=spec.form_key,
        title=spec.title,
        message=spec.message,
        now=opened,
        contract_id=None if spec.contract is None else contracts[spec.contract].id,
        payload=_form_payload(
            session,
            user=author,
            form_key=spec.form_key,
            today=opened.date(),
            values={**answers, "message": spec.message},
        ),
    )


def _form_payload(
    session: Session, *, user: UserAccount, form_key: str, values: dict[str, str], today: dt.date
) -> dict[str, Any]:
    """What the form engine would have stored for these answers."""
    scope = scope_of(session=session, user=user)
    definition = get_form(form_key)
    if scope is None or definition is None:
        raise LookupError(f"{user.username} cannot fill in the form {form_key!r}")
    ctx = context_for(session=session, user=user, scope=scope, lang=user.language.value, today=today, values=values)
    return payload_of(definition, values, ctx)
