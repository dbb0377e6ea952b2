"""Survey e-mail through real Celery workers and a real SMTP server.

These are the paths where a worker matters: concurrency between dispatchers,
duplicate task delivery, a worker killed mid-batch, and beat-driven retries.
Messages are counted at the SMTP server, not in our own tables.
"""

import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from surveys.models import Invitation, OutboundEmail, Wave
from surveys.tasks import dispatch
from tests.factories.people import make_due_graduates
from tests.helpers.processes import ROOT, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def all_mail_settled() -> bool:
    return not OutboundEmail.objects.filter(state__in=["queued", "sending"]).exists()


def test_two_dispatchers_and_a_task_delivered_twice_send_each_mail_once(
    reference_data, institution, smtp_sink, celery_processes
):
    graduates = make_due_graduates(institution, 40)
    celery_processes.worker(concurrency=2)

    def command_dispatcher():
        subprocess.run(
            [sys.executable, "manage.py", "send_due_invitations"],
            cwd=ROOT,
            env=celery_processes.env,
            check=True,
            capture_output=True,
        )

    # Two dispatchers at the same moment (two processes doing the whole job by
    # hand) while the periodic task is delivered twice with the same id.
    dispatchers = [threading.Thread(target=command_dispatcher) for _ in range(2)]
    for thread in dispatchers:
        thread.start()
    dispatch.apply_async(queue=celery_processes.queue, task_id="dispatch-once")
    dispatch.apply_async(queue=celery_processes.queue, task_id="dispatch-once")
    for thread in dispatchers:
        thread.join(timeout=120)

    wait_for(lambda: smtp_sink.handler.count >= 40 and all_mail_settled(), timeout=90, what="all mail sent")
    time.sleep(2)  # a late duplicate, if any, would arrive now
    received = Counter(smtp_sink.handler.recipients())
    expected = {g.private_email for g in graduates}  # T1 prefers the private address
    assert set(received) == expected, celery_processes.logs()
    assert max(received.values()) == 1, f"duplicates: {[a for a, n in received.items() if n > 1]}"
    assert Invitation.objects.count() == 40
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}


def test_a_killed_workers_mail_is_all_sent_within_two_minutes_of_the_restart(
    reference_data, institution, celery_processes, smtp_sink
):
    """2,000 due invitations; the worker is SIGKILLed (its whole process group)
    mid-batch and started again, with no beat: the new worker's start alone
    dispatches, and once the dead claims' leases (3 s here) ran out their rows
    are sent again."""
    graduates = make_due_graduates(institution, 2000)
    expected = {g.private_email for g in graduates}  # T1 prefers the private address
    Wave.objects.update(send_rate_per_minute=0)  # no provider limit: this is about the kill
    smtp_sink.handler.keep_bodies = False
    concurrency = 2
    worker = celery_processes.worker(concurrency=concurrency, SURVEYS_BATCH_SIZE="250")
    # The worker's start dispatched already; a beat tick would too.
    wait_for(lambda: smtp_sink.handler.count >= 300, timeout=60, interval=0.02, what="first messages")
    celery_processes.kill(worker)
    sent_before_kill = smtp_sink.handler.count
    assert sent_before_kill < 2000, "the worker finished before it was killed; the test proves nothing"
    assert OutboundEmail.objects.filter(state="sending").exists()  # the dead worker's claims

    restarted = time.monotonic()
    celery_processes.worker(concurrency=concurrency, SURVEYS_BATCH_SIZE="250")
    wait_for(
        lambda: set(smtp_sink.handler.recipients()) >= expected and all_mail_settled(),
        timeout=150,
        interval=0.2,
        what="every graduate mailed after the restart",
    )
    took = time.monotonic() - restarted
    received = Counter(smtp_sink.handler.recipients())
    duplicates = sum(n - 1 for n in received.values())
    print(
        f"\nkilled after {sent_before_kill} messages; all 2,000 mailed {took:.1f} s after the restart; "
        f"{duplicates} duplicate(s)"
    )
    assert took < 120, celery_processes.logs()
    assert set(received) == expected
    # Each killed pool process may have had one message in flight: it alone may arrive twice.
    assert duplicates <= concurrency, (duplicates, celery_processes.logs())
    # The invitations follow their mail when a batch ends (and a plan repairs what a dead worker sent).
    wait_for(
        lambda: set(Invitation.objects.values_list("status", flat=True)) == {"sent"},
        timeout=30,
        what="every invitation marked sent",
    )


def test_beat_drives_dispatch_retries_451_and_bounces_550_without_a_storm(
    reference_data, institution, celery_processes, smtp_sink
):
    graduates = make_due_graduates(institution, 6)
    temporary = graduates[0].private_email
    permanent = graduates[1].private_email, graduates[1].email  # the fallback to the school address too
    smtp_sink.handler.scripted[temporary] = ["451 4.7.1 Greylisted, try again later"]
    for address in permanent:
        smtp_sink.handler.scripted[address] = ["550 5.1.1 No such user"] * 50
    celery_processes.worker(concurrency=2)
    celery_processes.beat(every_seconds=1)

    others = {g.private_email for g in graduates[2:]}
    wait_for(
        lambda: set(smtp_sink.handler.recipients()) >= others | {temporary},
        timeout=90,
        what="beat-driven sending incl. the retried 451",
    )
    time.sleep(4)  # beat ticks a few more times: the 550 must not be tried again
    received = Counter(smtp_sink.handler.recipients())
    assert received[temporary] == 1
    assert all(received[address] == 1 for address in others)
    assert set(received) == others | {temporary}
    assert [len(smtp_sink.handler.scripted[address]) for address in permanent] == [49, 49]  # one RCPT each
    bounced = Invitation.objects.get(graduate=graduates[1])
    assert bounced.status == Invitation.Status.BOUNCED
    assert sorted(
        OutboundEmail.objects.filter(invitation=bounced).values_list("purpose", "to_address", "attempts")
    ) == [
        ("invitation", permanent[0], 1),
        ("invitation-alt", permanent[1], 1),
    ]
    retried = OutboundEmail.objects.get(invitation__graduate=graduates[0])
    assert retried.state == "sent" and retried.attempts == 2
