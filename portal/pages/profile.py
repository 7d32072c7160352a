"""Profilo utente: personal data, settings, security (password, authenticator app) and the
sub-users of a customer account."""

from __future__ import annotations

import reflex as rx
from sqlmodel import select

from portal import i18n, routes
from portal.components.shell import template
from portal.components.ui import card, form, header_cell, loading, simple_table, table_region
from portal.config import settings
from portal.db import session_scope
from portal.models import Contract, UserAccount
from portal.services import clock, profile, subusers, two_factor
from portal.services.accounts import Principal
from portal.services.mail import MailDeliveryError
from portal.services.sessions import token_digest
from portal.state.i18n import tr
from portal.state.session import SessionState

LANGUAGE_OPTIONS = [("it", "Italiano"), ("en", "English")]
# Seen, not read aloud: the inputs carry aria-required instead.
REQUIRED_MARK = rx.el.span(" *", aria_hidden="true")


class ProfileState(SessionState):
    loaded: bool = False
    denominazione: str = ""
    profile_language: str = "it"
    primary_email: str = ""
    secondary_email: str = ""
    paper_invoices: bool = False
    can_choose_paper: bool = False
    can_manage_sub_users: bool = False
    settings_errors: dict[str, str] = {}
    password_errors: dict[str, str] = {}
    totp_enabled: bool = False
    totp_enrolling: bool = False
    totp_error: str = ""
    qr_version: int = 0
    # sub-users
    sub_users: list[dict[str, str]] = []
    contract_options: list[dict[str, str]] = []
    dialog_open: bool = False
    editing_id: int = 0
    draft: dict[str, str] = {}
    draft_contracts: list[str] = []
    draft_all_contracts: bool = True
    draft_may_submit: bool = True
    sub_user_errors: dict[str, str] = {}
    delete_id: int = 0
    delete_username: str = ""

    def _user(self, db, principal: Principal) -> UserAccount:
        return db.get(UserAccount, principal.user_id)

    def _refresh(self, db, principal: Principal) -> None:
        user = self._user(db, principal)
        view = profile.profile_of(session=db, user=user)
        self.denominazione = view.denominazione
        self.profile_language = view.language
        self.primary_email = view.primary_email
        self.secondary_email = view.secondary_email
        self.paper_invoices = view.paper_invoices
        self.can_choose_paper = view.can_choose_paper
        self.totp_enabled = view.totp_enabled
        self.totp_enrolling = view.enrolment_pending
        self.can_manage_sub_users = principal.can_manage_sub_users
        if principal.can_manage_sub_users:
            self._load_sub_users(db, user)
        else:
            self.sub_users = []
            self.contract_options = []

    def _load_sub_users(self, db, parent: UserAccount) -> None:
        yes, no, everything = self._t("subusers.yes"), self._t("subusers.no"), self._t("subusers.all")
        self.sub_users = [
            {
                "id": str(view.user_id),
                "username": view.username,
                "first_name": view.first_name,
                "last_name": view.last_name,
                "primary_email": view.primary_email,
                "secondary_email": view.secondary_email,
                "language": view.language,
                "language_label": dict(LANGUAGE_OPTIONS)[view.language],
                "contracts": everything if view.all_contracts else ", ".join(view.contract_numbers),
                "contract_ids": ",".join(str(i) for i in view.contract_ids),
                "all_contracts": "1" if view.all_contracts else "",
                "may_submit": "1" if view.may_submit_requests else "",
                "may_submit_label": yes if view.may_submit_requests else no,
                "status": self._t("subusers.active") if view.activated else self._t("subusers.invited"),
                "edit_label": self._t("subusers.edit", username=view.username),
                "delete_label": self._t("subusers.delete", username=view.username),
            }
            for view in subusers.list_sub_users(session=db, parent=parent)
        ]
        contracts = db.exec(
            select(Contract.id, Contract.number, Contract.product)
            .where(Contract.customer_id == parent.customer_id)
            .order_by(Contract.number)
        ).all()
        self.contract_options = [{"id": str(cid), "label": f"{number} – {product}"} for cid, number, product in contracts]

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        with session_scope() as db:
            self._refresh(db, principal)
        self.settings_errors = {}
        self.password_errors = {}
        self.totp_error = ""
        self.dialog_open = False
        self.loaded = True

    # settings -------------------------------------------------------------------------

    @rx.event
    def save_settings(self, form_data: dict):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        language = str(form_data.get("language", self.profile_language))
        with session_scope() as db:
            user = self._user(db, principal)
            errors = profile.update_settings(
                session=db, user=user, language=language,
                primary_email=str(form_data.get("primary_email", "")),
                secondary_email=str(form_data.get("secondary_email", "")),
                paper_invoices=bool(form_data.get("paper_invoices")) if self.can_choose_paper else None,
                client_ip=self.router.session.client_ip,
            )
            if not errors:
                self._refresh(db, principal)
        self.settings_errors = {field: i18n.translate(language, key) for field, key in errors.items()}
        if errors:
            return
        return [self._apply_language(language), rx.toast.success(i18n.translate(language, "profile.saved"))]

    @rx.event
    def set_profile_language(self, value: str):
        self.profile_language = value

    @rx.event
    def change_password(self, form_data: dict):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        new = str(form_data.get("new_password", ""))
        if new != str(form_data.get("confirm_password", "")):
            self.password_errors = {"confirm_password": self._t("login.passwords_differ")}
            return
        with session_scope() as db:
            errors = profile.change_password(
                session=db, user=self._user(db, principal), current=str(form_data.get("current_password", "")),
                new=new, now=clock.now(), keep_session_hash=token_digest(self._session_token()),
                client_ip=self.router.session.client_ip,
            )
        self.password_errors = {field: self._t(key) for field, key in errors.items()}
        if not errors:
            return [rx.toast.success(self._t("profile.password_changed")), rx.set_value("profile-current-password", ""),
                    rx.set_value("profile-new-password", ""), rx.set_value("profile-confirm-password", "")]

    # authenticator app ----------------------------------------------------------------

    @rx.event
    def start_totp(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        with session_scope() as db:
            two_factor.start_enrolment(session=db, user=self._user(db, principal))
        self.totp_enrolling = True
        self.totp_error = ""
        self.qr_version += 1

    @rx.event
    def cancel_totp(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        with session_scope() as db:
            user = self._user(db, principal)
            user.totp_pending_secret = None
            db.add(user)
        self.totp_enrolling = False
        self.totp_error = ""

    @rx.event
    def confirm_totp(self, form_data: dict):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        with session_scope() as db:
            ok = two_factor.confirm_enrolment(session=db, user=self._user(db, principal), code=str(form_data.get("code", "")),
                                              now=clock.now(), client_ip=self.router.session.client_ip)
        if not ok:
            self.totp_error = self._t("profile.totp_wrong")
            return
        self.totp_enabled = True
        self.totp_enrolling = False
        self.totp_error = ""
        return rx.toast.success(self._t("profile.totp_enabled"))

    @rx.event
    def disable_totp(self, form_data: dict):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        with session_scope() as db:
            ok = two_factor.disable(session=db, user=self._user(db, principal), code=str(form_data.get("code", "")),
                                    now=clock.now(), client_ip=self.router.session.client_ip)
        if not ok:
            self.totp_error = self._t("profile.totp_wrong")
            return
        self.totp_enabled = False
        self.totp_error = ""
        return rx.toast.info(self._t("profile.totp_disabled"))

    # sub-users ------------------------------------------------------------------------

    def _manager(self) -> Principal | None:
        """The signed-in main customer account; anyone else gets nothing, whatever they send."""
        principal = self._principal()
        if principal is None or not principal.can_manage_sub_users:
            return None
        return principal

    @rx.event
    def open_new_sub_user(self):
        if self._manager() is None:
            return rx.toast.error(self._t("subusers.not_allowed"))
        self.editing_id = 0
        self.draft = {"first_name": "", "last_name": "", "primary_email": "", "secondary_email": "", "language": self.lang}
        self.draft_contracts = []
        self.draft_all_contracts = True
        self.draft_may_submit = True
        self.sub_user_errors = {}
        self.dialog_open = True

    @rx.event
    def open_edit_sub_user(self, user_id: str):
        if self._manager() is None:
            return rx.toast.error(self._t("subusers.not_allowed"))
        row = next((row for row in self.sub_users if row["id"] == str(user_id)), None)
        if row is None:
            return rx.toast.error(self._t("subusers.not_allowed"))
        self.editing_id = int(row["id"])
        self.draft = {key: row[key] for key in ("first_name", "last_name", "primary_email", "secondary_email", "language")}
        self.draft_contracts = [cid for cid in row["contract_ids"].split(",") if cid]
        self.draft_all_contracts = bool(row["all_contracts"])
        self.draft_may_submit = bool(row["may_submit"])
        self.sub_user_errors = {}
        self.dialog_open = True

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = value

    @rx.event
    def set_draft_language(self, value: str):
        self.draft = {**self.draft, "language": value}

    @rx.event
    def set_draft_all_contracts(self, value: bool):
        self.draft_all_contracts = value

    @rx.event
    def set_draft_may_submit(self, value: bool):
        self.draft_may_submit = value

    @rx.event
    def toggle_draft_contract(self, contract_id: str, checked: bool):
        chosen = [cid for cid in self.draft_contracts if cid != contract_id]
        self.draft_contracts = chosen + [contract_id] if checked else chosen

    @rx.event
    def save_sub_user(self, form_data: dict):
        principal = self._manager()
        if principal is None:
            self.dialog_open = False
            return rx.toast.error(self._t("subusers.not_allowed"))
        form = subusers.SubUserForm(
            first_name=str(form_data.get("first_name", "")),
            last_name=str(form_data.get("last_name", "")),
            primary_email=str(form_data.get("primary_email", "")),
            secondary_email=str(form_data.get("secondary_email", "")),
            language=self.draft.get("language", "it"),
            all_contracts=self.draft_all_contracts,
            contract_ids=tuple(int(cid) for cid in self.draft_contracts if cid.isdigit()),
            may_submit_requests=self.draft_may_submit,
        )
        try:
            with session_scope() as db:
                parent = self._user(db, principal)
                if self.editing_id:
                    errors = subusers.update_sub_user(session=db, parent=parent, user_id=self.editing_id, form=form,
                                                      client_ip=self.router.session.client_ip)
                    message = self._t("subusers.updated")
                else:
                    created, errors = subusers.create_sub_user(session=db, parent=parent, form=form, now=clock.now(),
                                                               public_url=settings.public_url,
                                                               client_ip=self.router.session.client_ip)
                    message = self._t("subusers.created", username=created.username) if created else ""
                if not errors:
                    self._load_sub_users(db, parent)
        except PermissionError:
            self.dialog_open = False
            return rx.toast.error(self._t("subusers.not_allowed"))
        except MailDeliveryError:
            return rx.toast.error(self._t("login.mail_failed"))
        self.draft = {**self.draft, **{key: str(form_data.get(key, "")) for key in ("first_name", "last_name", "primary_email", "secondary_email")}}
        self.sub_user_errors = {field: self._t(key) for field, key in errors.items()}
        if errors:
            return
        self.dialog_open = False
        return rx.toast.success(message)

    @rx.event
    def ask_delete_sub_user(self, user_id: str):
        if self._manager() is None:
            return rx.toast.error(self._t("subusers.not_allowed"))
        row = next((row for row in self.sub_users if row["id"] == str(user_id)), None)
        if row is not None:
            self.delete_id = int(row["id"])
            self.delete_username = row["username"]

    @rx.event
    def cancel_delete(self):
        self.delete_id = 0
        self.delete_username = ""

    @rx.event
    def confirm_delete(self):
        principal = self._manager()
        target = self.delete_id
        self.delete_id = 0
        if principal is None or not target:
            return rx.toast.error(self._t("subusers.not_allowed"))
        try:
            with session_scope() as db:
                parent = self._user(db, principal)
                username = subusers.delete_sub_user(session=db, parent=parent, user_id=target, now=clock.now(),
                                                    client_ip=self.router.session.client_ip)
                self._load_sub_users(db, parent)
        except PermissionError:
            return rx.toast.error(self._t("subusers.not_allowed"))
        return rx.toast.success(self._t("subusers.deleted", username=username))

    @rx.var
    def sub_user_dialog_title(self) -> str:
        return self._t("subusers.edit_title" if self.editing_id else "subusers.add")


# ------------------------------------------------------------------------------------------

def _error(errors, key: str, field_id: str) -> rx.Component:
    return rx.cond(errors.contains(key), rx.text(errors[key], id=f"{field_id}-error", color_scheme="red", size="2", role="alert"))


def _labelled(field_id: str, label, control: rx.Component, *extra: rx.Component) -> rx.Component:
    return rx.flex(rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id), control, *extra,
                   direction="column", spacing="1", width="100%")


def _check(check_id, name, label, checked, on_change) -> rx.Component:
    """A checkbox with its label tied by id (Radix checkboxes are buttons)."""
    return rx.hstack(
        rx.checkbox(checked=checked, on_change=on_change, id=check_id, name=name),
        rx.el.label(rx.text(label, size="2"), html_for=check_id),
        spacing="2",
        align="center",
    )


def personal_card() -> rx.Component:
    return card(
        rx.grid(
            rx.box(rx.text(tr("profile.denominazione"), size="1", color_scheme="gray", as_="p"),
                   rx.text(ProfileState.denominazione, weight="medium", as_="p", id="profile-denominazione")),
            rx.box(rx.text(tr("profile.username"), size="1", color_scheme="gray", as_="p"),
                   rx.text(ProfileState.username, weight="medium", as_="p", id="profile-username")),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
        ),
        title=tr("profile.personal"),
        title_id="profile-personal-title",
    )


def settings_card() -> rx.Component:
    errors = ProfileState.settings_errors
    return card(
        form(
            rx.vstack(
                _labelled(
                    "profile-language", tr("profile.language"),
                    rx.el.select(
                        *[rx.el.option(label, value=code) for code, label in LANGUAGE_OPTIONS],
                        id="profile-language", name="language", value=ProfileState.profile_language,
                        on_change=ProfileState.set_profile_language, class_name="portal-select",
                    ),
                ),
                _labelled(
                    "profile-primary-email", tr("profile.primary_email"),
                    rx.input(id="profile-primary-email", name="primary_email", type="email", default_value=ProfileState.primary_email,
                             key=ProfileState.primary_email, size="3", aria_describedby="profile-primary-email-hint profile-primary-email-error"),
                    rx.callout(
                        rx.text(tr("profile.primary_hint"), " ",
                                rx.link(tr("profile.request_pec_change"), href=routes.new_request_url("other") + "&f_request_type=pec_change",
                                        id="profile-pec-request", weight="medium")),
                        icon="info", size="1", id="profile-primary-email-hint", color_scheme="amber",
                    ),
                    _error(errors, "primary_email", "profile-primary-email"),
                ),
                _labelled(
                    "profile-secondary-email", tr("profile.secondary_email"),
                    rx.input(id="profile-secondary-email", name="secondary_email", type="email", default_value=ProfileState.secondary_email,
                             key=ProfileState.secondary_email, size="3", aria_describedby="profile-secondary-email-hint profile-secondary-email-error"),
                    rx.text(tr("profile.secondary_hint"), size="1", color_scheme="gray", id="profile-secondary-email-hint"),
                    _error(errors, "secondary_email", "profile-secondary-email"),
                ),
                rx.cond(
                    ProfileState.can_choose_paper,
                    rx.vstack(
                        rx.hstack(
                            rx.checkbox(name="paper_invoices", default_checked=ProfileState.paper_invoices, id="profile-paper",
                                        key=ProfileState.paper_invoices.to(str), aria_describedby="profile-paper-hint"),
                            rx.el.label(rx.text(tr("profile.paper"), size="2"), html_for="profile-paper"),
                            spacing="2", align="center",
                        ),
                        rx.text(tr("profile.paper_hint"), size="1", color_scheme="gray", id="profile-paper-hint"),
                        spacing="1",
                    ),
                ),
                rx.button(tr("profile.save"), type="submit", id="profile-save"),
                spacing="4",
                width="100%",
                max_width="560px",
            ),
            on_submit=ProfileState.save_settings,
        ),
        title=tr("profile.settings"),
        title_id="profile-settings-title",
    )


def password_form() -> rx.Component:
    errors = ProfileState.password_errors
    return form(
        rx.vstack(
            rx.heading(tr("profile.change_password"), as_="h3", size="3"),
            _labelled("profile-current-password", tr("profile.current_password"),
                      rx.input(id="profile-current-password", name="current_password", type="password", auto_complete="current-password", size="3"),
                      _error(errors, "current_password", "profile-current-password")),
            _labelled("profile-new-password", tr("login.new_password"),
                      rx.input(id="profile-new-password", name="new_password", type="password", auto_complete="new-password", size="3",
                               aria_describedby="profile-new-password-hint"),
                      rx.text(tr("password.hint"), size="1", color_scheme="gray", id="profile-new-password-hint"),
                      _error(errors, "new_password", "profile-new-password")),
            _labelled("profile-confirm-password", tr("login.confirm_password"),
                      rx.input(id="profile-confirm-password", name="confirm_password", type="password", auto_complete="new-password", size="3"),
                      _error(errors, "confirm_password", "profile-confirm-password")),
            rx.button(tr("profile.change_password"), type="submit", variant="soft", id="profile-password-submit"),
            spacing="3",
            width="100%",
            max_width="420px",
        ),
        on_submit=ProfileState.change_password,
    )


def totp_section() -> rx.Component:
    code_input = rx.input(id="totp-code", name="code", input_mode="numeric", max_length=6, auto_complete="one-time-code", size="3",
                          aria_describedby="totp-code-error")
    error = rx.cond(ProfileState.totp_error != "", rx.text(ProfileState.totp_error, id="totp-code-error", color_scheme="red", size="2", role="alert"))
    return rx.vstack(
        rx.heading(tr("profile.totp_title"), as_="h3", size="3"),
        rx.cond(
            ProfileState.totp_enabled,
            rx.vstack(
                rx.hstack(rx.badge(rx.icon("shield-check", size=14), tr("profile.totp_on"), color_scheme="green", size="2", id="totp-status"), wrap="wrap"),
                form(
                    rx.vstack(
                        rx.text(tr("profile.totp_disable_hint"), size="2", color_scheme="gray"),
                        _labelled("totp-code", tr("profile.totp_code"), code_input, error),
                        rx.button(tr("profile.totp_disable"), type="submit", color_scheme="red", variant="soft", id="totp-disable"),
                        spacing="2", max_width="320px",
                    ),
                    on_submit=ProfileState.disable_totp,
                    reset_on_submit=True,
                ),
                spacing="3",
            ),
            rx.cond(
                ProfileState.totp_enrolling,
                form(
                    rx.vstack(
                        rx.text(tr("profile.totp_scan"), size="2"),
                        rx.image(src=f"/api/totp/qr.svg?v={ProfileState.qr_version}", alt=tr("profile.totp_qr_alt"),
                                 width="240px", height="auto", id="totp-qr"),
                        _labelled("totp-code", tr("profile.totp_code"), code_input, error),
                        rx.hstack(
                            rx.button(tr("profile.totp_confirm"), type="submit", id="totp-confirm"),
                            rx.button(tr("profile.totp_cancel"), type="button", variant="soft", color_scheme="gray", on_click=ProfileState.cancel_totp),
                            spacing="3",
                        ),
                        spacing="3", max_width="320px",
                    ),
                    on_submit=ProfileState.confirm_totp,
                    reset_on_submit=True,
                ),
                rx.vstack(
                    rx.text(tr("profile.totp_off"), size="2", color_scheme="gray"),
                    rx.button(rx.icon("smartphone", size=16), tr("profile.totp_start"), variant="soft", on_click=ProfileState.start_totp, id="totp-start"),
                    spacing="2",
                ),
            ),
        ),
        spacing="3",
        width="100%",
    )


def security_card() -> rx.Component:
    return card(
        rx.grid(password_form(), totp_section(), columns=rx.breakpoints(initial="1", md="2"), spacing="6", width="100%"),
        title=tr("profile.security"),
        title_id="profile-security-title",
    )


def sub_user_dialog() -> rx.Component:
    errors = ProfileState.sub_user_errors

    def text_field(key: str, label_key: str, required: bool = False, kind: str = "text") -> rx.Component:
        field_id = f"subuser-{key.replace('_', '-')}"
        return _labelled(
            field_id,
            rx.fragment(tr(label_key), REQUIRED_MARK) if required else tr(label_key),
            rx.input(id=field_id, name=key, type=kind, default_value=ProfileState.draft[key], size="3",
                     aria_required="true" if required else None, aria_describedby=f"{field_id}-error"),
            _error(errors, key, field_id),
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(ProfileState.sub_user_dialog_title),
            form(
                rx.vstack(
                    rx.grid(
                        text_field("first_name", "subusers.first_name", required=True),
                        text_field("last_name", "subusers.last_name", required=True),
                        text_field("primary_email", "subusers.primary_email", required=True, kind="email"),
                        text_field("secondary_email", "subusers.secondary_email", kind="email"),
                        _labelled(
                            "subuser-language", rx.fragment(tr("subusers.language"), REQUIRED_MARK),
                            rx.el.select(
                                *[rx.el.option(label, value=code) for code, label in LANGUAGE_OPTIONS],
                                id="subuser-language", name="language", value=ProfileState.draft["language"],
                                on_change=ProfileState.set_draft_language, class_name="portal-select",
                            ),
                        ),
                        _labelled("subuser-parent", tr("subusers.parent"),
                                  rx.input(id="subuser-parent", name="parent", value=ProfileState.username, read_only=True, size="3", variant="soft")),
                        columns=rx.breakpoints(initial="1", sm="2"),
                        spacing="3",
                        width="100%",
                    ),
                    rx.el.fieldset(
                        rx.el.legend(rx.text(tr("subusers.rights"), weight="medium", size="2")),
                        rx.vstack(
                            _check("subuser-may-submit", "may_submit", tr("subusers.may_submit"),
                                   ProfileState.draft_may_submit, ProfileState.set_draft_may_submit),
                            _check("subuser-all-contracts", "all_contracts", tr("subusers.all_contracts"),
                                   ProfileState.draft_all_contracts, ProfileState.set_draft_all_contracts),
                            rx.cond(
                                ~ProfileState.draft_all_contracts,
                                rx.vstack(
                                    rx.text(tr("subusers.contracts"), size="2", color_scheme="gray"),
                                    rx.foreach(
                                        ProfileState.contract_options,
                                        lambda option: _check(
                                            "subuser-contract-" + option["id"], "contract_" + option["id"], option["label"],
                                            ProfileState.draft_contracts.contains(option["id"]),
                                            lambda checked: ProfileState.toggle_draft_contract(option["id"], checked),
                                        ),
                                    ),
                                    _error(errors, "contracts", "subuser-contracts"),
                                    padding_left="1.5rem",
                                    spacing="1",
                                ),
                            ),
                            spacing="2",
                        ),
                        border="1px solid var(--gray-a5)",
                        border_radius="8px",
                        padding="0.75rem",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button(tr("subusers.close"), type="button", variant="soft", color_scheme="gray")),
                        rx.button(tr("subusers.save"), type="submit", id="subuser-save"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=ProfileState.save_sub_user,
            ),
            max_width="640px",
        ),
        open=ProfileState.dialog_open,
        on_open_change=ProfileState.set_dialog_open,
    )


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("subusers.delete_title")),
            rx.alert_dialog.description(tr("subusers.delete_question"), " (", ProfileState.delete_username, ")"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(tr("subusers.cancel"), variant="soft", color_scheme="gray", on_click=ProfileState.cancel_delete)),
                rx.alert_dialog.action(rx.button(tr("subusers.confirm"), color_scheme="red", on_click=ProfileState.confirm_delete, id="subuser-delete-confirm")),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
            max_width="440px",
        ),
        open=ProfileState.delete_id != 0,
    )


