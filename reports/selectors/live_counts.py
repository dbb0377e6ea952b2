"""Reads for the reports: grouped aggregation queries, one per table family.

Why one grouped query with a filtered ``COUNT`` per category rather than a
query per indicator (or a loop over graduates): the database reads the joined
response rows once and returns one small row per group; at a million
responses that is the difference between one scan and fifty. pandas only
reshapes the few thousand grouped rows that come back.

Every function takes a :class:`Filters` and the ids of the institutions the
caller may see (``reports.scoping`` decides those); none of them checks
permissions itself.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear, TruncDate
from django.utils.translation import gettext_lazy as _

from alumni.models import Graduate, OccupationGroup, SbiSection
from surveys.models import Invitation, InvitationEvent, Response

from . import cube
from . import indicators as ind
from .models import CubeCell, CubeState, Region


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    path: str  # relative to Graduate; "wave" is special (on the invitation)


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension("programme", _("programme (grouped codes pooled)"), "programme"),
        Dimension("crebo", _("crebo code"), "programme__crebo"),
        Dimension("institution", _("institution"), "institution__brin"),
        Dimension("cohort", _("cohort"), "cohort__school_year"),
        Dimension("wave", _("wave"), "wave"),
        Dimension("level", _("level"), "programme__level"),
        Dimension("pathway", _("pathway"), "pathway"),
        Dimension("location", _("location"), "location__name"),
        Dimension("sector", _("sector (education domain)"), "programme__domain__name"),
    )
}


def _dimension_expression(key: str, graduate: str, wave: str):
    """The SQL expression of a breakdown, from a model that reaches Graduate via ``graduate``."""
    if key == "wave":
        return F(wave)
    if key == "programme":
        # Crebo codes of one programme over the years (ProgrammeGroup) are pooled.
        return Coalesce(
            F(f"{graduate}programme__group__name"),
            Concat(F(f"{graduate}programme__crebo"), Value(" "), F(f"{graduate}programme__name")),
            output_field=CharField(),
        )
    if key in {"location", "sector", "pathway"}:
        return Coalesce(F(f"{graduate}{DIMENSIONS[key].path}"), Value(""), output_field=CharField())
    return F(f"{graduate}{DIMENSIONS[key].path}")


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the report to. Several cohorts are pooled."""

    wave: str | None = None
    cohorts: tuple[int, ...] = ()
    level: int | None = None
    pathway: str | None = None
    location: str | None = None
    programme: str | None = None  # a crebo, or "g<group id>" for all codes of a group
    sector: str | None = None  # education domain code
    institution: str | None = None  # a BRIN (cross-institution views: only consenting ones are offered)

    def q(self, graduate: str, wave: str) -> Q:
        q = Q()
        if self.wave:
            q &= Q(**{f"{wave}": self.wave})
        if self.cohorts:
            q &= Q(**{f"{graduate}cohort__school_year__in": list(self.cohorts)})
        if self.level:
            q &= Q(**{f"{graduate}programme__level": self.level})
        if self.pathway:
            q &= Q(**{f"{graduate}pathway": self.pathway})
        if self.location:
            q &= Q(**{f"{graduate}location__name": self.location})
        if self.programme:
            if self.programme.startswith("g") and self.programme[1:].isdigit():
                q &= Q(**{f"{graduate}programme__group_id": int(self.programme[1:])})
            else:
                q &= Q(**{f"{graduate}programme__crebo": self.programme})
        if self.sector:
            q &= Q(**{f"{graduate}programme__domain_id": self.sector})
        if self.institution:
            q &= Q(**{f"{graduate}institution__brin": self.institution})
        return q


@dataclass
class Scope:
    """The rows a caller may aggregate: institutions and optionally programmes."""

    institution_ids: Sequence[int]
    programme_ids: Sequence[int] | None = None  # None = all programmes
    extra: Q = field(default_factory=Q)

    def q(self, graduate: str) -> Q:
        q = Q(**{f"{graduate}institution_id__in": list(self.institution_ids)})
        if self.programme_ids is not None:
            q &= Q(**{f"{graduate}programme_id__in": list(self.programme_ids)})
        return q


RESPONSE_GRADUATE = "invitation__graduate__"
RESPONSE_WAVE = "invitation__wave__code"


