"""Writes for the surveys app: planning invitations and sending e-mail.

The delivery guarantee, for the next developer
----------------------------------------------
* Planning is idempotent. Invitations are unique per (graduate, wave) and
  outbox rows per (invitation, purpose) in the database, so two dispatchers at
  the same moment, a task delivered twice or a re-run of a day queue nothing twice.
* Sending claims each row with a conditional ``UPDATE … WHERE state='queued'``
  before SMTP sees it, and marks it ``sent`` in its own commit right after the
  server accepted it. Two workers never send the same row.
* A worker killed mid-batch leaves its claimed rows in ``sending``; after
  ``SURVEYS_STALE_CLAIM_SECONDS`` the dispatcher puts them back in the queue, so
  every due graduate is still mailed. The one message a killed process had
  handed to SMTP but not yet marked ``sent`` may go out twice: at most one
  duplicate per killed worker process, never more. (Its stable Message-ID lets
  a receiving server drop it.)
* Temporary SMTP failures (4xx, lost connection) are retried with exponential
  back-off stored on the row (``not_before``), not with long Celery ETAs.
  Permanent failures (5xx) bounce the invitation at once: no retry storm. At
  T3 the other address on file is tried once.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from alumni.models import Graduate

from . import link_sql, scheduling
from .mail import MessageRenderer, SendFailure, build_message, classify
from .models import Invitation, InvitationEvent, OutboundEmail, Wave

log = logging.getLogger(__name__)
S = Invitation.Status


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
            f"{self.reminders} reminders queued, {self.expired} expired, {self.requeued} stale claims requeued"
        )
        return "; ".join(parts)


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    bounced: int = 0
    failed: int = 0
    cancelled: int = 0


def _today(today):
    return today or timezone.localdate()


# --- planning ---------------------------------------------------------------


def plan(today=None, *, dry_run=False) -> PlanResult:
    """Everything the rules say should happen on ``today``, except sending."""
    today = _today(today)
    result = PlanResult()
    with transaction.atomic():
        for wave in Wave.objects.filter(is_active=True):
            invited, past = create_due_invitations(wave, today)
            result.invited[wave.code], result.not_invited[wave.code] = invited, past
        result.reminders = queue_reminders(today)
        result.expired = close_expired(today)
        result.requeued = requeue_stale_claims()
        repair_delivered()
        if dry_run:
            transaction.set_rollback(True)
    return result


def _address_for(wave: Wave, email: str, private_email: str) -> str:
    """School addresses expire: the 3-year wave prefers the private one."""
    if wave.months_after_diploma >= 12:
        return private_email or email
    return email or private_email


def create_due_invitations(wave: Wave, today: datetime.date) -> tuple[int, int]:
    latest = scheduling.latest_diploma_for(today, wave.months_after_diploma)
    candidates = Graduate.objects.filter(diploma_date__lte=latest, opted_out_at__isnull=True).exclude(
        invitations__wave=wave
    )
    if wave.months_after_diploma >= 12:
        # Asked at T1 "may we ask again in 3 years?" and said no: never invited later.
        candidates = candidates.exclude(invitations__response__recontact_consent=False)
    candidates = candidates.values_list("pk", "diploma_date")
    new = []
    counts = {"due": 0, "past_window": 0}
    for pk, diploma_date in candidates.iterator(chunk_size=5000):
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
    _record_creation(wave, [invitation.graduate_id for invitation in new])
    _queue_first_mails(wave, today)
    return counts["due"], counts["past_window"]


def _record_creation(wave: Wave, graduate_ids: list[int]) -> None:
    """Start the history of each new invitation with its first status
    (pending or not_invited). ``bulk_create(ignore_conflicts=True)`` returns no
    keys, so look the new rows up; one another dispatcher created already has
    its event and is skipped."""
    for start in range(0, len(graduate_ids), 500):
        created = Invitation.objects.filter(
            wave=wave, graduate_id__in=graduate_ids[start : start + 500], events__isnull=True
        ).values_list("pk", "status")
        InvitationEvent.objects.bulk_create(
            [InvitationEvent(invitation_id=pk, status=status) for pk, status in created]
        )


def _queue_first_mails(wave: Wave, today) -> int:
    pending = (
        Invitation.objects.filter(wave=wave, status=S.PENDING)
        .exclude(emails__purpose="invitation")
        .values_list("pk", "graduate__email", "graduate__private_email")
    )
    rows = [
        OutboundEmail(
            invitation_id=pk, purpose="invitation", to_address=_address_for(wave, e, p), schedule_day=today
        )
        for pk, e, p in pending.iterator(chunk_size=5000)
    ]
    OutboundEmail.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _reminder_address(invitation) -> str:
    first = invitation.emails.filter(state=OutboundEmail.State.SENT).order_by("-sent_at").first()
    if first:
        return first.to_address
    grad = invitation.graduate
    return _address_for(invitation.wave, grad.email, grad.private_email)


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
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        existing = set(
            OutboundEmail.objects.filter(
                invitation_id__in=[row.invitation_id for row in chunk],
                purpose__in={row.purpose for row in chunk},
            ).values_list("invitation_id", "purpose")
        )
        fresh += [row for row in chunk if (row.invitation_id, row.purpose) not in existing]
    return fresh


def close_expired(today: datetime.date) -> int:
    expiring = Invitation.objects.filter(status__in=Invitation.MAILABLE, closes_on__lt=today).values_list(
        "pk", flat=True
    )
    ids = list(expiring)
    if not ids:
        return 0
    Invitation.objects.filter(pk__in=ids).update(status=S.EXPIRED)
    InvitationEvent.objects.bulk_create([InvitationEvent(invitation_id=i, status=S.EXPIRED) for i in ids])
    OutboundEmail.objects.filter(invitation_id__in=ids, state=OutboundEmail.State.QUEUED).update(
        state=OutboundEmail.State.CANCELLED, last_error="wave closed"
    )
    return len(ids)


def requeue_stale_claims(now=None) -> int:
    """Rows a killed worker had claimed go back to the queue (see module doc)."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.SURVEYS_STALE_CLAIM_SECONDS)
    return OutboundEmail.objects.filter(
        state=OutboundEmail.State.SENDING, claimed_at__lt=stale_before
    ).update(state=OutboundEmail.State.QUEUED, claim="")


