"""The IDOR sweep's table: for every event handler of the app, the attempts an attacker makes with
the victim's ids (payload, the page the tab claims to be on and its query string). The handlers are
read from the app; one missing here fails the suite (test_every_handler_has_a_sweep_entry), so a new
handler must say what it takes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import reflex as rx

import portal.portal  # noqa: F401  (registers every page and its states)
from portal.state.marks import GUARD_MARK
from tests.security.victims import Victim


@dataclasses.dataclass(frozen=True)
class Attempt:
    payload: dict[str, Any]
    path: str = "/"
    query: dict[str, str] = dataclasses.field(default_factory=dict)
    # Events sent first on the same tab (handler name of the same state, payload): a dialog opened,
    # a field set, so that the attempt reaches the code that writes.
    before: tuple[tuple[str, dict[str, Any]], ...] = ()


Attempts = Callable[[Victim], list[Attempt]]


def portal_states(cls: type[rx.State] = rx.State) -> Iterator[type[rx.State]]:
    for sub in cls.get_substates():
        if sub.__module__.startswith("portal."):
            yield sub
        yield from portal_states(sub)


def portal_handlers() -> Iterator[tuple[type[rx.State], str, Any]]:
    """Every handler the portal defines, as tests/state/test_guard.py walks them."""
    for state in portal_states():
        for name, handler in state.event_handlers.items():
            if handler.fn is not None and getattr(handler.fn, "__module__", "").startswith("portal."):
                yield state, name, handler.fn


def audience_of(state: type[rx.State], fn: Any) -> str:
    mark = getattr(fn, GUARD_MARK, "")
    if mark.startswith("class:"):
        return getattr(state, mark.removeprefix("class:")).name
    if mark.startswith("via:"):
        helper = getattr(state, mark.removeprefix("via:"))
        return audience_of(state, helper)
    return mark


def _form(**values: str) -> dict[str, Any]:
    return {"form_data": values}


def _none(path: str) -> Attempts:
    """A handler that takes nothing: sent on its page."""
    return lambda v: [Attempt({}, path)]


def _paged(path: str, query: str = "") -> Attempts:
    """Pager buttons: sent after the page was loaded with the victim's id in its address."""
    return lambda v: [Attempt({}, path, {query: v.contract_number} if query else {})]


def _contract_page(path: str) -> Attempts:
    """A page whose address names a contract (?numero=): every one of the victim's."""
    return lambda v: [Attempt({}, path, {"numero": number}) for number in v.contract_numbers]


def _request_page(path: str) -> Attempts:
    return lambda v: [Attempt({}, path, {"codice": code}) for code in v.request_codes]


def _export_of(path: str, query: str = "numero") -> Attempts:
    """An export: the page is first loaded with the victim's contract in its address."""
    return lambda v: [Attempt({}, path, {query: number}, before=(("load", {}),)) for number in v.contract_numbers]


def _notices(v: Victim) -> list[Attempt]:
    return [Attempt({"notification_id": str(n)}, "/notifiche") for n in v.notification_ids] + [
        Attempt({"notification_id": n}, "/notifiche") for n in v.notification_ids
    ]


def _sub_user_ids(path: str = "/profilo") -> Attempts:
    return lambda v: [Attempt({"user_id": str(user_id)}, path) for user_id in v.user_ids]


def _delete_sub_user(v: Victim) -> list[Attempt]:
    # The dialog asks about one of B's users, then the confirmation comes.
    return [
        Attempt({}, "/profilo", before=(("load", {}), ("ask_delete_sub_user", {"user_id": str(user_id)})))
        for user_id in v.user_ids
    ]


def _grant_contract(v: Victim) -> list[Attempt]:
    """A new sub-user of A's, granted B's contracts: nothing of B's may be granted."""
    form = {
        "first_name": "Intruso",
        "last_name": "Sweep",
        "primary_email": "intruso@sweep.example",
        "secondary_email": "",
    }
    before: tuple[tuple[str, dict[str, Any]], ...] = (("load", {}), ("open_new_sub_user", {}))
    for contract_id in v.contract_ids:
        before += (("toggle_draft_contract", {"contract_id": str(contract_id), "checked": True}),)
    return [Attempt(_form(**form), "/profilo", before=before)]


