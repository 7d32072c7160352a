"""Profilo › Sotto utenti: the main customer account adds, edits and removes its sub-users
(10093.1, 10093.2, …) with their contracts and rights. Every handler is the main account's only."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal import i18n
from portal.config import settings
from portal.db import session_scope
from portal.services.access import subusers
from portal.services.access.accounts import Principal, account_of
from portal.services.common import clock
from portal.services.common.text import form_texts
from portal.state.rows import Option
from portal.state.session import ACCOUNT_MANAGER, SessionState, guard, refuse_with

DRAFT_FIELDS = ("first_name", "last_name", "primary_email", "secondary_email")
NOT_ALLOWED = "subusers.not_allowed"
# Every handler of the card: the main account's only; anyone else is refused with a toast.
managers_only = guard(ACCOUNT_MANAGER, otherwise=refuse_with(NOT_ALLOWED))


@dataclasses.dataclass(frozen=True)
class SubUserRow(subusers.SubUserView):
    """A sub-user as the service lists it, with the words the table shows."""

    language_label: str
    contracts: str  # the granted contracts' numbers, or "all"
    may_submit_label: str
    status: str
    edit_label: str
    delete_label: str
    unlock_label: str

    @property
    def may_submit(self) -> bool:
        """What the dialog's "may submit requests" switch starts from (draft_may_submit)."""
        return self.may_submit_requests


