"""Profilo › Sotto utenti: the table, the add/edit dialog and the delete confirmation."""

from __future__ import annotations

from typing import Literal

import reflex as rx
from reflex.vars import ObjectVar

from portal.components.fields import REQUIRED_MARK, form, keyed_error, labelled, labelled_check
from portal.components.layout import actions, column
from portal.components.ui import RETURNS_FOCUS, cancel_button, card, header_cell, simple_table, table_region
from portal.pages.profile.settings import language_options
from portal.pages.profile.sub_users import SubUserRow, SubUsersState
from portal.state.i18n import tr
from portal.state.rows import Option
from portal.state.session import SessionState

COLUMNS = (
    "subusers.actions",
    "subusers.first_name",
    "subusers.last_name",
    "subusers.username",
    "subusers.primary_email",
    "subusers.secondary_email",
    "subusers.language",
    "subusers.contracts",
    "subusers.rights_requests",
    "subusers.status",
)


def _text_field(
    key: str, label_key: str, *, required: bool = False, kind: Literal["text", "email"] = "text"
) -> rx.Component:
    field_id = f"subuser-{key.replace('_', '-')}"
    return labelled(
        field_id,
        rx.fragment(tr(label_key), REQUIRED_MARK) if required else tr(label_key),
        rx.input(
            id=field_id,
            name=key,
            type=kind,
            default_value=SubUsersState.draft[key],
            size="3",
            aria_required="true" if required else None,
            aria_describedby=f"{field_id}-error",
            aria_invalid=rx.cond(SubUsersState.sub_user_errors.contains(key), "true", "false"),
            auto_complete="email" if kind == "email" else "off",
        ),
        keyed_error(SubUsersState.sub_user_errors, key, field_id),
    )


def _identity_fields() -> rx.Component:
    return rx.grid(
        _text_field("first_name", "subusers.first_name", required=True),
        _text_field("last_name", "subusers.last_name", required=True),
        _text_field("primary_email", "subusers.primary_email", required=True, kind="email"),
        _text_field("secondary_email", "subusers.secondary_email", kind="email"),
        labelled(
            "subuser-language",
            rx.fragment(tr("subusers.language"), REQUIRED_MARK),
            rx.el.select(
                *[rx.el.option(option.label, value=option.value) for option in language_options()],
                id="subuser-language",
                name="language",
                value=SubUsersState.draft["language"],
                on_change=SubUsersState.set_draft_language,
                class_name="portal-select",
            ),
        ),
        labelled(
            "subuser-parent",
            tr("subusers.parent"),
            rx.input(
                id="subuser-parent",
                name="parent",
                value=SessionState.username,
                read_only=True,
                size="3",
                variant="soft",
            ),
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _contract_check(option: ObjectVar[Option]) -> rx.Component:
    return labelled_check(
        f"subuser-contract-{option.value}",
        f"contract_{option.value}",
        option.label,
        SubUsersState.draft_contracts.contains(option.value),
        lambda checked: SubUsersState.toggle_draft_contract(option.value, checked),
    )


def _rights_fieldset() -> rx.Component:
    state = SubUsersState
    return rx.el.fieldset(
        rx.el.legend(rx.text(tr("subusers.rights"), weight="medium", size="2")),
        rx.vstack(
            labelled_check(
                "subuser-may-submit",
                "may_submit",
                tr("subusers.may_submit"),
                state.draft_may_submit,
                state.set_draft_may_submit,
            ),
            labelled_check(
                "subuser-all-contracts",
                "all_contracts",
                tr("subusers.all_contracts"),
                state.draft_all_contracts,
                state.set_draft_all_contracts,
            ),
            rx.cond(
                ~state.draft_all_contracts,
                rx.vstack(
                    rx.text(tr("subusers.contracts"), size="2", color_scheme="gray"),
                    rx.foreach(state.contract_options, _contract_check),
                    keyed_error(state.sub_user_errors, "contracts", "subuser-contracts"),
                    padding_left="1.5rem",
                    spacing="1",
                ),
            ),
            spacing="2",
        ),
        class_name="portal-fieldset",
    )


def sub_user_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(SubUsersState.sub_user_dialog_title),
            form(
                column(
                    rx.text(tr("forms.required_note"), size="1", color_scheme="gray"),
                    _identity_fields(),
                    _rights_fieldset(),
                    actions(
                        rx.dialog.close(cancel_button(tr("subusers.close"))),
                        rx.button(tr("subusers.save"), type="submit", id="subuser-save"),
                    ),
                ),
                on_submit=SubUsersState.save_sub_user,
            ),
            max_width="640px",
            **RETURNS_FOCUS,
        ),
        open=SubUsersState.dialog_open,
        on_open_change=SubUsersState.set_dialog_open,
    )


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("subusers.delete_title")),
            rx.alert_dialog.description(SubUsersState.delete_question, id="subuser-delete-question"),
            actions(
                rx.alert_dialog.cancel(cancel_button(tr("subusers.cancel"), on_click=SubUsersState.cancel_delete)),
                rx.alert_dialog.action(
                    rx.button(
                        tr("subusers.confirm"),
                        color_scheme="red",
                        on_click=SubUsersState.confirm_delete,
                        id="subuser-delete-confirm",
                    )
                ),
                margin_top="1rem",
            ),
            max_width="440px",
            **RETURNS_FOCUS,
        ),
        open=SubUsersState.delete_id != 0,
    )


def _row_action(icon: str, label, on_click, **props) -> rx.Component:
    """A small icon button of a sub-user's row; `label` names the action and the sub-user."""
    return rx.icon_button(
        rx.icon(icon, size=15), variant="ghost", size="1", aria_label=label, on_click=on_click, **props
    )


def sub_user_row(row: ObjectVar[SubUserRow]) -> rx.Component:
    user_id = row.user_id.to(str)
    return rx.el.tr(
        rx.el.td(
            rx.hstack(
                _row_action("pencil", row.edit_label, SubUsersState.open_edit_sub_user(user_id)),
                rx.cond(
                    row.locked,
                    _row_action(
                        "lock-open",
                        row.unlock_label,
                        SubUsersState.unlock_sub_user(user_id),
                        class_name="subuser-unlock",
                    ),
                ),
                _row_action("x", row.delete_label, SubUsersState.ask_delete_sub_user(user_id), color_scheme="red"),
                spacing="2",
            )
        ),
        rx.el.td(row.first_name),
        rx.el.td(row.last_name),
        rx.el.td(rx.text(row.username, weight="medium")),
        rx.el.td(row.primary_email),
        rx.el.td(row.secondary_email),
        rx.el.td(row.language_label),
        rx.el.td(row.contracts),
        rx.el.td(row.may_submit_label),
        rx.el.td(rx.badge(row.status, variant="soft", color_scheme=rx.cond(row.locked, "red", "gray"))),
        class_name="subuser-row",
    )


def sub_users_card() -> rx.Component:
    return card(
        rx.hstack(
            rx.button(
                rx.icon("user-plus", size=16),
                tr("subusers.add"),
                on_click=SubUsersState.open_new_sub_user,
                id="subuser-add",
            ),
            justify="end",
            width="100%",
        ),
        rx.cond(
            SubUsersState.sub_users.length() > 0,
            rx.box(
                table_region(
                    simple_table(
                        header=[header_cell(tr(key)) for key in COLUMNS],
                        body=rx.foreach(SubUsersState.sub_users, sub_user_row),
                        caption=tr("subusers.title"),
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
