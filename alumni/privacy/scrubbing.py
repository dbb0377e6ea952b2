"""Finding one graduate's personal data outside the graduate row, and removing it.

Upload reports keep the rows to fix (their original cells) and problems that
quote a cell's value; the Django admin's history keeps an object's name
(``str(graduate)`` is the student number) and change messages. Erasure
(:mod:`.erasure`) calls these; retention (:mod:`.retention`) strips the
personal parts of old upload reports with :func:`strip_report`. Both empty
the outbox's addresses with :func:`clear_outbox`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from ..models import Graduate, Upload
from .tombstones import normalise_student_number

ERASED_LABEL = "erased"
"""What replaces an erased graduate's name in the admin's history."""


@dataclass(frozen=True)
class Identifiers:
    """The values that identify one graduate, normalised for matching."""

    student_number: str
    emails: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of(cls, graduate: Graduate) -> Identifiers:
        emails = {e.strip().lower() for e in (graduate.email, graduate.private_email) if e.strip()}
        # Not the name prefix alone ("van", "de"): it identifies no one and is in ordinary sentences.
        parts = (graduate.first_name, graduate.last_name, graduate.full_name)
        names = {p.strip().lower() for p in parts if len(p.strip()) > 1}
        return cls(normalise_student_number(graduate.student_number), frozenset(emails), frozenset(names))

    def values(self) -> list[str]:
        """Every identifying string (for tests and checks of free text)."""
        return [v for v in (self.student_number, *self.emails, *self.names) if v]

    def matches_value(self, value) -> bool:
        """Is this one cell or quoted value the graduate's student number, an address or a name?"""
        text = str(value or "").strip()
        if not text:
            return False
        lowered = text.lower()
        if self.student_number and normalise_student_number(text) == self.student_number:
            return True
        if any(email in lowered for email in self.emails):
            return True
        return lowered in self.names

    def matches_row(self, row: dict) -> bool:
        """A row to fix is the graduate's when a cell holds their student number
        or an address, or when both their first and last name appear."""
        cells = [v for k, v in row.items() if k != "rij"]
        if any(
            normalise_student_number(c) == self.student_number for c in cells if self.student_number and c
        ):
            return True
        lowered = {str(c).strip().lower() for c in cells if c is not None}
        if any(email in cell for cell in lowered for email in self.emails):
            return True
        return len(self.names & lowered) >= 2

    def contains(self, text: str) -> bool:
        """Does free text (a reason) quote them? Addresses anywhere; names and the
        number as whole words ("Jan" is not in "januari", "van" never counts)."""
        lowered = (text or "").lower()
        if any(email in lowered for email in self.emails):
            return True
        words = [*self.names, self.student_number.lower()] if self.student_number else [*self.names]
        if any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered) for word in words):
            return True
        numbers = re.findall(r"\w+", lowered)
        return bool(self.student_number) and any(
            normalise_student_number(n) == self.student_number for n in numbers if n[:1].isdigit()
        )


def _row_number(row: dict):
    return row.get("rij", row.get("row"))


def scrub_report(report: dict, who: Identifiers) -> tuple[dict, int]:
    """The report without this graduate's rows to fix and the problems and
    warnings that quote their values or concern their rows; and how many
    entries went. Counts (rows total, rejected …) stay as they were."""
    if not isinstance(report, dict):
        return report, 0
    report = dict(report)
    removed = 0
    rows = report.get("rejected_rows") or []
    theirs = [row for row in rows if isinstance(row, dict) and who.matches_row(row)]
    their_numbers = {_row_number(row) for row in theirs} - {None}
    if theirs:
        report["rejected_rows"] = [row for row in rows if row not in theirs]
        removed += len(theirs)
    for part in ("problems", "warnings"):
        entries = report.get(part) or []
        kept = [
            e
            for e in entries
            if not (
                isinstance(e, dict)
                and (
                    (e.get("row") is not None and e.get("row") in their_numbers)
                    or who.matches_value(e.get("value"))
                    or any(who.matches_value(v) for v in (e.get("params") or {}).values())
                )
            )
        ]
        if len(kept) != len(entries):
            removed += len(entries) - len(kept)
            report[part] = kept
    return report, removed


def scrub_uploads(graduate: Graduate, who: Identifiers, *, dry_run: bool) -> int:
    """Remove the graduate's entries from every upload report of their institution."""
    removed_total = 0
    uploads = Upload.objects.filter(institution_id=graduate.institution_id).only("pk", "report")
    for upload in uploads.iterator(chunk_size=200):
        report, removed = scrub_report(upload.report, who)
        if removed:
            removed_total += removed
            if not dry_run:
                Upload.objects.filter(pk=upload.pk).update(report=report)
    return removed_total


def strip_report(report: dict) -> tuple[dict, int]:
    """An old report with nothing personal left: no rows to fix, no quoted
    values (codes, rows, columns and counts stay). Returns the entries changed."""
    if not isinstance(report, dict):
        return report, 0
    report = dict(report)
    changed = len(report.get("rejected_rows") or [])
    report["rejected_rows"] = []
    for part in ("problems", "warnings"):
        entries = []
        for entry in report.get(part) or []:
            if isinstance(entry, dict) and entry.get("value"):
                entry = {**entry, "value": ""}
                changed += 1
            entries.append(entry)
        report[part] = entries
    return report, changed


def admin_history(graduate: Graduate):
    """The Django admin's history entries about the graduate and their invitations."""
    from surveys.models import Invitation

    graduate_type = ContentType.objects.get_for_model(Graduate)
    invitation_type = ContentType.objects.get_for_model(Invitation)
    invitation_ids = [str(pk) for pk in graduate.invitations.values_list("pk", flat=True)]
    return LogEntry.objects.filter(
        content_type=graduate_type, object_id=str(graduate.pk)
    ) | LogEntry.objects.filter(content_type=invitation_type, object_id__in=invitation_ids)


def scrub_admin_history(graduate: Graduate, *, dry_run: bool) -> int:
    entries = admin_history(graduate)
    count = entries.count()
    if count and not dry_run:
        entries.update(object_repr=ERASED_LABEL, change_message="")
    return count


def outbox_with_contact(emails):
    """The outbox rows among ``emails`` that still hold an address or an SMTP
    reply (a bounce's reply often quotes the address)."""
    return emails.exclude(to_address="", last_error="")


def clear_outbox(emails) -> int:
    """Empty the address and SMTP reply of these outbox rows (erasure and
    retention both); returns how many rows held either."""
    return outbox_with_contact(emails).update(to_address="", last_error="")
