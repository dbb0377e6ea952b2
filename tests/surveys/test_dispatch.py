"""Planning and sending survey e-mail: planning.plan / sending.send_queued,
the dispatch task run in-process, and the send_due_invitations command.

Mail goes to Django's locmem backend (``mailoutbox``). Permanent and temporary
SMTP failures are scripted with a small in-process connection (tests.helpers.mail); the real
SMTP server cases are in test_dispatch_smtp.py.
"""

import base64
import datetime
import io
import math
import re
from collections import Counter, defaultdict

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alumni.models import Graduate
from surveys import lifecycle, planning, sending
from surveys.models import Invitation, InvitationEvent, OutboundEmail, Wave
from surveys.tasks import dispatch, send_batch
from tests.factories.people import emails_of, invitation_of, make_graduate, make_graduates, programme, wave
from tests.helpers.mail import ScriptedConnection, send_all

pytestmark = pytest.mark.django_db

D = datetime.date
S = Invitation.Status
Q = OutboundEmail.State

DIPLOMA = D(2025, 6, 15)
T1_DUE = D(2025, 9, 15)  # DIPLOMA + 3 months
T3_DUE = D(2028, 6, 15)  # DIPLOMA + 36 months


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def run_day(day, connection=None) -> tuple[planning.PlanResult, sending.SendResult]:
    result = planning.plan(day)
    return result, send_all(connection)


def recipients(messages) -> list[str]:
    return [address for message in messages for address in message.to]


@pytest.fixture
def t1():
    return wave("T1")


@pytest.fixture
def t3():
    return wave("T3")


# --- one invitation per graduate per wave ----------------------------------------------------------


def test_due_graduates_get_one_invitation_queued_then_one_mail(institution, mailoutbox, t1):
    graduates = make_graduates(3, institution, diploma_date=DIPLOMA)

    result = planning.plan(T1_DUE)

    assert result.invited["T1"] == 3
    assert result.not_invited["T1"] == 0
    assert mailoutbox == []  # planning never sends
    invitations = Invitation.objects.filter(wave=t1)
    assert invitations.count() == 3
    assert set(invitations.values_list("status", flat=True)) == {S.PENDING}
    assert set(invitations.values_list("due_on", flat=True)) == {T1_DUE}
    assert OutboundEmail.objects.filter(purpose="invitation", state=Q.QUEUED).count() == 3

    sent = send_all()

    assert sent.sent == 3
    # T1 goes to the private address when there is one (school mailboxes close).
    assert sorted(recipients(mailoutbox)) == sorted(g.private_email for g in graduates)
    for graduate in graduates:
        invitation = invitation_of(graduate, "T1")
        assert invitation.status == S.SENT
        assert invitation.sent_on == T1_DUE
        assert invitation.sent_at is not None
        assert invitation.last_mailed_on == T1_DUE
        assert invitation.closes_on == T1_DUE + days(t1.closing_days)
        assert emails_of(graduate).get().state == Q.SENT


def test_graduates_not_yet_due_are_left_alone(institution, mailoutbox):
    make_graduate(institution, diploma_date=DIPLOMA)

    result, _sent = run_day(T1_DUE - days(1))

    assert result.invited["T1"] == 0
    assert result.not_invited["T1"] == 0
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_planning_every_day_of_the_window_creates_one_invitation_and_one_mail(institution, mailoutbox, t1):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    for offset in range(0, 6):
        planning.plan(T1_DUE + days(offset))
        planning.plan(T1_DUE + days(offset))
        send_all()
    assert Invitation.objects.filter(graduate=graduate).count() == 1
    assert recipients(mailoutbox) == [graduate.private_email]


