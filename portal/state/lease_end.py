"""End of lease as the contract page and Home show it (services/contracts/lease_end.py)."""

from __future__ import annotations

import dataclasses

from portal import i18n, routes
from portal.services.contracts.lease_end import LeaseEndView


@dataclasses.dataclass(frozen=True)
class LeaseEndCard:
    """A contract's end-of-lease options, worded in the reader's language (all blank: none)."""

    number: str = ""
    end_date: str = ""
    days_left: str = ""  # "Il contratto termina il … (tra 75 giorni)"
    residual: str = ""
    vat: str = ""
    total: str = ""
    has_extension: bool = False
    extension_months: str = ""
    extension_rent: str = ""
    extension_total: str = ""
    chosen: bool = False  # a choice is open: the options give way to it
    chosen_text: str = ""
    chosen_code: str = ""
    chosen_url: str = ""
    contract_url: str = ""


def lease_end_card(view: LeaseEndView, lang: str) -> LeaseEndCard:
    options, chosen = view.options, view.chosen
    ext = options.extension

    def money(value) -> str:
        return i18n.money(value, lang)

    return LeaseEndCard(
        number=options.number,
        end_date=i18n.short_date(options.end_date, lang),
        days_left=i18n.translate(
            lang,
            "lease_end.ends",
            count=options.days_left,
            number=options.number,
            date=i18n.short_date(options.end_date, lang),
        ),
        residual=money(options.residual_value),
        vat=money(options.vat),
        total=money(options.total),
        has_extension=ext is not None,
        extension_months=i18n.translate(lang, "lease_end.extension_months", count=ext.months) if ext else "",
        extension_rent=money(ext.rent) if ext else "",
        extension_total=money(ext.total) if ext else "",
        chosen=chosen is not None,
        chosen_text=i18n.translate(
            lang, "lease_end.chosen", choice=i18n.translate(lang, f"lease_end.choice.{chosen.choice}")
        )
        if chosen
        else "",
        chosen_code=chosen.code if chosen else "",
        chosen_url=routes.request_url(chosen.code) if chosen else "",
        contract_url=routes.contract_url(options.number),
    )
