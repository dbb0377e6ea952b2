"""An invitation's history and mail in plain Dutch for the graduate's page.

The events' ``detail`` is a machine word (the outbox purpose, ``reminder-2``)
or an SMTP server's reply; the admin needs "Herinnering 2 verstuurd" and,
for a bounce, the server's reply as a technical note. Unknown details (a
future kind of event) fall back to the status with the detail as that note.
"""

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import Invitation, OutboundEmail

S = Invitation.Status


def _purpose_text(purpose: str) -> str | None:
    """What a mail of this outbox purpose is (for the list of mails), or None if unknown."""
    if purpose == "invitation":
        return _("Invitation")
    if purpose == "invitation-alt":
        return _("Invitation to the other address")
    if purpose.startswith("invitation-re-"):
        return _("Invitation to the corrected address")
    if match := re.fullmatch(r"reminder-(\d+)", purpose):
        return _("Reminder %(number)s") % {"number": match[1]}
    if purpose.startswith("extra-"):
        return _("Extra reminder")
    if purpose.startswith("resend-"):
        return _("Repeat at the admin's request")
    return None


def _sent_text(purpose: str, status: str) -> str:
    """The history line of a mail that went out, by its outbox purpose."""
    if purpose == "invitation-alt":
        return _("Invitation sent to the other address")
    if purpose.startswith("invitation-re-"):
        return _("Invitation sent again, to the corrected address")
    if match := re.fullmatch(r"reminder-(\d+)", purpose):
        return _("Reminder %(number)s sent") % {"number": match[1]}
    if purpose.startswith("extra-"):
        return _("Extra reminder sent")
    if purpose.startswith("resend-"):
        return _("Invitation sent again at the admin's request")
    return _("Invitation sent") if status == S.SENT else _("Reminder sent")


def describe(event) -> dict:
    """``{"at", "status", "text", "note"}`` for one InvitationEvent."""
    status, detail = event.status, event.detail or ""
    text, note = None, ""
    if detail.startswith("resend: "):
        text = _("Put in the outbox again by an admin")
    elif status in (S.SENT, S.REMINDED):
        text = _sent_text(detail, status)
    elif status == S.BOUNCED:
        if detail.startswith("gave up: "):
            text, note = _("Undeliverable: given up after several attempts"), detail[len("gave up: ") :]
        else:
            text, note = _("Undeliverable: the mail server refused the address"), detail
    elif detail.startswith("bounced, trying the other address: "):
        text = _("Undeliverable; the other address on file is tried")
        note = detail[len("bounced, trying the other address: ") :]
    elif status == S.PENDING and not detail:
        text = _("Invitation created; it will be sent shortly")
    elif status == S.NOT_INVITED:
        text = _("Not invited: added after the wave's invitation period")
    elif status == S.OPENED:
        text = _("Link opened")
    elif status == S.PARTIAL:
        text = _("Started answering")
    elif status == S.COMPLETED:
        text = _("Survey completed")
    elif status == S.OPTED_OUT:
        text = _("Opted out: no more e-mail")
    elif status == S.EXPIRED:
        text = _("Closed: the answering period is over")
    if text is None:
        text, note = S(status).label.capitalize(), detail
    return {"at": event.at, "status": S(status).label, "text": text, "note": note}


def describe_mail(email: OutboundEmail) -> dict:
    return {
        "purpose": _purpose_text(email.purpose) or email.purpose,
        "address": email.to_address,
        "state": email.get_state_display(),
        "failed": email.state in (OutboundEmail.State.FAILED, OutboundEmail.State.CANCELLED),
        "at": email.sent_at or email.queued_at,
        "error": email.last_error if email.state == OutboundEmail.State.FAILED else "",
    }


def can_resend(invitation: Invitation) -> bool:
    """Whether the page offers "send again" (``surveys.lifecycle.resend`` has the
    last word). Not for a bounced invitation: the same address would bounce
    again; correcting the address sends it again."""
    return (
        invitation.status in Invitation.ANSWERABLE
        and invitation.closes_on is not None
        and invitation.closes_on >= timezone.localdate()
    )


_BADGE = {
    S.PENDING: "secondary",
    S.SENT: "info",
    S.REMINDED: "info",
    S.OPENED: "primary",
    S.PARTIAL: "warning",
    S.COMPLETED: "success",
    S.BOUNCED: "danger",
    S.OPTED_OUT: "dark",
    S.EXPIRED: "light",
    S.NOT_INVITED: "light",
}


def badge(status: str | None) -> dict:
    """Label and Bootstrap colour of a status badge; None is "no invitation (yet)"."""
    if not status:
        return {"label": _("no invitation (yet)"), "css": "light", "status": ""}
    return {"label": S(status).label, "css": _BADGE.get(status, "light"), "status": status}
