"""The chosen contract's figures: its summary with links, its groups of values, its documents."""

from __future__ import annotations

import reflex as rx

from portal.components.layout import column, icon_label, plain_list, row, two_columns
from portal.components.lease_end import lease_end_card
from portal.components.ui import card, document_link, link_button, status_badge
from portal.pages.contracts.charts import charts
from portal.pages.contracts.state import ContractsState, StatementLink
from portal.pages.documents import DocumentRow
from portal.state.i18n import tr

# Amounts and dates: one piece each, never broken across lines.
NOWRAP_FIELDS = frozenset(
    {
        "amount",
        "end_date",
        "signed_on",
        "start_date",
        "first_instalment",
        "advance",
        "residual_value",
        "residual_capital",
        "instalment_amount",
    }
)


def value_block(label_key: str, field: str, value_id: str | None = None) -> rx.Component:
    """A label and the value of ContractFields.<field>; the id comes from the field's name."""
    return rx.box(
        rx.text(
            tr(label_key), size="1", color_scheme="gray", as_="p", text_transform="uppercase", letter_spacing="0.02em"
        ),
        rx.text(
            getattr(ContractsState.fields, field),
            weight="medium",
            as_="p",
            id=value_id or f"contract-{field.replace('_', '-')}",
            class_name="portal-nowrap" if field in NOWRAP_FIELDS else "",
        ),
    )


def group(title_key: str, *blocks: rx.Component, columns: str = "3") -> rx.Component:
    return card(
        rx.grid(*blocks, columns=rx.breakpoints(initial="1", sm="2", md=columns), spacing="4", width="100%"),
        title=tr(title_key),
    )


def links() -> rx.Component:
    fields = ContractsState.fields
    return rx.hstack(
        link_button("table", tr("contracts.go_plan"), fields.plan_url, id="go-plan"),
        link_button("receipt-text", tr("contracts.go_billing"), fields.billing_url),
        link_button("truck", tr("contracts.go_assets"), fields.assets_url, id="go-assets"),
        spacing="3",
        wrap="wrap",
    )


def summary() -> rx.Component:
    fields = ContractsState.fields
    return card(
        row(
            rx.heading(fields.number_module, as_="h2", size="6", id="contract-title"),
            rx.badge(fields.product, size="2", variant="soft"),
            status_badge(fields.status_code, fields.status, size="2", id="contract-status"),
        ),
        rx.grid(
            value_block("contracts.assets_count", "assets"),
            value_block("contracts.amount_short", "amount"),
            value_block("contracts.status", "status", "contract-status-value"),
            value_block("home.expires_on", "end_date"),
            value_block("contracts.signed_on", "signed_on"),
            columns=rx.breakpoints(initial="2", md="5"),
            spacing="4",
            width="100%",
            margin_top="1rem",
        ),
        rx.box(links(), margin_top="1.25rem"),
    )


def statement_item(item: StatementLink) -> rx.Component:
    return rx.el.li(
        document_link(icon_label("file-text", item.title), href=item.url, class_name="statement-link"),
        padding_y="0.3rem",
    )


def published_item(item: DocumentRow) -> rx.Component:
    return rx.el.li(
        document_link(icon_label("file-text", item.title), href=item.url, class_name="contract-document-link"),
        rx.text(
            item.category,
            " – ",
            item.date,
            " – ",
            item.size,
            " – SHA-256 ",
            rx.el.code(item.sha256, class_name="document-sha256"),
            size="1",
            color_scheme="gray",
            word_break="break-all",
        ),
        padding_y="0.3rem",
    )


def published_documents() -> rx.Component:
    """The documents the company published for this contract (issue 15)."""
    published = ContractsState.contract_documents
    return rx.box(
        rx.heading(tr("docs.contract_section"), as_="h3", size="3", margin_top="1rem", margin_bottom="0.25rem"),
        rx.cond(
            published.length() > 0,
            plain_list(published, published_item, "contract-published-documents"),
            rx.text(tr("docs.contract_none"), color_scheme="gray", size="2"),
        ),
    )


def documents() -> rx.Component:
    statements = ContractsState.statements
    return card(
        rx.text(tr("documents.statement_hint"), size="2", color_scheme="gray", margin_bottom="0.5rem", as_="p"),
        rx.cond(
            statements.length() > 0,
            plain_list(statements, statement_item, "statement-list"),
            rx.text(tr("documents.none"), color_scheme="gray", size="2"),
        ),
        published_documents(),
        rx.link(
            icon_label("receipt-text", tr("documents.invoices")),
            href=ContractsState.fields.billing_url,
            margin_top="0.5rem",
        ),
        title=tr("documents.title"),
        title_id="contract-documents-title",
        id="contract-documents",
    )


def value_groups() -> list[rx.Component]:
    return [
        two_columns(
            group(
                "contracts.general",
                value_block("contracts.beneficiary_code", "beneficiary_code"),
                value_block("contracts.beneficiary", "beneficiary"),
                value_block("contracts.contract_number", "number"),
                value_block("contracts.iban", "iban"),
                columns="2",
            ),
            group(
                "contracts.dates",
                value_block("contracts.start", "start_date"),
                value_block("contracts.end", "end_date", "contract-end-date-dates"),
                value_block("contracts.status", "status", "contract-status-dates"),
                columns="3",
            ),
        ),
        group(
            "contracts.product_group",
            value_block("contracts.product", "product", "contract-product"),
            value_block("contracts.reference_rate", "reference_rate"),
            value_block("contracts.subsidy", "subsidy"),
        ),
        group(
            "contracts.amounts",
            value_block("contracts.amount", "amount", "contract-amount-full"),
            value_block("contracts.first_instalment", "first_instalment"),
            value_block("contracts.advance", "advance"),
            value_block("contracts.residual_value", "residual_value"),
            value_block("contracts.residual_capital", "residual_capital"),
            columns="5",
        ),
        group(
            "contracts.instalment",
            value_block("contracts.periodicity", "periodicity"),
            value_block("contracts.count", "count"),
            value_block("contracts.instalment_amount", "instalment_amount"),
            value_block("contracts.duration", "duration"),
            value_block("contracts.reference_rate", "reference_rate", "contract-rate-again"),
            value_block("contracts.leasing_rate", "leasing_rate"),
            columns="3",
        ),
    ]


def end_of_lease() -> rx.Component:
    """Within 120 days of the end: the options, with their buttons for a user who may write requests."""
    state = ContractsState
    item = state.lease_end
    return rx.cond(
        state.has_lease_end,
        rx.cond(
            state.may_choose_end,
            lease_end_card(item, on_confirm=lambda choice: state.choose_end(item.number, choice)),
            lease_end_card(item, on_confirm=None),
        ),
    )


def details() -> rx.Component:
    return column(summary(), end_of_lease(), charts(), *value_groups(), documents())
