"""What a report is narrowed to: the breakdowns, the user's filters and the caller's scope.

Every read of the reports (``reports.selectors``, ``reports.cube.read``)
takes a :class:`Filters` and a :class:`Scope` and turns them into ``Q``
objects on its own model, which reaches ``alumni.Graduate`` by some path
(``graduate`` below, e.g. ``"invitation__graduate__"`` from a response), so
every table and every export is narrowed the same way. Who gets which scope
is decided in ``reports.scoping``, not here; :func:`filter_options` reads
the values the filter form offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import gettext_lazy as _

from alumni.models import Graduate
from surveys.models import Response


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


def dimension_expression(key: str, graduate: str, wave: str):
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

    def q(self, graduate: str) -> Q:
        q = Q(**{f"{graduate}institution_id__in": list(self.institution_ids)})
        if self.programme_ids is not None:
            q &= Q(**{f"{graduate}programme_id__in": list(self.programme_ids)})
        return q


RESPONSE_GRADUATE = "invitation__graduate__"
RESPONSE_WAVE = "invitation__wave__code"
"""The paths from ``surveys.Response`` to the graduate and the wave code."""


def completed_responses(scope: Scope, filters: Filters) -> QuerySet[Response]:
    """The response rows a live read aggregates: completed, in scope and filter."""
    return Response.objects.filter(completed_at__isnull=False).filter(
        scope.q(RESPONSE_GRADUATE), filters.q(RESPONSE_GRADUATE, RESPONSE_WAVE)
    )


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
