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
