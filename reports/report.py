"""One report = every indicator table for one access, filter and breakdown.

The dashboard, its JSON, the CSV/XLSX exports and the ``export_report``
command all call :func:`build_report`, so they show the same numbers under
the same rules. The response and invitation counts are added up from the
report cube, refreshed first if anything changed (``reports.cube``: never
stale); the T1→T3 flows are one live query, weighting two more. The
indicators (some of whose categories come from reference data) are read
once per report, with the cube's definition, and handed to every step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from .cube.definition import cube_definition
from .cube.read import cube_counts
from .cube.refresh import ensure_cube_fresh
from .filters import DIMENSIONS, Filters, filter_options
from .scoping import Access
from .selectors.live_counts import transition_counts
from .tables import IndicatorTable, build_tables, build_transitions, headline_figures
from .weighting import weighted_counts

DEFAULT_BY = ("programme",)

DEFAULT_WAVE = "T1"
ALL_WAVES = "all"
"""``Filters.wave`` values besides a wave code. A figure never mixes the
3-month (T1) and 3-year (T3) outcomes unless the user asks for it: with no
wave chosen a report is of :data:`DEFAULT_WAVE` (or, with rows by wave, of each
wave side by side); :data:`ALL_WAVES` pools both, and the report says so
(:attr:`Report.waves`: the page's heading and the export's ``waves`` column).
The T1 -> T3 table belongs to both waves, so it comes only with them."""


@dataclass
class Report:
    access: Access
    filters: Filters
    by: tuple[str, ...]
    response: list[IndicatorTable]
    tables: list[IndicatorTable]
    transitions: IndicatorTable | None
    weighted: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def waves(self) -> str:
        """The waves the figures cover: "T1", "T3", or "T1+T3" when both are in one figure."""
        return self.filters.wave if self.filters.wave in ("T1", "T3") else "T1+T3"

    def all_tables(self) -> list[IndicatorTable]:
        return [*self.response, *self.tables, *([self.transitions] if self.transitions else [])]

    def by_key(self) -> dict[str, IndicatorTable]:
        return {t.key: t for t in self.all_tables()}

    def headlines(self) -> list[dict]:
        return headline_figures(self.by_key())

    def as_json(self) -> dict:
        return {
            "title": self.access.title,
            "cross_institution": self.access.cross_institution,
            "by": list(self.by),
            "filters": {k: v for k, v in self.filters.__dict__.items() if v not in (None, ())},
            "waves": self.waves,
            "rules": self.access.thresholds.for_view(
                cross_institution=self.access.cross_institution
            ).as_dict(),
            "weighted": self.weighted,
            "tables": [t.as_json() for t in self.all_tables()],
        }

    def to_long(self) -> pd.DataFrame:
        frames = [t.to_long() for t in self.all_tables()]
        long = pd.concat(frames, ignore_index=True, sort=False)
        rules = self.access.thresholds.for_view(cross_institution=self.access.cross_institution).as_dict()
        long["waves"] = self.waves
        for key, value in rules.items():
            long[key] = value
        return long


def clean_filters(access: Access, filters: Filters, by: Sequence[str] = ()) -> Filters:
    """What a report may be narrowed to, and its wave (:data:`ALL_WAVES`, :data:`DEFAULT_WAVE`).

    Cross-institution views may narrow to an institution, or to a location,
    only if it is named: an institution that consented, a location name that
    no non-consenting institution uses (a filter on a vestiging of an unnamed
    institution would be a report of that institution).
    """
    if filters.wave not in ("T1", "T3", ALL_WAVES):
        filters = replace(filters, wave=None if "wave" in by else DEFAULT_WAVE)
    if not access.cross_institution:
        return replace(filters, institution=None)  # the access already fixes the institution
    if filters.institution and filters.institution not in access.consented:
        filters = replace(filters, institution=None)
    if filters.location and filters.location not in named_locations(access):
        filters = replace(filters, location=None)
    return filters


def named_locations(access: Access) -> set[str]:
    """Location names a cross-institution view may show: used by no non-consenting institution."""
    from alumni.models import Location

    locations = Location.objects.filter(institution_id__in=list(access.scope.institution_ids))
    unnamed = set(locations.filter(institution__consent_to_be_named=False).values_list("name", flat=True))
    return set(locations.values_list("name", flat=True)) - unnamed


def visible_filter_options(access: Access) -> dict:
    """The filter form's choices; in cross-institution views only the named locations."""
    options = filter_options(access.scope)
    if access.cross_institution:
        named = named_locations(access)
        options["locations"] = [name for name in options["locations"] if name in named]
    return options


