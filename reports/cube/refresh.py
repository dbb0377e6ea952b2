"""Keeping the cube fresh: recount the dirty slices (or everything) and swap them in.

The writes of the cube (see ``reports.cube`` for the guarantee). A report
calls :func:`ensure_cube_fresh`, which costs a few small queries when nothing
changed; the beat task ``reports.tasks.refresh_cube`` calls
:func:`refresh_cube` every minute, so a viewer rarely waits for it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import islice

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from surveys.models import Wave

from . import recount, triggers
from .definition import Definition, cube_definition
from .models import CubeCell, CubeDirty, CubeState

SLICES_PER_QUERY = 400
"""Dirty slices recomputed per query (keeps SQLite under its parameter limit)."""

MARKS_PER_DELETE = 5000

REBUILD_SHARE = 0.6
"""Above this share of the cube's slices dirty, one full rebuild is cheaper than slice by slice."""


@dataclass
class RefreshResult:
    """What one refresh did (the beat task logs :meth:`as_text`)."""

    full: bool = False
    slices: int = 0
    cells: int = 0
    marks: int = 0
    seconds: float = 0.0

    def as_text(self) -> str:
        kind = "full rebuild" if self.full else f"{self.slices} slices"
        return f"report cube: {kind}, {self.cells} cells written, {self.marks} marks consumed in {self.seconds:.2f} s"


def _chunks(items, size):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def cube_is_fresh(definition: Definition) -> bool:
    """Triggers in place, built under this definition, nothing dirty (a few small queries)."""
    if triggers.installed_triggers() < triggers.expected_triggers(connection.vendor):
        return False
    fingerprint = CubeState.objects.filter(pk=1).values_list("fingerprint", flat=True).first()
    return fingerprint == definition.fingerprint and not CubeDirty.objects.exists()


def ensure_cube_fresh(definition: Definition) -> None:
    """Refresh the cube if anything changed since it was last refreshed (or the definition did)."""
    if not cube_is_fresh(definition):
        refresh_cube(definition)


def _lock_state() -> CubeState:
    """Lock the state row: an UPDATE first, so SQLite takes its write lock and PostgreSQL a row lock."""
    if not CubeState.objects.filter(pk=1).update(refreshed_at=F("refreshed_at")):
        CubeState.objects.get_or_create(pk=1)
    return CubeState.objects.select_for_update().get(pk=1)


@transaction.atomic
def refresh_cube(definition: Definition | None = None, *, full: bool = False) -> RefreshResult:
    """Recompute the dirty slices (or everything) and swap them in, in one transaction.

    A full rebuild happens when asked, when the definitions changed (a new
    indicator, SBI section, region ...) or when a mark says "everything"
    (a TRUNCATE, or triggers that had gone missing). Only the marks read at
    the start are deleted at the end: a change committed while this runs
    leaves its own mark for the next refresh.
    """
    start = time.perf_counter()
    triggers.install_triggers(force=False)  # a no-op unless one went missing (then: everything dirty)
    definition = definition or cube_definition()
    state = _lock_state()
    if connection.vendor == "postgresql":
        # One filtered count per category: JIT compiling them costs more than
        # it saves, and the hash aggregate over every cell wants more than
        # the default work_mem (docs/benchmarks.md).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
    marks = list(CubeDirty.objects.values_list("id", "cohort_id", "programme_id", "wave_id"))
    result = RefreshResult(marks=len(marks))
    slices = set()
    if marks:
        waves = list(Wave.objects.values_list("pk", flat=True))
        for _, cohort, programme, wave in marks:
            for wave_id in [wave] if wave is not None else waves:
                slices.add((cohort, programme, wave_id))
    rebuild = (
        full
        or state.fingerprint != definition.fingerprint
        or any(cohort is None or programme is None for _, cohort, programme, _ in marks)
        or len(slices) > REBUILD_SHARE * _slices_in_cube()
    )
    if rebuild:
        CubeCell.objects.all().delete()
        result.full = True
        result.cells = _write(recount.cell_counts(definition))
        state.built_at = timezone.now()
    elif slices:
        result.slices = len(slices)
        for chunk in _chunks(sorted(slices), SLICES_PER_QUERY):
            CubeCell.objects.filter(recount.slice_q(chunk, "", "wave_id")).delete()
            result.cells += _write(recount.cell_counts(definition, chunk))
    for ids in _chunks([mark[0] for mark in marks], MARKS_PER_DELETE):
        CubeDirty.objects.filter(id__in=ids).delete()
    state.fingerprint = definition.fingerprint
    state.columns = list(definition.columns)
    state.refreshed_at = timezone.now()
    state.save()
    result.seconds = time.perf_counter() - start
    return result


def _slices_in_cube() -> int:
    return CubeCell.objects.values("cohort_id", "programme_id", "wave_id").distinct().count()


def _write(cells: dict[tuple, list[int]]) -> int:
    rows = [
        CubeCell(
            institution_id=institution,
            programme_id=programme,
            cohort_id=cohort,
            wave_id=wave,
            pathway=pathway or "",
            location_id=location,
            counts=counts,
        )
        for (institution, programme, cohort, wave, pathway, location), counts in cells.items()
    ]
    CubeCell.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
