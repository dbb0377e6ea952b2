"""Celery tasks: thin, idempotent wrappers around ``services``.

``dispatch`` runs on the beat schedule (every minute by default). It may run
twice at once or be delivered twice: planning is idempotent and every e-mail is
claimed before it is sent (see services.py), so that costs nothing but work.
"""

import math

from celery import shared_task
from django.conf import settings
from django.db import transaction

from . import services
from .models import Wave


@shared_task(acks_late=True)
def dispatch(today: str | None = None) -> str:
    """Plan the day's invitations, reminders and closings; enqueue sending
    within each wave's rate limit."""
    import datetime

    day = datetime.date.fromisoformat(today) if today else None
    result = services.plan(day)
    batch = settings.SURVEYS_BATCH_SIZE
    for wave in Wave.objects.filter(is_active=True):
        waiting = services.sendable_count(wave)
        budget = min(waiting, wave.send_rate_per_minute or waiting)
        for _ in range(math.ceil(budget / batch)):
            transaction.on_commit(lambda w=wave.pk: send_batch.delay(w, batch))
    return result.as_text()


@shared_task(acks_late=True)
def send_batch(wave_id: int | None = None, limit: int | None = None) -> dict:
    wave = Wave.objects.filter(pk=wave_id).first() if wave_id else None
    result = services.send_queued(limit or settings.SURVEYS_BATCH_SIZE, wave=wave)
    return result.__dict__