def _query_filters(filters: Filters) -> Filters:
    """The filters as the reads take them: "all waves" is no wave filter."""
    return replace(filters, wave=None) if filters.wave == ALL_WAVES else filters


def build_report(
    access: Access,
    filters: Filters | None = None,
    by: Sequence[str] = DEFAULT_BY,
    *,
    weighted: bool = False,
    transitions: bool = True,
) -> Report:
    by = tuple(key for key in by if key in DIMENSIONS) or DEFAULT_BY
    if not access.cross_institution and "institution" in by and len(by) > 1:
        by = tuple(key for key in by if key != "institution")
    filters = clean_filters(access, filters or Filters(), by)
    query = _query_filters(filters)
    # Rows by location in a cross-institution view: read per institution too,
    # so that the locations of unnamed institutions can be pooled with them.
    read_by = by
    if access.cross_institution and "location" in by and "institution" not in by:
        read_by = (*by, "institution")
    common = {
        "thresholds": access.thresholds,
        "cross_institution": access.cross_institution,
        "consented": access.consented,
    }
    definition = cube_definition()
    ensure_cube_fresh(definition)
    indicators = definition.report_indicators(access.scope.institution_ids)
    invitation_indicators = definition.invitation_indicators
    counts, invitations = cube_counts(access.scope, query, read_by, indicators, invitation_indicators)
    weighted_frame = weighted_counts(access.scope, query, read_by, indicators) if weighted else None
    tables = build_tables(counts, by, indicators, weighted_counts=weighted_frame, **common)
    response = build_tables(invitations, by, invitation_indicators, **common)
    flows = None
    if transitions and filters.wave in (None, ALL_WAVES):
        flows = build_transitions(
            transition_counts(access.scope, query),
            thresholds=access.thresholds,
            cross_institution=access.cross_institution,
        )
    report = Report(access, filters, by, response, tables, flows, weighted=weighted)
    if access.cross_institution and "institution" in by:
        _rename_institutions(report)
    return report


def _rename_institutions(report: Report) -> None:
    """Row labels are BRINs; show a consented institution's name (the pool keeps its label)."""
    names = report.access.institution_names
    position = report.by.index("institution")

    def rename(label):
        if isinstance(label, tuple):
            parts = list(label)
            parts[position] = names.get(parts[position], parts[position])
            return tuple(parts)
        return names.get(label, label)

    renamed: list[tuple[pd.Index, pd.Index]] = []  # the tables share their rows: rename each index once

    def renamed_index(index: pd.Index) -> pd.Index:
        for original, new in renamed:
            if original is index or original.equals(index):
                return new
        new = (
            pd.Index([rename(x) for x in index], name=index.name)
            if index.nlevels == 1
            else pd.MultiIndex.from_tuples([rename(x) for x in index], names=index.names)
        )
        renamed.append((index, new))
        return new

    for table in [*report.response, *report.tables]:
        t = table.table
        for frame in (t.counts, t.shares, t.ci_low, t.ci_high, t.reasons):
            frame.index = renamed_index(frame.index)
        for attr in ("means", "medians"):
            series = getattr(table, attr)
            if series is not None:
                series.index = t.counts.index
        if table.weighted_shares is not None:
            table.weighted_shares.index = t.counts.index
