"""What the graduate's own page reads and writes (the views are ``own_data``).

Reads: everything stored about the graduate behind a link (their own record,
every invitation, whether they answered and joined the alumni network), so
the page can show it as the right of access asks (AVG art. 15). Writes: the
graduate's own correction of their private address (art. 16) and, through
``alumni.privacy.erasure``, their erasure (art. 17). Opting out is
``surveys.lifecycle.opt_out`` behind the existing opt-out page.

The audit log gets the request without the token: the token is the
graduate's only credential, and whoever reads the log must not be able to
open their page with it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from alumni.models import Graduate
from audit.services import Action, record

from .. import lifecycle, scheduling
from ..models import Invitation, Response, Wave
from ..planning import address_for

OWN_REQUEST_REASON = "Op verzoek van de gediplomeerde"
"""The reason in the audit entry of an erasure the graduate asked for on their own page."""
_FALLBACK_REASON = "AVG art. 17"  # see erase_at_own_request


@dataclass(frozen=True)
class InvitationLine:
    months_after_diploma: int
    status: str  # an Invitation.Status value, or "planned" for a wave still to come
    sent_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    planned_on: datetime.date | None = None


@dataclass
class OwnData:
    graduate: Graduate
    lines: list[InvitationLine] = field(default_factory=list)
    answered: bool = False  # some answers are stored (partly or complete)
    network_member: bool = False  # opted in to the alumni network and not opted out since


def own_data(graduate_id: int, today: datetime.date | None = None) -> OwnData:
    """Everything the page shows about one graduate, in three queries. A wave
    still to come is a "planned" line (with its day while that is ahead),
    unless the graduate opted out or said no to being asked again."""
    from reports.selectors.personal_data import NETWORK_OPT_IN  # reports reads surveys: import late

    today = today or timezone.localdate()
    graduate = Graduate.objects.select_related("institution", "programme", "location").get(pk=graduate_id)
    responses = Response.objects.filter(invitation=OuterRef("pk"))
    invitations = list(
        Invitation.objects.filter(graduate_id=graduate_id)
        .select_related("wave")
        .annotate(
            answered=Exists(responses),
            network=Exists(responses.filter(NETWORK_OPT_IN)),
            declined_again=Exists(responses.filter(recontact_consent=False)),
        )
        .order_by("wave__months_after_diploma")
    )
    data = OwnData(graduate)
    data.answered = any(inv.answered for inv in invitations)
    data.network_member = graduate.opted_out_at is None and any(inv.network for inv in invitations)
    for inv in invitations:
        data.lines.append(
            InvitationLine(inv.wave.months_after_diploma, inv.status, inv.sent_on, inv.closes_on)
        )
    declined = any(inv.declined_again for inv in invitations)
    if graduate.opted_out_at is None and not declined:
        invited = {inv.wave_id for inv in invitations}
        for wave in Wave.objects.filter(is_active=True).exclude(pk__in=invited):
            due = scheduling.due_on(graduate.diploma_date, wave.months_after_diploma)
            planned_on = due if due >= today else None
            data.lines.append(InvitationLine(wave.months_after_diploma, "planned", planned_on=planned_on))
    data.lines.sort(key=lambda line: line.months_after_diploma)
    return data


# --- the graduate's own changes --------------------------------------------------------


@dataclass(frozen=True)
class EmailChange:
    changed: bool
    removed: bool = False  # the private address was cleared: mail goes to the school's
    readdressed: int = 0  # queued mails that now go to the new best address


def change_own_email(graduate: Graduate, private_email: str, *, request=None) -> EmailChange:
    """The graduate corrects (or removes) their private address: stored, mail
    still waiting in the outbox follows the new best address (the private one
    first, ``planning.address_for``), and one audit entry names the field,
    never the address."""
    new = private_email.strip()
    with transaction.atomic():
        locked = Graduate.objects.select_for_update().get(pk=graduate.pk)
        if locked.private_email == new:
            return EmailChange(changed=False)
        before = address_for(locked.email, locked.private_email)
        locked.private_email = new
        locked.save(update_fields=["private_email", "updated_at"])
        readdressed = lifecycle.readdress_queued_mail(locked.pk, before, address_for(locked.email, new))
        record(
            Action.CHANGE,
            "own_email",
            request=request,
            target=locked,
            institution=locked.institution_id,
            details={"fields": ["private_email"], "removed": not new, "readdressed": readdressed},
        )
    graduate.private_email = new
    return EmailChange(changed=True, removed=not new, readdressed=readdressed)


def erase_at_own_request(graduate: Graduate, *, request=None):
    """Erase the graduate at once (AVG art. 17: without undue delay; they are
    the data subject, so no admin is asked). Returns the erasure's summary,
    or None when it was refused (nothing changed).

    ``erase_graduate`` refuses a reason that contains one of the person's
    names; a name prefix such as "van" or "de" is in the Dutch reason itself,
    so then the neutral reason is given instead."""
    from alumni.privacy.erasure import ErasureRefused, erase_graduate

    for reason in (OWN_REQUEST_REASON, _FALLBACK_REASON):
        try:
            return erase_graduate(graduate, reason=reason, request=request, at_own_request=True)
        except ErasureRefused:
            continue
    return None


class AuditedRequest:
    """The request as the audit log may see it: the client's address and the
    path, with the token in the path replaced (it is a credential)."""

    user = None  # the graduate has no account

    def __init__(self, request, token: str):
        self.META = request.META
        self._path = request.get_full_path().replace(token, "<token>")

    def get_full_path(self) -> str:
        return self._path
