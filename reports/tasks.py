"""Celery tasks: thin wrappers around ``services``.

``refresh_cube`` runs on the beat schedule (every minute by default) so the
report cube is usually fresh before anyone opens a report; the reports
refresh it themselves when it is not (``reports/cube.py``), so a late or
skipped run costs a viewer time, never correctness. Two runs at once
serialise on the cube's lock.
"""

from celery import shared_task

from . import cube, services


@shared_task
def refresh_cube() -> str:
    """Recompute the report cube's dirty slices, if any."""
    definition = cube.definition()
    if services.cube_is_fresh(definition):
        return "report cube: fresh"
    return services.refresh_cube(definition).as_text()
