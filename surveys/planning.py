"""Planning survey e-mail: everything the rules say should happen on a day, except sending.

``plan(today)`` is what the dispatcher (``surveys.tasks.dispatch``, every
minute) and ``manage.py send_due_invitations`` run, in one transaction (so
``--dry-run`` can roll it all back):

1. per active wave, create the invitations that are due (T1 at diploma + 3
   months, T3 at + 3 years; a graduate uploaded late is still invited inside
   the wave's window, after it reported once as ``not_invited``) and queue
   their first mail;
2. queue the reminders that are due (day 7 and 14 by default; only the
   latest one when days were missed, never two on one day);
3. close invitations whose link closed (expired; their queued mail is cancelled);
4. look after the outbox: rows of a worker that died go back to the queue
   when their lease ran out, and invitations whose mail went out while their
   status did not follow are repaired (``surveys.sending``).

Every step is idempotent: invitations are unique per graduate and wave, and
outbox rows per invitation and purpose, in the database; so planning the same
day twice, or in two processes at once, queues nothing twice. Status moves go
through ``surveys.lifecycle``.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from alumni.models import Graduate

from . import lifecycle, scheduling, sending
from .models import Invitation, OutboundEmail, Wave

S = Invitation.Status
_CHUNK = 500


@dataclass
class PlanResult:
    invited: dict = field(default_factory=dict)  # wave code -> invitations created
    not_invited: dict = field(default_factory=dict)  # wave code -> past the window
    reminders: int = 0
    expired: int = 0
    requeued: int = 0

    def as_text(self) -> str:
        waves = sorted(set(self.invited) | set(self.not_invited))
        parts = [
            f"{w}: {self.invited.get(w, 0)} invited, {self.not_invited.get(w, 0)} past the window"
            for w in waves
        ]
        parts.append(
            f"{self.reminders} reminders queued, {self.expired} expired, "
            f"{self.requeued} abandoned claims requeued"
        )
        return "; ".join(parts)


def plan(today: datetime.date | None = None, *, dry_run: bool = False) -> PlanResult:
    """Steps 1-4 of the module docstring, as of ``today`` (default: the real date)."""
    today = today or timezone.localdate()
    result = PlanResult()
    with transaction.atomic():
        for wave in Wave.objects.filter(is_active=True):
            result.invited[wave.code], result.not_invited[wave.code] = create_due_invitations(wave, today)
        result.reminders = queue_reminders(today)
        result.expired = lifecycle.expire(today)
        result.requeued = sending.requeue_expired_leases()
        sending.repair_delivered()
        if dry_run:
            transaction.set_rollback(True)
    return result


def address_for(email: str, private_email: str) -> str:
    """Where a wave's first mail goes: the private address when there is one,
    else the school's. School mailboxes often close soon after the diploma,
    so already the 3-month wave (T1) prefers the private address, like the
    3-year one; a permanent bounce there is tried once more at the school
    address (``surveys.sending``)."""
    return private_email or email


# --- 1. invitations and their first mail --------------------------------------------------


def create_due_invitations(wave: Wave, today: datetime.date) -> tuple[int, int]:
    """Create the wave's invitations due by ``today`` and queue their first
    mail; returns (invited, past the window)."""
    latest = scheduling.latest_diploma_for(today, wave.months_after_diploma)
    candidates = Graduate.objects.filter(diploma_date__lte=latest, opted_out_at__isnull=True).exclude(
        invitations__wave=wave
    )
    if wave.months_after_diploma >= 12:
        # Asked at T1 "may we ask again in 3 years?" and said no: never invited later.
        candidates = candidates.exclude(invitations__response__recontact_consent=False)
    new = []
    counts = {"due": 0, "past_window": 0}
    for pk, diploma_date in candidates.values_list("pk", "diploma_date").iterator(chunk_size=5000):
        state = scheduling.classify(
            diploma_date, today, wave.months_after_diploma, wave.invitation_window_days
        )
        if state == "not_yet":
            continue
        counts[state] += 1
        new.append(
            Invitation(
                graduate_id=pk,
                wave=wave,
                due_on=scheduling.due_on(diploma_date, wave.months_after_diploma),
                status=S.PENDING if state == "due" else S.NOT_INVITED,
            )
        )
    Invitation.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    lifecycle.start_history(wave, [invitation.graduate_id for invitation in new])
    _queue_first_mails(wave, today)
    return counts["due"], counts["past_window"]


def _queue_first_mails(wave: Wave, today: datetime.date) -> None:
    pending = (
        Invitation.objects.filter(wave=wave, status=S.PENDING)
        .exclude(emails__purpose="invitation")
        .values_list("pk", "graduate__email", "graduate__private_email")
    )
    rows = [
        OutboundEmail(
            invitation_id=pk,
            purpose="invitation",
            to_address=address_for(email, private_email),
            schedule_day=today,
        )
        for pk, email, private_email in pending.iterator(chunk_size=5000)
    ]
    OutboundEmail.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


# --- 2. reminders ---------------------------------------------------------------------------


def _reminder_address(invitation: Invitation) -> str:
    """Where the first mail went (after a bounce: the other address)."""
    first = invitation.emails.filter(state=OutboundEmail.State.SENT).order_by("-sent_at").first()
    if first:
        return first.to_address
    graduate = invitation.graduate
    return address_for(graduate.email, graduate.private_email)


def queue_reminders(today: datetime.date) -> int:
    queued = 0
    for wave in Wave.objects.filter(is_active=True).exclude(reminder_days=[]):
        days = sorted(wave.reminder_days)
        candidates = (
            Invitation.objects.filter(
                wave=wave,
                status__in=Invitation.ANSWERABLE,
                sent_on__lte=today - datetime.timedelta(days=days[0]),
                closes_on__gte=today,
                reminders_sent__lt=len(days),
                graduate__opted_out_at__isnull=True,
            )
            .exclude(last_mailed_on=today)
            .select_related("graduate", "wave")
        )
        rows = []
        for invitation in candidates.iterator(chunk_size=2000):
            due = scheduling.reminders_due(
                invitation.sent_on, today, days, invitation.reminders_sent, invitation.closes_on
            )
            if due:  # only the latest one: never two reminders on one day
                rows.append(
                    OutboundEmail(
                        invitation=invitation,
                        purpose=f"reminder-{due[-1]}",
                        to_address=_reminder_address(invitation),
                        schedule_day=today,
                    )
                )
        rows = _not_yet_queued(rows)
        OutboundEmail.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        queued += len(rows)
    return queued


def _not_yet_queued(rows: list[OutboundEmail]) -> list[OutboundEmail]:
    """Leave out rows whose (invitation, purpose) exists already, so a re-run
    of the day reports 0 rather than what ``ignore_conflicts`` silently skips."""
    fresh = []
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        existing = set(
            OutboundEmail.objects.filter(
                invitation_id__in=[row.invitation_id for row in chunk],
                purpose__in={row.purpose for row in chunk},
            ).values_list("invitation_id", "purpose")
        )
        fresh += [row for row in chunk if (row.invitation_id, row.purpose) not in existing]
    return fresh


def queue_extra_reminder(*, institution, wave: Wave, today: datetime.date | None = None) -> int:
    """An admin's extra reminder to everyone of the institution who has not
    completed; at most one mail per graduate per day, whatever is clicked."""
    today = today or timezone.localdate()
    purpose = f"extra-{today.isoformat()}"
    invitations = (
        Invitation.objects.filter(
            wave=wave,
            graduate__institution=institution,
            graduate__opted_out_at__isnull=True,
            status__in=Invitation.ANSWERABLE,
            closes_on__gte=today,
        )
        .exclude(last_mailed_on=today)
        .exclude(emails__purpose=purpose)
        .select_related("graduate", "wave")
    )
    rows = [
        OutboundEmail(
            invitation=invitation,
            purpose=purpose,
            to_address=_reminder_address(invitation),
            schedule_day=today,
        )
        for invitation in invitations
    ]
    OutboundEmail.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)
