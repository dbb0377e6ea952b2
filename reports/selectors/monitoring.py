"""Response monitoring: per programme per day, how far the invitations got."""

from __future__ import annotations

import pandas as pd
from django.db.models import Count
from django.db.models.functions import TruncDate

from surveys.models import InvitationEvent

from ..filters import Filters, Scope, dimension_expression

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
            programme=dimension_expression("programme", "invitation__graduate__", "invitation__wave__code"),
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
