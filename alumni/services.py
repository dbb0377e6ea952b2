"""Writes for the alumni app: cohort uploads.

Views and the ``import_cohort`` command both call these, so the web page and
the command behave identically. ``import_file`` (the command, scripts) writes
its own audit entry; the web views write theirs, with the request.
"""

import hashlib
import io
from dataclasses import dataclass

import pandas as pd
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit.services import Action, record

from .importing.problems import FileRejected
from .importing.reading import read_table
from .importing.validation import CheckedTable, Reference, validate
from .importing.writing import Counts, upsert
from .models import Graduate, Institution, Location, Programme, Upload


@dataclass
class ImportOutcome:
    upload: Upload
    checked: CheckedTable
    counts: Counts
    written: bool


def reference_for(institution: Institution, today=None) -> Reference:
    programmes = {c: (pk, lvl) for c, pk, lvl in Programme.objects.values_list("crebo", "pk", "level")}
    known = set()
    for name, code in Location.objects.filter(institution=institution).values_list("name", "code"):
        known.add(name.lower())
        if code:
            known.add(code.lower())
    return Reference(
        programmes=programmes,
        brin=institution.brin,
        today=today or timezone.localdate(),
        known_locations=known,
    )


def check_file(data: bytes, institution: Institution, *, sheet=None, today=None) -> CheckedTable:
    """Read and validate a file without writing anything."""
    try:
        raw = read_table(data, sheet=sheet)
    except FileRejected as rejected:
        return CheckedTable(
            valid=pd.DataFrame(),
            problems=[rejected.problem.as_dict()],
            warnings=[],
            ignored_columns=[],
            present_fields=set(),
            rejected_rows=[],
            headers=[],
            file_problem=True,
        )
    return validate(raw, reference_for(institution, today))


def _report(checked: CheckedTable, counts: Counts | None = None, *, preview: bool = True) -> dict:
    report = {
        "problems": checked.problems,
        "warnings": checked.warnings + (counts.warnings if counts else []),
        "ignored_columns": checked.ignored_columns,
        "rejected_rows": checked.rejected_rows,
        "file_problem": checked.file_problem,
        "valid_rows": len(checked.valid),
    }
    if counts is not None and preview:
        report["preview"] = {
            "new": counts.new,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "new_locations": counts.new_locations,
            "erased": counts.erased,
        }
    return report


def _rows_rejected(checked: CheckedTable) -> int:
    return checked.rows_total - len(checked.valid) if not checked.file_problem else checked.rows_total


def receive_upload(*, institution, user, file_name, data: bytes, sheet="", via="web") -> Upload:
    """Step 1 of the web flow: check the file, keep it until the admin confirms.

    Nothing is written to graduates here; the preview counts come from a
    dry run of the same upsert. What is kept until the admin confirms is not
    the uploaded file but its checked rows (typed, as Parquet): confirming
    writes exactly what the admin saw in the report, without reading and
    validating the file a second time.
    """
    checked = check_file(data, institution, sheet=sheet or None)
    counts = upsert(checked, institution, dry_run=True) if len(checked.valid) else None
    importable = len(checked.valid) > 0
    upload = _new_upload(institution, user, file_name, data, sheet, via)
    upload.status = Upload.Status.VALIDATED if importable else Upload.Status.REJECTED
    upload.rows_total = checked.rows_total
    upload.rows_rejected = _rows_rejected(checked)
    upload.report = _report(checked, counts)
    if importable:
        rows = io.BytesIO()
        checked.valid.to_parquet(rows, index=False)
        upload.file.save(f"{upload.file_sha256[:16]}.parquet", ContentFile(rows.getvalue()), save=False)
    upload.save()
    return upload


def _new_upload(institution, user, file_name: str, data: bytes, sheet, via: str) -> Upload:
    """The record every upload gets, whatever becomes of it (who, when, what)."""
    return Upload(
        institution=institution,
        uploaded_by=user,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        sheet_name=sheet or "",
        via=via,
        status=Upload.Status.VALIDATED,
    )


class UploadNotConfirmable(Exception):
    pass


