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

from surveys.models import Invitation, OutboundEmail
from surveys.tasks import dispatch

from .conftest import ROOT, make_due_graduates, wait_for

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
    expected = {g.email for g in graduates}
    assert set(received) == expected, celery_processes.logs()
    assert max(received.values()) == 1, f"duplicates: {[a for a, n in received.items() if n > 1]}"
    assert Invitation.objects.count() == 40
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}


def test_worker_killed_mid_batch_loses_nothing_and_duplicates_at_most_the_message_in_flight(
    reference_data, institution, celery_processes, smtp_sink
):
    graduates = make_due_graduates(institution, 30)
    smtp_sink.handler.delay = 0.15  # a slow provider, so the kill lands mid-batch
    worker = celery_processes.worker(concurrency=1, SURVEYS_BATCH_SIZE="30")
    dispatch.apply_async(queue=celery_processes.queue)
    wait_for(lambda: smtp_sink.handler.count >= 5, timeout=60, what="first messages")
    celery_processes.kill(worker)
    sent_before_kill = smtp_sink.handler.count
    assert sent_before_kill < 30, "the worker finished before it was killed; the test proves nothing"

    celery_processes.worker(concurrency=1)

    # After the stale-claim timeout (2 s in this test) a dispatch puts the
    # killed worker's rows back in the queue and sends them.
    def everyone_mailed():
        dispatch.apply_async(queue=celery_processes.queue)
        return set(smtp_sink.handler.recipients()) >= {g.email for g in graduates} and all_mail_settled()

    wait_for(everyone_mailed, timeout=120, interval=1.5, what="every graduate mailed after restart")
    received = Counter(smtp_sink.handler.recipients())
    duplicates = sum(n - 1 for n in received.values())
    # One pool process was killed: at most its one in-flight message twice.
    assert duplicates <= 1, (duplicates, celery_processes.logs())
    assert set(received) == {g.email for g in graduates}


def test_beat_drives_dispatch_retries_451_and_bounces_550_without_a_storm(
    reference_data, institution, celery_processes, smtp_sink
):
    graduates = make_due_graduates(institution, 6)
    temporary, permanent = graduates[0].email, graduates[1].email
    smtp_sink.handler.scripted[temporary] = ["451 4.7.1 Greylisted, try again later"]
    smtp_sink.handler.scripted[permanent] = ["550 5.1.1 No such user"] * 50
    celery_processes.worker(concurrency=2)
    celery_processes.beat(every_seconds=1)

    others = {g.email for g in graduates[2:]}
    wait_for(
        lambda: set(smtp_sink.handler.recipients()) >= others | {temporary},
        timeout=90,
        what="beat-driven sending incl. the retried 451",
    )
    time.sleep(4)  # beat ticks a few more times: the 550 must not be tried again
    received = Counter(smtp_sink.handler.recipients())
    assert received[temporary] == 1
    assert all(received[address] == 1 for address in others)
    assert received[permanent] == 0
    bounced = Invitation.objects.get(graduate=graduates[1])
    assert bounced.status == Invitation.Status.BOUNCED
    assert OutboundEmail.objects.get(invitation=bounced).attempts == 1
    retried = OutboundEmail.objects.get(invitation__graduate=graduates[0])
    assert retried.state == "sent" and retried.attempts == 2