def sub_user_row(row) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            rx.hstack(
                rx.icon_button(rx.icon("pencil", size=15), variant="ghost", size="1",
                               aria_label=row["edit_label"],
                               on_click=ProfileState.open_edit_sub_user(row["id"])),
                rx.icon_button(rx.icon("x", size=15), variant="ghost", color_scheme="red", size="1",
                               aria_label=row["delete_label"],
                               on_click=ProfileState.ask_delete_sub_user(row["id"])),
                spacing="2",
            )
        ),
        rx.el.td(row["first_name"]),
        rx.el.td(row["last_name"]),
        rx.el.td(rx.text(row["username"], weight="medium")),
        rx.el.td(row["primary_email"]),
        rx.el.td(row["secondary_email"]),
        rx.el.td(row["language_label"]),
        rx.el.td(row["contracts"]),
        rx.el.td(row["may_submit_label"]),
        rx.el.td(rx.badge(row["status"], variant="soft")),
        class_name="subuser-row",
    )


def sub_users_card() -> rx.Component:
    def header(key: str) -> rx.Component:
        return header_cell(tr(key))

    return card(
        rx.hstack(
            rx.button(rx.icon("user-plus", size=16), tr("subusers.add"), on_click=ProfileState.open_new_sub_user, id="subuser-add"),
            justify="end",
            width="100%",
        ),
        rx.cond(
            ProfileState.sub_users.length() > 0,
            rx.box(
                table_region(
                    simple_table(
                        header=[
                            header("subusers.actions"), header("subusers.first_name"), header("subusers.last_name"),
                            header("subusers.username"), header("subusers.primary_email"), header("subusers.secondary_email"),
                            header("subusers.language"), header("subusers.contracts"), header("subusers.rights_requests"),
                            header("subusers.status"),
                        ],
                        body=rx.foreach(ProfileState.sub_users, sub_user_row),
                        table_id="subusers-table",
                    ),
                    label=tr("subusers.title"),
                ),
                width="100%",
                margin_top="0.75rem",
            ),
            rx.text(tr("subusers.empty"), color_scheme="gray", margin_top="0.75rem"),
        ),
        sub_user_dialog(),
        delete_dialog(),
        title=tr("subusers.title"),
        title_id="profile-subusers-title",
    )


@template(route=routes.PROFILE, title_key="profile.title", on_load=ProfileState.load)
def profile_page() -> rx.Component:
    return rx.cond(
        ProfileState.loaded,
        rx.vstack(
            rx.heading(tr("profile.title"), as_="h1", size="7"),
            personal_card(),
            settings_card(),
            security_card(),
            rx.cond(ProfileState.can_manage_sub_users, sub_users_card()),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
