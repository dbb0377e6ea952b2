"""Celery tasks of the alumni app: the daily retention run (``alumni.privacy.retention``)."""

from celery import shared_task


@shared_task(acks_late=True)
def apply_retention() -> str:
    """Daily (CELERY_BEAT_SCHEDULE): remove what is past its retention period. Idempotent:
    a second run the same day, or a task delivered twice, finds nothing more to do."""
    from .privacy.retention import apply_retention as run

    return run().as_text()
