"""The admin's resend after correcting an address (surveys.lifecycle.resend):
planned, bounced and sent through the real planner and sender, with the SMTP
server scripted in memory (tests.helpers.mail, as in test_dispatch.py)."""

import datetime

import pytest
from django.core import mail

from surveys import lifecycle, planning
from surveys.lifecycle import Resend
from surveys.models import Invitation, InvitationEvent, OutboundEmail
from tests.factories.people import emails_of, invitation_of, make_graduate, make_invitation
from tests.helpers.mail import ScriptedConnection, send_all

pytestmark = pytest.mark.django_db

S = Invitation.Status
DIPLOMA = datetime.date(2025, 6, 15)
T1_DUE = datetime.date(2025, 9, 15)


def bounced_first_mail():
    """A T1 invitation whose only address refused the first mail."""
    graduate = make_graduate(diploma_date=DIPLOMA, email="typo@school.example.nl", private_email="")
    planning.plan(T1_DUE)
    send_all(ScriptedConnection({"typo@school.example.nl": [550]}))
    invitation = invitation_of(graduate, "T1")
    assert invitation.status == S.BOUNCED
    return graduate, invitation


def test_a_corrected_bounced_first_mail_goes_out_once_to_the_new_address():
    graduate, invitation = bounced_first_mail()
    mail.outbox.clear()

    assert lifecycle.resend(invitation, to_address="right@school.example.nl", today=T1_DUE) == Resend.QUEUED
    assert invitation.status == S.PENDING
    # Clicked again before the worker ran: the queued row is re-addressed, not doubled.
    assert (
        lifecycle.resend(invitation, to_address="right2@school.example.nl", today=T1_DUE)
        == Resend.READDRESSED
    )
    send_all()
    planning.plan(T1_DUE)  # the planner's repair must not undo anything
    send_all()

    assert [m.to for m in mail.outbox] == [["right2@school.example.nl"]]
    assert "Hoe gaat het na je diploma?" in mail.outbox[0].subject  # a first mail, not a reminder
    invitation.refresh_from_db()
    assert invitation.status == S.SENT and invitation.sent_on == T1_DUE and invitation.closes_on
    # And again the same day: nothing more is queued.
    assert (
        lifecycle.resend(invitation, to_address="right2@school.example.nl", today=T1_DUE)
        == Resend.ALREADY_TODAY
    )
    assert emails_of(graduate).filter(purpose__startswith="invitation-re-").count() == 1
    history = list(InvitationEvent.objects.filter(invitation=invitation).values_list("status", flat=True))
    assert history == [S.PENDING, S.BOUNCED, S.PENDING, S.SENT]


def test_a_resend_that_bounces_again_is_not_retried_the_same_day():
    _graduate, invitation = bounced_first_mail()
    lifecycle.resend(invitation, to_address="still-wrong@school.example.nl", today=T1_DUE)
    send_all(ScriptedConnection({"still-wrong@school.example.nl": [550]}))
    invitation.refresh_from_db()
    assert invitation.status == S.BOUNCED
    assert (
        lifecycle.resend(invitation, to_address="ok@school.example.nl", today=T1_DUE) == Resend.ALREADY_TODAY
    )
    invitation.refresh_from_db()
    assert invitation.status == S.BOUNCED  # nothing moved without a mail to follow
    next_day = T1_DUE + datetime.timedelta(days=1)
    assert lifecycle.resend(invitation, to_address="ok@school.example.nl", today=next_day) == Resend.QUEUED


def test_a_bounced_reminder_is_resent_like_a_reminder_and_later_reminders_follow_the_new_address():
    graduate = make_graduate(diploma_date=DIPLOMA, email="old@school.example.nl", private_email="")
    planning.plan(T1_DUE)
    send_all()
    day7 = T1_DUE + datetime.timedelta(days=7)
    planning.plan(day7)
    send_all(ScriptedConnection({"old@school.example.nl": [550]}))
    invitation = invitation_of(graduate, "T1")
    assert invitation.status == S.BOUNCED
    mail.outbox.clear()

    assert lifecycle.resend(invitation, to_address="new@example.com", today=day7) == Resend.QUEUED
    assert invitation.status == S.REMINDED
    send_all()
    planning.plan(day7)
    send_all()
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    assert mail.outbox[0].subject.startswith("Herinnering")
    invitation.refresh_from_db()
    assert invitation.status == S.REMINDED and invitation.last_mailed_on == day7
    assert lifecycle.resend(invitation, to_address="new@example.com", today=day7) == Resend.ALREADY_TODAY

    planning.plan(T1_DUE + datetime.timedelta(days=14))
    send_all()
    assert [m.to for m in mail.outbox][-1] == ["new@example.com"]  # reminder 2 goes to the new address


