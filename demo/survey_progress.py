"""The demo graduates' survey so far: invitations of past waves, their
statuses with history, and the answers of those who responded.

``make run`` should show filled dashboards at once, but also real invitation
e-mails to click: so only waves whose window has passed get invitations
here; graduates due *now* are left to the Celery worker, whose mails appear
at /dev/mail/. Idempotent: once the demo institutions have a response,
nothing is added.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from alumni.models import Graduate, OccupationGroup, SbiSection
from surveys.models import Invitation, InvitationEvent, Response, Wave
from surveys.scheduling import classify

from .answers import random_answers, response_for, status_by_share
from .institutions import BRINS

S = Invitation.Status
# Of the invitations without a response: the share that reached each status (the rest stay sent).
SHARES = [(S.COMPLETED, 0.55), (S.PARTIAL, 0.07), (S.OPENED, 0.10), (S.BOUNCED, 0.03)]


def _invite_past_waves(now) -> None:
    """Invitations, as sent, for every wave whose window a demo graduate has passed."""
    waves = list(Wave.objects.all())
    today = datetime.date.today()
    new = [
        Invitation(
            graduate=graduate,
            wave=wave,
            due_on=graduate.diploma_date,
            status=S.SENT,
            sent_at=now,
            sent_on=now.date(),
        )
        for graduate in Graduate.objects.filter(institution__brin__in=BRINS, invitations__isnull=True)
        for wave in waves
        if classify(graduate.diploma_date, today, wave.months_after_diploma, wave.invitation_window_days)
        == "past_window"
    ]
    Invitation.objects.bulk_create(new)


def _open_invitations() -> list[Invitation]:
    return list(Invitation.objects.filter(graduate__institution__brin__in=BRINS, response__isnull=True))


@transaction.atomic
def load_survey_progress(seed: int = 2026) -> str:
    """Statuses, history and answers for the demo institutions' invitations; one line of output."""
    if Response.objects.filter(invitation__graduate__institution__brin__in=BRINS).exists():
        return "Demo answers: already there"
    rng = random.Random(seed)
    sections = list(SbiSection.objects.values_list("code", flat=True))
    groups = list(OccupationGroup.objects.filter(level=1).values_list("code", flat=True))
    now = timezone.now()
    invitations = _open_invitations()
    if not invitations:  # a fresh demo: the older cohorts have no invitations yet
        _invite_past_waves(now)
        invitations = _open_invitations()
    responses, events = [], []
    for number, invitation in enumerate(invitations):
        status = status_by_share(rng, SHARES)
        if status is None:
            continue
        day = now - datetime.timedelta(days=rng.randint(0, 20))
        invitation.status = status
        invitation.sent_at = invitation.sent_at or day
        events.append(InvitationEvent(invitation=invitation, status="sent"))
        if status != S.BOUNCED:
            events.append(InvitationEvent(invitation=invitation, status="opened"))
        if status in (S.COMPLETED, S.PARTIAL):
            answers = random_answers(rng, sections, groups, number)
            done = day if status == S.COMPLETED else None
            responses.append(response_for(invitation.pk, answers, done))
            events.append(InvitationEvent(invitation=invitation, status=str(status)))
        if status == S.BOUNCED:
            events.append(InvitationEvent(invitation=invitation, status="bounced"))
    Invitation.objects.bulk_update(invitations, ["status", "sent_at"])
    Response.objects.bulk_create(responses)
    InvitationEvent.objects.bulk_create(events)
    return f"Demo answers: {sum(r.completed_at is not None for r in responses)} completed responses"