# --- sending ------------------------------------------------------------------


def sendable_count(wave: Wave | None = None) -> int:
    rows = OutboundEmail.objects.filter(state=OutboundEmail.State.QUEUED).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=timezone.now())
    )
    if wave is not None:
        rows = rows.filter(invitation__wave=wave)
    return rows.count()


def claim_batch(limit: int, wave: Wave | None = None) -> str:
    """Move up to ``limit`` queued rows to ``sending`` under a fresh claim id.

    ``SKIP LOCKED`` keeps concurrent workers off each other's rows on
    PostgreSQL; the ``state='queued'`` condition in the UPDATE is what makes the
    claim safe on every database.
    """
    claim = uuid.uuid4().hex
    now = timezone.now()
    if wave is not None and wave.send_rate_per_minute:
        recent = OutboundEmail.objects.filter(
            invitation__wave=wave, claimed_at__gte=now - datetime.timedelta(seconds=60)
        ).count()
        limit = min(limit, max(0, wave.send_rate_per_minute - recent))
        if not limit:
            return claim
    with transaction.atomic():
        candidates = OutboundEmail.objects.select_for_update(skip_locked=True).filter(
            Q(not_before__isnull=True) | Q(not_before__lte=now), state=OutboundEmail.State.QUEUED
        )
        if wave is not None:
            candidates = candidates.filter(invitation__wave=wave)
        ids = list(candidates.order_by("pk").values_list("pk", flat=True)[:limit])
        OutboundEmail.objects.filter(pk__in=ids, state=OutboundEmail.State.QUEUED).update(
            state=OutboundEmail.State.SENDING, claim=claim, claimed_at=now, attempts=F("attempts") + 1
        )
    return claim