def test_the_database_refuses_a_second_invitation_for_the_same_graduate_and_wave(institution, t1):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    Invitation.objects.create(graduate=graduate, wave=t1, due_on=T1_DUE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(graduate=graduate, wave=t1, due_on=T1_DUE)
    # Another wave is another invitation.
    Invitation.objects.create(graduate=graduate, wave=wave("T3"), due_on=T3_DUE)
    assert Invitation.objects.filter(graduate=graduate).count() == 2


def test_the_database_refuses_a_second_outbox_row_for_the_same_purpose(institution, t1):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    invitation = Invitation.objects.create(graduate=graduate, wave=t1, due_on=T1_DUE)
    OutboundEmail.objects.create(
        invitation=invitation, purpose="invitation", to_address="a@example.org", schedule_day=T1_DUE
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundEmail.objects.create(
            invitation=invitation, purpose="invitation", to_address="b@example.org", schedule_day=T1_DUE
        )


# --- tokens ------------------------------------------------------------------------------


def test_tokens_have_at_least_128_bits_and_are_unique_over_1000_invitations(institution, t1):
    cohort_graduate = make_graduate(institution, diploma_date=DIPLOMA)
    Graduate.objects.bulk_create(
        Graduate(
            institution=institution,
            cohort=cohort_graduate.cohort,
            programme=cohort_graduate.programme,
            student_number=f"T{n:06d}",
            first_name="Token",
            last_name=f"Test{n}",
            email=f"token{n}@school.example.nl",
            diploma_date=DIPLOMA,
        )
        for n in range(999)
    )

    planning.plan(T1_DUE)

    rows = list(Invitation.objects.filter(wave=t1).values_list("token", "graduate__student_number"))
    assert len(rows) == 1000
    tokens = [token for token, _number in rows]
    assert len(set(tokens)) == 1000
    for token, student_number in rows:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", token), token
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
        assert student_number not in token
    # No position of the token is (nearly) constant: the characters are spread.
    # (The 43rd character of 256 bits carries only 4 of them, so stop before it.)
    for position in range(42):
        assert len({token[position] for token in tokens}) > 40


# --- status history ------------------------------------------------------------------------


def test_status_history_records_every_step(institution, t1):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)

    run_day(T1_DUE)
    invitation = invitation_of(graduate, "T1")
    run_day(T1_DUE + days(7))
    lifecycle.open_link(invitation)
    lifecycle.open_link(invitation)  # a second visit is no new step
    run_day(T1_DUE + days(14))

    events = list(InvitationEvent.objects.filter(invitation=invitation).values_list("status", "detail"))
    assert [status for status, _detail in events] == [S.PENDING, S.SENT, S.REMINDED, S.OPENED, S.REMINDED]
    assert [detail for status, detail in events if status in (S.SENT, S.REMINDED)] == [
        "invitation",
        "reminder-1",
        "reminder-2",
    ]
    invitation.refresh_from_db()
    assert invitation.status == S.OPENED  # a reminder never sets an opened invitation back
    assert invitation.opened_at is not None
    assert invitation.reminders_sent == 2

    run_day(T1_DUE + days(t1.closing_days + 1))
    assert InvitationEvent.objects.filter(invitation=invitation).last().status == S.EXPIRED


def test_past_the_window_has_a_not_invited_event(institution):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    planning.plan(T1_DUE + days(200))
    invitation = invitation_of(graduate, "T1")
    assert list(invitation.events.values_list("status", flat=True)) == [S.NOT_INVITED]


# --- idempotence -------------------------------------------------------------------------------


def test_planning_twice_on_a_day_queues_and_sends_nothing_twice(institution, mailoutbox):
    graduates = make_graduates(4, institution, diploma_date=DIPLOMA)

    first = planning.plan(T1_DUE)
    second = planning.plan(T1_DUE)
    assert (first.invited["T1"], second.invited["T1"]) == (4, 0)
    assert OutboundEmail.objects.count() == 4
    send_all()
    planning.plan(T1_DUE)
    send_all()
    assert sorted(recipients(mailoutbox)) == sorted(g.private_email for g in graduates)

    # The reminder day, planned twice before anything was sent: queued once, reported once.
    reminder_day = T1_DUE + days(7)
    first = planning.plan(reminder_day)
    second = planning.plan(reminder_day)
    assert (first.reminders, second.reminders) == (4, 0)
    assert OutboundEmail.objects.filter(purpose="reminder-1").count() == 4
    send_all()
    planning.plan(reminder_day)
    assert send_all().sent == 0
    assert Counter(recipients(mailoutbox)) == {g.private_email: 2 for g in graduates}


def test_a_message_claimed_by_one_sender_is_not_sent_by_another(institution, mailoutbox):
    make_graduates(3, institution, diploma_date=DIPLOMA)
    planning.plan(T1_DUE)
    claim = sending.claim_batch(2)
    assert OutboundEmail.objects.filter(claim=claim, state=Q.SENDING).count() == 2
    # A second sender only gets what is left.
    assert sending.send_queued(100).sent == 1
    assert sending.send_queued(100).sent == 0
    assert len(mailoutbox) == 1


def test_rows_of_a_killed_sender_are_requeued_when_their_lease_runs_out(institution, mailoutbox, settings):
    graduates = make_graduates(2, institution, diploma_date=DIPLOMA)
    planning.plan(T1_DUE)
    sending.claim_batch(100)  # claimed, then the process "died"
    assert sending.send_queued(100).sent == 0
    assert planning.plan(T1_DUE).requeued == 0  # the lease still runs

    OutboundEmail.objects.update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    assert planning.plan(T1_DUE).requeued == 2
    assert send_all().sent == 2
    assert sorted(recipients(mailoutbox)) == sorted(g.private_email for g in graduates)


class SlowConnection(LocmemBackend):
    """Each message takes 25 seconds on a fake clock: past a third of a 60-second lease."""

    def __init__(self, clock: list, **kwargs):
        super().__init__(**kwargs)
        self.clock = clock

    def send_messages(self, messages):
        self.clock[0] += 25
        return super().send_messages(messages)


def test_a_sender_renews_the_lease_of_its_unsent_rows_while_it_works(institution, settings, monkeypatch):
    settings.SURVEYS_CLAIM_LEASE_SECONDS = 60
    make_graduates(3, institution, diploma_date=DIPLOMA)
    planning.plan(T1_DUE)
    clock = [0]
    monkeypatch.setattr(sending.time, "monotonic", lambda: clock[0])
    renewals = []
    renew = sending.renew_lease

    def counted_renewal(claim):
        renewals.append(renew(claim))
        return renewals[-1]

    monkeypatch.setattr(sending, "renew_lease", counted_renewal)

    assert sending.send_queued(100, connection=SlowConnection(clock)).sent == 3

    assert renewals == [2, 1]  # one UPDATE per renewal, holding the rows not yet sent


def test_a_sender_whose_lease_ran_out_stops_and_leaves_the_rest_to_others(
    institution, mailoutbox, settings, monkeypatch
):
    settings.SURVEYS_CLAIM_LEASE_SECONDS = 60
    make_graduates(3, institution, diploma_date=DIPLOMA)
    planning.plan(T1_DUE)
    clock = [0]
    monkeypatch.setattr(sending.time, "monotonic", lambda: clock[0])

    def stalled_past_the_lease(claim):
        # Meanwhile the dispatcher found the lease expired and requeued the rows.
        sending.requeue_expired_leases(timezone.now() + datetime.timedelta(days=1))
        return renew(claim)

    renew = sending.renew_lease
    monkeypatch.setattr(sending, "renew_lease", stalled_past_the_lease)

    assert sending.send_queued(100, connection=SlowConnection(clock)).sent == 1  # none after the stall

    assert OutboundEmail.objects.filter(state=Q.QUEUED).count() == 2
    assert send_all().sent == 2
    assert len(mailoutbox) == 3


class CommitModeSpy(LocmemBackend):
    """Notes PostgreSQL's synchronous_commit while each message is sent."""

    seen: list

    def send_messages(self, messages):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            self.seen.append(cursor.fetchone()[0])
        return super().send_messages(messages)


@pytest.mark.parametrize("async_commit", [False, True])
def test_async_commit_is_only_what_the_setting_says_and_only_for_the_batch(
    institution, settings, on_postgres, async_commit
):
    if not on_postgres:
        pytest.skip("synchronous_commit is PostgreSQL's")
    from django.db import connection

    settings.SURVEYS_ASYNC_COMMIT = async_commit
    make_graduates(2, institution, diploma_date=DIPLOMA)
    planning.plan(T1_DUE)
    spy = CommitModeSpy()
    spy.seen = []
    assert sending.send_queued(100, connection=spy).sent == 2
    assert spy.seen == (["off", "off"] if async_commit else ["on", "on"])
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # the session is as it was


def test_a_starting_worker_dispatches_now_and_once_the_leases_of_a_dead_one_ran_out(settings, monkeypatch):
    from surveys import tasks

    settings.SURVEYS_CLAIM_LEASE_SECONDS = 60
    enqueued = []
    monkeypatch.setattr(dispatch, "apply_async", lambda **options: enqueued.append(options))
    tasks.resume_sending(sender=None)
    assert enqueued == [{}, {"countdown": 61}]


# --- late uploads and the window ------------------------------------------------------------------------


def test_late_upload_inside_the_window_is_invited_and_past_it_is_reported_never_mailed(
    institution, mailoutbox, t1
):
    run_day(T1_DUE)  # nobody uploaded yet
    window_end = T1_DUE + days(t1.invitation_window_days)
    late = make_graduate(institution, diploma_date=DIPLOMA)  # uploaded after its due date
    too_late = make_graduate(institution, diploma_date=DIPLOMA - days(1))  # its window ended yesterday

    result, _sent = run_day(window_end)

    assert result.invited["T1"] == 1
    assert result.not_invited["T1"] == 1
    assert invitation_of(late, "T1").status == S.SENT
    assert invitation_of(late, "T1").due_on == T1_DUE
    not_invited = invitation_of(too_late, "T1")
    assert not_invited.status == S.NOT_INVITED
    assert not_invited.token  # still a row: reported, and never planned again
    assert recipients(mailoutbox) == [late.private_email]

    for offset in (1, 7, 14, 50):
        result, _ = run_day(window_end + days(offset))
        assert result.not_invited["T1"] == 0  # reported once
    assert not emails_of(too_late).exists()
    assert too_late.private_email not in recipients(mailoutbox)
    assert invitation_of(too_late, "T1").status == S.NOT_INVITED


def test_the_command_reports_the_graduates_past_the_window(institution, mailoutbox, t1):
    make_graduate(institution, diploma_date=DIPLOMA)
    make_graduates(2, institution, diploma_date=DIPLOMA - days(t1.invitation_window_days + 30))
    out = io.StringIO()
    call_command("send_due_invitations", "--today", T1_DUE.isoformat(), stdout=out)
    text = out.getvalue()
    assert "T1: 1 invited, 2 past the window" in text
    assert "sent 1," in text
    assert len(mailoutbox) == 1


# --- reminders ------------------------------------------------------------------------------------------------


def test_reminders_on_day_7_and_14_only_for_those_who_have_not_completed(institution, mailoutbox, t1):
    graduates = make_graduates(5, institution, diploma_date=DIPLOMA)
    completed, opened, partial, *waiting = graduates
    run_day(T1_DUE)
    Invitation.objects.filter(graduate=completed).update(status=S.COMPLETED, completed_at=timezone.now())
    lifecycle.open_link(invitation_of(opened, "T1"))
    Invitation.objects.filter(graduate=partial).update(status=S.PARTIAL)
    mail.outbox.clear()

    mailed_on = defaultdict(list)
    for offset in range(0, t1.closing_days + 10):
        day = T1_DUE + days(offset)
        before = len(mailoutbox)
        run_day(day)
        for address in recipients(mailoutbox[before:]):
            mailed_on[address].append(offset)

    assert completed.private_email not in mailed_on
    for graduate in (opened, partial, *waiting):
        assert mailed_on[graduate.private_email] == [7, 14], graduate
    statuses = dict(Invitation.objects.filter(wave=t1).values_list("graduate_id", "status"))
    assert statuses[completed.pk] == S.COMPLETED
    reminded = Invitation.objects.filter(graduate__in=waiting)
    assert all(inv.reminders_sent == 2 for inv in reminded)


def test_the_reminders_are_the_reminder_template(institution, mailoutbox):
    make_graduate(institution, diploma_date=DIPLOMA)
    run_day(T1_DUE)
    run_day(T1_DUE + days(7))
    first, reminder = mailoutbox
    assert first.subject.startswith("Hoe gaat het")
    assert reminder.subject.startswith("Herinnering")


def test_missed_days_give_one_reminder_not_two(institution, mailoutbox):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    run_day(T1_DUE)
    result, sent = run_day(T1_DUE + days(20))  # the dispatcher did not run on days 7..19
    assert (result.reminders, sent.sent) == (1, 1)
    assert emails_of(graduate).filter(purpose__startswith="reminder").get().purpose == "reminder-2"
    assert invitation_of(graduate, "T1").reminders_sent == 2
    _result, sent = run_day(T1_DUE + days(21))
    assert sent.sent == 0


def test_an_automatic_and_an_extra_reminder_queued_on_one_day_give_one_mail(institution, mailoutbox, t1):
    """Both rows end up in one batch: the second must see the first was sent."""
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    run_day(T1_DUE)
    day = T1_DUE + days(7)
    assert planning.queue_extra_reminder(institution=institution, wave=t1, today=day) == 1
    assert planning.plan(day).reminders == 1
    assert OutboundEmail.objects.filter(state=Q.QUEUED).count() == 2

    result = send_all()

    assert (result.sent, result.cancelled) == (1, 1)
    assert recipients(mailoutbox) == [
        graduate.private_email,
        graduate.private_email,
    ]  # invitation + one reminder
    assert invitation_of(graduate, "T1").reminders_sent <= 1


def test_an_extra_reminder_after_the_first_reminder_keeps_the_reminder_count(institution, mailoutbox, t1):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    run_day(T1_DUE)
    run_day(T1_DUE + days(7))
    assert planning.queue_extra_reminder(institution=institution, wave=t1, today=T1_DUE + days(9)) == 1
    send_all()
    invitation = invitation_of(graduate, "T1")
    assert invitation.reminders_sent == 1
    assert invitation.last_mailed_on == T1_DUE + days(9)
    run_day(T1_DUE + days(14))
    assert len(mailoutbox) == 4  # invitation, reminder-1, extra, reminder-2
    assert invitation_of(graduate, "T1").reminders_sent == 2


def test_reminders_follow_the_waves_configuration(institution, mailoutbox, t1):
    Wave.objects.filter(pk=t1.pk).update(reminder_days=[3], closing_days=10)
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    mailed_on = []
    for offset in range(0, 20):
        before = len(mailoutbox)
        run_day(T1_DUE + days(offset))
        mailed_on += [offset] * len(mailoutbox[before:])
    assert mailed_on == [0, 3]
    invitation = invitation_of(graduate, "T1")
    assert invitation.closes_on == T1_DUE + days(10)
    assert invitation.status == S.EXPIRED


# --- closing --------------------------------------------------------------------------------------------------------


def test_nothing_is_sent_after_the_wave_closes(institution, mailoutbox, t1):
    graduates = make_graduates(3, institution, diploma_date=DIPLOMA)
    done = graduates[0]
    run_day(T1_DUE)
    run_day(T1_DUE + days(7))
    Invitation.objects.filter(graduate=done).update(status=S.COMPLETED)
    planning.plan(T1_DUE + days(14))  # reminder-2 queued, but the sender is down until after closing
    queued = OutboundEmail.objects.filter(purpose="reminder-2", state=Q.QUEUED)
    assert queued.count() == 2
    mail.outbox.clear()

    closes = T1_DUE + days(t1.closing_days)
    result = planning.plan(closes + days(1))

    assert result.expired == 2
    assert OutboundEmail.objects.filter(purpose="reminder-2", state=Q.QUEUED).count() == 0
    assert OutboundEmail.objects.filter(purpose="reminder-2", state=Q.CANCELLED).count() == 2
    assert send_all().sent == 0
    for offset in range(2, 30):
        run_day(closes + days(offset))
    assert mailoutbox == []
    assert invitation_of(done, "T1").status == S.COMPLETED
    assert {invitation_of(g, "T1").status for g in graduates[1:]} == {S.EXPIRED}
    # An admin's extra reminder after closing queues nothing either.
    assert planning.queue_extra_reminder(institution=institution, wave=t1, today=closes + days(2)) == 0


def test_the_closing_day_itself_is_still_open(institution, t1):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    run_day(T1_DUE)
    closes = T1_DUE + days(t1.closing_days)
    assert planning.plan(closes).expired == 0
    assert invitation_of(graduate, "T1").status == S.SENT
    assert planning.plan(closes + days(1)).expired == 1


# --- opt-out and bounces ----------------------------------------------------------------------------------------------


def test_opted_out_graduates_get_nothing_more_in_any_wave(institution, mailoutbox):
    graduate, other = make_graduates(2, institution, diploma_date=DIPLOMA)
    run_day(T1_DUE)
    planning.plan(T1_DUE + days(7))  # reminders queued
    lifecycle.opt_out(graduate)

    send_all()
    for offset in (14, 20):
        run_day(T1_DUE + days(offset))
    for day in (T3_DUE, T3_DUE + days(7), T3_DUE + days(14)):
        run_day(day)

    # Only the T1 invitation before opting out (to the private address), nothing at school.
    assert Counter(recipients(mailoutbox))[graduate.private_email] == 1
    assert graduate.email not in recipients(mailoutbox)
    assert invitation_of(graduate, "T1").status == S.OPTED_OUT
    assert emails_of(graduate).get(purpose="reminder-1").state == Q.CANCELLED
    assert not Invitation.objects.filter(graduate=graduate, wave__code="T3").exists()
    # The other graduate got everything: T1 invitation and two reminders, T3 invitation and two reminders.
    # Both waves at the private address, none at school.
    assert Counter(recipients(mailoutbox)) == {graduate.private_email: 1, other.private_email: 6}


def test_a_queued_mail_of_a_graduate_who_opted_out_meanwhile_is_cancelled(institution, mailoutbox):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    planning.plan(T1_DUE)
    Graduate.objects.filter(pk=graduate.pk).update(
        opted_out_at=timezone.now()
    )  # e.g. via another wave's link
    result = send_all()
    assert (result.sent, result.cancelled) == (0, 1)
    assert mailoutbox == []


def test_a_permanent_failure_bounces_once_and_nothing_more_is_sent(institution, mailoutbox):
    bad = make_graduate(institution, diploma_date=DIPLOMA, private_email="")  # no other address to try
    good = make_graduate(institution, diploma_date=DIPLOMA)
    connection = ScriptedConnection({bad.email: [550] * 5})

    _plan, result = run_day(T1_DUE, connection)

    assert (result.sent, result.bounced, result.retried) == (1, 1, 0)
    invitation = invitation_of(bad, "T1")
    assert invitation.status == S.BOUNCED
    assert invitation.bounced_at is not None
    assert invitation.events.last().status == S.BOUNCED
    row = emails_of(bad).get()
    assert (row.state, row.attempts) == (Q.FAILED, 1)
    for offset in (1, 7, 14, 30):
        run_day(T1_DUE + days(offset), connection)
    assert connection.tries[bad.email] == 1  # no retry storm
    assert bad.email not in recipients(mailoutbox)
    assert Counter(recipients(mailoutbox)) == {good.private_email: 3}
    # An admin's extra reminder skips the bounced graduate too.
    assert (
        planning.queue_extra_reminder(institution=institution, wave=wave("T1"), today=T1_DUE + days(9)) == 1
    )
    assert not emails_of(bad).filter(purpose__startswith="extra").exists()


def test_a_temporary_failure_backs_off_then_gives_up_after_the_maximum(institution, mailoutbox, settings):
    settings.SURVEYS_MAX_SEND_ATTEMPTS = 3
    settings.SURVEYS_RETRY_BASE_SECONDS = 60
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    connection = ScriptedConnection({graduate.private_email: [451] * 10})
    planning.plan(T1_DUE)

    assert sending.send_queued(100, connection=connection).retried == 1
    row = emails_of(graduate).get()
    assert (row.state, row.attempts) == (Q.QUEUED, 1)
    wait = (row.not_before - timezone.now()).total_seconds()
    assert 55 < wait <= 60
    assert sending.send_queued(100, connection=connection).retried == 0  # not before the back-off

    OutboundEmail.objects.update(not_before=timezone.now())
    assert sending.send_queued(100, connection=connection).retried == 1
    row.refresh_from_db()
    assert 115 < (row.not_before - timezone.now()).total_seconds() <= 120  # doubled

    OutboundEmail.objects.update(not_before=timezone.now())
    result = sending.send_queued(100, connection=connection)
    assert (result.retried, result.failed) == (0, 1)
    row.refresh_from_db()
    assert (row.state, row.attempts) == (Q.FAILED, 3)
    assert connection.tries == {
        graduate.private_email: 3
    }  # a temporary failure never tries the other address
    assert mailoutbox == []


# --- which address -------------------------------------------------------------------------------------------------------


def test_t1_and_t3_prefer_the_private_address_and_fall_back_to_the_school_one(institution, mailoutbox):
    both = make_graduate(institution, diploma_date=DIPLOMA)
    school_only = make_graduate(institution, diploma_date=DIPLOMA, private_email="")
    private_only = make_graduate(institution, diploma_date=DIPLOMA, email="")
    everyone = sorted([both.private_email, school_only.email, private_only.private_email])

    for day in (T1_DUE, T1_DUE + days(7), T3_DUE, T3_DUE + days(7)):
        run_day(day)
        assert sorted(recipients(mailoutbox)) == everyone, day
        mail.outbox.clear()
    assert OutboundEmail.objects.filter(to_address=both.email).count() == 0


def test_t1_without_a_private_address_goes_to_the_school_address(institution, mailoutbox, t1):
    graduate = make_graduate(institution, diploma_date=DIPLOMA, private_email="")
    run_day(T1_DUE)
    run_day(T1_DUE + days(7))
    assert recipients(mailoutbox) == [graduate.email, graduate.email]
    assert set(emails_of(graduate).values_list("purpose", "to_address")) == {
        ("invitation", graduate.email),
        ("reminder-1", graduate.email),
    }


@pytest.mark.parametrize("code, due", [("T1", T1_DUE), ("T3", T3_DUE)])
def test_a_bounce_at_the_private_address_falls_back_to_the_school_address_and_reminds_there(
    institution, mailoutbox, code, due
):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    connection = ScriptedConnection({graduate.private_email: [550] * 5})

    _plan, result = run_day(due, connection)

    assert (result.bounced, result.sent) == (1, 1)
    assert recipients(mailoutbox) == [graduate.email]
    assert connection.tries == {graduate.private_email: 1, graduate.email: 1}
    invitation = invitation_of(graduate, code)
    assert invitation.status == S.SENT
    assert set(emails_of(graduate).values_list("purpose", "state", "to_address")) == {
        ("invitation", Q.FAILED, graduate.private_email),
        ("invitation-alt", Q.SENT, graduate.email),
    }
    assert invitation.events.filter(detail__startswith="bounced, trying the other address").count() == 1
    run_day(due + days(7), connection)
    assert recipients(mailoutbox) == [graduate.email, graduate.email]
    assert connection.tries[graduate.private_email] == 1


def test_t1_bounced_at_both_addresses_bounces_once_each_and_nothing_more(institution, mailoutbox):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    connection = ScriptedConnection({graduate.private_email: [550] * 5, graduate.email: [550] * 5})

    _plan, result = run_day(T1_DUE, connection)

    assert (result.bounced, result.sent) == (2, 0)
    assert invitation_of(graduate, "T1").status == S.BOUNCED
    for offset in (1, 7, 14):
        run_day(T1_DUE + days(offset), connection)
    assert connection.tries == {graduate.private_email: 1, graduate.email: 1}
    assert mailoutbox == []


@pytest.mark.parametrize("code, due", [("T1", T1_DUE), ("T3", T3_DUE)])
def test_a_bounce_without_another_address_bounces_the_invitation(institution, mailoutbox, code, due):
    graduate = make_graduate(institution, diploma_date=DIPLOMA, email="")
    connection = ScriptedConnection({graduate.private_email: [550] * 5})
    run_day(due, connection)
    assert invitation_of(graduate, code).status == S.BOUNCED
    assert connection.tries == {graduate.private_email: 1}
    assert not emails_of(graduate).filter(purpose="invitation-alt").exists()
    assert mailoutbox == []


# --- the command: --today and --dry-run -------------------------------------------------------------------------------------


def command(*args) -> str:
    out = io.StringIO()
    call_command("send_due_invitations", *args, stdout=out)
    return out.getvalue()


def test_the_command_acts_as_of_the_given_day(institution, mailoutbox, t1):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)

    assert "T1: 0 invited" in command("--today", (T1_DUE - days(1)).isoformat())
    assert mailoutbox == []

    text = command("--today", T1_DUE.isoformat())
    assert text.startswith(T1_DUE.isoformat())
    assert "T1: 1 invited" in text and "sent 1," in text
    assert invitation_of(graduate, "T1").sent_on == T1_DUE

    assert "sent 0," in command("--today", (T1_DUE + days(6)).isoformat())
    text = command("--today", (T1_DUE + days(7)).isoformat())
    assert "1 reminders queued" in text and "sent 1," in text
    assert "0 reminders queued" in command("--today", (T1_DUE + days(7)).isoformat())
    assert "1 reminders queued" in command("--today", (T1_DUE + days(14)).isoformat())
    assert "1 expired" in command("--today", (T1_DUE + days(t1.closing_days + 1)).isoformat())
    assert len(mailoutbox) == 3
    assert invitation_of(graduate, "T1").status == S.EXPIRED