def _toggle(v: Victim) -> list[Attempt]:
    return [
        Attempt({"contract_id": str(contract_id), "checked": True}, "/profilo", before=(("open_new_sub_user", {}),))
        for contract_id in v.contract_ids
    ]


def _form_field(path: str, form_key: str) -> Attempts:
    """The form engine's fields given B's contract and asset (by number, id and code)."""

    def attempts(v: Victim) -> list[Attempt]:
        query = {"modulo": form_key}
        values = [*v.contract_numbers, *map(str, v.contract_ids), *map(str, v.asset_ids)]
        return [
            Attempt({"key": key, "value": value}, path, query) for key in ("contract", "machine") for value in values
        ]

    return attempts


def _submit_form(path: str, handler: str) -> Attempts:
    """A request opened with B's contract or machine chosen: no request may name them."""

    def attempts(v: Victim) -> list[Attempt]:
        found = []
        for form_key, field in (("early_termination", "contract"), ("machine_ticket", "machine")):
            values = v.contract_numbers if field == "contract" else tuple(map(str, v.asset_ids))
            for value in values:
                found.append(
                    Attempt(
                        _form(),
                        path,
                        {"modulo": form_key, f"f_{field}": value},
                        before=(("load", {}), ("set_field", {"key": field, "value": value})),
                    )
                )
        return found

    return attempts


def _reply(path: str) -> Attempts:
    return lambda v: [
        Attempt(_form(body="sweep: a reply to someone else's request", status="closed"), path, {"codice": code})
        for code in v.request_codes
    ]


def _files(path: str) -> Attempts:
    """Upload handlers receive files from /_upload (tests/security/test_upload_attacks.py); over the
    websocket an attacker can only send a list."""
    return lambda v: [Attempt({"uploads": []}, path)]


def _index(path: str) -> Attempts:
    return lambda v: [Attempt({"index": index}, path) for index in (0, -1, 99)]


def _value(path: str, *values: str) -> Attempts:
    return lambda v: [Attempt({"value": value}, path) for value in values]


def _contract_value(path: str) -> Attempts:
    return lambda v: [Attempt({"value": number}, path) for number in v.contract_numbers]


def _contract_search(path: str) -> Attempts:
    """The victim's contract numbers typed into the search, hoping they come back as choices."""
    return lambda v: [Attempt({"text": number}, path) for number in v.contract_numbers]


def _public_account(
    path: str, build: Callable[[Victim], dict[str, str]], query: dict[str, str] | None = None
) -> Attempts:
    """An anonymous flow about an account: sent with B's data; it may mail B, never hand B over."""
    return lambda v: [Attempt(_form(**build(v)), path, query or {})]


def _complaint_page(path: str) -> Attempts:
    return lambda v: [Attempt({}, path, {"codice": code}) for code in v.complaint_codes]


def _complaint_files(path: str) -> Attempts:
    """B's complaint files (and guessed ids), asked for from a complaint page of the attacker's."""
    return lambda v: [
        Attempt({"attachment_id": wanted}, path, {"codice": v.complaint_codes[0] if v.complaint_codes else ""})
        for wanted in (*v.complaint_attachment_ids, 1, 2, "x")
    ]


def _complaint_answer(v: Victim) -> list[Attempt]:
    """A customer asking to answer B's complaint: the desk's handlers refuse customers."""
    path = "/operatore/reclami/dettaglio"
    return [
        Attempt(_form(answer="sweep: an answer to someone else's complaint", outcome="accepted"), path, {"codice": c})
        for c in v.complaint_codes
    ]


def _complaint_filed_on(v: Victim) -> list[Attempt]:
    """A complaint filed about B's contracts: none may name them."""
    return [
        Attempt(_form(subject="sweep", contract=number, body="sweep: a complaint about B's contract"), "/reclami/nuovo")
        for number in v.contract_numbers
    ]