def send_queued(limit: int = 200, *, wave: Wave | None = None, connection=None) -> SendResult:
    """Claim a batch and send it over one SMTP connection.

    Per message the database sees two single-row UPDATEs: one that takes the
    invitation's mail day (so no graduate gets two mails on one day, even from
    two workers at once) and one that marks the row sent once SMTP accepted
    it. The invitations' statuses and history are then written for the whole
    batch in one transaction; if the worker dies before that, ``plan()``
    repairs them from the sent rows (``repair_delivered``).
    """
    claim = claim_batch(limit, wave)
    rows = list(
        OutboundEmail.objects.filter(claim=claim, state=OutboundEmail.State.SENDING)
        .select_related(
            "invitation__wave",
            "invitation__graduate__institution",
            "invitation__graduate__programme",
        )
        .order_by("pk")
    )
    result = SendResult()
    if not rows:
        return result
    _fast_commits()
    delivered: list[OutboundEmail] = []
    pending = _first_mails_still_pending(rows)
    connection = connection or get_connection()
    renderer = MessageRenderer() if isinstance(connection, SmtpBackend) else None
    try:
        for email in rows:
            if _send_one(email, connection, result, pending, renderer):
                delivered.append(email)
    finally:
        connection.close()
        record_delivered(delivered)
    return result


def _fast_commits() -> None:
    """On PostgreSQL, don't wait for the WAL flush on this worker's commits.

    A ``sent`` mark is still committed and visible to every other worker at
    once, so a killed *worker* costs nothing more; only a crash of the
    database server itself within its WAL-writer delay (~200 ms) could forget
    the last marks and send those messages again. That trade buys a several-fold
    send rate (one fsync per message otherwise).
    """
    db = transaction.get_connection()
    if db.vendor == "postgresql" and not db.in_atomic_block:
        with db.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


def _cancel(email: OutboundEmail, reason: str, result: SendResult) -> None:
    OutboundEmail.objects.filter(pk=email.pk).update(state=OutboundEmail.State.CANCELLED, last_error=reason)
    result.cancelled += 1


def _first_mails_still_pending(rows: list[OutboundEmail]) -> set[int]:
    """Invitation ids of this batch's first mails that are still pending: one
    query for the batch. A first mail needs no per-message day claim: its
    invitation has exactly one such row (unique purpose), and nobody can opt
    out or answer before that mail brought them the link."""
    ids = [e.invitation_id for e in rows if e.purpose.startswith("invitation")]
    return set(
        Invitation.objects.filter(
            pk__in=ids, status=S.PENDING, graduate__opted_out_at__isnull=True
        ).values_list("pk", flat=True)
    )


def _take_mail_day(email: OutboundEmail, is_first: bool) -> bool:
    """Atomically check that the invitation may be mailed and take the day.

    One conditional UPDATE: whoever gets the row count 1 may send. It fails
    when the graduate opted out, the invitation left the mailable states
    (completed, bounced, expired …), or it was already mailed that day (an
    extra and an automatic reminder, possibly in two workers at once).
    """
    # Opting out moves every mailable invitation to ``opted_out``, so the
    # status test covers it without a join to the graduate.
    rows = Invitation.objects.filter(pk=email.invitation_id, status__in=Invitation.MAILABLE)
    rows = rows.filter(status=S.PENDING) if is_first else rows.exclude(last_mailed_on=email.schedule_day)
    return rows.update(last_mailed_on=email.schedule_day) == 1


