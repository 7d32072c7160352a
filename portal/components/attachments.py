"""The file picker shared by forms and request threads: drop zone, rule, errors, staged files."""

from __future__ import annotations

import reflex as rx

from portal.components.fields import error_text
from portal.components.layout import column
from portal.state.i18n import tr
from portal.state.staging import StagedName


def _drop_zone(state, upload_id: str) -> rx.Component:
    zone = rx.upload(
        rx.flex(
            rx.button(
                rx.icon("paperclip", size=16, aria_hidden="true"),
                tr("attachments.add"),
                type="button",
                variant="soft",
                id=f"{upload_id}-button",
            ),
            rx.text(state.attachment_rule_text, size="1", color_scheme="gray", id=f"{upload_id}-rule"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        id=upload_id,
        # The button inside is the one tab stop (the zone itself would be a second, nameless one).
        no_keyboard=True,
        multiple=True,
        accept=state.accept,
        on_drop=state.upload(rx.upload_files(upload_id=upload_id)),
        border="1px dashed var(--gray-a7)",
        border_radius="var(--radius-3)",
        padding="0.75rem",
        width="100%",
    )
    # rx.upload takes no props for its hidden <input type=file>; screen readers still need its name.
    file_input = zone.children[0].children[0]
    if not isinstance(file_input, rx.Component):
        raise TypeError("rx.upload no longer starts with its file input")
    file_input.custom_attrs.update({"aria-label": tr("attachments.add"), "aria-describedby": f"{upload_id}-rule"})
    return zone


def _staged_file(state, item: StagedName) -> rx.Component:
    return rx.hstack(
        rx.icon("file", size=14, aria_hidden="true"),
        rx.text(item.name, size="2"),
        rx.text(item.size, size="1", color_scheme="gray"),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="ghost",
            color_scheme="red",
            type="button",
            aria_label=tr("attachments.remove"),
            on_click=state.remove_attachment(item.index),
        ),
        spacing="2",
        align="center",
        class_name="staged-attachment",
    )


def attachment_picker(state, upload_id: str) -> rx.Component:
    return column(
        _drop_zone(state, upload_id),
        error_text(state.attachment_error, "attachment-error"),
        rx.foreach(state.attachment_names, lambda item: _staged_file(state, item)),
        gap="2",
    )
