"""Writes from the graduate pages: correcting a graduate's e-mail addresses and
mailing an invitation again.

Status moves and the outbox are ``surveys.lifecycle``'s (one home); this
module decides *which* invitations and *which* address, and writes the audit
entry in the same transaction as the change.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from audit.services import Action, record_about
from surveys import lifecycle
from surveys.models import Invitation
from surveys.planning import address_for

from ..models import Graduate

S = Invitation.Status


class GraduateErased(Exception):
    """The graduate's data was erased: there is nothing left to correct or mail."""


@dataclass
class Correction:
    changed: list[str] = field(default_factory=list)  # field names, e.g. ["email"]
    readdressed: int = 0  # queued mails that now go to the corrected address
    resent: Counter = field(default_factory=Counter)  # lifecycle.Resend outcome -> invitations


def best_address(graduate: Graduate) -> str:
    """Where a new mail goes: where a wave's first mail would (``surveys.planning.address_for``)."""
    return address_for(graduate.email, graduate.private_email)


def correct_emails(
    graduate: Graduate, *, email: str, private_email: str, resend: bool, user, request=None
) -> Correction:
    """Store the corrected addresses; mail still queued for an old address goes
    to the new one; with ``resend``, every bounced invitation is mailed again
    (``lifecycle.resend``: at most once per invitation and day) — to the
    address that was just corrected, or the best one if both were.

    The audit entry names the fields, never the addresses."""
    if graduate.erased_at is not None:
        raise GraduateErased
    new = {"email": email.strip(), "private_email": private_email.strip()}
    outcome = Correction()
    with transaction.atomic():
        locked = Graduate.objects.select_for_update().get(pk=graduate.pk)
        old = {name: getattr(locked, name) for name in new}
        outcome.changed = [name for name in new if new[name] != old[name]]
        if outcome.changed:
            for name in outcome.changed:
                setattr(locked, name, new[name])
            locked.save(update_fields=[*outcome.changed, "updated_at"])
            for name in outcome.changed:
                replacement = new[name] or best_address(locked)
                outcome.readdressed += lifecycle.readdress_queued_mail(locked.pk, old[name], replacement)
        if resend:
            corrected = [new[name] for name in outcome.changed if new[name]]
            to_address = corrected[0] if len(corrected) == 1 else best_address(locked)
            for invitation in Invitation.objects.filter(graduate=locked, status=S.BOUNCED):
                outcome.resent[lifecycle.resend(invitation, to_address=to_address)] += 1
        record_about(
            Action.CHANGE,
            "graduate_email",
            locked,
            request=request,
            user=user,
            fields=outcome.changed,
            readdressed=outcome.readdressed,
            resent=outcome.resent.get(lifecycle.Resend.QUEUED, 0),
        )
    graduate.email, graduate.private_email = locked.email, locked.private_email
    return outcome


def resend_invitation(invitation: Invitation, *, user, request=None) -> str:
    """Mail one invitation again on the admin's request, to the graduate's best
    address; returns the ``lifecycle.Resend`` outcome. Audited when a mail was
    queued (no address in the entry)."""
    graduate = invitation.graduate
    if graduate.erased_at is not None:
        raise GraduateErased
    address = best_address(graduate)
    if not address:
        return lifecycle.Resend.NOT_RESENDABLE
    with transaction.atomic():
        outcome = lifecycle.resend(invitation, to_address=address)
        if outcome in (lifecycle.Resend.QUEUED, lifecycle.Resend.READDRESSED):
            record_about(
                Action.CHANGE,
                "invitation_resend",
                invitation,
                institution=graduate.institution_id,
                request=request,
                user=user,
                wave=invitation.wave.code,
                outcome=outcome,
            )
    return outcome
