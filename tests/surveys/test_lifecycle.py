"""Every status move of an invitation (surveys/lifecycle.py): allowed only from the
statuses declared in Invitation.MOVES_FROM, and always with exactly one event."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from surveys import lifecycle
from surveys.models import Invitation, InvitationEvent, OutboundEmail
from tests.factories import people

S = Invitation.Status
ROOT = Path(settings.BASE_DIR)


def _move(to: str, invitation: Invitation) -> None:
    """Ask lifecycle for the move to ``to`` in the way its callers do."""
    today = timezone.localdate()
    if to == S.PENDING:  # the admin's resend after correcting a bounced address
        lifecycle.resend(invitation, to_address="corrected@example.com")
    elif to == S.SENT:
        lifecycle.mark_sent([invitation.pk], day=today, closes_on=today + datetime.timedelta(days=42))
    elif to == S.REMINDED:
        lifecycle.mark_reminded([invitation.pk], number=1)
    elif to == S.OPENED:
        lifecycle.open_link(invitation)
    elif to == S.PARTIAL:
        lifecycle.start_answering(invitation)
    elif to == S.COMPLETED:
        lifecycle.complete(invitation, timezone.now())
    elif to == S.BOUNCED:
        lifecycle.bounce(invitation, "550 no such user")
    elif to == S.OPTED_OUT:
        lifecycle.opt_out(invitation.graduate)
    elif to == S.EXPIRED:
        lifecycle.expire(closed_before=today + datetime.timedelta(days=100))


@pytest.mark.parametrize("to", list(Invitation.MOVES_FROM))
@pytest.mark.parametrize("start", S.values)
def test_a_move_happens_only_from_its_declared_statuses_and_logs_one_event(db, start, to):
    invitation = people.make_invitation(status=start)
    _move(to, invitation)
    stored = Invitation.objects.get(pk=invitation.pk)
    events = list(InvitationEvent.objects.filter(invitation=invitation).values_list("status", flat=True))
    if start in Invitation.MOVES_FROM[to]:
        assert stored.status == to and events == [to]
    elif to == S.REMINDED and start in (S.OPENED, S.PARTIAL):
        assert stored.status == start and events == [S.REMINDED]  # history only: never a step back
    else:
        assert stored.status == start and events == []


def test_the_instance_follows_a_move_and_a_second_mover_changes_nothing(db):
    first = people.make_invitation(status=S.SENT)
    second = Invitation.objects.get(pk=first.pk)  # read before the first move, as a second tab would
    assert lifecycle.open_link(first) and first.status == S.OPENED and first.opened_at
    assert not lifecycle.open_link(second)  # its UPDATE finds "opened": nothing moves
    assert InvitationEvent.objects.filter(invitation=first).count() == 1


def test_moves_that_end_the_mail_cancel_what_is_queued(db):
    invitation = people.make_invitation(status=S.SENT)
    queued = OutboundEmail.objects.create(
        invitation=invitation,
        purpose="reminder-1",
        to_address="a@example.com",
        schedule_day=timezone.localdate(),
    )
    lifecycle.bounce(invitation, "550 no such user")
    queued.refresh_from_db()
    assert queued.state == OutboundEmail.State.CANCELLED and queued.last_error == "bounced"


def test_nothing_but_lifecycle_writes_a_status_or_an_event():
    """The rule of surveys/lifecycle.py, checked on the code: no other module
    of the product creates InvitationEvent rows or sets Invitation.status."""
    writes = re.compile(
        r"InvitationEvent\((?!models)|InvitationEvent\.objects\.(create|bulk_create)|update\(status="
    )
    offenders = []
    for app in ("alumni", "surveys", "reports", "config"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path == ROOT / "surveys" / "lifecycle.py":
                continue
            text = path.read_text()
            if writes.search(text) and ("Invitation" in text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
