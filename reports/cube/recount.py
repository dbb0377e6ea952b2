"""The cube's counts recounted from the source tables: what a refresh writes, and what tests check against.

The category conditions are the indicators' own ``Q`` objects, so the cube
counts exactly what a live query over the responses would.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, Q

from surveys.models import Invitation, Response

from .. import indicators as ind
from ..filters import RESPONSE_GRADUATE
from .definition import INVITATIONS, RESPONSES, Definition

CELL_KEYS = ("institution", "programme", "cohort", "wave", "pathway", "location")
"""The grain of the report cube (``reports.cube.models.CubeCell``), in key order."""

Slice = tuple[int, int, int]  # cohort id, programme id, wave id


def slice_q(slices: Iterable[Slice], graduate: str, wave_id: str) -> Q:
    """Rows in the given (cohort, programme, wave) slices, as few OR terms as possible."""
    programmes: dict[tuple[int, int], set[int]] = {}
    for cohort, programme, wave in slices:
        programmes.setdefault((cohort, wave), set()).add(programme)
    q = Q(pk__in=[])
    for (cohort, wave), ids in sorted(programmes.items()):
        q |= Q(**{f"{graduate}cohort_id": cohort, wave_id: wave, f"{graduate}programme_id__in": sorted(ids)})
    return q


def cell_counts(definition: Definition, slices: Iterable[Slice] | None = None) -> dict[tuple, list[int]]:
    """The cube's counts computed from the source tables: key (see :data:`CELL_KEYS`) -> counts.

    Two grouped queries, each ``SELECT <cell keys>, COUNT(*), COUNT(*) FILTER
    (WHERE <category>) ... GROUP BY <cell keys>`` (SQLite gets the CASE form
    Django emulates): completed responses, and invitations that are not
    pending. ``slices`` limits both to some (cohort, programme, wave)
    slices; ``None`` is everything.
    """
    position = {name: i for i, name in enumerate(definition.columns)}
    cells: dict[tuple, list[int]] = {}
    sources = (
        (
            Response.objects.filter(completed_at__isnull=False),
            RESPONSE_GRADUATE,
            "invitation__wave_id",
            RESPONSES,
            definition.response_indicators,
        ),
        (
            Invitation.objects.exclude(status=Invitation.Status.PENDING),
            "graduate__",
            "wave_id",
            INVITATIONS,
            definition.invitation_indicators,
        ),
    )
    for queryset, graduate, wave_id, total, indicators in sources:
        if slices is not None:
            queryset = queryset.filter(slice_q(slices, graduate, wave_id))
        keys = {
            f"k_{key}": F(wave_id)
            if key == "wave"
            else F(f"{graduate}{key}" + ("" if key == "pathway" else "_id"))
            for key in CELL_KEYS
        }
        categories, names = ind.category_counts(indicators)
        aggregates = {"n": Count("pk"), **categories}
        targets = [position[total], *(position[name] for name in names)]
        rows = queryset.values(**keys).annotate(**aggregates).order_by().values_list(*keys, *aggregates)
        width = len(keys)
        for row in rows:
            key = row[:width]
            counts = cells.get(key)
            if counts is None:
                counts = cells[key] = [0] * len(definition.columns)
            for target, value in zip(targets, row[width:], strict=True):
                counts[target] = value
    return cells
