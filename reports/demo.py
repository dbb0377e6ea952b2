"""Plausible answers for demo and test data (never for real graduates).

``random_answers`` follows the questionnaire's routing roughly (work items
only for workers, item 7 only for the self-employed, some items skipped) so
dashboards and tests see realistic gaps. ``load_demo_responses`` fills the
completed invitations of the demo institutions (``alumni.demo``) so
``make run`` shows filled dashboards; it marks a share of the demo
invitations as completed/partial/opened/bounced with matching history.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from alumni.models import OccupationGroup, SbiSection
from surveys.models import Invitation, InvitationEvent, Response, Wave
from surveys.questionnaire import choices as c
from surveys.scheduling import classify

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


@transaction.atomic
def load_demo_responses(seed: int = 2026) -> str:
    """Answers for the demo institutions' invitations (idempotent: only invitations without a response)."""
    if Response.objects.filter(invitation__graduate__institution__brin__in=["99DA", "99DB"]).exists():
        return "Demo answers: already there"
    rng = random.Random(seed)
    sections = list(SbiSection.objects.values_list("code", flat=True))
    groups = list(OccupationGroup.objects.filter(level=1).values_list("code", flat=True))
    now = timezone.now()
    invitations = list(
        Invitation.objects.filter(graduate__institution__brin__in=["99DA", "99DB"], response__isnull=True)
    )
    # Older cohorts have no invitations yet in a fresh demo: create them as sent.
    if not invitations:
        from alumni.models import Graduate

        waves = {w.code: w for w in Wave.objects.all()}
        new = []
        today = datetime.date.today()
        for graduate in Graduate.objects.filter(
            institution__brin__in=["99DA", "99DB"], invitations__isnull=True
        ):
            # Only waves whose window has passed: graduates due *now* are left to
            # the Celery worker, so `make run` shows real invitation e-mails with
            # links to click at /dev/mail/.
            codes = [
                code
                for code, wave in waves.items()
                if classify(
                    graduate.diploma_date, today, wave.months_after_diploma, wave.invitation_window_days
                )
                == "past_window"
            ]
            for code in codes:
                new.append(
                    Invitation(
                        graduate=graduate,
                        wave=waves[code],
                        due_on=graduate.diploma_date,
                        status=Invitation.Status.SENT,
                        sent_at=now,
                        sent_on=now.date(),
                    )
                )
        Invitation.objects.bulk_create(new)
        invitations = list(
            Invitation.objects.filter(graduate__institution__brin__in=["99DA", "99DB"], response__isnull=True)
        )
    responses, events = [], []
    for number, invitation in enumerate(invitations):
        roll = rng.random()
        if roll < 0.55:
            status = Invitation.Status.COMPLETED
        elif roll < 0.62:
            status = Invitation.Status.PARTIAL
        elif roll < 0.72:
            status = Invitation.Status.OPENED
        elif roll < 0.75:
            status = Invitation.Status.BOUNCED
        else:
            continue
        day = now - datetime.timedelta(days=rng.randint(0, 20))
        invitation.status = status
        invitation.sent_at = invitation.sent_at or day
        events.append(InvitationEvent(invitation=invitation, status="sent"))
        if status != Invitation.Status.BOUNCED:
            events.append(InvitationEvent(invitation=invitation, status="opened"))
        if status in (Invitation.Status.COMPLETED, Invitation.Status.PARTIAL):
            answers = random_answers(rng, sections, groups, number)
            done = day if status == Invitation.Status.COMPLETED else None
            responses.append(response_for(invitation.pk, answers, done))
            events.append(InvitationEvent(invitation=invitation, status=str(status)))
        if status == Invitation.Status.BOUNCED:
            events.append(InvitationEvent(invitation=invitation, status="bounced"))
    Invitation.objects.bulk_update(invitations, ["status", "sent_at"])
    Response.objects.bulk_create(responses)
    InvitationEvent.objects.bulk_create(events)
    return f"Demo answers: {sum(r.completed_at is not None for r in responses)} completed responses"
