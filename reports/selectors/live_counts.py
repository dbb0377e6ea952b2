"""Live grouped counts the report cube does not hold: T1 -> T3 flows and the weighting's raking cells.

Why live: a flow needs both waves of one graduate, and raking weights need
gender and age band, neither of which is a cube key (see ``reports.cube``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear

from surveys.models import Invitation, Response

from .. import indicators as ind
from ..filters import (
    RESPONSE_GRADUATE,
    RESPONSE_WAVE,
    Filters,
    Scope,
    completed_responses,
    dimension_expression,
)


def transition_counts(scope: Scope, filters: Filters) -> pd.DataFrame:
    """T1 main activity x T3 main activity for graduates who completed both waves.

    Columns t1, t3 (activity codes) and n. The wave filter does not apply
    (a transition is both waves by definition).
    """
    without_wave = Filters(**{**filters.__dict__, "wave": None})
    t1 = Response.objects.filter(
        invitation__graduate=OuterRef("invitation__graduate"),
        invitation__wave__code="T1",
        completed_at__isnull=False,
    ).exclude(main_activity="")
    rows = (
        completed_responses(scope, without_wave)
        .filter(invitation__wave__code="T3")
        .exclude(main_activity="")
        .annotate(t1=Subquery(t1.values("main_activity")[:1]))
        .filter(t1__isnull=False)
        .values("t1", "main_activity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    frame = pd.DataFrame.from_records(
        list(rows.values_list("t1", "main_activity", "n")), columns=["t1", "t3", "n"]
    )
    return frame


AGE_BANDS = (("-19", None, 19), ("20-21", 20, 21), ("22-24", 22, 24), ("25+", 25, None))
WEIGHT_MARGINS = ("programme", "pathway", "gender", "age_band")
WEIGHT_CELLS = tuple(f"w_{margin}" for margin in WEIGHT_MARGINS)  # column names in the frames below


def _age_band(graduate: str):
    age = ExtractYear(F(f"{graduate}diploma_date")) - F(f"{graduate}birth_year")
    whens = []
    for label, low, high in AGE_BANDS:
        condition = Q()
        if low is not None:
            condition &= Q(_age__gte=low)
        if high is not None:
            condition &= Q(_age__lte=high)
        whens.append((label, condition))
    return age, Case(
        *(When(condition, then=Value(label)) for label, condition in whens),
        default=Value("?"),
        output_field=CharField(),
    )


def _cell_annotations(queryset: QuerySet, graduate: str) -> tuple[QuerySet, list[str]]:
    age, band = _age_band(graduate)
    queryset = queryset.annotate(
        w_programme=Cast(F(f"{graduate}programme_id"), IntegerField()),
        w_pathway=Coalesce(F(f"{graduate}pathway"), Value(""), output_field=CharField()),
        w_gender=Coalesce(F(f"{graduate}gender"), Value(""), output_field=CharField()),
        _age=age,
    ).annotate(w_age_band=band)
    return queryset, ["w_programme", "w_pathway", "w_gender", "w_age_band"]


def population_cells(scope: Scope, filters: Filters) -> pd.DataFrame:
    """Graduates due for the wave(s) per raking cell: the cohort's margins."""
    queryset = Invitation.objects.filter(
        scope.q("graduate__"), filters.q("graduate__", "wave__code")
    ).exclude(status=Invitation.Status.PENDING)
    queryset, cells = _cell_annotations(queryset, "graduate__")
    rows = queryset.values(*cells).annotate(n=Count("pk")).order_by()
    return pd.DataFrame.from_records(list(rows.values_list(*cells, "n")), columns=[*cells, "n"])


def response_counts_by_cell(
    scope: Scope, filters: Filters, by: Sequence[str], indicators: Iterable[ind.Indicator]
) -> pd.DataFrame:
    """Response counts per group (the ``by`` columns) and raking cell, one column per category.

    Raking weights depend only on the cell (programme, pathway, gender, age
    band), so weighted counts are ``sum(count x weight)`` over cells: the
    database still does the counting.
    """
    aggregates, names = ind.category_counts(indicators)
    queryset, cells = _cell_annotations(completed_responses(scope, filters), RESPONSE_GRADUATE)
    dims = {f"d_{key}": dimension_expression(key, RESPONSE_GRADUATE, RESPONSE_WAVE) for key in by}
    rows = queryset.annotate(**dims).values(*dims, *cells).annotate(**aggregates).order_by()
    columns = [*dims, *cells, *aggregates]
    frame = pd.DataFrame.from_records(list(rows.values_list(*columns)), columns=columns)
    frame = frame.rename(columns={f"d_{key}": key for key in by})
    return frame.rename(columns=dict(zip(aggregates, names, strict=True)))
