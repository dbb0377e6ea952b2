"""Sending the queued survey e-mail: claim a batch, send it, record it.

The delivery guarantee
----------------------
1. **Queued once.** An outbox row is unique per (invitation, purpose) and an
   invitation per (graduate, wave), in the database (``surveys.planning``
   relies on it), so two dispatchers, a task delivered twice or a re-run of a
   day never queue a mail twice.
2. **Claimed before SMTP sees it.** A worker moves a batch of ``queued`` rows
   to ``sending`` under a fresh claim id, with a conditional UPDATE
   (``WHERE state = 'queued'``; on PostgreSQL the candidates are read with
   ``FOR UPDATE SKIP LOCKED`` so workers do not queue behind each other). Two
   workers never send the same row.
3. **One mail a day per graduate.** Before a reminder goes out, one
   conditional UPDATE takes the invitation's mail day; it fails when the
   invitation may no longer be mailed (opted out, completed, bounced …) or
   got a mail that day already, even from another worker at the same moment.
4. **Marked sent at once.** Right after the SMTP server accepted a message,
   its row is committed as ``sent``, message by message. (With
   ``SURVEYS_ASYNC_COMMIT`` on PostgreSQL those commits do not wait for the
   disk: a crash of the database server itself, not of a worker, could then
   forget its last fraction of a second of marks and re-send those messages.)
5. **Claims are leases.** A claim holds its rows until ``lease_until``
   (``SURVEYS_CLAIM_LEASE_SECONDS`` ahead). The worker renews the lease of its
   unsent rows every third of that while it works: one UPDATE on the claim
   id. A worker that was killed stops renewing; once its lease ran out, the
   next dispatcher tick or the next worker start (``surveys.tasks``) puts the
   rows back in the queue and they are sent by someone else.
6. **The price.** The message a killed process had handed to SMTP but not yet
   marked sent goes out again: at most one duplicate per killed worker
   process, never more. Its stable Message-ID lets a receiving server drop it.
   A worker that stalled past its lease notices at its next renewal and stops,
   so a stall costs the same: at most the message in flight.
7. **Failures cost no storm.** Temporary SMTP failures (4xx, a lost
   connection) put the row back with exponential back-off stored on the row
   (``not_before``), up to ``SURVEYS_MAX_SEND_ATTEMPTS``. A permanent one (5xx)
   bounces the invitation after one attempt; the first mail is tried once
   first at the other address on file (private first, then the school's).
8. **Invitations follow.** After each batch the invitations' statuses and
   history are brought up to date (``surveys.lifecycle``); if the worker died
   before that, the next plan repairs them from the sent rows.
"""

import datetime
import logging
import time
import uuid
from dataclasses import dataclass, fields

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import lifecycle, scheduling
from .mail import SendFailure, build_message, classify
from .models import Invitation, OutboundEmail, Wave

log = logging.getLogger(__name__)
S = Invitation.Status
State = OutboundEmail.State


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    bounced: int = 0
    failed: int = 0
    cancelled: int = 0

    def add(self, other: "SendResult") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_text(self) -> str:
        return (
            f"sent {self.sent}, retry later {self.retried}, bounced {self.bounced}, "
            f"failed {self.failed}, cancelled {self.cancelled}"
        )


def _is_first_mail(email: OutboundEmail) -> bool:
    return email.purpose.startswith("invitation")  # "invitation" or "invitation-alt"


# --- claims and their leases ----------------------------------------------------------


def _lease_end(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.SURVEYS_CLAIM_LEASE_SECONDS)


def _sendable(now: datetime.datetime):
    return OutboundEmail.objects.filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now), state=State.QUEUED
    )


def sendable_count(wave: Wave | None = None) -> int:
    rows = _sendable(timezone.now())
    if wave is not None:
        rows = rows.filter(invitation__wave=wave)
    return rows.count()


def claim_batch(limit: int, wave: Wave | None = None) -> str:
    """Move up to ``limit`` sendable rows to ``sending`` under a fresh claim id
    with a lease, within the wave's per-minute send rate; returns the claim id."""
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
        candidates = _sendable(now).select_for_update(skip_locked=True)
        if wave is not None:
            candidates = candidates.filter(invitation__wave=wave)
        ids = list(candidates.order_by("pk").values_list("pk", flat=True)[:limit])
        OutboundEmail.objects.filter(pk__in=ids, state=State.QUEUED).update(
            state=State.SENDING,
            claim=claim,
            claimed_at=now,
            lease_until=_lease_end(now),
            attempts=F("attempts") + 1,
        )
    return claim