def _send_one(email: OutboundEmail, connection, result: SendResult, pending: set[int], renderer=None) -> bool:
    invitation, graduate = email.invitation, email.invitation.graduate
    is_first = email.purpose.startswith("invitation")
    previous_day = invitation.last_mailed_on
    if is_first:
        allowed = invitation.pk in pending
    else:  # the graduate row was read with the batch; the UPDATE re-checks the status
        allowed = graduate.opted_out_at is None and _take_mail_day(email, is_first)
    if not allowed:
        _cancel(email, "not mailable, or already mailed that day", result)
        return False
    if is_first and invitation.closes_on is None:
        invitation.closes_on = scheduling.closes_on(email.schedule_day, invitation.wave.closing_days)
    names = (graduate.institution.name, graduate.programme.name)
    data = renderer.render(email, invitation, graduate, *names) if renderer else None
    try:
        connection.open()
        if data is not None:  # the same bytes Django's SMTP backend would send, built faster
            connection.connection.sendmail(renderer.from_address, [email.to_address], data)
        else:
            connection.send_messages([build_message(email, invitation, graduate, *names)])
    except Exception as exc:  # classify() re-raises what is not an SMTP or network error
        failure = classify(exc)
        connection.close()
        Invitation.objects.filter(pk=invitation.pk, last_mailed_on=email.schedule_day).update(
            last_mailed_on=previous_day
        )
        _handle_failure(email, invitation, failure, result)
        return False
    _mark_sent(email.pk)
    result.sent += 1
    return True


_MARK_SENT = (
    f"UPDATE {OutboundEmail._meta.db_table} SET state = %s, sent_at = %s, last_error = '' WHERE id = %s"
)


def _mark_sent(pk: int) -> None:
    """The commit that makes the no-duplicates guarantee: one statement, run
    once per message, so it skips the ORM's query building."""
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_MARK_SENT, [OutboundEmail.State.SENT, timezone.now(), pk])


@transaction.atomic
def record_delivered(emails: list[OutboundEmail]) -> None:
    """Bring invitations up to date with mail that went out: pending -> sent
    (with sent and closing days), sent -> reminded, and the history. Grouped
    into a few UPDATEs per batch; safe to run again for the same rows."""
    if not emails:
        return
    now = timezone.now()
    firsts: dict[tuple, list[int]] = {}
    reminders: dict[tuple, list[int]] = {}
    events = []
    for email in emails:
        invitation = email.invitation
        if email.purpose.startswith("invitation"):
            closes = invitation.closes_on or scheduling.closes_on(
                email.schedule_day, invitation.wave.closing_days
            )
            firsts.setdefault((email.schedule_day, closes), []).append(invitation.pk)
            events.append(InvitationEvent(invitation_id=invitation.pk, status=S.SENT, detail=email.purpose))
        else:
            number = int(email.purpose.split("-")[1]) if email.purpose.startswith("reminder-") else 0
            reminders.setdefault((email.schedule_day, number), []).append(invitation.pk)
            events.append(
                InvitationEvent(invitation_id=invitation.pk, status=S.REMINDED, detail=email.purpose)
            )
    for (day, closes), ids in firsts.items():
        Invitation.objects.filter(pk__in=ids, status=S.PENDING).update(
            status=S.SENT, sent_on=day, sent_at=now, closes_on=closes, last_mailed_on=day
        )
    for (_day, number), ids in reminders.items():
        Invitation.objects.filter(pk__in=ids, reminders_sent__lt=number).update(reminders_sent=number)
        Invitation.objects.filter(pk__in=ids, status__in=[S.SENT, S.REMINDED]).update(status=S.REMINDED)
    InvitationEvent.objects.bulk_create(events, batch_size=2000)


def repair_delivered() -> int:
    """After a worker was killed between sending and ``record_delivered``:
    sent first mails whose invitation is still pending, and sent reminders on
    invitations still in ``sent``."""
    rows = list(
        OutboundEmail.objects.filter(state=OutboundEmail.State.SENT)
        .filter(
            Q(purpose__startswith="invitation", invitation__status=S.PENDING)
            | Q(purpose__startswith="reminder-", invitation__status=S.SENT)
            | Q(purpose__startswith="extra-", invitation__status=S.SENT)
        )
        .select_related("invitation__wave")
    )
    record_delivered(rows)
    return len(rows)


