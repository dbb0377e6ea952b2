"""What the cube counts: the indicators, one column per category, and a hash of it all.

Some indicators take their categories from reference data (SBI sections,
occupation groups, regions), so the definition is read from the database.
It is computed once per report (``reports.report.build_report``) and per
refresh, and handed to whatever needs the indicators.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from alumni.models import OccupationGroup, SbiSection

from .. import indicators as ind
from ..models import Region

RESPONSES, INVITATIONS = "n:responses", "n:invitations"
"""Per cell: completed responses and non-pending invitations (which groups exist at all)."""


@dataclass(frozen=True)
class Definition:
    """What the cube is built from: the indicators and their column layout."""

    response_indicators: tuple[ind.Indicator, ...]
    invitation_indicators: tuple[ind.Indicator, ...]
    columns: tuple[str, ...]
    fingerprint: str
    region_institutions: frozenset[int] = frozenset()
    """Institutions in some region (which scopes have a "working in the region" indicator)."""

    def report_indicators(self, institution_ids: Sequence[int]) -> tuple[ind.Indicator, ...]:
        """The response indicators a report over these institutions shows.

        The region indicator is built over *all* regions: for an institution
        it says "in one of the institution's regions", so one cube serves
        every scope. A scope none of whose institutions is in a region has
        no region table.
        """
        if self.region_institutions.intersection(institution_ids):
            return self.response_indicators
        return tuple(i for i in self.response_indicators if i.key != "region")


def cube_definition() -> Definition:
    """The indicators of every report (all regions), and a hash of their conditions."""
    sections = list(SbiSection.objects.order_by("code").values_list("code", "title_nl"))
    groups = list(OccupationGroup.objects.filter(level=1).order_by("code").values_list("code", "title_nl"))
    regions = [
        (sorted(region.institutions.values_list("pk", flat=True)), region.ranges)
        for region in Region.objects.order_by("pk").prefetch_related("institutions")
    ]
    extra = [ind.branch_indicator(sections), ind.occupation_indicator(groups)]
    if any(institutions for institutions, _ in regions):
        extra.append(ind.region_indicator(regions))
    responses = (*ind.INDICATORS, *extra)
    invitations = ind.RESPONSE_INDICATORS
    layout = [(RESPONSES, ""), (INVITATIONS, "")]
    for indicator in (*responses, *invitations):
        for category in indicator.categories:
            layout.append((ind.column_name(indicator.key, category.key), str(category.when)))
    fingerprint = hashlib.sha256(json.dumps(layout).encode()).hexdigest()
    return Definition(
        responses,
        invitations,
        tuple(name for name, _ in layout),
        fingerprint,
        frozenset(pk for institutions, _ in regions for pk in institutions),
    )
