"""Build survey e-mails and tell temporary from permanent SMTP failures."""

import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

# Plain ASCII punctuation on purpose (a hyphen, not a dash): the subject then
# goes out as it is, without RFC 2047 encoding.
SUBJECTS = {
    ("invitation", "nl"): "Hoe gaat het na je diploma? - {institution}",
    ("invitation", "en"): "How are you doing after graduating? - {institution}",
    ("reminder", "nl"): "Herinnering: hoe gaat het na je diploma? - {institution}",
    ("reminder", "en"): "Reminder: how are you doing after graduating? - {institution}",
}
HTML_LABELS = {
    "nl": {
        "button": "Naar de vragenlijst",
        "link_hint": "Werkt de knop niet? Kopieer dan deze link:",
        "opt_out_text": "Geen e-mail meer over dit onderzoek?",
        "opt_out_link": "Afmelden",
        "own_data_text": "Wat we van je bewaren, of je gegevens laten wissen:",
        "own_data_link": "Jouw gegevens",
    },
    "en": {
        "button": "Go to the survey",
        "link_hint": "Button not working? Copy this link:",
        "opt_out_text": "No more e-mail about this survey?",
        "opt_out_link": "Unsubscribe",
        "own_data_text": "What we keep about you, or have your data erased:",
        "own_data_link": "Your data",
    },
}


def survey_url(token: str) -> str:
    return settings.SITE_URL + reverse("surveys:survey", args=[token])


def opt_out_url(token: str) -> str:
    return settings.SITE_URL + reverse("surveys:opt_out", args=[token])


def own_data_url(token: str) -> str:
    """The graduate's own page: what is stored, correct the address, erasure."""
    return settings.SITE_URL + reverse("surveys:own_data", args=[token])


def build_message(
    email, invitation, graduate, institution_name: str, programme_name: str
) -> EmailMultiAlternatives:
    """The e-mail for one outbox row: text and HTML, RFC 8058 one-click unsubscribe."""
    kind = "invitation" if email.purpose.startswith("invitation") else "reminder"
    language = graduate.preferred_language if graduate.preferred_language in ("nl", "en") else "nl"
    context = {
        "first_name": graduate.first_name,
        "programme": programme_name,
        "institution": institution_name,
        "wave_code": invitation.wave.code,
        "survey_url": survey_url(invitation.token),
        "opt_out_url": opt_out_url(invitation.token),
        "own_data_url": own_data_url(invitation.token),
        "closes_on": invitation.closes_on,
        "language": language,
    }
    subject = SUBJECTS[(kind, language)].format(institution=institution_name)
    # The mail's language, not the sending process's: dates ("27 oktober") follow it.
    with translation.override(language):
        text = render_to_string(f"surveys/email/{kind}.{language}.txt", context).strip() + "\n"
        body = text.split("\n---\n")[0]
        paragraphs = [p for p in body.split("\n\n") if p.strip() and context["survey_url"] not in p]
        html = render_to_string(
            "surveys/email/message.html",
            {**context, **HTML_LABELS[language], "subject": subject, "paragraphs": paragraphs},
        )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
        headers={
            "List-Unsubscribe": f"<{context['opt_out_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Stable per outbox row: a receiving server can drop a rare re-send.
            "Message-ID": f"<survey-{email.pk}@{settings.SITE_URL.split('//')[-1].split('/')[0].split(':')[0]}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


class SendFailure(Exception):
    def __init__(self, permanent: bool, detail: str):
        self.permanent = permanent
        self.detail = detail[:255]
        super().__init__(detail)


def classify(exc: Exception) -> SendFailure:
    """5xx replies are permanent (bad address, refused); 4xx and lost
    connections are temporary and retried with back-off."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        return SendFailure(permanent, f"recipient refused: {exc.recipients}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return SendFailure(500 <= exc.smtp_code < 600, f"{exc.smtp_code} {exc.smtp_error!r}")
    if isinstance(exc, (smtplib.SMTPException, socket.error, OSError)):
        return SendFailure(False, f"{type(exc).__name__}: {exc}")
    raise exc