def _handle_failure(email, invitation, failure: SendFailure, result: SendResult) -> None:
    if not failure.permanent:
        if email.attempts < settings.SURVEYS_MAX_SEND_ATTEMPTS:
            delay = settings.SURVEYS_RETRY_BASE_SECONDS * 2 ** (email.attempts - 1)
            OutboundEmail.objects.filter(pk=email.pk).update(
                state=OutboundEmail.State.QUEUED,
                claim="",
                not_before=timezone.now() + datetime.timedelta(seconds=delay),
                last_error=failure.detail,
            )
            result.retried += 1
            return
        OutboundEmail.objects.filter(pk=email.pk).update(
            state=OutboundEmail.State.FAILED, last_error=failure.detail
        )
        result.failed += 1
        if email.purpose.startswith("invitation"):  # never delivered: do not leave it pending forever
            Invitation.objects.filter(pk=invitation.pk, status=S.PENDING).update(
                status=S.BOUNCED, bounced_at=timezone.now()
            )
            InvitationEvent.objects.create(
                invitation=invitation, status=S.BOUNCED, detail=f"gave up: {failure.detail}"[:255]
            )
        return
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk).update(
            state=OutboundEmail.State.FAILED, last_error=failure.detail
        )
        result.bounced += 1
        graduate = invitation.graduate
        other = graduate.email if email.to_address == graduate.private_email else graduate.private_email
        if (
            invitation.wave.months_after_diploma >= 12
            and email.purpose == "invitation"
            and other
            and other != email.to_address
        ):
            OutboundEmail.objects.get_or_create(
                invitation=invitation,
                purpose="invitation-alt",
                defaults={"to_address": other, "schedule_day": email.schedule_day},
            )
            InvitationEvent.objects.create(
                invitation=invitation,
                status=invitation.status,
                detail=f"bounced, trying the other address: {failure.detail}"[:255],
            )
            return
        Invitation.objects.filter(pk=invitation.pk).update(status=S.BOUNCED, bounced_at=timezone.now())
        InvitationEvent.objects.create(invitation=invitation, status=S.BOUNCED, detail=failure.detail)
        OutboundEmail.objects.filter(invitation=invitation, state=OutboundEmail.State.QUEUED).update(
            state=OutboundEmail.State.CANCELLED, last_error="bounced"
        )


# --- actions by graduates and admins -------------------------------------------------


@transaction.atomic
def opt_out(invitation: Invitation) -> None:
    """Honoured for all future mail to this graduate, for every wave."""
    graduate = invitation.graduate
    if graduate.opted_out_at is None:
        Graduate.objects.filter(pk=graduate.pk).update(opted_out_at=timezone.now())
    mailable = Invitation.objects.filter(graduate=graduate, status__in=Invitation.MAILABLE)
    ids = list(mailable.values_list("pk", flat=True))
    mailable.update(status=S.OPTED_OUT)
    InvitationEvent.objects.bulk_create([InvitationEvent(invitation_id=i, status=S.OPTED_OUT) for i in ids])
    OutboundEmail.objects.filter(invitation__graduate=graduate, state=OutboundEmail.State.QUEUED).update(
        state=OutboundEmail.State.CANCELLED, last_error="opted out"
    )


def queue_extra_reminder(*, institution, wave: Wave, today=None) -> int:
    """An admin's extra reminder to everyone who has not completed; at most
    one mail per graduate per day, whatever is clicked."""
    today = _today(today)
    invitations = (
        Invitation.objects.filter(
            wave=wave,
            graduate__institution=institution,
            graduate__opted_out_at__isnull=True,
            status__in=Invitation.ANSWERABLE,
            closes_on__gte=today,
        )
        .exclude(last_mailed_on=today)
        .exclude(emails__purpose=f"extra-{today.isoformat()}")
        .select_related("graduate", "wave")
    )
    rows = [
        OutboundEmail(
            invitation=inv,
            purpose=f"extra-{today.isoformat()}",
            to_address=_reminder_address(inv),
            schedule_day=today,
        )
        for inv in invitations
    ]
    OutboundEmail.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def record_open(invitation: Invitation) -> None:
    """First visit of the link: sent/reminded -> opened (never a step back), with its event."""
    link_sql.advance_invitation(
        invitation, link_sql.Advance(S.OPENED, (S.SENT, S.REMINDED), (("opened_at", timezone.now()),))
    )