class SubUsersState(SessionState):
    sub_users: rx.Field[list[SubUserRow]] = rx.field(default_factory=list)
    contract_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    dialog_open: bool = False
    editing_id: int = 0
    draft: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    draft_contracts: rx.Field[list[str]] = rx.field(default_factory=list)
    draft_all_contracts: rx.Field[bool] = rx.field(True)
    draft_may_submit: bool = True
    sub_user_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    delete_id: rx.Field[int] = rx.field(0)
    delete_username: str = ""
    delete_name: str = ""

    def _row(self, view: subusers.SubUserView) -> SubUserRow:
        return SubUserRow(
            **vars(view),
            language_label=i18n.translate(view.language, f"language.{view.language}"),
            contracts=self._t("subusers.all") if view.all_contracts else ", ".join(view.contract_numbers),
            may_submit_label=self._t("subusers.yes" if view.may_submit_requests else "subusers.no"),
            status=self._t(
                "subusers.locked" if view.locked else "subusers.active" if view.activated else "subusers.invited"
            ),
            edit_label=self._t("subusers.edit", username=view.username),
            delete_label=self._t("subusers.delete", username=view.username),
            unlock_label=self._t("subusers.unlock", username=view.username),
        )

    def _reload(self, db, principal: Principal) -> None:
        parent = account_of(session=db, principal=principal)
        self.sub_users = [self._row(view) for view in subusers.list_sub_users(session=db, parent=parent)]
        self.contract_options = [
            Option(
                value=str(contract.contract_id),
                label=f"{contract.number} – {i18n.product_name(self.lang, contract.product_code, contract.product)}",
            )
            for contract in subusers.grantable_contracts(session=db, parent=parent)
        ]

    def _row_of(self, user_id: int | str) -> SubUserRow | None:
        return next((row for row in self.sub_users if str(row.user_id) == str(user_id)), None)

    @rx.event
    @guard(ACCOUNT_MANAGER, otherwise=lambda state: None)
    def load(self, principal: Principal):
        """Only the main account sees the list; for anyone else the card is not drawn at all."""
        with session_scope() as db:
            self._reload(db, principal)
        self.dialog_open = False

    def _open_dialog(
        self, editing_id: int, draft: dict[str, str], contracts: list[str], all_contracts: bool, may_submit: bool
    ) -> None:
        """The add/edit dialog, filled with `draft` (a new sub-user when editing_id is 0), no errors shown."""
        self.editing_id = editing_id
        self.draft = draft
        self.draft_contracts = contracts
        self.draft_all_contracts = all_contracts
        self.draft_may_submit = may_submit
        self.sub_user_errors = {}
        self.dialog_open = True

    @rx.event
    @managers_only
    def open_new_sub_user(self, principal: Principal):
        self._open_dialog(0, {**dict.fromkeys(DRAFT_FIELDS, ""), "language": self.lang}, [], True, True)

    @rx.event
    @managers_only
    def open_edit_sub_user(self, principal: Principal, user_id: str):
        row = self._row_of(user_id)
        if row is None:
            return rx.toast.error(self._t(NOT_ALLOWED))
        self._open_dialog(
            row.user_id,
            {**{key: getattr(row, key) for key in DRAFT_FIELDS}, "language": row.language},
            [str(contract_id) for contract_id in row.contract_ids],
            row.all_contracts,
            row.may_submit,
        )

    @rx.event
    @managers_only
    def set_dialog_open(self, principal: Principal, value: bool):
        self.dialog_open = value

    @rx.event
    @managers_only
    def set_draft_language(self, principal: Principal, value: str):
        self.draft = {**self.draft, "language": value}

    @rx.event
    @managers_only
    def set_draft_all_contracts(self, principal: Principal, value: bool):
        self.draft_all_contracts = value

    @rx.event
    @managers_only
    def set_draft_may_submit(self, principal: Principal, value: bool):
        self.draft_may_submit = value

    @rx.event
    @managers_only
    def toggle_draft_contract(self, principal: Principal, contract_id: str, checked: bool):
        chosen = [cid for cid in self.draft_contracts if cid != contract_id]
        self.draft_contracts = [*chosen, contract_id] if checked else chosen

    def _form(self, texts: dict[str, str]) -> subusers.SubUserForm:
        return subusers.SubUserForm(
            **{key: texts[key] for key in DRAFT_FIELDS},
            language=self.draft.get("language", i18n.DEFAULT_LANGUAGE),
            all_contracts=self.draft_all_contracts,
            contract_ids=tuple(int(cid) for cid in self.draft_contracts if cid.isdigit()),
            may_submit_requests=self.draft_may_submit,
        )

    def _store(self, db, principal: Principal, form: subusers.SubUserForm) -> tuple[dict[str, str], str]:
        """Create or update the sub-user being edited: (errors, the success message)."""
        parent = account_of(session=db, principal=principal)
        client_ip = self.router.session.client_ip
        if self.editing_id:
            errors = subusers.update_sub_user(
                session=db, parent=parent, user_id=self.editing_id, form=form, client_ip=client_ip
            )
            return errors, self._t("subusers.updated")
        created, errors = subusers.create_sub_user(
            session=db, parent=parent, form=form, now=clock.now(), public_url=settings.public_url, client_ip=client_ip
        )
        return errors, self._t("subusers.created", username=created.username) if created else ""

    @rx.event
    @managers_only
    def save_sub_user(self, principal: Principal, form_data: dict):
        texts, refused = form_texts(form_data, DRAFT_FIELDS)
        if refused:  # not text, or characters no name or address takes: nothing is read further
            self.sub_user_errors = {field: self._t(key) for field, key in refused.items()}
            return
        form = self._form(texts)
        try:
            with session_scope() as db:
                errors, message = self._store(db, principal, form)
                if not errors:
                    self._reload(db, principal)
        except PermissionError:
            self.dialog_open = False
            return rx.toast.error(self._t(NOT_ALLOWED))
        self.draft = {**self.draft, **texts}
        self.sub_user_errors = {field: self._t(key) for field, key in errors.items()}
        if errors:
            return
        self.dialog_open = False
        return rx.toast.success(message)

    @rx.event
    @managers_only
    def ask_delete_sub_user(self, principal: Principal, user_id: str):
        row = self._row_of(user_id)
        if row is not None:
            self.delete_id = row.user_id
            self.delete_username = row.username
            self.delete_name = f"{row.first_name} {row.last_name}".strip()

    @rx.event
    @managers_only
    def cancel_delete(self, principal: Principal):
        self.delete_id = 0
        self.delete_username = ""

    @rx.event
    @managers_only
    def confirm_delete(self, principal: Principal):
        target, self.delete_id = self.delete_id, 0
        if not target:
            return rx.toast.error(self._t(NOT_ALLOWED))
        try:
            with session_scope() as db:
                username = subusers.delete_sub_user(
                    session=db,
                    parent=account_of(session=db, principal=principal),
                    user_id=target,
                    now=clock.now(),
                    client_ip=self.router.session.client_ip,
                )
                self._reload(db, principal)
        except PermissionError:
            return rx.toast.error(self._t(NOT_ALLOWED))
        return rx.toast.success(self._t("subusers.deleted", username=username))

    @rx.event
    @managers_only
    def unlock_sub_user(self, principal: Principal, user_id: str):
        row = self._row_of(user_id)
        if row is None:
            return rx.toast.error(self._t(NOT_ALLOWED))
        try:
            with session_scope() as db:
                username = subusers.unlock_sub_user(
                    session=db,
                    parent=account_of(session=db, principal=principal),
                    user_id=row.user_id,
                    now=clock.now(),
                    public_url=settings.public_url,
                    client_ip=self.router.session.client_ip,
                )
                self._reload(db, principal)
        except PermissionError:
            return rx.toast.error(self._t(NOT_ALLOWED))
        return rx.toast.success(self._t("subusers.unlocked", username=username))

    @rx.var
    def delete_question(self) -> str:
        return self._t("subusers.delete_question", username=self.delete_username, name=self.delete_name)

    @rx.var
    def sub_user_dialog_title(self) -> str:
        return self._t("subusers.edit_title" if self.editing_id else "subusers.add")