def renew_lease(claim: str) -> int:
    """Extend the lease of the claim's rows still unsent; returns how many it still holds."""
    return OutboundEmail.objects.filter(claim=claim, state=State.SENDING).update(
        lease_until=_lease_end(timezone.now())
    )


def requeue_expired_leases(now: datetime.datetime | None = None) -> int:
    """Rows whose claim was not renewed in time (their worker died) go back to the queue."""
    return OutboundEmail.objects.filter(state=State.SENDING, lease_until__lt=now or timezone.now()).update(
        state=State.QUEUED, claim="", lease_until=None
    )


# --- sending a batch ------------------------------------------------------------------


def send_queued(limit: int = 200, *, wave: Wave | None = None, connection=None) -> SendResult:
    """Claim a batch and send it over one SMTP connection (the guarantee is
    the module's docstring), renewing the claim's lease as it goes."""
    claim = claim_batch(limit, wave)
    rows = list(
        OutboundEmail.objects.filter(claim=claim, state=State.SENDING)
        .select_related(
            "invitation__wave", "invitation__graduate__institution", "invitation__graduate__programme"
        )
        .order_by("pk")
    )
    result = SendResult()
    if not rows:
        return result
    first_mails = _first_mails_still_pending(rows)
    connection = connection or get_connection()
    _commit_without_waiting_for_disk()
    renew_every = settings.SURVEYS_CLAIM_LEASE_SECONDS / 3
    renew_at = time.monotonic() + renew_every
    delivered: list[OutboundEmail] = []
    try:
        for done, email in enumerate(rows):
            if time.monotonic() >= renew_at:
                if renew_lease(claim) < len(rows) - done:
                    log.warning("claim %s: lease ran out while sending; the rest is back in the queue", claim)
                    break
                renew_at = time.monotonic() + renew_every
            if _send_one(email, connection, result, first_mails):
                delivered.append(email)
    finally:
        connection.close()
        try:
            record_delivered(delivered)
        finally:
            _commit_without_waiting_for_disk(False)
    return result


def _commit_without_waiting_for_disk(on: bool = True) -> None:
    """With ``SURVEYS_ASYNC_COMMIT`` on PostgreSQL, the batch's commits do not
    wait for the WAL to reach the disk (``synchronous_commit``, for this
    session until the batch ends; step 4 of the module docstring says what
    that risks). A ``sent`` mark is still visible to every other worker at
    once, so a killed worker costs nothing more."""
    db = transaction.get_connection()
    if settings.SURVEYS_ASYNC_COMMIT and db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")


def _first_mails_still_pending(rows: list[OutboundEmail]) -> set[int]:
    """Invitation ids of the batch's first mails whose invitation is still
    pending, in one query. A first mail needs no per-message day claim: its
    invitation has one such row (unique purpose), and nobody can opt out or
    answer before that mail brought them the link."""
    ids = [email.invitation_id for email in rows if _is_first_mail(email)]
    return set(
        Invitation.objects.filter(
            pk__in=ids, status=S.PENDING, graduate__opted_out_at__isnull=True
        ).values_list("pk", flat=True)
    )


def _take_mail_day(email: OutboundEmail) -> bool:
    """Check that the invitation may still be mailed and take the day, in one
    conditional UPDATE: whoever gets the row count 1 may send. (Opting out
    moves every mailable invitation to ``opted_out``, so the status test
    covers it.)"""
    return (
        Invitation.objects.filter(pk=email.invitation_id, status__in=Invitation.MAILABLE)
        .exclude(last_mailed_on=email.schedule_day)
        .update(last_mailed_on=email.schedule_day)
        == 1
    )


def _send_one(email: OutboundEmail, connection, result: SendResult, first_mails: set[int]) -> bool:
    """Send one claimed row; True if the SMTP server accepted it."""
    invitation, graduate = email.invitation, email.invitation.graduate
    is_first = _is_first_mail(email)
    previous_day = invitation.last_mailed_on
    if is_first:
        allowed = invitation.pk in first_mails
    else:  # the graduate was read with the batch; the UPDATE re-checks the status
        allowed = graduate.opted_out_at is None and _take_mail_day(email)
    if not allowed:
        OutboundEmail.objects.filter(pk=email.pk).update(
            state=State.CANCELLED, last_error="not mailable, or already mailed that day"
        )
        result.cancelled += 1
        return False
    if is_first and invitation.closes_on is None:  # the mail tells the day the link closes
        invitation.closes_on = scheduling.closes_on(email.schedule_day, invitation.wave.closing_days)
    message = build_message(email, invitation, graduate, graduate.institution.name, graduate.programme.name)
    try:
        connection.open()  # once per batch (again after a failure closed it)
        connection.send_messages([message])
    except Exception as exc:  # classify() re-raises what is not an SMTP or network error
        failure = classify(exc)
        connection.close()
        if not is_first:  # not mailed after all: give the day back
            Invitation.objects.filter(pk=invitation.pk, last_mailed_on=email.schedule_day).update(
                last_mailed_on=previous_day
            )
        _handle_failure(email, failure, result)
        return False
    OutboundEmail.objects.filter(pk=email.pk).update(state=State.SENT, sent_at=timezone.now(), last_error="")
    result.sent += 1
    return True


