"""Personal and row-level data: the alumni network list and the anonymised response rows.

Callers log every use in the audit log (``audit.services.record``; platform.md / AVG).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from surveys.models import Response

from ..filters import RESPONSE_GRADUATE, Filters, Scope, completed_responses

NETWORK_OPT_IN = Q(network_guest_lessons=True) | Q(network_mentoring=True) | Q(network_employer_contacts=True)
"""Opted in to the alumni network (item 21) for at least one purpose."""


def network_rows(scope: Scope) -> list[dict]:
    """Graduates who opted in to the alumni network in any wave, with the purposes of their latest opt-in.

    Only contact data and the purposes: never their other answers.
    """
    rows = {}
    responses = (
        Response.objects.filter(
            NETWORK_OPT_IN, scope.q(RESPONSE_GRADUATE), invitation__graduate__opted_out_at__isnull=True
        )
        .select_related("invitation__graduate__programme", "invitation__graduate__cohort")
        .order_by(
            "invitation__graduate__programme__crebo",
            "invitation__graduate__last_name",
            "-invitation__wave_id",
        )
    )
    for response in responses:
        graduate = response.invitation.graduate
        if graduate.pk in rows:
            continue
        rows[graduate.pk] = {
            "name": graduate.full_name,
            "email": graduate.private_email or graduate.email,
            "programme": f"{graduate.programme.crebo} {graduate.programme.name}",
            "cohort": graduate.cohort.label,
            "guest_lessons": response.network_guest_lessons,
            "mentoring": response.network_mentoring,
            "employer_contacts": response.network_employer_contacts,
        }
    return list(rows.values())


# Anonymised row export: no names, addresses, free text, student numbers or
# exact dates that could single someone out; the graduate is a per-export
# pseudonym-free row (response id is not exported either).
RAW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("institution", "invitation__graduate__institution__brin"),
    ("crebo", "invitation__graduate__programme__crebo"),
    ("level", "invitation__graduate__programme__level"),
    ("cohort", "invitation__graduate__cohort__school_year"),
    ("wave", "invitation__wave__code"),
    ("pathway", "invitation__graduate__pathway"),
    ("main_activity", "main_activity"),
    ("working", "working"),
    ("works_12h", "works_12h"),
    ("works_full_time", "works_full_time"),
    ("looked_for_work", "looked_for_work"),
    ("available_for_work", "available_for_work"),
    ("benefit", "benefit"),
    ("contract", "contract"),
    ("self_employment_reason", "self_employment_reason"),
    ("occupation_group", "occupation_group_id"),
    ("branch", "branch_id"),
    ("level_match", "level_match"),
    ("field_match", "field_match"),
    ("diploma_needed", "diploma_needed"),
    ("job_route", "job_route"),
    ("study_level", "study_level"),
    ("study_related", "study_related"),
    ("meaningful", "meaningful"),
    ("fits_plans", "fits_plans"),
    ("uses_learning", "uses_learning"),
    ("preparation", "preparation"),
    ("choose_again", "choose_again"),
    ("wage_band", "wage_band"),
)


def raw_rows(scope: Scope, filters: Filters) -> QuerySet:
    """Completed responses as tuples of :data:`RAW_COLUMNS`, ordered for stable output."""
    return completed_responses(scope, filters).order_by("pk").values_list(*(path for _, path in RAW_COLUMNS))
