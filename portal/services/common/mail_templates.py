"""The portal's e-mails: bilingual (the recipient's language) and branded (the tenant's name,
colour and legal footer). The wording lives in the message catalogues under "mail.*"."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html

from sqlmodel import Session

from portal import i18n
from portal.i18n import translate
from portal.models import Tenant, UserAccount
from portal.services.common.branding import tenant_of
from portal.services.common.mail import OutgoingMail


@dataclasses.dataclass(frozen=True)
class Recipient:
    """Whom a mail goes to, and in whose name and words it is written."""

    tenant: Tenant
    lang: str
    to: str
    name: str = ""  # "" for people outside the portal: a plain greeting
    user_id: int | None = None


def recipient_of(*, session: Session, user: UserAccount, to: str | None = None, name: str | None = None) -> Recipient:
    """A portal account as the recipient: its company, language, primary address and name."""
    return Recipient(
        tenant=tenant_of(session=session, tenant_id=user.tenant_id),
        lang=user.language.value,
        to=user.primary_email if to is None else to,
        name=user.full_name if name is None else name,
        user_id=user.id,
    )


def _compose(
    recipient: Recipient,
    *,
    kind: str,
    subject_key: str,
    paragraphs: list[str],
    action: tuple[str, str] | None = None,
) -> OutgoingMail:
    tenant, lang, name = recipient.tenant, recipient.lang, recipient.name
    t = functools.partial(translate, lang)
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
        f'<!doctype html><html lang="{lang}">'
        '<body style="margin:0;background:#f4f6f9;font-family:Arial,sans-serif;color:#1c2024">'
        f'<div style="max-width:560px;margin:0 auto;background:#ffffff">'
        f'<div style="background:{tenant.primary_color};color:#ffffff;padding:16px 24px;'
        'font-size:18px;font-weight:bold">'
        f"{html.escape(tenant.name)}</div>"
        f'<div style="padding:24px">{para(greeting)}{"".join(para(p) for p in paragraphs)}{button}'
        f"{''.join(para(c) for c in closing)}</div>"
        f'<div style="padding:16px 24px;font-size:11px;color:#60646c;border-top:1px solid #e0e1e6">'
        f"{html.escape(tenant.legal_footer)}</div>"
        f"</div></body></html>"
    )
    return OutgoingMail(
        kind=kind,
        to=recipient.to,
        subject=subject,
        text=text,
        html=body_html,
        user_id=recipient.user_id,
        tenant_id=tenant.id,
    )


def accessibility_feedback(
    recipient: Recipient,
    *,
    name: str,
    email: str,
    page: str,
    description: str,
    reporter_lang: str,
    received: dt.datetime,
) -> OutgoingMail:
    """A report from the accessibility statement's form, to the company's accessibility contact."""
    t = functools.partial(translate, recipient.lang)
    none = t("mail.accessibility.none")
    paragraphs = [
        t("mail.accessibility.body", when=i18n.date_time(received, recipient.lang)),
        t("mail.accessibility.reporter", name=name or none, email=email),
        t("mail.accessibility.page", page=page or none),
        t("mail.accessibility.language", language=t(f"language.{reporter_lang}")),
        t("mail.accessibility.description") + "\n" + description,
        t("mail.accessibility.deadline"),
    ]
    return _compose(
        recipient, kind="accessibility_feedback", subject_key="mail.accessibility.subject", paragraphs=paragraphs
    )


def login_code(recipient: Recipient, *, code: str, minutes: int) -> OutgoingMail:
    t = functools.partial(translate, recipient.lang)
    paragraphs = [t("mail.login_code.body", code=code, count=minutes), t("mail.login_code.warning")]
    return _compose(recipient, kind="login_code", subject_key="mail.login_code.subject", paragraphs=paragraphs)


def temporary_password(
    recipient: Recipient,
    *,
    username: str,
    password: str,
    login_url: str,
    reason: str,
    inviter: str = "",
    customer_name: str = "",
) -> OutgoingMail:
    """reason: "invitation", "registration" or "sub_user" (then `inviter` gave the access)."""
    t = functools.partial(translate, recipient.lang)
    paragraphs = [
        t(f"mail.temporary_password.{reason}", tenant=recipient.tenant.name, inviter=inviter, customer=customer_name),
        t("mail.temporary_password.credentials", username=username, password=password),
        t("mail.temporary_password.first_login"),
        t("mail.temporary_password.expires", count=72),  # accounts.TEMPORARY_PASSWORD_TTL
    ]
    return _compose(
        recipient,
        kind=f"temporary_password.{reason}",
        subject_key="mail.temporary_password.subject",
        paragraphs=paragraphs,
        action=(t("mail.temporary_password.action"), login_url),
    )


def password_reset(recipient: Recipient, *, link: str, minutes: int, unlocked: bool) -> OutgoingMail:
    t = functools.partial(translate, recipient.lang)
    paragraphs = [t("mail.reset.unlocked")] if unlocked else []
    paragraphs += [t("mail.reset.body", count=minutes), t("mail.reset.warning")]
    return _compose(
        recipient,
        kind="password_reset",
        subject_key="mail.reset.subject_unlock" if unlocked else "mail.reset.subject",
        paragraphs=paragraphs,
        action=(t("mail.reset.action"), link),
    )


@dataclasses.dataclass(frozen=True)
class Published:
    """A new document as its announcement tells it (figures already in the reader's words)."""

    number: str
    issue_date: str
    contract: str
    amount: str
    due: str
    paper: bool
    link: str


def publication(recipient: Recipient, document: Published) -> OutgoingMail:
    t = functools.partial(translate, recipient.lang)
    paragraphs = [
        t(
            "mail.publication.body",
            number=document.number,
            date=document.issue_date,
            contract=document.contract,
            amount=document.amount,
            due=document.due,
        )
    ]
    if document.paper:
        paragraphs.append(t("mail.publication.paper"))
    return _compose(
        recipient,
        kind="publication",
        subject_key="mail.publication.subject",
        paragraphs=paragraphs,
        action=(t("mail.publication.action"), document.link),
    )


def request_update(
    recipient: Recipient, *, code: str, title: str, status: str, text: str, link: str | None
) -> OutgoingMail:
    """News about a request: subject "<code> – <title>", the status and what changed."""
    t = functools.partial(translate, recipient.lang)
    mail = _compose(
        recipient,
        kind="request_update",
        subject_key="mail.request.subject",
        paragraphs=[t("mail.request.status", code=code, title=title, status=status), text],
        action=(t("mail.request.action"), link) if link else None,
    )
    return dataclasses.replace(mail, subject=f"{code} – {title}")


def contact_notice(recipient: Recipient, *, code: str, opened: bool) -> OutgoingMail:
    """To a contact to notify (outside the portal): a fixed text naming the request's code only,
    never anything a customer or operator typed, so the form cannot carry anyone's message."""
    t = functools.partial(translate, recipient.lang)
    mail = _compose(
        recipient,
        kind="request_contact",
        subject_key="mail.contact.subject",
        paragraphs=[
            t("mail.contact.opened" if opened else "mail.contact.updated", code=code, tenant=recipient.tenant.name)
        ],
    )
    return dataclasses.replace(mail, subject=f"{code} – {t('mail.contact.subject')}")


def unlock_link(recipient: Recipient, *, link: str, hours: int) -> OutgoingMail:
    """The unlock page's answer: a link that unlocks the account (and may set a new password)."""
    t = functools.partial(translate, recipient.lang)
    paragraphs = [t("mail.unlock.body", count=hours), t("mail.unlock.warning")]
    return _compose(
        recipient,
        kind="account_unlock",
        subject_key="mail.unlock.subject",
        paragraphs=paragraphs,
        action=(t("mail.unlock.action"), link),
    )


def account_locked(recipient: Recipient, *, link: str, hours: int) -> OutgoingMail:
    """Told to the owner when three wrong passwords lock the account, with the link that unlocks it."""
    t = functools.partial(translate, recipient.lang)
    paragraphs = [t("mail.locked.body"), t("mail.locked.unlock", count=hours), t("mail.locked.warning")]
    return _compose(
        recipient,
        kind="account_locked",
        subject_key="mail.locked.subject",
        paragraphs=paragraphs,
        action=(t("mail.unlock.action"), link),
    )


# --- issue 11 (S1b): the owner is told when the second factor or the primary address changes ---


def authenticator_changed(recipient: Recipient, *, change: str) -> OutgoingMail:
    """change: "enabled", "disabled" or "recovery_codes" (a new set was made)."""
    t = functools.partial(translate, recipient.lang)
    paragraphs = [t(f"mail.authenticator.{change}"), t("mail.authenticator.warning")]
    return _compose(
        recipient, kind=f"authenticator.{change}", subject_key="mail.authenticator.subject", paragraphs=paragraphs
    )


def primary_email_changed(recipient: Recipient, *, new_address: str) -> OutgoingMail:
    """Sent to the OLD address: the owner learns of a change they did not make."""
    t = functools.partial(translate, recipient.lang)
    paragraphs = [t("mail.email_changed.body", address=new_address), t("mail.email_changed.warning")]
    return _compose(
        recipient, kind="primary_email_changed", subject_key="mail.email_changed.subject", paragraphs=paragraphs
    )


# --- issue 15 (documents both ways): a published document, an ask, its outcome, an expiry reminder ---


def document_news(recipient: Recipient, *, kind: str, subject_key: str, text: str, link: str) -> OutgoingMail:
    """News from the document area: what happened (already in the reader's words) and the link."""
    t = functools.partial(translate, recipient.lang)
    return _compose(
        recipient,
        kind=kind,
        subject_key=subject_key,
        paragraphs=[text],
        action=(t("docs.mail_action"), link),
    )


# --- issue 15: the customer's own data ---


def data_export_ready(recipient: Recipient, *, link: str, page: str, until: str) -> OutgoingMail:
    """The copy of the user's data is ready: the link works for them only, signed in, until `until`."""
    t = functools.partial(translate, recipient.lang)
    paragraphs = [t("mail.data_export.body", date=until), t("mail.data_export.signed_in", page=page)]
    paragraphs.append(t("mail.data_export.warning"))
    return _compose(
        recipient,
        kind="data_export_ready",
        subject_key="mail.data_export.subject",
        paragraphs=paragraphs,
        action=(t("mail.data_export.action"), link),
    )
