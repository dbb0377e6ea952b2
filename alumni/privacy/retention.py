"""Retention: personal data kept no longer than its purpose needs (docs/privacy.md).

Run daily by the beat task ``alumni.tasks.apply_retention`` and by
``manage.py apply_retention [--dry-run]``; idempotent (a second run finds
nothing), and every real run writes one audit entry (RETENTION) with its counts.

1. **Contact data** — names and e-mail addresses, what lets the school reach
   the person — goes ``PRIVACY_CONTACT_GRACE_DAYS`` after the graduate's last
   wave (T3, the wave with the most months after the diploma) is over: its
   link closed, or it ended without a link (not invited, bounced, opted out),
   or, with no invitation, its invitation window passed (declined recontact,
   opted out, uploaded too late). Kept for graduates who joined the alumni
   network (item 21, any purpose) and did not opt out since. The addresses
   in the outbox of those graduates go with it. Kept: the student number (the
   school's own key: a re-upload then matches instead of duplicating),
   programme, cohort and the coded answers — pseudonymised, not anonymous;
   erasure (``alumni.privacy.erasure``) makes them anonymous.
2. **Uploaded files** never outlive their processing: the file of any upload
   no longer waiting for confirmation is deleted, and an upload checked but
   not confirmed within ``PRIVACY_UNCONFIRMED_UPLOAD_HOURS`` is discarded and
   its file deleted. (The upload flow deletes the file itself on confirm or
   discard; this catches what a crash or an abandoned preview left behind.)
3. **Upload reports** keep the rows to fix and quoted cell values for
   ``PRIVACY_UPLOAD_REPORT_DAYS``; then only codes, row numbers and counts.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from audit.services import Action, record

from ..models import Graduate, Upload
from .scrubbing import clear_outbox, outbox_with_contact, strip_report
from .summary import Summary

log = logging.getLogger(__name__)

CONTACT_FIELDS = ("first_name", "name_prefix", "last_name", "email", "private_email")
"""Contact data: what lets the school reach (or address) the person."""

_CHUNK = 2000
_STRIPPED = "personal_data_removed"  # marks a report retention has stripped


@dataclass
class RetentionSummary(Summary):
    NOT_COUNTED = ("today", "dry_run", "by_institution")

    today: datetime.date
    dry_run: bool = False
    contact_removed: int = 0
    network_kept: int = 0
    outbox_addresses_removed: int = 0
    upload_files_deleted: int = 0
    unconfirmed_uploads_discarded: int = 0
    upload_reports_stripped: int = 0
    by_institution: dict = field(default_factory=dict)

    def as_text(self) -> str:
        verb = "retention (dry run, nothing changed)" if self.dry_run else "retention"
        return f"{verb} on {self.today}: {self.counts_text()}"


def _last_wave():
    from surveys.models import Wave

    return Wave.objects.order_by("-months_after_diploma", "pk").first()


def contact_due(today: datetime.date):
    """Graduates whose contact data is past its period, network members included
    (see the module docstring; :func:`network_members` narrows)."""
    from surveys.models import Invitation
    from surveys.scheduling import add_months

    wave = _last_wave()
    if wave is None:
        return Graduate.objects.none()
    limit = today - datetime.timedelta(days=settings.PRIVACY_CONTACT_GRACE_DAYS)
    window = datetime.timedelta(days=wave.invitation_window_days)
    last = Invitation.objects.filter(graduate=OuterRef("pk"), wave=wave)
    link_closed = Exists(last.filter(closes_on__lt=limit))
    ended_unsent = Exists(
        last.filter(closes_on__isnull=True, due_on__lt=limit - window).exclude(status__in=Invitation.MAILABLE)
    )
    # No invitation: its window ended (one day early at most: month ends differ).
    window_passed = ~Exists(last) & Q(
        diploma_date__lt=add_months(limit - window - datetime.timedelta(days=1), -wave.months_after_diploma)
    )
    has_contact = ~Q(**dict.fromkeys(CONTACT_FIELDS, ""))
    return Graduate.objects.filter(has_contact, erased_at__isnull=True).filter(
        link_closed | ended_unsent | window_passed
    )


def network_members():
    """Opted in to the alumni network (item 21) and not opted out since."""
    from reports.selectors.personal_data import NETWORK_OPT_IN
    from surveys.models import Response

    joined = Exists(Response.objects.filter(NETWORK_OPT_IN, invitation__graduate=OuterRef("pk")))
    return Q(joined, opted_out_at__isnull=True)


def _brin_counts(queryset) -> dict:
    rows = queryset.order_by().values("institution__brin").annotate(n=Count("pk"))
    return {row["institution__brin"]: row["n"] for row in rows}


def _remove_contact_data(summary: RetentionSummary, now) -> None:
    from surveys.models import InvitationEvent, OutboundEmail

    due = contact_due(summary.today)
    summary.network_kept = due.filter(network_members()).count()
    removable = due.exclude(network_members())
    ids = list(removable.values_list("pk", flat=True))
    summary.contact_removed = len(ids)
    for brin, count in _brin_counts(removable).items():
        summary.by_institution.setdefault(brin, {})["contact_removed"] = count
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        mail = OutboundEmail.objects.filter(invitation__graduate_id__in=chunk)
        if summary.dry_run:
            summary.outbox_addresses_removed += outbox_with_contact(mail).count()
            continue
        summary.outbox_addresses_removed += clear_outbox(mail)
        InvitationEvent.objects.filter(invitation__graduate_id__in=chunk, detail__contains="@").update(
            detail=""
        )
        Graduate.objects.filter(pk__in=chunk).update(
            **dict.fromkeys(CONTACT_FIELDS, ""), contact_removed_at=now
        )


def _delete_upload_files(summary: RetentionSummary, now) -> None:
    stale = now - datetime.timedelta(hours=settings.PRIVACY_UNCONFIRMED_UPLOAD_HOURS)
    processed = Upload.objects.exclude(file="").exclude(status=Upload.Status.VALIDATED)
    unconfirmed = Upload.objects.exclude(file="").filter(
        status=Upload.Status.VALIDATED, uploaded_at__lt=stale
    )
    if summary.dry_run:
        summary.upload_files_deleted = processed.count() + unconfirmed.count()
        summary.unconfirmed_uploads_discarded = unconfirmed.count()
        return
    for pk in list(processed.values_list("pk", flat=True)) + list(unconfirmed.values_list("pk", flat=True)):
        with transaction.atomic():
            # Locked, and skipped if an admin is confirming it right now (PostgreSQL).
            upload = Upload.objects.select_for_update(skip_locked=True).filter(pk=pk).exclude(file="").first()
            if upload is None:
                continue
            waiting = upload.status == Upload.Status.VALIDATED
            if waiting and upload.uploaded_at >= stale:
                continue
            upload.file.delete(save=False)
            changes = {"file": ""}
            if waiting:
                changes["status"] = Upload.Status.DISCARDED
                summary.unconfirmed_uploads_discarded += 1
            Upload.objects.filter(pk=pk).update(**changes)
            summary.upload_files_deleted += 1


def _strip_upload_reports(summary: RetentionSummary, now) -> None:
    old = now - datetime.timedelta(days=settings.PRIVACY_UPLOAD_REPORT_DAYS)
    uploads = Upload.objects.filter(uploaded_at__lt=old).exclude(status=Upload.Status.VALIDATED)
    for pk, report in uploads.values_list("pk", "report").iterator(chunk_size=500):
        if not isinstance(report, dict) or report.get(_STRIPPED):
            continue
        stripped, changed = strip_report(report)
        if not changed:
            continue
        summary.upload_reports_stripped += 1
        if not summary.dry_run:
            Upload.objects.filter(pk=pk).update(report={**stripped, _STRIPPED: True})


def apply_retention(today: datetime.date | None = None, dry_run: bool = False) -> RetentionSummary:
    """Remove what is past its retention period (module docstring); returns the counts."""
    now = timezone.now()
    summary = RetentionSummary(today=today or timezone.localdate(), dry_run=dry_run)
    _delete_upload_files(summary, now)  # files are outside the database: one upload at a time
    with transaction.atomic():
        _remove_contact_data(summary, now)
        _strip_upload_reports(summary, now)
        if not dry_run:
            record(Action.RETENTION, "retention_run", details=_details(summary))
    log.info(summary.as_text())
    return summary


def _details(summary: RetentionSummary) -> dict:
    return {
        "today": summary.today.isoformat(),
        **summary.counts(),
        "by_institution": summary.by_institution,
        "periods": {
            "contact_grace_days": settings.PRIVACY_CONTACT_GRACE_DAYS,
            "unconfirmed_upload_hours": settings.PRIVACY_UNCONFIRMED_UPLOAD_HOURS,
            "upload_report_days": settings.PRIVACY_UPLOAD_REPORT_DAYS,
        },
    }
