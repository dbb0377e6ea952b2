"""Erasing a graduate: their personal data gone, their coded answers kept, figures unchanged.

Why the row stays: the graduate's invitations and coded answers are what the
reports count (per programme, cohort, location, pathway, wave). Deleting the
row would take them along and change every figure they were part of
(Invitation.graduate is PROTECT for that reason). So erasure empties the row
of everything personal and keeps it as an anonymous record that only says
"a graduate of this programme, cohort and location answered this".

What goes, in one transaction (``erase_graduate``):

- the graduate: names, both e-mail addresses, the student number (a random
  placeholder keeps the unique key), the preferred language, the link to the
  upload they came in with; the birth year becomes the first year of its age
  band and the diploma date the first day of its month (what the optional
  weighting and the cohort need, nothing finer);
- their answers in their own words: job title, tasks, employer, workplace;
  the 4-digit workplace postcode becomes a placeholder that is inside the
  institution's region exactly when the real one was (the "working in the
  region" figure needs no more);
- their survey links: every invitation gets a new random token, and the old
  link shows "no longer available" (410) through a keyed hash (ErasedLink);
- their mail: addresses and SMTP error texts of the outbox, queued mail
  cancelled; status-history details that are not plain codes;
- upload reports: their rows to fix and the problems quoting their values;
- the Django admin's history of their record and invitations.

Kept: programme, cohort, location, pathway, gender, level, the invitations'
statuses and dates, the coded answers. A tombstone (ErasedStudent, a keyed
hash of institution + student number) lets the import skip them on a
re-upload. The audit entry (ERASURE) says who, when, why and what was
counted — never the erased values.
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, record_about

from ..models import Graduate
from . import scrubbing, tombstones
from .summary import Summary

FREE_TEXT_ANSWERS = ("job_title", "job_tasks", "employer_name", "workplace")
"""Answers in the graduate's own words (items 8 and 9): anything could be in them."""

PERSONAL_FIELDS = (
    "student_number",
    "first_name",
    "name_prefix",
    "last_name",
    "email",
    "private_email",
    "birth_year",
    "diploma_date",
    "preferred_language",
    "last_upload",
)
"""The graduate's fields erasure changes (tests check no other field is left personal)."""

_PLAIN_DETAIL = re.compile(r"^[a-z0-9-]*$")  # "invitation", "reminder-1", "extra-2026-01-05"


class ErasureRefused(ValueError):
    """Erasure cannot go ahead as asked (no reason, or a reason quoting the person)."""


@dataclass
class ErasureSummary(Summary):
    """What an erasure did (or, for a dry run, would do): counts only."""

    NOT_COUNTED = ("graduate_id", "dry_run", "already_erased", "at_own_request")
    graduate_id: int
    dry_run: bool = False
    already_erased: bool = False
    at_own_request: bool = False
    fields_cleared: int = 0
    invitations: int = 0
    links_closed: int = 0
    responses: int = 0
    free_text_answers_cleared: int = 0
    emails_scrubbed: int = 0
    emails_cancelled: int = 0
    events_scrubbed: int = 0
    upload_entries_removed: int = 0
    admin_history_scrubbed: int = 0
    tombstone: bool = False

    def as_text(self) -> str:
        if self.already_erased:
            return f"graduate {self.graduate_id} was erased before: nothing changed"
        verb = "would erase" if self.dry_run else "erased"
        return f"{verb} graduate {self.graduate_id}: {self.counts_text()}"


def _age_band_year(graduate: Graduate) -> int | None:
    """The first birth year of the graduate's age band at the diploma (reports' weighting bands)."""
    from reports.selectors.live_counts import AGE_BANDS

    if graduate.birth_year is None:
        return None
    age = graduate.diploma_date.year - graduate.birth_year
    for _label, low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            # the youngest age of the band; "-19" has no lower bound: 19
            return graduate.diploma_date.year - (low if low is not None else high)
    return None


def _region_ranges(institution_id: int) -> list[tuple[str, str]]:
    from reports.models import Region

    ranges = []
    for region in Region.objects.filter(institutions=institution_id):
        ranges += region.ranges
    return sorted(ranges)


def coarse_postcode(postcode: str, ranges: list[tuple[str, str]]) -> str:
    """A placeholder for a 4-digit workplace postcode that falls in the
    institution's region (``ranges``) exactly when ``postcode`` does: the
    lowest postcode of the first range holding it, or the lowest one outside
    every range. Empty when there is no postcode or no region (then no figure uses it)."""
    if not postcode or not ranges:
        return ""
    for low, high in ranges:
        if low <= postcode <= high:
            return low
    for number in range(10000):
        candidate = f"{number:04d}"
        if not any(low <= candidate <= high for low, high in ranges):
            return candidate
    return ""


def _placeholder_student_number() -> str:
    """Unique, random, and derived from nothing (fits the 40-character column)."""
    return f"erased-{secrets.token_hex(12)}"


