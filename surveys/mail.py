"""Build survey e-mails and tell temporary from permanent SMTP failures."""

import re
import smtplib
import socket
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

# Plain ASCII punctuation on purpose: a non-ASCII subject is RFC 2047-encoded
# by the stdlib at about 1 ms a message, a third of the whole send cost.
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
    },
    "en": {
        "button": "Go to the survey",
        "link_hint": "Button not working? Copy this link:",
        "opt_out_text": "No more e-mail about this survey?",
        "opt_out_link": "Unsubscribe",
    },
}


def survey_url(token: str) -> str:
    return settings.SITE_URL + reverse("surveys:survey", args=[token])


def opt_out_url(token: str) -> str:
    return settings.SITE_URL + reverse("surveys:opt_out", args=[token])


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


_DATE_LINE = re.compile(rb"\r\nDate: [^\r]*")

# --- Fast path for batches -----------------------------------------------------
#
# Building a MIME message through Django and the stdlib costs ~2 ms, more than
# the SMTP exchange itself. All messages of a batch that share kind, language,
# institution, programme, wave and closing day differ only in the address, the
# first name, the token and the Message-ID, so each such *shape* is built once
# with placeholders and the bytes are filled in per graduate. A shape that the
# stdlib encoded (quoted-printable, base64) is not used: those messages take the
# normal path, so the fast path can never send a garbled mail.

_FIRST = "\u00e9FIRSTNAME\u00e9"  # non-ASCII, so both parts are 8bit and any name fits
_TOKEN = "TOKENPLACEHOLDER".ljust(43, "X")  # as long as a real token: same header folding
_TO = "graduate-placeholder@invalid.example"
_PK = 987654321987654321


class _Stub:
    def __init__(self, **fields):
        self.__dict__.update(fields)


class MessageRenderer:
    """Per-batch cache of rendered message shapes (see above)."""

    def __init__(self):
        self._shapes: dict = {}
        self.from_address = sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")

    def render(self, email, invitation, graduate, institution_name, programme_name) -> bytes | None:
        """The message as SMTP DATA, or None when this shape must take the slow path."""
        language = graduate.preferred_language if graduate.preferred_language in ("nl", "en") else "nl"
        kind = "invitation" if email.purpose.startswith("invitation") else "reminder"
        key = (kind, language, institution_name, programme_name, invitation.wave.code, invitation.closes_on)
        if key not in self._shapes:
            self._shapes[key] = self._shape(email, invitation, language, institution_name, programme_name)
        shape = self._shapes[key]
        if shape is None:
            return None
        head, text, html = shape
        token = invitation.token.encode()
        head = (
            head.replace(_TO.encode(), email.to_address.encode())
            .replace(str(_PK).encode(), str(email.pk).encode())
            .replace(_TOKEN.encode(), token)  # List-Unsubscribe
        )
        head = _DATE_LINE.sub(b"\r\nDate: " + formatdate(localtime=True).encode(), head, count=1)
        name = graduate.first_name
        return b"".join(
            (
                head,
                text.replace(_FIRST.encode(), name.encode()).replace(_TOKEN.encode(), token),
                html.replace(_FIRST.encode(), escape(name).encode()).replace(_TOKEN.encode(), token),
            )
        )

    def _shape(self, email, invitation, language, institution_name, programme_name):
        message = build_message(
            _Stub(purpose=email.purpose, to_address=_TO, pk=_PK),
            _Stub(token=_TOKEN, wave=invitation.wave, closes_on=invitation.closes_on),
            _Stub(first_name=_FIRST, preferred_language=language),
            institution_name,
            programme_name,
        )
        raw = message.message().as_bytes(linesep="\r\n")
        text_at, html_at = raw.find(b"Content-Type: text/plain"), raw.find(b"Content-Type: text/html")
        if not 0 < text_at < html_at:
            return None
        head, text, html = raw[:text_at], raw[text_at:html_at], raw[html_at:]
        text_src, html_src = message.body, message.alternatives[0][0]
        for part, source in ((text, text_src), (html, html_src)):
            if b"Content-Transfer-Encoding: 8bit" not in part:
                return None
            for placeholder in (_FIRST, _TOKEN):
                if part.count(placeholder.encode()) != source.count(placeholder):
                    return None
        if (
            head.count(_TO.encode()) != 1
            or head.count(str(_PK).encode()) != 1
            or head.count(_TOKEN.encode()) != 1
        ):
            return None
        return head, text, html