SWEEP: dict[str, Attempts] = {
    # shared states
    "I18nState.choose_language": lambda v: [Attempt({"lang": lang}, "/") for lang in ("en", "it", "xx")],
    "SessionState.logout": _none("/"),  # swept last: it ends the attacker's session
    "NotificationState.refresh": _none("/"),
    "NotificationState.popover_toggled": lambda v: [Attempt({"is_open": True}, "/")],
    "NotificationState.open_notice": _notices,
    "NotificationState.read_all": _none("/"),
    "NotificationsPageState.load": _none("/notifiche"),
    "NotificationsPageState.mark": _notices,
    "NotificationsPageState.mark_everything": _none("/notifiche"),
    "NotificationsPageState.next_page": _paged("/notifiche"),
    "NotificationsPageState.previous_page": _paged("/notifiche"),
    # public pages: anonymous flows about an account
    "LoginState.load": lambda v: [Attempt({}, "/login", {"next": "/richieste/dettaglio?codice=" + v.request_code})],
    "LoginState.submit": _public_account("/login", lambda v: {"username": v.code, "password": ""}),
    "LoginState.verify_code": _public_account("/login", lambda v: {"code": "000000"}),
    "LoginState.resend_code": _none("/login"),
    "LoginState.choose_password": _public_account(
        "/login", lambda v: {"new_password": "Sweep-Takeover-2026!", "confirm_password": "Sweep-Takeover-2026!"}
    ),
    "LoginState.back_to_credentials": _none("/login"),
    "ForgotPasswordState.load": _none("/password-dimenticata"),
    "ForgotPasswordState.submit": _public_account("/password-dimenticata", lambda v: {"email": v.emails[0]}),
    # the guide and the accessibility statement (issue 15): public, no customer data
    "GuideState.load": lambda v: [Attempt({}, "/guida", {"sezione": "billing"})],
    "GuideState.search": lambda v: [Attempt(_form(query=v.contract_number), "/guida")],
    "GuideState.clear_search": _none("/guida"),
    "GuideState.open_result": lambda v: [
        Attempt({"key": "temporary-password", "is_faq": True}, "/guida"),
        Attempt({"key": v.contract_number, "is_faq": False}, "/guida"),
    ],
    "GuideState.show_questions": lambda v: [Attempt({"keys": ["contacts", v.contract_number]}, "/guida")],
    "AccessibilityState.load": _none("/accessibilita"),
    "AccessibilityState.reread": _none("/accessibilita"),
    "AccessibilityState.submit": _public_account(
        "/accessibilita",
        lambda v: {"email": v.emails[0], "name": "", "page": v.contract_number, "description": "Una prova di invio."},
    ),
    "UnlockState.load": lambda v: [Attempt({}, "/login-bloccata", {"utente": v.code})],
    "UnlockState.submit": _public_account(
        "/login-bloccata",
        lambda v: {
            "username": v.code,
            "contract_number": v.contract_number,
            "module_number": v.modules[0],
            "tax_code": v.tax_code,
        },
    ),
    "RegistrationState.load": _none("/registrazione"),
    "RegistrationState.submit": _public_account(
        "/registrazione",
        lambda v: {
            "contract_number": v.contract_number,
            "module_number": v.modules[0],
            "tax_code": v.tax_code,
            "email": "attacker@sweep.example",
        },
    ),
    "ResetPasswordState.load": lambda v: [Attempt({}, "/reimposta-password", {"token": "sweep-not-a-token"})],
    "ResetPasswordState.submit": _public_account(
        "/reimposta-password",
        lambda v: {"new_password": "Sweep-Takeover-2026!", "confirm_password": "Sweep-Takeover-2026!"},
        {"token": "sweep-not-a-token"},
    ),
    "MailboxState.load": _none("/dev/mailbox"),
    "MailboxState.filter_recipient": lambda v: [
        Attempt(_form(recipient=email, subject=""), "/dev/mailbox") for email in v.emails
    ],
    "MailboxState.next_page": _none("/dev/mailbox"),
    "MailboxState.previous_page": _none("/dev/mailbox"),
    # customer pages
    "HomeState.load": _none("/"),
    "ProfileState.load": _none("/profilo"),
    "ProfileState.save_settings": lambda v: [
        Attempt(
            _form(language="it", paper_invoices="", primary_email=v.emails[0], secondary_email=v.emails[-1]),
            "/profilo",
        )
    ],
    "SecurityState.load": _none("/profilo"),
    "SecurityState.change_password": lambda v: [
        Attempt(
            _form(current_password="wrong", new_password="Sweep-2026!x", confirm_password="Sweep-2026!x"), "/profilo"
        )
    ],
    "SecurityState.start_totp": _none("/profilo"),
    "SecurityState.cancel_totp": _none("/profilo"),
    "SecurityState.confirm_totp": lambda v: [Attempt(_form(code="000000"), "/profilo")],
    "SecurityState.disable_totp": lambda v: [Attempt(_form(code="000000"), "/profilo")],
    "SecurityState.hide_recovery_codes": _none("/profilo"),
    "SecurityState.regenerate_recovery_codes": _none("/profilo"),
    "IdleState.keep_alive": _none("/"),
    "IdleState.expire": _none("/"),
    "ReauthState.ask": _none("/profilo"),
    "ReauthState.set_reauth_open": lambda v: [Attempt({"value": True}, "/profilo")],
    "ReauthState.submit_reauth_password": lambda v: [Attempt(_form(password="not-the-password"), "/profilo")],
    "ReauthState.submit_reauth_code": lambda v: [Attempt(_form(code="000000"), "/profilo")],
    "ResetPasswordState.unlock_only": lambda v: [Attempt({}, "/reimposta-password", {"token": "sweep-not-a-token"})],
    # the desk's invitation of a registration request, with the victim's customer and a made-up request
    "OperatorCustomersState.invite_requested": lambda v: [
        Attempt({"customer_id": v.customer_id, "request_id": 1}, "/operatore/clienti")
    ],
    "SubUsersState.load": _none("/profilo"),
    "SubUsersState.open_new_sub_user": _none("/profilo"),
    "SubUsersState.open_edit_sub_user": _sub_user_ids(),
    "SubUsersState.set_dialog_open": lambda v: [Attempt({"value": False}, "/profilo")],
    "SubUsersState.set_draft_language": _value("/profilo", "en"),
    "SubUsersState.set_draft_all_contracts": lambda v: [Attempt({"value": True}, "/profilo")],
    "SubUsersState.set_draft_may_submit": lambda v: [Attempt({"value": True}, "/profilo")],
    "SubUsersState.toggle_draft_contract": _toggle,
    "SubUsersState.save_sub_user": _grant_contract,
    "SubUsersState.ask_delete_sub_user": _sub_user_ids(),
    "SubUsersState.cancel_delete": _none("/profilo"),
    "SubUsersState.confirm_delete": _delete_sub_user,
    "SubUsersState.unlock_sub_user": _sub_user_ids(),
    "ContractsState.load": _contract_page("/contratti"),
    "ContractsState.choose": lambda v: [Attempt({"number": n}, "/contratti") for n in v.contract_numbers],
    "ContractsState.export_all_plans": _none("/contratti"),
    # issue 15: an end-of-lease choice for each of the victim's contracts, from the attacker's page
    "ContractsState.choose_end": lambda v: [
        Attempt({"number": n, "choice": choice}, "/contratti")
        for n in v.contract_numbers
        for choice in ("purchase", "return", "extension")
    ],
    "ContractsState.search_contracts": _contract_search("/contratti"),
    "PlanState.load": _contract_page("/contratti/piano"),
    "PlanState.export": _export_of("/contratti/piano"),
    "PlanState.next_page": _paged("/contratti/piano", "numero"),
    "PlanState.previous_page": _paged("/contratti/piano", "numero"),
    "BillingState.load": _contract_page("/fatture-e-pagamenti"),
    "BillingState.choose_status": _value("/fatture-e-pagamenti", "all", "overdue", "paid"),
    "BillingState.apply_period": lambda v: [
        Attempt(
            _form(date_from="2000-01-01", date_to="2100-12-31"), "/fatture-e-pagamenti", {"numero": v.contract_number}
        )
    ],
    "BillingState.clear_filters": _none("/fatture-e-pagamenti"),
    "BillingState.export": _export_of("/fatture-e-pagamenti"),
    "BillingState.choose_contract": _contract_value("/fatture-e-pagamenti"),
    "BillingState.search_contracts": _contract_search("/fatture-e-pagamenti"),
    "BillingState.next_page": _paged("/fatture-e-pagamenti", "numero"),
    "BillingState.previous_page": _paged("/fatture-e-pagamenti", "numero"),
    "AssetsState.load": _contract_page("/beni-in-locazione"),
    "AssetsState.export": _export_of("/beni-in-locazione"),
    "AssetsState.choose_contract": _contract_value("/beni-in-locazione"),
    "AssetsState.search_contracts": _contract_search("/beni-in-locazione"),
    "AssetsState.next_page": _paged("/beni-in-locazione", "numero"),
    "AssetsState.previous_page": _paged("/beni-in-locazione", "numero"),
    "RequestsState.load": _none("/richieste"),
    "RequestsState.choose_status": _value("/richieste", "all", "open", "closed"),
    "RequestsState.choose_form": _value("/richieste", "all", "other", "iban_change"),
    "RequestsState.next_page": _paged("/richieste"),
    "RequestsState.previous_page": _paged("/richieste"),
    "RequestDetailState.load": _request_page("/richieste/dettaglio"),
    "RequestDetailState.reply": _reply("/richieste/dettaglio"),
    "RequestDetailState.upload": _files("/richieste/dettaglio"),
    "RequestDetailState.remove_attachment": _index("/richieste/dettaglio"),
    "NewRequestState.load": lambda v: [
        Attempt({}, "/richieste/nuova", {"modulo": "early_termination", "f_contract": n}) for n in v.contract_numbers
    ],
    "NewRequestState.set_field": _form_field("/richieste/nuova", "early_termination"),
    "NewRequestState.submit": _submit_form("/richieste/nuova", "submit"),
    "NewRequestState.upload": _files("/richieste/nuova"),
    "NewRequestState.remove_attachment": _index("/richieste/nuova"),
    "ComplaintsState.load": _none("/reclami"),
    "NewComplaintState.load": _none("/reclami/nuovo"),
    "NewComplaintState.submit": _complaint_filed_on,
    "NewComplaintState.upload": _files("/reclami/nuovo"),
    "NewComplaintState.remove_attachment": _index("/reclami/nuovo"),
    "NewComplaintState.search_contracts": _contract_search("/reclami/nuovo"),
    "ComplaintDetailState.load": _complaint_page("/reclami/dettaglio"),
    "ComplaintDetailState.download": _complaint_files("/reclami/dettaglio"),
    "AbfState.load": _none("/reclami/arbitro-bancario-finanziario"),
    # operator pages (a customer must be refused; test_operator_handlers_refuse_a_customer)
    "DeskComplaintsState.load": _none("/operatore/reclami"),
    "DeskComplaintsState.toggle_answered": lambda v: [Attempt({"checked": True}, "/operatore/reclami")],
    "DeskComplaintsState.choose_year": _value("/operatore/reclami", "2026", "1999", "x"),
    "DeskComplaintsState.export_figures": _none("/operatore/reclami"),
    "DeskComplaintDetailState.load": _complaint_page("/operatore/reclami/dettaglio"),
    "DeskComplaintDetailState.download": _complaint_files("/operatore/reclami/dettaglio"),
    "DeskComplaintDetailState.ask_answer": _complaint_answer,
    "DeskComplaintDetailState.cancel_answer": _none("/operatore/reclami/dettaglio"),
    "DeskComplaintDetailState.confirm_answer": lambda v: [
        Attempt({}, "/operatore/reclami/dettaglio", {"codice": c}, before=(("load", {}),)) for c in v.complaint_codes
    ],
    "DeskState.load": _none("/operatore/richieste"),
    "DeskState.apply": lambda v: [
        Attempt(_form(customer=v.code, status="", form_key="", age=""), "/operatore/richieste")
    ],
    "DeskState.next_page": _none("/operatore/richieste"),
    "DeskState.previous_page": _none("/operatore/richieste"),
    "DeskDetailState.load": _request_page("/operatore/richieste/dettaglio"),
    "DeskDetailState.update": _reply("/operatore/richieste/dettaglio"),
    "DeskDetailState.upload": _files("/operatore/richieste/dettaglio"),
    "DeskDetailState.remove_attachment": _index("/operatore/richieste/dettaglio"),
    "BroadcastState.load": _none("/operatore/comunicazioni"),
    "BroadcastState.send": lambda v: [
        Attempt(_form(title=f"sweep broadcast {v.code}", body="sweep"), "/operatore/comunicazioni")
    ],
    "OperatorCustomersState.load": _none("/operatore/clienti"),
    "OperatorCustomersState.find": lambda v: [Attempt(_form(search=v.code), "/operatore/clienti")],
    "OperatorCustomersState.invite_customer": lambda v: [Attempt({"customer_id": v.customer_id}, "/operatore/clienti")],
    "FormPreviewState.load": _none("/operatore/anteprima-moduli"),
    "FormPreviewState.choose_form": _value("/operatore/anteprima-moduli", "early_termination"),
    "FormPreviewState.choose_customer": lambda v: [Attempt({"code": v.code}, "/operatore/anteprima-moduli")],
    "FormPreviewState.try_submit": lambda v: [Attempt(_form(), "/operatore/anteprima-moduli")],
    "FormPreviewState.set_field": _form_field("/operatore/anteprima-moduli", "early_termination"),
    "FormPreviewState.upload": _files("/operatore/anteprima-moduli"),
    "FormPreviewState.remove_attachment": _index("/operatore/anteprima-moduli"),
    # documents both ways (issue 15): the customer's page, and the desk's (a customer must be refused)
    "DocumentsState.load": _none("/documenti"),
    "DocumentsState.choose_ask": lambda v: (
        [Attempt({"ask_id": i}, "/documenti") for i in v.document_ask_ids]
        + [Attempt({"ask_id": str(i)}, "/documenti") for i in v.document_ask_ids]
    ),
    "DocumentsState.cancel_upload": _none("/documenti"),
    "DocumentsState.send": lambda v: [
        Attempt(_form(expires_on="2100-01-01"), "/documenti", before=(("load", {}), ("choose_ask", {"ask_id": i})))
        for i in v.document_ask_ids
    ],
    "DocumentsState.upload": _files("/documenti"),
    "DocumentsState.remove_attachment": _index("/documenti"),
    "DeskDocumentsState.load": lambda v: [Attempt({}, "/operatore/documenti", {"cliente": v.code})],
    "DeskDocumentsState.open_customer": lambda v: [Attempt(_form(code=v.code), "/operatore/documenti")],
    "DeskDocumentsState.publish": lambda v: [
        Attempt(
            _form(title=f"sweep {v.code}", category="other", contract=str(contract_id)),
            "/operatore/documenti",
            {"cliente": v.code},
            before=(("load", {}),),
        )
        for contract_id in v.contract_ids
    ],
    "DeskDocumentsState.ask": lambda v: [
        Attempt(
            _form(kind="other", contract=str(contract_id), note="sweep", due_on="2100-01-01"),
            "/operatore/documenti",
            {"cliente": v.code},
            before=(("load", {}),),
        )
        for contract_id in v.contract_ids
    ],
    "DeskDocumentsState.accept_upload": lambda v: [
        Attempt({"ask_id": i}, "/operatore/documenti", {"cliente": v.code}) for i in v.document_ask_ids
    ],
    "DeskDocumentsState.reject_upload": lambda v: [
        Attempt(_form(ask_id=str(i), reason="sweep"), "/operatore/documenti", {"cliente": v.code})
        for i in v.document_ask_ids
    ],
    "DeskDocumentsState.upload": _files("/operatore/documenti"),
    "DeskDocumentsState.remove_attachment": _index("/operatore/documenti"),
    # the integration's import runs belong to the leasing company, not to a customer: guessed run ids
    "IntegrationState.load": _none("/operatore/integrazione"),
    "IntegrationState.next_page": _none("/operatore/integrazione"),
    "IntegrationState.previous_page": _none("/operatore/integrazione"),
    "ImportRunState.load": lambda v: [
        Attempt({}, "/operatore/integrazione/importazione", {"numero": run_id}) for run_id in ("1", "2", "-1", "x")
    ],
    "ImportRunState.download_report": lambda v: [
        Attempt({"run_id": run_id}, "/operatore/integrazione/importazione", {"numero": "1"})
        for run_id in (1, "2", -1, "x")
    ],
    # --- the customer's own data (issue 15): no handler takes an id; the export and the log are
    # the caller's own (the download is an HTTP route: tests/security/http_sweep.py) ---
    "MyDataState.load": _none("/profilo/i-miei-dati"),
    "MyDataState.refresh": _none("/profilo/i-miei-dati"),
    "MyDataState.ask": _none("/profilo/i-miei-dati"),
    "AccessLogState.load": _none("/profilo/registro-accessi"),
    "AccessLogState.next_page": _paged("/profilo/registro-accessi"),
    "AccessLogState.previous_page": _paged("/profilo/registro-accessi"),
}


def entry_key(state: type[rx.State], name: str) -> str:
    return f"{state.__name__}.{name}"
