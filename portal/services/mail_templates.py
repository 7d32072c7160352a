"""The portal's e-mails: bilingual (the recipient's language) and branded (the tenant's name,
colour and legal footer). The wording lives in the message catalogues under "mail.*"."""

from __future__ import annotations

import dataclasses
import html

from portal.i18n import translate
from portal.models import Tenant
from portal.services.mail import OutgoingMail


def _compose(
    *,
    tenant: Tenant,
    lang: str,
    kind: str,
    to: str,
    subject_key: str,
    name: str,
    paragraphs: list[str],
    action: tuple[str, str] | None = None,
    user_id: int | None = None,
) -> OutgoingMail:
    t = lambda key, **params: translate(lang, key, **params)  # noqa: E731
    subject = f"{tenant.name} – {t(subject_key)}"
    greeting = t("mail.greeting", name=name) if name else t("mail.greeting_plain")
    closing = [t("mail.signature", tenant=tenant.name), t("mail.automatic")]
    text_parts = [greeting, *paragraphs]
    if action:
        text_parts.append(f"{action[0]}: {action[1]}")
    text = "\n\n".join([*text_parts, *closing, tenant.legal_footer]) + "\n"

    def para(value: str) -> str:
        return f'<p style="margin:0 0 14px">{html.escape(value).replace(chr(10), "<br>")}</p>'

    button = ""
    if action:
        button = (
            f'<p style="margin:18px 0"><a href="{html.escape(action[1], quote=True)}" '
            f'style="background:{tenant.primary_color};color:#ffffff;padding:10px 18px;border-radius:6px;'
            f'text-decoration:none;display:inline-block">{html.escape(action[0])}</a></p>'
        )
    body_html = (
        f'<!doctype html><html lang="{lang}"><body style="margin:0;background:#f4f6f9;font-family:Arial,sans-serif;color:#1c2024">'
        f'<div style="max-width:560px;margin:0 auto;background:#ffffff">'
        f'<div style="background:{tenant.primary_color};color:#ffffff;padding:16px 24px;font-size:18px;font-weight:bold">{html.escape(tenant.name)}</div>'
        f'<div style="padding:24px">{para(greeting)}{"".join(para(p) for p in paragraphs)}{button}'
        f'{"".join(para(c) for c in closing)}</div>'
        f'<div style="padding:16px 24px;font-size:11px;color:#60646c;border-top:1px solid #e0e1e6">{html.escape(tenant.legal_footer)}</div>'
        f"</div></body></html>"
    )
    return OutgoingMail(kind=kind, to=to, subject=subject, text=text, html=body_html, user_id=user_id, tenant_id=tenant.id)


def login_code(*, tenant: Tenant, lang: str, to: str, name: str, code: str, minutes: int, user_id: int) -> OutgoingMail:
    return _compose(
        tenant=tenant, lang=lang, kind="login_code", to=to, subject_key="mail.login_code.subject", name=name,
        paragraphs=[translate(lang, "mail.login_code.body", code=code, minutes=minutes), translate(lang, "mail.login_code.warning")],
        user_id=user_id,
    )


def temporary_password(
    *, tenant: Tenant, lang: str, to: str, name: str, username: str, password: str, login_url: str, reason: str,
    user_id: int, inviter: str = "", customer_name: str = "",
) -> OutgoingMail:
    """reason: "invitation", "registration" or "sub_user" (then `inviter` gave the access)."""
    return _compose(
        tenant=tenant, lang=lang, kind=f"temporary_password.{reason}", to=to,
        subject_key="mail.temporary_password.subject", name=name,
        paragraphs=[
            translate(lang, f"mail.temporary_password.{reason}", tenant=tenant.name, inviter=inviter, customer=customer_name),
            translate(lang, "mail.temporary_password.credentials", username=username, password=password),
            translate(lang, "mail.temporary_password.first_login"),
        ],
        action=(translate(lang, "mail.temporary_password.action"), login_url),
        user_id=user_id,
    )


def password_reset(
    *, tenant: Tenant, lang: str, to: str, name: str, link: str, minutes: int, unlocked: bool, user_id: int
) -> OutgoingMail:
    paragraphs = [translate(lang, "mail.reset.unlocked")] if unlocked else []
    paragraphs += [translate(lang, "mail.reset.body", minutes=minutes), translate(lang, "mail.reset.warning")]
    return _compose(
        tenant=tenant, lang=lang, kind="password_reset", to=to,
        subject_key="mail.reset.subject_unlock" if unlocked else "mail.reset.subject", name=name,
        paragraphs=paragraphs, action=(translate(lang, "mail.reset.action"), link), user_id=user_id,
    )


def publication(
    *, tenant: Tenant, lang: str, to: str, name: str, number: str, issue_date: str, contract: str, amount: str,
    due: str, paper: bool, link: str, user_id: int,
) -> OutgoingMail:
    paragraphs = [translate(lang, "mail.publication.body", number=number, date=issue_date, contract=contract,
                            amount=amount, due=due)]
    if paper:
        paragraphs.append(translate(lang, "mail.publication.paper"))
    return _compose(
        tenant=tenant, lang=lang, kind="publication", to=to, subject_key="mail.publication.subject", name=name,
        paragraphs=paragraphs, action=(translate(lang, "mail.publication.action"), link), user_id=user_id,
    )


def request_update(
    *, tenant: Tenant, lang: str, to: str, name: str, code: str, title: str, status: str, text: str, link: str | None,
    user_id: int | None,
) -> OutgoingMail:
    """News about a request: subject "<code> – <title>", the status and what changed."""
    mail = _compose(
        tenant=tenant, lang=lang, kind="request_update", to=to, subject_key="mail.request.subject", name=name,
        paragraphs=[translate(lang, "mail.request.status", code=code, title=title, status=status), text],
        action=(translate(lang, "mail.request.action"), link) if link else None, user_id=user_id,
    )
    return dataclasses.replace(mail, subject=f"{code} – {title}")