def test_the_command_today_default_is_the_real_date(institution, mailoutbox):
    today = timezone.localdate()
    graduate = make_graduate(institution, diploma_date=today - days(100))
    text = command()
    assert text.startswith("today:")
    assert invitation_of(graduate, "T1").sent_on == today
    assert recipients(mailoutbox) == [graduate.private_email]


def test_the_command_rejects_a_malformed_day():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_due_invitations", "--today", "15-09-2025")


def snapshot():
    return (
        list(
            Invitation.objects.order_by("pk").values_list("pk", "status", "reminders_sent", "last_mailed_on")
        ),
        list(OutboundEmail.objects.order_by("pk").values_list("pk", "state", "attempts")),
        InvitationEvent.objects.count(),
        list(Graduate.objects.order_by("pk").values_list("pk", "opted_out_at")),
    )


def test_dry_run_reports_but_changes_and_sends_nothing(institution, mailoutbox, t1):
    make_graduates(2, institution, diploma_date=DIPLOMA)
    make_graduate(institution, diploma_date=DIPLOMA - days(t1.invitation_window_days + 1))

    before = snapshot()
    text = command("--today", T1_DUE.isoformat(), "--dry-run")
    assert "(dry run)" in text
    assert "T1: 2 invited, 1 past the window" in text
    assert "nothing sent" in text
    assert snapshot() == before
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_dry_run_with_mail_already_queued_sends_nothing_and_closes_nothing(institution, mailoutbox, t1):
    make_graduates(2, institution, diploma_date=DIPLOMA)
    run_day(T1_DUE)
    planning.plan(T1_DUE + days(7))  # two reminders queued
    mail.outbox.clear()

    before = snapshot()
    text = command("--today", (T1_DUE + days(7)).isoformat(), "--dry-run")
    assert "2 e-mails already queued" in text
    text = command("--today", (T1_DUE + days(t1.closing_days + 1)).isoformat(), "--dry-run")
    assert "2 expired" in text
    assert snapshot() == before
    assert mailoutbox == []