def _check_reason(reason: str, who: scrubbing.Identifiers) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ErasureRefused(_("Give a reason for the erasure (it goes into the audit log)."))
    if who.contains(reason):
        raise ErasureRefused(
            _(
                "The reason may not contain the graduate's name, e-mail address or student number: "
                "it is kept in the audit log after the erasure."
            )
        )
    return reason[:500]


def erase_graduate(
    graduate: Graduate,
    *,
    reason: str,
    user=None,
    request=None,
    dry_run: bool = False,
    at_own_request: bool = False,
) -> ErasureSummary:
    """Erase one graduate's personal data (see the module docstring), in one transaction.

    Idempotent: a graduate erased before is left as is (``already_erased``).
    ``dry_run`` counts what would go and changes nothing (and writes no audit
    entry). ``at_own_request``: the graduate asked through their own page (no
    ``user`` then). Raises :class:`ErasureRefused` without a reason, or when
    the reason quotes the person.
    """
    with transaction.atomic():
        graduate = Graduate.objects.select_for_update().get(pk=graduate.pk)
        summary = ErasureSummary(graduate.pk, dry_run=dry_run, at_own_request=at_own_request)
        if graduate.erased_at is not None:
            summary.already_erased = True
            return summary
        who = scrubbing.Identifiers.of(graduate)
        reason = _check_reason(reason, who)
        _erase(graduate, who, summary)
        if dry_run:
            transaction.set_rollback(True)
            return summary
        record_about(
            Action.ERASURE,
            "graduate",
            graduate,
            request=request,
            user=user,
            reason=reason,
            at_own_request=at_own_request,
            **summary.counts(),
        )
    return summary


def _erase(graduate: Graduate, who: scrubbing.Identifiers, summary: ErasureSummary) -> None:
    """Every write of an erasure (a dry run rolls them back)."""
    from surveys.models import Invitation, InvitationEvent, OutboundEmail, Response, new_token

    now = timezone.now()
    invitations = list(Invitation.objects.filter(graduate=graduate).values_list("pk", "token"))
    invitation_ids = [pk for pk, _ in invitations]
    summary.invitations = len(invitations)
    summary.admin_history_scrubbed = scrubbing.scrub_admin_history(graduate, dry_run=False)
    summary.upload_entries_removed = scrubbing.scrub_uploads(graduate, who, dry_run=False)

    # Survey links: the old ones die (remembered only as keyed hashes), new random ones replace them.
    summary.links_closed = tombstones.bury_links(token for _, token in invitations)
    for pk in invitation_ids:
        Invitation.objects.filter(pk=pk).update(token=new_token())

    # Answers in their own words; the postcode as coarse as the region figure allows.
    ranges = _region_ranges(graduate.institution_id)
    for response in Response.objects.filter(invitation_id__in=invitation_ids):
        summary.responses += 1
        changes = {f: "" for f in FREE_TEXT_ANSWERS if getattr(response, f)}
        postcode = coarse_postcode(response.workplace_postcode, ranges)
        if postcode != response.workplace_postcode:
            changes["workplace_postcode"] = postcode
        if changes:
            summary.free_text_answers_cleared += len(changes)
            Response.objects.filter(pk=response.pk).update(**changes)

    # Mail: no address or SMTP text left; nothing more goes out.
    emails = OutboundEmail.objects.filter(invitation_id__in=invitation_ids)
    summary.emails_cancelled = emails.filter(
        state__in=(OutboundEmail.State.QUEUED, OutboundEmail.State.SENDING)
    ).update(state=OutboundEmail.State.CANCELLED)
    summary.emails_scrubbed = scrubbing.clear_outbox(emails)
    events = InvitationEvent.objects.filter(invitation_id__in=invitation_ids).exclude(detail="")
    noisy = [pk for pk, detail in events.values_list("pk", "detail") if not _PLAIN_DETAIL.match(detail)]
    summary.events_scrubbed = InvitationEvent.objects.filter(pk__in=noisy).update(detail="")

    summary.tombstone = tombstones.bury_student(graduate.institution_id, graduate.student_number)
    changes = _graduate_changes(graduate)
    summary.fields_cleared = sum(1 for f, v in changes.items() if getattr(graduate, _attname(f)) != v)
    Graduate.objects.filter(pk=graduate.pk).update(
        **changes, erased_at=now, opted_out_at=graduate.opted_out_at or now
    )


def _attname(field: str) -> str:
    return "last_upload_id" if field == "last_upload" else field


def _graduate_changes(graduate: Graduate) -> dict:
    diploma = graduate.diploma_date
    return {
        "student_number": _placeholder_student_number(),
        "first_name": "",
        "name_prefix": "",
        "last_name": "",
        "email": "",
        "private_email": "",
        "birth_year": _age_band_year(graduate),
        "diploma_date": datetime.date(diploma.year, diploma.month, 1),
        "preferred_language": "nl",
        "last_upload": None,
    }