def confirm_upload(upload: Upload, *, import_valid_rows: bool) -> ImportOutcome:
    """Step 2 of the web flow: write the checked file, then delete it."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != Upload.Status.VALIDATED or not upload.file:
            raise UploadNotConfirmable(upload.status)
        with upload.file.open("rb") as handle:
            data = handle.read()
        checked = _checked_rows(upload, data) if data.startswith(PARQUET_MAGIC) else None
        outcome = _write(upload, data, import_valid_rows=import_valid_rows, checked=checked)
    return outcome


PARQUET_MAGIC = b"PAR1"
# Warnings the upsert adds (the dry run stored them in the report; the write adds them again).
WRITE_TIME_CODES = frozenset({"leading_zeros_name", "leading_zeros_email", "erased_student"})


def _checked_rows(upload: Upload, data: bytes) -> CheckedTable:
    """The check made when the file was received, rebuilt from its stored rows
    and report. (An upload kept as the original file, from before rows were
    stored, is checked again instead: see ``_write``.)"""
    report = upload.report or {}
    return CheckedTable(
        valid=pd.read_parquet(io.BytesIO(data)),
        problems=report.get("problems", []),
        warnings=[w for w in report.get("warnings", []) if w.get("code") not in WRITE_TIME_CODES],
        ignored_columns=report.get("ignored_columns", []),
        present_fields=set(),
        rejected_rows=report.get("rejected_rows", []),
        headers=[],
        rows_total=upload.rows_total,
        file_problem=report.get("file_problem", False),
    )


def discard_upload(upload: Upload) -> None:
    if upload.status == Upload.Status.VALIDATED:
        upload.status = Upload.Status.DISCARDED
    _delete_file(upload)
    upload.save()


def import_file(
    *,
    institution,
    data: bytes,
    file_name: str,
    sheet=None,
    import_valid_rows=False,
    dry_run=False,
    user=None,
    via="command",
    today=None,
) -> ImportOutcome:
    """The whole import in one call, for the command and scripts."""
    upload = _new_upload(institution, user, file_name, data, sheet, via)
    if dry_run:
        checked = check_file(data, institution, sheet=sheet, today=today)
        counts = (
            upsert(checked, institution, dry_run=True) if _may_write(checked, import_valid_rows) else Counts()
        )
        _apply(upload, checked, counts)
        return ImportOutcome(upload, checked, counts, written=False)
    with transaction.atomic():
        upload.save()
        outcome = _write(upload, data, import_valid_rows=import_valid_rows, today=today)
        record(
            Action.IMPORT,
            f"import_{via}",
            user=user,
            target=outcome.upload,
            institution=institution,
            details={
                "written": outcome.written,
                "import_valid_rows": import_valid_rows,
                "new": outcome.counts.new,
                "updated": outcome.counts.updated,
                "unchanged": outcome.counts.unchanged,
                "rejected": outcome.upload.rows_rejected,
                "erased_skipped": outcome.counts.erased,
            },
        )
        return outcome


def _may_write(checked: CheckedTable, import_valid_rows: bool) -> bool:
    if checked.valid.empty:
        return False
    return checked.ok or import_valid_rows


def _write(
    upload: Upload, data: bytes, *, import_valid_rows: bool, today=None, checked=None
) -> ImportOutcome:
    """Write a checked file. The file is read and validated here exactly once
    (the command), or not at all when the web flow kept its checked rows."""
    if checked is None:
        checked = check_file(data, upload.institution, sheet=upload.sheet_name or None, today=today)
    written = _may_write(checked, import_valid_rows)
    counts = upsert(checked, upload.institution, upload) if written else Counts()
    _apply(upload, checked, counts)
    upload.import_valid_rows = import_valid_rows
    if written:
        upload.status = Upload.Status.IMPORTED
        upload.imported_at = timezone.now()
    else:
        upload.status = Upload.Status.REJECTED
    _delete_file(upload)
    upload.save()
    return ImportOutcome(upload, checked, counts, written)


def _apply(upload: Upload, checked: CheckedTable, counts: Counts) -> None:
    upload.rows_total = checked.rows_total
    upload.rows_new = counts.new
    upload.rows_updated = counts.updated
    upload.rows_unchanged = counts.unchanged
    # skipped = rows with a problem + rows of erased graduates: the four counts add up to the file
    upload.rows_rejected = _rows_rejected(checked) + counts.erased
    upload.report = _report(checked, counts, preview=False)
    upload.report["new_locations"] = counts.new_locations


DELETE_BATCH = 5000


def delete_graduates(graduates) -> int:
    """Delete a queryset of graduates (a cohort, a test institution) in one
    transaction, a batch of ids at a time.

    ``QuerySet.delete()`` on 500,000 graduates loads every one of them into
    memory first (the collector needs the objects for its cascade checks):
    974 MB. Batches keep memory flat, like the import. Graduates with
    invitations are protected and make the whole call fail, nothing deleted:
    they are erased instead (``alumni.privacy``), so figures stay intact."""
    deleted = 0
    with transaction.atomic():
        while True:
            ids = list(graduates.order_by().values_list("pk", flat=True)[:DELETE_BATCH])
            if not ids:
                return deleted
            _total, per_model = Graduate.objects.filter(pk__in=ids).only("pk").delete()
            batch = per_model.get(Graduate._meta.label, 0)
            if not batch:  # pragma: no cover - a delete that deletes nothing would loop forever
                raise RuntimeError("graduates could not be deleted")
            deleted += batch


def _delete_file(upload: Upload) -> None:
    """The original file holds personal data: gone once it is no longer needed."""
    if upload.file:
        upload.file.delete(save=False)
