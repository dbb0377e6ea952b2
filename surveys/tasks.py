"""Celery tasks: thin, idempotent wrappers around ``planning`` and ``sending``.

``dispatch`` runs on the beat schedule (every minute by default). It may run
twice at once or be delivered twice: planning is idempotent and every e-mail is
claimed before it is sent (``surveys.sending``), so that costs nothing but work.
"""

import datetime
import math

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import transaction

from . import planning, sending
from .models import Wave


@shared_task(acks_late=True)
def dispatch(today: str | None = None) -> str:
    """Plan the day's invitations, reminders and closings; enqueue sending
    within each wave's rate limit."""
    day = datetime.date.fromisoformat(today) if today else None
    result = planning.plan(day)
    batch = settings.SURVEYS_BATCH_SIZE
    for wave in Wave.objects.filter(is_active=True):
        waiting = sending.sendable_count(wave)
        budget = min(waiting, wave.send_rate_per_minute or waiting)
        for _ in range(math.ceil(budget / batch)):
            transaction.on_commit(lambda w=wave.pk: send_batch.delay(w, batch))
    return result.as_text()


@shared_task(acks_late=True)
def send_batch(wave_id: int | None = None, limit: int | None = None) -> dict:
    wave = Wave.objects.filter(pk=wave_id).first() if wave_id else None
    return sending.send_queued(limit or settings.SURVEYS_BATCH_SIZE, wave=wave).__dict__


@worker_ready.connect
def resume_sending(**_kwargs) -> None:
    """A worker that starts — after a crash, a deploy — sends what is waiting
    at once instead of at the next beat tick: a dispatch now, and one when
    the leases of a worker that died just before have surely run out, which
    puts that worker's rows back in the queue (``surveys.sending``, step 5)."""
    dispatch.apply_async()
    dispatch.apply_async(countdown=settings.SURVEYS_CLAIM_LEASE_SECONDS + 1)