@pytest.mark.parametrize("status", [S.SENT, S.REMINDED, S.OPENED, S.PARTIAL])
def test_an_open_invitation_is_resent_on_request_without_a_status_move(status):
    invitation = make_invitation(status=status)
    today = invitation.sent_on + datetime.timedelta(days=3)
    assert lifecycle.resend(invitation, to_address="a@example.com", today=today) == Resend.QUEUED
    invitation.refresh_from_db()
    assert invitation.status == status and not invitation.events.exists()
    assert lifecycle.resend(invitation, to_address="a@example.com", today=today) == Resend.READDRESSED
    assert invitation.emails.count() == 1


def test_no_resend_on_the_day_the_invitation_was_mailed():
    invitation = make_invitation(status=S.SENT, last_mailed_on=datetime.date(2025, 9, 15))
    assert lifecycle.resend(invitation, to_address="a@example.com", today=datetime.date(2025, 9, 15)) == (
        Resend.ALREADY_TODAY
    )
    assert not invitation.emails.exists()


@pytest.mark.parametrize("status", [S.COMPLETED, S.OPTED_OUT, S.EXPIRED, S.NOT_INVITED, S.PENDING])
def test_finished_or_still_pending_invitations_are_never_resent(status):
    invitation = make_invitation(status=status)
    assert lifecycle.resend(invitation, to_address="a@example.com") == Resend.NOT_RESENDABLE
    assert not invitation.emails.exists()


def test_an_opted_out_graduate_is_never_resent_even_if_bounced():
    invitation = make_invitation(status=S.BOUNCED, sent_on=None)
    lifecycle.opt_out(invitation.graduate)
    invitation.refresh_from_db()
    Invitation.objects.filter(pk=invitation.pk).update(status=S.BOUNCED)  # bounced before the opt-out
    assert lifecycle.resend(invitation, to_address="a@example.com") == Resend.NOT_RESENDABLE
    assert not invitation.emails.exists()


def test_no_resend_once_the_link_closed_or_the_window_ended():
    today = datetime.date(2025, 12, 1)
    closed = make_invitation(status=S.SENT, closes_on=today - datetime.timedelta(days=1))
    assert lifecycle.resend(closed, to_address="a@example.com", today=today) == Resend.CLOSED
    late = make_invitation(
        status=S.BOUNCED, due_on=today - datetime.timedelta(days=91), sent_on=None
    )  # T1's window: 90 days
    assert lifecycle.resend(late, to_address="a@example.com", today=today) == Resend.CLOSED
    assert not OutboundEmail.objects.exists()


def test_queued_mail_follows_a_corrected_address():
    invitation = make_invitation(status=S.PENDING)
    OutboundEmail.objects.create(
        invitation=invitation, purpose="invitation", to_address="Old@Example.com", schedule_day=T1_DUE
    )
    sent = OutboundEmail.objects.create(
        invitation=invitation,
        purpose="reminder-1",
        to_address="old@example.com",
        schedule_day=T1_DUE,
        state=OutboundEmail.State.SENT,
    )
    assert lifecycle.readdress_queued_mail(invitation.graduate_id, "old@example.com", "new@example.com") == 1
    assert invitation.emails.get(purpose="invitation").to_address == "new@example.com"
    sent.refresh_from_db()
    assert sent.to_address == "old@example.com"  # history stays as it was


@pytest.mark.skipif(
    not __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="row locks across connections: PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_admins_resending_at_the_same_moment_queue_one_mail():
    import threading

    from django.db import connection

    from tests.factories.people import restore_reference_data

    restore_reference_data()
    invitation = make_invitation(status=S.BOUNCED, sent_on=None, closes_on=None)
    barrier = threading.Barrier(4)
    outcomes = []

    def click():
        try:
            barrier.wait()
            outcomes.append(
                lifecycle.resend(Invitation.objects.get(pk=invitation.pk), to_address="n@example.com")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted([Resend.QUEUED] + [Resend.READDRESSED] * 3)
    assert OutboundEmail.objects.filter(invitation=invitation).count() == 1
    assert InvitationEvent.objects.filter(invitation=invitation, status=S.PENDING).count() == 1