# --- the Celery tasks, run in this process ---------------------------------------------------------------------------------------


def test_dispatch_plans_and_enqueues_sending_only_on_commit(
    institution, mailoutbox, settings, t1, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SURVEYS_BATCH_SIZE = 2
    make_graduates(5, institution, diploma_date=DIPLOMA)
    enqueued = []  # what would have gone to the broker
    monkeypatch.setattr(send_batch, "delay", lambda *args: enqueued.append(args))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        text = dispatch.run(T1_DUE.isoformat())

    assert "T1: 5 invited" in text
    assert enqueued == []  # nothing reaches the broker before the plan is committed
    assert len(callbacks) == math.ceil(5 / 2)  # one send_batch per batch, none for T3 (nothing waiting)
    assert mailoutbox == []
    assert OutboundEmail.objects.filter(state=Q.QUEUED).count() == 5

    for callback in callbacks:
        callback()
    assert enqueued == [(t1.pk, 2)] * 3
    # Run each enqueued batch here instead of through a broker.
    results = [send_batch.run(*args) for args in enqueued]
    assert [r["sent"] for r in results] == [2, 2, 1]
    assert len(mailoutbox) == 5
    assert set(Invitation.objects.values_list("status", flat=True)) == {S.SENT}


def test_dispatch_delivered_twice_queues_and_sends_once(
    institution, mailoutbox, t1, django_capture_on_commit_callbacks
):
    graduates = make_graduates(3, institution, diploma_date=DIPLOMA)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dispatch.run(T1_DUE.isoformat())
        dispatch.run(T1_DUE.isoformat())
    assert len(callbacks) == 2
    for _ in callbacks:
        send_batch.run(t1.pk, 100)
    assert sorted(recipients(mailoutbox)) == sorted(g.private_email for g in graduates)
    assert Invitation.objects.count() == 3
    assert OutboundEmail.objects.count() == 3


def test_dispatch_with_nothing_waiting_enqueues_nothing(institution, django_capture_on_commit_callbacks):
    make_graduate(institution, diploma_date=DIPLOMA)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dispatch.run((T1_DUE - days(1)).isoformat())
    assert callbacks == []


def test_dispatch_enqueues_no_more_than_the_rate_allows(
    institution, settings, t1, django_capture_on_commit_callbacks
):
    settings.SURVEYS_BATCH_SIZE = 2
    Wave.objects.filter(pk=t1.pk).update(send_rate_per_minute=5)
    make_graduates(12, institution, diploma_date=DIPLOMA)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dispatch.run(T1_DUE.isoformat())
    assert len(callbacks) == math.ceil(5 / 2)


def test_send_batch_without_a_wave_sends_any_wave(institution, mailoutbox):
    make_graduate(institution, diploma_date=DIPLOMA)
    make_graduate(institution, diploma_date=DIPLOMA - days(3 * 365))
    planning.plan(T1_DUE)
    assert set(OutboundEmail.objects.values_list("invitation__wave__code", flat=True)) == {"T1", "T3"}
    assert send_batch.run()["sent"] == 2
    assert len(mailoutbox) == 2


# --- the send rate ------------------------------------------------------------------------------------------------------------------------


def test_the_wave_rate_limit_caps_a_batch(institution, mailoutbox, t1):
    Wave.objects.filter(pk=t1.pk).update(send_rate_per_minute=5)
    t1.refresh_from_db()
    make_graduates(12, institution, diploma_date=DIPLOMA)
    planning.plan(T1_DUE)

    assert sending.send_queued(limit=100, wave=t1).sent == 5
    assert sending.send_queued(limit=100, wave=t1).sent == 0  # the same minute
    assert len(mailoutbox) == 5
    assert sending.sendable_count(t1) == 7

    # A minute later the next five may go.
    OutboundEmail.objects.filter(state=Q.SENT).update(
        claimed_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    assert sending.send_queued(limit=100, wave=t1).sent == 5
    assert sending.send_queued(limit=3, wave=t1).sent == 0
    assert len(mailoutbox) == 10


def test_a_waves_batch_only_takes_that_waves_mail(institution, mailoutbox, t1, t3):
    make_graduates(2, institution, diploma_date=DIPLOMA)
    make_graduate(institution, diploma_date=DIPLOMA - days(3 * 365))  # due at T3 on the same day
    planning.plan(T1_DUE)
    assert sending.send_queued(100, wave=t3).sent == 1
    assert sending.sendable_count(t3) == 0
    assert sending.sendable_count(t1) == 2


def test_mail_names_the_graduates_programme(institution, mailoutbox):
    other_programme = programme(1)
    graduate = make_graduate(institution, diploma_date=DIPLOMA, programme=other_programme)
    run_day(T1_DUE)
    assert other_programme.name in mailoutbox[0].body
    assert graduate.first_name in mailoutbox[0].body


def test_a_graduate_who_declined_recontact_at_t1_is_not_invited_at_t3(institution, mailoutbox):
    from surveys.models import Response

    declined, agreed, silent = make_graduates(3, institution, diploma_date=DIPLOMA)
    planning.plan(T1_DUE)
    for graduate, consent in ((declined, False), (agreed, True), (silent, None)):
        Response.objects.create(
            invitation=invitation_of(graduate, "T1"),
            instrument_version="t",
            current_page="x",
            recontact_consent=consent,
        )
    t3_due = DIPLOMA.replace(year=DIPLOMA.year + 3)
    planning.plan(t3_due)
    invited = set(Invitation.objects.filter(wave__code="T3").values_list("graduate_id", flat=True))
    assert invited == {agreed.pk, silent.pk}
