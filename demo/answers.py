"""Plausible answers and invitation statuses, for demo and test data (never
for real graduates).

One implementation for both: ``make run``'s dashboards
(``demo.survey_progress``) and the report tests' data sets
(``tests/factories/datasets.py``) draw their answers and statuses here, so a
change to what a plausible response looks like is made once. ``random_answers`` follows the questionnaire's routing roughly
(work items only for workers, item 7 only for the self-employed, some items
skipped) so dashboards and tests see realistic gaps.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from surveys.models import Response
from surveys.questionnaire import choices as c

ACTIVITY_WEIGHTS = {
    "employee": 38,
    "agency": 6,
    "zzp": 7,
    "business": 2,
    "bbl": 5,
    "studying": 25,
    "unpaid": 2,
    "caring": 2,
    "unemployed": 6,
    "ill": 2,
    "gap_year": 3,
    "other": 2,
}
PAID = {str(a) for a in c.PAID_WORK}


def _maybe(rng: random.Random, value, skip: float = 0.1):
    return value if rng.random() >= skip else None


def random_answers(rng: random.Random, sections: list[str], groups: list[str], number: int = 0) -> dict:
    """One completed response's answers as Response field values."""
    main = rng.choices(list(ACTIVITY_WEIGHTS), weights=list(ACTIVITY_WEIGHTS.values()))[0]
    a: dict = {f"activity_{main}": True, "main_activity": main}
    if rng.random() < 0.2:
        a[f"activity_{rng.choice(list(ACTIVITY_WEIGHTS))}"] = True
    working = main in PAID
    a["benefit"] = _maybe(rng, rng.choice([b for b, _ in c.Benefit.choices] + ["none"] * 6)) or ""
    if working:
        a["hours_per_week"] = _maybe(rng, rng.randint(4, 45))
        if main in ("zzp", "business"):
            a["contract"] = rng.choice(["zzp", "owner"]) if main == "zzp" else "owner"
            a["self_employment_reason"] = (
                _maybe(rng, rng.choice([r for r, _ in c.SelfEmploymentReason.choices])) or ""
            )
        else:
            a["contract"] = (
                _maybe(
                    rng, rng.choice(["permanent", "temp_prospect", "temporary", "agency", "on_call", "bbl"])
                )
                or ""
            )
        a["job_title"] = f"Functie-{number}-geheim"
        a["employer_name"] = f"Werkgever-{number}-geheim"
        a["occupation_group_id"] = _maybe(rng, rng.choice(groups)) if groups else None
        a["branch_id"] = _maybe(rng, rng.choice(sections[:8])) if sections else None
        a["workplace_postcode"] = _maybe(rng, str(rng.randint(1000, 1999))) or ""
        a["level_match"] = _maybe(rng, rng.choice(["higher", "same", "same", "lower", "none"])) or ""
        a["field_match"] = _maybe(rng, rng.choice(["own", "own", "related", "other", "any"])) or ""
        a["diploma_needed"] = _maybe(rng, rng.choice([d for d, _ in c.DiplomaNeeded.choices])) or ""
        a["job_route"] = _maybe(rng, rng.choice([d for d, _ in c.JobRoute.choices])) or ""
        a["wage_band"] = _maybe(rng, rng.choice([w for w, _ in c.WageBand.choices][1:])) or ""
    else:
        a["looked_for_work"] = _maybe(rng, rng.random() < (0.8 if main == "unemployed" else 0.2))
        a["available_for_work"] = _maybe(rng, rng.random() < (0.8 if main == "unemployed" else 0.3))
    if main == "studying":
        a["study_level"] = _maybe(rng, rng.choice(["mbo", "ad", "hbo", "hbo", "wo", "other"])) or ""
        a["study_related"] = _maybe(rng, rng.choice(["related", "partly", "not"])) or ""
    for scale in ("meaningful", "fits_plans", "uses_learning", "preparation"):
        a[scale] = _maybe(rng, rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 6, 3])[0])
    a["choose_again"] = _maybe(rng, rng.choice(["yes", "yes", "maybe", "no"])) or ""
    a["network_guest_lessons"] = rng.random() < 0.1
    a["network_mentoring"] = rng.random() < 0.08
    return a


def response_for(invitation_id: int, answers: dict, completed_at) -> Response:
    return Response(
        invitation_id=invitation_id,
        instrument_version="1",
        current_page="done",
        completed_at=completed_at,
        **answers,
    )


def status_by_share(rng: random.Random, shares: Sequence[tuple[str, float]]) -> str | None:
    """A status drawn with one random number: ``shares`` are (status, share)
    with shares adding up to at most 1; None for the rest."""
    roll, upto = rng.random(), 0.0
    for status, share in shares:
        upto += share
        if roll < upto:
            return status
    return None
