"""Every status move of an invitation, with its event: the one writer of
``Invitation.status`` and ``InvitationEvent``.

Why one home
------------
An invitation's status is what the dispatcher, the survey link, the reports
and the admin's monitoring all read, and its history (``InvitationEvent``) is
what the daily response figures are counted from. So a move and its event are
written together, in one transaction, by one function per move, and each
move is guarded by ``Invitation.MOVES_FROM`` (statuses only go forward): a
move that is no longer allowed — the graduate completed in another tab, opted
out while a reminder was in flight — changes nothing and writes no event.

The guard is the ``WHERE status IN (…)`` of the UPDATE itself, so two
processes racing for the same move (two tabs, two workers) cannot both make
it: whoever's UPDATE matched the row writes the event.

A move may carry its consequences for the outbox (bounced, opted out and
expired invitations get no more mail): they are part of the same change.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from alumni.models import Graduate

from .models import Invitation, InvitationEvent, OutboundEmail

S = Invitation.Status
_CHUNK = 1000  # ids per statement: well inside every backend's parameter limit


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _move_one(invitation: Invitation, to: str, *, detail: str = "", **fields) -> bool:
    """Move one invitation to ``to`` if its status allows it, with the event;
    the instance follows. True if moved."""
    with transaction.atomic(savepoint=False):
        moved = Invitation.objects.filter(pk=invitation.pk, status__in=Invitation.MOVES_FROM[to]).update(
            status=to, **fields
        )
        if moved:
            InvitationEvent.objects.create(invitation_id=invitation.pk, status=to, detail=detail[:255])
    if moved:
        invitation.status = to
        for name, value in fields.items():
            setattr(invitation, name, value)
    return bool(moved)


def _move_many(invitations: QuerySet, to: str, *, detail: str = "", **fields) -> list[int]:
    """Move every invitation of ``invitations`` whose status allows it, one
    event each; returns the ids moved. The rows are locked first (in id
    order, so two movers cannot deadlock) and the UPDATE is still guarded."""
    with transaction.atomic(savepoint=False):
        allowed = invitations.filter(status__in=Invitation.MOVES_FROM[to])
        ids = list(allowed.select_for_update().order_by("pk").values_list("pk", flat=True))
        for chunk in _chunks(ids):
            Invitation.objects.filter(pk__in=chunk, status__in=Invitation.MOVES_FROM[to]).update(
                status=to, **fields
            )
        InvitationEvent.objects.bulk_create(
            [InvitationEvent(invitation_id=pk, status=to, detail=detail[:255]) for pk in ids],
            batch_size=2000,
        )
    return ids


def _cancel_queued_mail(invitation_ids: list[int], reason: str) -> None:
    for chunk in _chunks(invitation_ids):
        OutboundEmail.objects.filter(invitation_id__in=chunk, state=OutboundEmail.State.QUEUED).update(
            state=OutboundEmail.State.CANCELLED, last_error=reason
        )


# --- birth -------------------------------------------------------------------------


def start_history(wave, graduate_ids: list[int]) -> int:
    """The first event of each new invitation of ``wave`` for these graduates:
    its starting status (pending, or not_invited past the window). Bulk
    creation returns no keys, so the new rows are looked up; an invitation
    that another dispatcher created already has its event and is skipped."""
    created = 0
    for chunk in _chunks(graduate_ids):
        new = Invitation.objects.filter(wave=wave, graduate_id__in=chunk, events__isnull=True)
        events = [
            InvitationEvent(invitation_id=pk, status=status) for pk, status in new.values_list("pk", "status")
        ]
        InvitationEvent.objects.bulk_create(events)
        created += len(events)
    return created


# --- the mail went out ---------------------------------------------------------------


def mark_sent(
    invitation_ids: list[int], *, day: datetime.date, closes_on: datetime.date, detail: str = "invitation"
) -> list[int]:
    """The first mail went out on schedule ``day``: pending -> sent, with the
    day the link closes."""
    return _move_many(
        Invitation.objects.filter(pk__in=invitation_ids),
        S.SENT,
        detail=detail,
        sent_on=day,
        sent_at=timezone.now(),
        closes_on=closes_on,
        last_mailed_on=day,
    )


def mark_reminded(invitation_ids: list[int], *, number: int = 0, detail: str = "reminder") -> list[int]:
    """A reminder went out: sent -> reminded (an event per reminder), and the
    count of automatic reminders (``number``; 0 for an admin's extra one).
    An invitation opened or partly answered already keeps its status (a
    reminder never sets it back), but its history still records the reminder."""
    with transaction.atomic(savepoint=False):
        if number:
            for chunk in _chunks(invitation_ids):
                Invitation.objects.filter(pk__in=chunk, reminders_sent__lt=number).update(
                    reminders_sent=number
                )
        moved = _move_many(Invitation.objects.filter(pk__in=invitation_ids), S.REMINDED, detail=detail)
        for chunk in _chunks(invitation_ids):
            ahead = Invitation.objects.filter(pk__in=chunk, status__in=(S.OPENED, S.PARTIAL))
            InvitationEvent.objects.bulk_create(
                [
                    InvitationEvent(invitation_id=pk, status=S.REMINDED, detail=detail[:255])
                    for pk in ahead.values_list("pk", flat=True)
                ]
            )
        return moved


def bounce(invitation: Invitation, detail: str) -> bool:
    """The address does not work (a permanent SMTP refusal, or temporary ones
    until we gave up): bounced, and its queued mail cancelled."""
    with transaction.atomic(savepoint=False):
        moved = _move_one(invitation, S.BOUNCED, detail=detail, bounced_at=timezone.now())
        if moved:
            _cancel_queued_mail([invitation.pk], "bounced")
    return moved


def note_other_address(invitation: Invitation, detail: str) -> None:
    """A bounce that did not end the invitation: the other address on file is
    tried. History only; the status stays."""
    InvitationEvent.objects.create(invitation_id=invitation.pk, status=invitation.status, detail=detail[:255])


def expire(closed_before: datetime.date) -> int:
    """Invitations whose link closed before ``closed_before`` and that can
    still move: expired, and their queued mail cancelled."""
    with transaction.atomic(savepoint=False):
        ids = _move_many(Invitation.objects.filter(closes_on__lt=closed_before), S.EXPIRED)
        _cancel_queued_mail(ids, "wave closed")
    return len(ids)


# --- what the graduate does ----------------------------------------------------------


def open_link(invitation: Invitation) -> bool:
    """The first visit of the link: sent/reminded -> opened. Skipped without a
    query when the invitation is past that already (every page view asks)."""
    if invitation.status not in Invitation.MOVES_FROM[S.OPENED]:
        return False
    return _move_one(invitation, S.OPENED, opened_at=timezone.now())


def start_answering(invitation: Invitation) -> bool:
    """The first page saved: -> partial. Skipped without a query if partial already."""
    if invitation.status not in Invitation.MOVES_FROM[S.PARTIAL]:
        return False
    return _move_one(invitation, S.PARTIAL)


def complete(invitation: Invitation, at: datetime.datetime) -> bool:
    """The last page saved: -> completed."""
    return _move_one(invitation, S.COMPLETED, completed_at=at)


def opt_out(graduate: Graduate) -> int:
    """No more mail to this graduate, for any wave: every invitation that could
    still get mail moves to opted out, its queued mail is cancelled, and the
    graduate is marked so that later waves do not invite them."""
    with transaction.atomic(savepoint=False):
        Graduate.objects.filter(pk=graduate.pk, opted_out_at__isnull=True).update(opted_out_at=timezone.now())
        ids = _move_many(Invitation.objects.filter(graduate_id=graduate.pk), S.OPTED_OUT)
        OutboundEmail.objects.filter(
            invitation__graduate_id=graduate.pk, state=OutboundEmail.State.QUEUED
        ).update(state=OutboundEmail.State.CANCELLED, last_error="opted out")
    return len(ids)


# --- the admin corrected an address ------------------------------------------------------


class Resend:
    """What :func:`resend` did (a plain string each, for messages and tests)."""

    QUEUED = "queued"  # one new mail is in the outbox
    READDRESSED = "readdressed"  # today's resend was still queued: it now goes to the new address
    ALREADY_TODAY = "already_today"  # this invitation was mailed (or resent) today: not again
    CLOSED = "closed"  # the link closed, or the wave's invitation window ended
    NOT_RESENDABLE = "not_resendable"  # completed, opted out, expired, not invited, or still pending


def _first_mail_delivered(invitation: Invitation) -> bool:
    return invitation.emails.filter(purpose__startswith="invitation", state=OutboundEmail.State.SENT).exists()


def resend(invitation: Invitation, *, to_address: str, today: datetime.date | None = None) -> str:
    """Mail the invitation again, to ``to_address`` (the corrected one): at most
    one new outbox row per invitation and day, whatever is clicked or repeated.

    * **Bounced, the link never arrived** (no first mail was delivered): the
      invitation moves back to pending and a new first mail is queued
      (purpose ``invitation-re-YYYYMMDD``), while the wave's invitation window
      is open. The sender treats it as any first mail; once it is delivered
      the invitation is ``sent`` with a fresh closing day.
    * **Bounced after the link arrived** (a reminder bounced): back to
      reminded, and a mail like a reminder is queued (``resend-YYYY-MM-DD``)
      while the link is open; the sender takes the day as for every reminder
      (guarantee 3 of ``surveys.sending``). Not back to pending: the first mail
      that was delivered would make ``sending.repair_delivered`` mark it sent
      and the new mail would be dropped as "not pending".
    * **On request**, for an invitation that can still be answered (sent,
      reminded, opened, partly answered) and whose link is open: the same
      reminder-like mail, no status move (its event comes when it is delivered).

    Opted-out graduates, completed, expired and not-invited invitations are
    never mailed. A pending invitation's first mail is still queued: it is
    re-addressed, nothing new is queued.
    """
    today = today or timezone.localdate()
    with transaction.atomic(savepoint=False):
        current = (
            Invitation.objects.select_for_update().select_related("wave", "graduate").get(pk=invitation.pk)
        )
        if current.graduate.opted_out_at is not None:
            return Resend.NOT_RESENDABLE
        if current.status == S.PENDING:  # its first mail is still waiting: it follows the new address
            waiting = OutboundEmail.objects.filter(
                invitation_id=current.pk, purpose__startswith="invitation", state=OutboundEmail.State.QUEUED
            ).update(to_address=to_address)
            return Resend.READDRESSED if waiting else Resend.NOT_RESENDABLE
        if current.status == S.BOUNCED and not _first_mail_delivered(current):
            purpose, to = f"invitation-re-{today:%Y%m%d}", S.PENDING
            window_end = current.due_on + datetime.timedelta(days=current.wave.invitation_window_days)
            if today > window_end or not current.wave.is_active:
                return Resend.CLOSED
        elif current.status in (S.BOUNCED, *Invitation.ANSWERABLE):
            purpose, to = f"resend-{today.isoformat()}", (S.REMINDED if current.status == S.BOUNCED else None)
            if current.closes_on is None or current.closes_on < today:
                return Resend.CLOSED
        else:
            return Resend.NOT_RESENDABLE
        existing = OutboundEmail.objects.filter(invitation_id=current.pk, purpose=purpose).first()
        if existing is not None:
            if existing.state != OutboundEmail.State.QUEUED:
                return Resend.ALREADY_TODAY
            OutboundEmail.objects.filter(pk=existing.pk).update(to_address=to_address)
            return Resend.READDRESSED
        if to != S.PENDING and current.last_mailed_on == today:
            return Resend.ALREADY_TODAY
        if to is not None:
            fields = {"sent_on": None, "sent_at": None, "closes_on": None} if to == S.PENDING else {}
            moved = (
                Invitation.objects.filter(pk=current.pk, status=S.BOUNCED)
                .filter(status__in=Invitation.MOVES_FROM[to])
                .update(status=to, **fields)
            )
            if not moved:  # pragma: no cover - the row is locked; kept as the guard
                return Resend.NOT_RESENDABLE
            InvitationEvent.objects.create(invitation_id=current.pk, status=to, detail=f"resend: {purpose}")
            invitation.status = to
            for name, value in fields.items():
                setattr(invitation, name, value)
        OutboundEmail.objects.create(
            invitation_id=current.pk, purpose=purpose, to_address=to_address, schedule_day=today
        )
    return Resend.QUEUED


def readdress_queued_mail(graduate_id: int, old_address: str, new_address: str) -> int:
    """Mail still waiting in the outbox for ``old_address`` goes to the
    corrected address instead (rows being sent right now are left alone);
    returns how many rows changed."""
    if not old_address or old_address == new_address:
        return 0
    return OutboundEmail.objects.filter(
        invitation__graduate_id=graduate_id,
        state=OutboundEmail.State.QUEUED,
        to_address__iexact=old_address,
    ).update(to_address=new_address)