def completed_responses(scope: Scope, filters: Filters) -> QuerySet[Response]:
    return Response.objects.filter(completed_at__isnull=False).filter(
        scope.q(RESPONSE_GRADUATE), filters.q(RESPONSE_GRADUATE, RESPONSE_WAVE)
    )


def report_indicators(scope: Scope) -> tuple[ind.Indicator, ...]:
    """The indicators with the ones whose categories come from reference data."""
    sections = list(SbiSection.objects.values_list("code", "title_nl"))
    groups = list(OccupationGroup.objects.filter(level=1).values_list("code", "title_nl"))
    regions = [
        (list(region.institutions.values_list("pk", flat=True)), region.ranges)
        for region in Region.objects.filter(institutions__in=scope.institution_ids)
        .distinct()
        .prefetch_related("institutions")
    ]
    extra = [ind.branch_indicator(sections), ind.occupation_indicator(groups)]
    if regions:
        extra.append(ind.region_indicator(regions))
    return (*ind.INDICATORS, *extra)


column_name = cube.column_name


CELL_KEYS = ("institution", "programme", "cohort", "wave", "pathway", "location")
"""The grain of the report cube (``reports.models.CubeCell``), in key order."""

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


def cell_counts(definition: cube.Definition, slices: Iterable[Slice] | None = None) -> dict[tuple, list[int]]:
    """The cube's counts computed from the source tables: key (see :data:`CELL_KEYS`) -> counts.

    Two grouped queries, each ``SELECT <cell keys>, COUNT(*), COUNT(*) FILTER
    (WHERE <category>) ... GROUP BY <cell keys>`` (SQLite gets the CASE form
    Django emulates): completed responses, and invitations that are not
    pending. The category conditions are the indicators' own ``Q`` objects,
    so the cube counts exactly what a live query would. ``slices`` limits
    both to some (cohort, programme, wave) slices; ``None`` is everything.
    """
    position = {name: i for i, name in enumerate(definition.columns)}
    cells: dict[tuple, list[int]] = {}
    sources = (
        (
            Response.objects.filter(completed_at__isnull=False),
            RESPONSE_GRADUATE,
            "invitation__wave_id",
            cube.RESPONSES,
            definition.response_indicators,
        ),
        (
            Invitation.objects.exclude(status=Invitation.Status.PENDING),
            "graduate__",
            "wave_id",
            cube.INVITATIONS,
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
        aggregates = {"n": Count("pk")}
        targets = [position[total]]
        for indicator in indicators:
            for category in indicator.categories:
                aggregates[f"c{len(aggregates)}"] = Count("pk", filter=category.when)
                targets.append(position[cube.column_name(indicator.key, category.key)])
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


def cube_counts(
    scope: Scope,
    filters: Filters,
    by: Sequence[str],
    indicators: Iterable[ind.Indicator],
    invitation_indicators: Iterable[ind.Indicator] = ind.RESPONSE_INDICATORS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Response and invitation counts per group, added up from the report cube.

    Returns the frames the live queries used to return: the ``by`` columns,
    then one column ``indicator:category`` per category; a group appears
    only if it has a completed response (first frame) or a non-pending
    invitation (second). Reads the cube as it is: call
    ``reports.services.ensure_cube_fresh`` first (``build_report`` does).
    One query fetches the cells in scope and filter; pandas adds them up.
    """
    layout = CubeState.objects.filter(pk=1).values_list("columns", flat=True).first() or []
    position = {name: i for i, name in enumerate(layout)}
    dims = {f"d_{key}": _dimension_expression(key, "", "wave__code") for key in by}
    rows = list(
        CubeCell.objects.filter(scope.q(""), filters.q("", "wave__code"))
        .annotate(**dims, counts_text=Cast("counts", TextField()))
        .values_list(*dims, "counts_text")
    )
    # One json.loads over all cells: decoding each cell's list on its own was
    # a quarter of the time of a report over thousands of cells.
    decoded = json.loads("[" + ",".join(row[-1] for row in rows) + "]")
    matrix = np.array(decoded, dtype=np.int64).reshape(len(rows), len(layout))
    labels = pd.DataFrame([row[:-1] for row in rows], columns=list(by))
    frames = []
    for total, group in ((cube.RESPONSES, indicators), (cube.INVITATIONS, invitation_indicators)):
        names = [column_name(i.key, c.key) for i in group for c in i.categories]
        values = pd.DataFrame(
            matrix[:, [position[total], *(position[n] for n in names)]], columns=[total, *names]
        )
        frame = pd.concat([labels, values], axis=1)
        if not frame.empty:
            frame = frame.groupby(list(by), sort=True, dropna=False, as_index=False).sum()
        frames.append(frame[frame[total] > 0].drop(columns=total).reset_index(drop=True))
    return frames[0], frames[1]


def transition_counts(scope: Scope, filters: Filters) -> pd.DataFrame:
    """T1 main activity x T3 main activity for graduates who completed both waves.

    Columns t1, t3 (activity codes) and n. The wave filter does not apply
    (a transition is both waves by definition).
    """
    from django.db.models import OuterRef, Subquery

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


# --- weighting: counts per raking cell -----------------------------------------

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
    """Like :func:`response_counts`, additionally grouped by the raking cell.

    Raking weights depend only on the cell (programme, pathway, gender, age
    band), so weighted counts are ``sum(count x weight)`` over cells: the
    database still does the counting.
    """
    aggregates, names = {}, {}
    for indicator in indicators:
        for category in indicator.categories:
            alias = f"c{len(aggregates)}"
            aggregates[alias] = Count("pk", filter=category.when)
            names[alias] = column_name(indicator.key, category.key)
    queryset, cells = _cell_annotations(completed_responses(scope, filters), RESPONSE_GRADUATE)
    dims = {f"d_{key}": _dimension_expression(key, RESPONSE_GRADUATE, RESPONSE_WAVE) for key in by}
    rows = queryset.annotate(**dims).values(*dims, *cells).annotate(**aggregates).order_by()
    columns = [*dims, *cells, *aggregates]
    frame = pd.DataFrame.from_records(list(rows.values_list(*columns)), columns=columns)
    frame = frame.rename(columns={f"d_{key}": key for key in by})
    return frame.rename(columns=names)


# --- response monitoring ---------------------------------------------------------

MONITOR_STATUSES = ("sent", "opened", "partial", "completed", "bounced", "opted_out")


def monitoring_counts(scope: Scope, filters: Filters) -> pd.DataFrame:
    """Per programme per day: how many invitations reached each status that day.

    From the append-only ``InvitationEvent`` history, so a day's figures stay
    what they were (an invitation opened on Monday and completed on Tuesday
    counts as opened on Monday and completed on Tuesday). "invited" is the
    ``sent`` event. One grouped query.
    """
    events = (
        InvitationEvent.objects.filter(
            scope.q("invitation__graduate__"),
            filters.q("invitation__graduate__", "invitation__wave__code"),
            status__in=MONITOR_STATUSES,
        )
        .annotate(
            day=TruncDate("at"),
            programme=_dimension_expression("programme", "invitation__graduate__", "invitation__wave__code"),
        )
        .values("programme", "day", "status")
        .annotate(n=Count("invitation_id", distinct=True))
        .order_by()
    )
    frame = pd.DataFrame.from_records(
        list(events.values_list("programme", "day", "status", "n")),
        columns=["programme", "day", "status", "n"],
    )
    if frame.empty:
        return pd.DataFrame(columns=["programme", "day", *MONITOR_STATUSES])
    wide = frame.pivot_table(
        index=["programme", "day"], columns="status", values="n", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(columns=list(MONITOR_STATUSES), fill_value=0).reset_index()
    wide.columns.name = None
    return wide.sort_values(["day", "programme"]).reset_index(drop=True)


# --- alumni network and raw rows (personal or row-level data: callers log) -------------


def network_members(scope: Scope) -> QuerySet[Graduate]:
    """Graduates who opted in to the alumni network (item 21) in any wave.

    Only contact data and the purposes: never their other answers.
    """
    opted = Q(network_guest_lessons=True) | Q(network_mentoring=True) | Q(network_employer_contacts=True)
    invitation_ids = Response.objects.filter(opted, scope.q(RESPONSE_GRADUATE)).values("invitation_id")
    return (
        Graduate.objects.filter(invitations__in=invitation_ids, opted_out_at__isnull=True)
        .distinct()
        .select_related("programme", "cohort")
        .order_by("programme__crebo", "last_name", "first_name")
    )


def network_rows(scope: Scope) -> list[dict]:
    opted = Q(network_guest_lessons=True) | Q(network_mentoring=True) | Q(network_employer_contacts=True)
    rows = {}
    responses = (
        Response.objects.filter(
            opted, scope.q(RESPONSE_GRADUATE), invitation__graduate__opted_out_at__isnull=True
        )
        .select_related("invitation__graduate__programme", "invitation__graduate__cohort")
        .order_by(
            "invitation__graduate__programme__crebo",
            "invitation__graduate__last_name",
            "-invitation__wave_id",
        )
    )
    for response in responses:
        graduate = response.invitation.graduate
        if graduate.pk in rows:
            continue
        rows[graduate.pk] = {
            "name": graduate.full_name,
            "email": graduate.private_email or graduate.email,
            "programme": f"{graduate.programme.crebo} {graduate.programme.name}",
            "cohort": graduate.cohort.label,
            "guest_lessons": response.network_guest_lessons,
            "mentoring": response.network_mentoring,
            "employer_contacts": response.network_employer_contacts,
        }
    return list(rows.values())


# Anonymised row export: no names, addresses, free text, student numbers or
# exact dates that could single someone out; the graduate is a per-export
# pseudonym-free row (response id is not exported either).
RAW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("institution", "invitation__graduate__institution__brin"),
    ("crebo", "invitation__graduate__programme__crebo"),
    ("level", "invitation__graduate__programme__level"),
    ("cohort", "invitation__graduate__cohort__school_year"),
    ("wave", "invitation__wave__code"),
    ("pathway", "invitation__graduate__pathway"),
    ("main_activity", "main_activity"),
    ("working", "working"),
    ("works_12h", "works_12h"),
    ("works_full_time", "works_full_time"),
    ("looked_for_work", "looked_for_work"),
    ("available_for_work", "available_for_work"),
    ("benefit", "benefit"),
    ("contract", "contract"),
    ("self_employment_reason", "self_employment_reason"),
    ("occupation_group", "occupation_group_id"),
    ("branch", "branch_id"),
    ("level_match", "level_match"),
    ("field_match", "field_match"),
    ("diploma_needed", "diploma_needed"),
    ("job_route", "job_route"),
    ("study_level", "study_level"),
    ("study_related", "study_related"),
    ("meaningful", "meaningful"),
    ("fits_plans", "fits_plans"),
    ("uses_learning", "uses_learning"),
    ("preparation", "preparation"),
    ("choose_again", "choose_again"),
    ("wage_band", "wage_band"),
)


def raw_rows(scope: Scope, filters: Filters) -> QuerySet:
    """Completed responses as tuples of :data:`RAW_COLUMNS`, ordered for stable output."""
    return completed_responses(scope, filters).order_by("pk").values_list(*(path for _, path in RAW_COLUMNS))


def today() -> datetime.date:
    return datetime.date.today()


def filter_options(scope: Scope) -> dict:
    """Choices for the filter form, from the graduates in scope (one small query each)."""
    graduates = Graduate.objects.filter(scope.q(""))
    programmes = (
        graduates.values_list(
            "programme__crebo", "programme__name", "programme__group_id", "programme__group__name"
        )
        .distinct()
        .order_by("programme__crebo")
    )
    options, groups = [], {}
    for crebo, name, group_id, group_name in programmes:
        options.append((crebo, f"{crebo} {name}"))
        if group_id:
            groups[f"g{group_id}"] = f"{group_name} ({_('all codes')})"
    return {
        "cohorts": sorted(set(graduates.values_list("cohort__school_year", flat=True))),
        "programmes": [*sorted(groups.items(), key=lambda kv: kv[1]), *options],
        "locations": sorted(set(graduates.exclude(location=None).values_list("location__name", flat=True))),
        "levels": sorted(set(graduates.values_list("programme__level", flat=True))),
        "sectors": sorted(
            set(
                graduates.exclude(programme__domain=None).values_list(
                    "programme__domain_id", "programme__domain__name"
                )
            ),
            key=lambda kv: kv[1],
        ),
    }
