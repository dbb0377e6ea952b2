"""Celery tasks: thin wrappers around the cube's refresh (``reports.cube.refresh``).

``refresh_cube`` runs on the beat schedule (every minute by default) so the
report cube is usually fresh before anyone opens a report; the reports
refresh it themselves when it is not (see ``reports.cube``), so a late or
skipped run costs a viewer time, never correctness. Two runs at once
serialise on the cube's lock.
"""

from celery import shared_task

from .cube import refresh
from .cube.definition import cube_definition


@shared_task
def refresh_cube() -> str:
    """Recompute the report cube's dirty slices, if any."""
    definition = cube_definition()
    if refresh.cube_is_fresh(definition):
        return "report cube: fresh"
    return refresh.refresh_cube(definition).as_text()
