"""Reading the audit log: the filtered entries, and the names shown next to them."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from alumni.models import Institution

from .labels import whats_matching
from .models import AuditEntry


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def entries(*, action="", actor="", institution=None, what="", date_from=None, date_to=None) -> QuerySet:
    """Entries newest first. Dates are local days; ``date_to`` is inclusive. ``what``
    matches the stored name or the words the page shows for it (audit.labels)."""
    qs = AuditEntry.objects.all()
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor__icontains=actor)
    if institution is not None:
        qs = qs.filter(institution_id=getattr(institution, "pk", institution))
    if what:
        qs = qs.filter(Q(what__icontains=what) | Q(what__in=whats_matching(what)))
    if date_from:
        qs = qs.filter(at__gte=_start_of(date_from))
    if date_to:
        qs = qs.filter(at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return qs.order_by("-at", "-id")


def institution_codes(institution_ids) -> dict[int, str]:
    """BRIN codes for the institutions on one page (one query; a deleted one keeps its id)."""
    ids = {i for i in institution_ids if i is not None}
    return dict(Institution.objects.filter(pk__in=ids).values_list("pk", "brin")) if ids else {}