# --- failures -------------------------------------------------------------------------


def _handle_failure(email: OutboundEmail, failure: SendFailure, result: SendResult) -> None:
    if failure.permanent:
        _bounce(email, failure, result)
    elif email.attempts < settings.SURVEYS_MAX_SEND_ATTEMPTS:
        delay = settings.SURVEYS_RETRY_BASE_SECONDS * 2 ** (email.attempts - 1)
        OutboundEmail.objects.filter(pk=email.pk).update(
            state=State.QUEUED,
            claim="",
            lease_until=None,
            not_before=timezone.now() + datetime.timedelta(seconds=delay),
            last_error=failure.detail,
        )
        result.retried += 1
    else:
        OutboundEmail.objects.filter(pk=email.pk).update(state=State.FAILED, last_error=failure.detail)
        result.failed += 1
        if _is_first_mail(email):  # never delivered: do not leave the invitation pending forever
            lifecycle.bounce(email.invitation, f"gave up: {failure.detail}")


def _bounce(email: OutboundEmail, failure: SendFailure, result: SendResult) -> None:
    """A permanent refusal. In every wave the first mail is tried once at the
    other address on file (it went to the private address when there is one,
    which may have changed; the school address may have expired); otherwise
    the invitation bounces."""
    invitation, graduate = email.invitation, email.invitation.graduate
    other = graduate.email if email.to_address == graduate.private_email else graduate.private_email
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk).update(state=State.FAILED, last_error=failure.detail)
        result.bounced += 1
        if email.purpose == "invitation" and other and other != email.to_address:
            OutboundEmail.objects.get_or_create(
                invitation=invitation,
                purpose="invitation-alt",
                defaults={"to_address": other, "schedule_day": email.schedule_day},
            )
            lifecycle.note_other_address(invitation, f"bounced, trying the other address: {failure.detail}")
        else:
            lifecycle.bounce(invitation, failure.detail)


# --- the invitations follow the mail ------------------------------------------------------


@transaction.atomic
def record_delivered(emails: list[OutboundEmail]) -> None:
    """Bring invitations up to date with mail that went out: a first mail
    moves pending -> sent (with the day the link closes), a reminder
    sent -> reminded; grouped into a few statements per batch and safe to
    run again for the same rows (the moves are guarded)."""
    firsts: dict[tuple, list[int]] = {}
    reminders: dict[tuple, list[int]] = {}
    for email in emails:
        invitation = email.invitation
        if _is_first_mail(email):
            closes = invitation.closes_on or scheduling.closes_on(
                email.schedule_day, invitation.wave.closing_days
            )
            firsts.setdefault((email.schedule_day, closes, email.purpose), []).append(invitation.pk)
        else:  # reminder-N, or an admin's extra-YYYY-MM-DD (number 0)
            number = int(email.purpose.split("-")[1]) if email.purpose.startswith("reminder-") else 0
            reminders.setdefault((number, email.purpose), []).append(invitation.pk)
    for (day, closes, purpose), ids in firsts.items():
        lifecycle.mark_sent(ids, day=day, closes_on=closes, detail=purpose)
    for (number, purpose), ids in reminders.items():
        lifecycle.mark_reminded(ids, number=number, detail=purpose)


def repair_delivered() -> int:
    """After a worker was killed between sending and ``record_delivered``:
    sent first mails whose invitation is still pending, and sent reminders
    on invitations still in ``sent``."""
    rows = list(
        OutboundEmail.objects.filter(state=State.SENT)
        .filter(
            Q(purpose__startswith="invitation", invitation__status=S.PENDING)
            | Q(purpose__startswith="reminder-", invitation__status=S.SENT)
            | Q(purpose__startswith="extra-", invitation__status=S.SENT)
        )
        .select_related("invitation__wave")
    )
    record_delivered(rows)
    return len(rows)
