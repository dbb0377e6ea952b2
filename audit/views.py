"""The audit log for platform admins: filter it, export it (the export is itself audited).

Only superusers (platform admins) see it: it tells who looked at which
institution's personal data, which no institution's own staff should read
about each other. Thin: the form parses the filters, ``selectors`` reads.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import exports, selectors
from .forms import AuditFilterForm
from .models import AuditEntry
from .services import Action, record

PER_PAGE = 50


def _filtered(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, selectors.entries()
    if not form.is_valid():
        return form, AuditEntry.objects.none()
    return form, selectors.entries(**form.cleaned_data)


@login_required
def entries(request):
    form, queryset = _filtered(request)
    return _page(request, form, queryset)


def _page(request, form, queryset, status=200):
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    codes = selectors.institution_codes(e.institution_id for e in page)
    rows = [(e, codes.get(e.institution_id, e.institution_id)) for e in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/entries.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
        status=status,
    )


@login_required
def entries_csv(request):
    form, queryset = _filtered(request)
    if form.is_bound and not form.is_valid():
        return _page(request, form, queryset, status=400)  # the errors, not a misleading file
    filters = form.filters() if form.is_bound else {}
    entry = record(Action.EXPORT, "audit_log_csv", request=request, details={"filters": filters})
    # The export shows the log as it stood when it was asked for, its own entry included.
    response = StreamingHttpResponse(
        exports.entries_csv(queryset.filter(pk__lte=entry.pk)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="auditlog-{timezone.localdate().isoformat()}.csv"'
    )
    return response
