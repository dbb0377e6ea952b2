"""Report pages and downloads. Thin: parse the request, ask ``scoping`` for
access, build the report, render. No view checks a role itself.

Every download, and every page that shows personal data (the alumni network
list), writes an audit entry (``audit.services.record``) with the filters it
was asked with, when the data is handed out."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from alumni.models import Institution, Pathway
from audit.services import Action, record
from config.downloads import XLSX, attachment

from . import exports, scoping
from .filters import DIMENSIONS, Filters, Scope, filter_options
from .report import ALL_WAVES, build_report, visible_filter_options
from .selectors import personal_data
from .selectors.monitoring import MONITOR_STATUSES, monitoring_counts


def _int(value):
    return int(value) if value and str(value).isdigit() else None


def parse_filters(request) -> tuple[Filters, tuple[str, ...], bool]:
    get = request.GET
    filters = Filters(
        wave=get.get("wave") if get.get("wave") in ("T1", "T3", ALL_WAVES) else None,
        cohorts=tuple(sorted({int(c) for c in get.getlist("cohort") if c.isdigit()})),
        level=_int(get.get("level")),
        pathway=get.get("pathway") if get.get("pathway") in Pathway.values else None,
        location=get.get("location") or None,
        programme=get.get("programme") or None,
        sector=get.get("sector") or None,
        institution=get.get("institution") or None,
    )
    by = tuple(b for b in get.getlist("by") if b in DIMENSIONS)[:2] or ("programme",)
    return filters, by, get.get("weighted") == "1"


def _filters_detail(filters: Filters, by=None, weighted=None, **more) -> dict:
    """What a download was narrowed to, for its audit entry (codes, never names)."""
    detail = {
        "filters": {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in filters.__dict__.items()
            if v not in (None, ())
        }
    }
    if by is not None:
        detail["by"] = list(by)
    if weighted is not None:
        detail["weighted"] = weighted
    detail.update({k: v for k, v in more.items() if v not in (None, "")})
    return detail


def _dashboard(request, access, export_url: str, template="reports/dashboard.html"):
    filters, by, weighted = parse_filters(request)
    report = build_report(access, filters, by, weighted=weighted)
    if request.GET.get("format") == "json":
        return JsonResponse(report.as_json())
    return render(
        request,
        template,
        {
            "report": report,
            "data": report.as_json(),
            "access": access,
            "options": visible_filter_options(access),
            "dimensions": DIMENSIONS,
            "filters": filters,
            "by": by,
            "weighted": weighted,
            "can_monitor": scoping.may_monitor(request.user, access.institution),
            "export_csv": f"{export_url.replace('FMT', 'csv')}?{request.GET.urlencode()}",
            "export_xlsx": f"{export_url.replace('FMT', 'xlsx')}?{request.GET.urlencode()}",
            "json_url": f"?{request.GET.urlencode()}&format=json",
        },
    )


def _download(report, fmt: str, name: str, table: str | None = None) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        return attachment(exports.report_csv(report, table), f"{name}-{stamp}.csv")
    if fmt == "xlsx":
        return attachment(exports.report_xlsx(report), f"{name}-{stamp}.xlsx", XLSX)
    raise Http404


def _export(request, access, fmt: str, name: str, what: str, **about):
    """The report of ``access`` as a file; the audit entry says what was asked
    for (``about``: the entry's ``institution`` or ``target``)."""
    filters, by, weighted = parse_filters(request)
    table = request.GET.get("table")
    response = _download(build_report(access, filters, by, weighted=weighted), fmt, name, table)
    details = _filters_detail(filters, by, weighted, format=fmt, table=table)
    record(Action.EXPORT, what, request=request, details=details, **about)
    return response


@login_required
def index(request):
    return render(
        request,
        "reports/index.html",
        {
            "institutions": scoping.reportable_institutions(request.user),
            "regions": scoping.analyst_regions(request.user),
            "may_export_raw": scoping.may_export_raw(request.user),
        },
    )


@login_required
def institution_report(request, brin):
    access = scoping.institution_access(request.user, brin)
    return _dashboard(request, access, reverse("reports:institution_export", args=[brin, "FMT"]))


@login_required
def institution_export(request, brin, fmt):
    access = scoping.institution_access(request.user, brin)
    return _export(
        request, access, fmt, f"rapport-{brin}", "institution_report", institution=access.institution
    )


@login_required
def cross_report(request):
    access = scoping.cross_access(request.user, _int(request.GET.get("region")))
    return _dashboard(request, access, reverse("reports:cross_export", args=["FMT"]))


@login_required
def cross_export(request, fmt):
    access = scoping.cross_access(request.user, _int(request.GET.get("region")))
    return _export(request, access, fmt, "rapport-regio", "cross_report", target=access.region)


@login_required
def programme_summary(request, brin, programme):
    """A one-page summary of one programme for a team meeting (print CSS)."""
    access = scoping.institution_access(request.user, brin)
    options = dict(filter_options(access.scope)["programmes"])
    if programme not in options:
        raise Http404
    filters, _by, _weighted = parse_filters(request)
    filters = Filters(**{**filters.__dict__, "programme": programme})
    report = build_report(access, filters, ("wave",))
    return render(
        request,
        "reports/summary.html",
        {
            "report": report,
            "data": report.as_json(),
            "access": access,
            "programme_label": options[programme],
            "headlines": report.headlines(),
            "generated": timezone.localtime(),
        },
    )


@login_required
def monitoring(request, brin):
    """Response progress during a wave, for the institution's own admins (operational, unpublished)."""
    access = scoping.institution_access(request.user, brin, scoping.MONITORING)
    filters, _by, _weighted = parse_filters(request)
    frame = monitoring_counts(access.scope, filters)
    if request.GET.get("format") == "csv":
        record(
            Action.EXPORT,
            "monitoring_csv",
            request=request,
            institution=access.institution,
            details=_filters_detail(filters),
        )
        return attachment(exports.monitoring_csv(frame), f"respons-{brin}.csv")
    statuses = list(MONITOR_STATUSES)
    rows = [(r["day"], r["programme"], [int(r[s]) for s in statuses]) for r in frame.to_dict("records")]
    totals = [int(v) for v in frame[statuses].sum()] if not frame.empty else []
    return render(
        request,
        "reports/monitoring.html",
        {
            "access": access,
            "rows": rows,
            "statuses": MONITOR_STATUSES,
            "totals": totals,
            "filters": filters,
        },
    )


@login_required
def network(request, brin):
    """Alumni who opted in to the alumni network: personal data, every view logged."""
    access = scoping.institution_access(request.user, brin, scoping.NETWORK)
    rows = personal_data.network_rows(access.scope)
    as_csv = request.GET.get("format") == "csv"
    record(
        Action.EXPORT if as_csv else Action.VIEW,
        "network_csv" if as_csv else "network_list",
        request=request,
        institution=access.institution,
        details={"rows": len(rows)},
    )
    if as_csv:
        return attachment(exports.network_csv(rows), f"alumninetwerk-{brin}.csv")
    return render(request, "reports/network.html", {"access": access, "rows": rows})


@login_required
def raw_export(request):
    """Anonymised response rows for analysts, streamed; platform admins only, logged."""
    if not scoping.may_export_raw(request.user):
        raise PermissionDenied
    filters, _by, _weighted = parse_filters(request)
    scope = Scope(list(Institution.objects.values_list("pk", flat=True)))
    record(Action.EXPORT, "raw_responses", request=request, details=_filters_detail(filters))
    rows = exports.raw_rows_csv(personal_data.raw_rows(scope, filters))
    return attachment(rows, "antwoorden-anoniem.csv", streaming=True)
