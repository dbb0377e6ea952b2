"""The cohort upload flow: choose a file -> read the report -> confirm (or discard).

Each step writes an audit entry (``audit.services.record``), in the
transaction of the change it records; so do the upload's page and its two
downloads, which show the uploaded rows (personal data). Entries carry counts
and ids, never the file name or a row's contents.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import Action, record_about
from config.downloads import attachment

from . import selectors, services
from .forms import CohortUploadForm
from .importing.problems import message
from .importing.report import problems_csv, rejected_rows_csv

PROBLEMS_PER_PAGE = 200


@login_required
def upload_list(request):
    institutions = selectors.administered_institutions(request.user)
    form = CohortUploadForm(request.POST or None, request.FILES or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        handle = form.cleaned_data["file"]
        with transaction.atomic():
            upload = services.receive_upload(
                institution=form.cleaned_data["institution"],
                user=request.user,
                file_name=handle.name,
                data=handle.read(),
                sheet=form.cleaned_data["sheet"],
            )
            record_about(
                Action.UPLOAD,
                "upload_received",
                upload,
                request=request,
                status=upload.status,
                rows_total=upload.rows_total,
                rows_rejected=upload.rows_rejected,
                file_size=upload.file_size,
            )
        return redirect("alumni:upload_detail", pk=upload.pk)
    uploads = selectors.uploads_for(request.user)[:50]
    return render(
        request,
        "alumni/upload_list.html",
        {"form": form, "uploads": uploads, "has_institutions": institutions.exists()},
    )


def _upload_or_404(request, pk):
    return get_object_or_404(selectors.uploads_for(request.user).defer(None), pk=pk)


@login_required
def upload_detail(request, pk):
    upload = _upload_or_404(request, pk)
    report = upload.report or {}
    problems = report.get("problems", [])
    page = Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    record_about(Action.VIEW, "upload_detail", upload, request=request, page=page.number)
    return render(
        request,
        "alumni/upload_detail.html",
        {
            "upload": upload,
            "report": report,
            "problems": [dict(p, message=message(p)) for p in page],
            "page": page,
            "problem_count": len(problems),
            "warnings": [dict(w, message=message(w)) for w in report.get("warnings", [])[:200]],
            "warning_count": len(report.get("warnings", [])),
            "preview": report.get("preview"),
            "can_confirm": upload.status == upload.Status.VALIDATED and bool(upload.file),
        },
    )


@login_required
@require_POST
def upload_confirm(request, pk):
    upload = _upload_or_404(request, pk)
    import_valid_rows = request.POST.get("import_valid_rows") == "1"
    try:
        with transaction.atomic():
            outcome = services.confirm_upload(upload, import_valid_rows=import_valid_rows)
            record_about(
                Action.IMPORT,
                "upload_confirmed",
                outcome.upload,
                request=request,
                written=outcome.written,
                import_valid_rows=import_valid_rows,
                new=outcome.counts.new,
                updated=outcome.counts.updated,
                unchanged=outcome.counts.unchanged,
                rejected=outcome.upload.rows_rejected,
                erased_skipped=outcome.counts.erased,
            )
    except services.UploadNotConfirmable:
        messages.warning(request, _("This upload was already handled; nothing was changed."))
        return redirect("alumni:upload_detail", pk=upload.pk)
    if outcome.written:
        messages.success(
            request,
            _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged, %(rejected)s skipped.")
            % {
                "new": outcome.counts.new,
                "updated": outcome.counts.updated,
                "unchanged": outcome.counts.unchanged,
                "rejected": outcome.upload.rows_rejected,
            },
        )
    else:
        messages.error(request, _("The file has errors; nothing was imported."))
    return redirect("alumni:upload_detail", pk=upload.pk)


@login_required
@require_POST
def upload_discard(request, pk):
    upload = _upload_or_404(request, pk)
    with transaction.atomic():
        services.discard_upload(upload)
        record_about(Action.UPLOAD, "upload_discarded", upload, request=request, status=upload.status)
    messages.info(request, _("The upload was discarded and its file deleted."))
    return redirect("alumni:upload_list")


def _report_download(request, pk, part: str, what: str, to_csv, name: str):
    """One part of an upload's report (its problems, its rows to fix) as CSV; audited."""
    upload = _upload_or_404(request, pk)
    rows = upload.report.get(part, [])
    record_about(Action.EXPORT, what, upload, request=request, rows=len(rows))
    return attachment(to_csv(rows), f"upload-{upload.pk}-{name}.csv")


@login_required
def upload_problems_csv(request, pk):
    return _report_download(request, pk, "problems", "upload_problems_csv", problems_csv, "problems")


@login_required
def upload_rejected_rows_csv(request, pk):
    return _report_download(
        request, pk, "rejected_rows", "upload_rows_to_fix_csv", rejected_rows_csv, "rows-to-fix"
    )


@login_required
def upload_format(request):
    """The file format, generated from the importer's own column table so the
    help can never disagree with what is accepted."""
    from .importing import columns

    rows = [
        {"field": name, "main": aliases[0], "aliases": aliases[1:], "required": name in columns.REQUIRED}
        for name, aliases in columns.ALIASES.items()
    ]
    return render(request, "alumni/upload_format.html", {"rows": rows})
