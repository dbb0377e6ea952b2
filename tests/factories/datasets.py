"""Fast generated data sets for the report tests: everything by bulk_create.

``make_dataset`` gives two or three institutions, a handful of real programmes
(two crebo codes grouped as one programme), two cohorts, T1 and T3
invitations in every status and a completed response for most. Programme
sizes are spread from tiny (3) to large (60) so that suppression triggers.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from alumni.models import (
    Cohort,
    Graduate,
    Institution,
    Location,
    OccupationGroup,
    Programme,
    ProgrammeGroup,
    SbiSection,
)
from demo.answers import random_answers, response_for
from surveys.models import Invitation, InvitationEvent, Response, Wave


@dataclass
class Dataset:
    institutions: list[Institution]
    programmes: list[Programme]
    graduates: list[Graduate] = field(default_factory=list)


def programmes(count: int) -> list[Programme]:
    found = list(Programme.objects.filter(source="hks2015").order_by("crebo")[:count])
    assert len(found) == count, "reference data (HKS 2015 list) is not loaded"
    return found


def make_dataset(
    *,
    seed: int = 7,
    institutions: list[tuple[str, str, bool]] | None = None,
    sizes: list[int] | None = None,
    group_first_two: bool = True,
) -> Dataset:
    rng = random.Random(seed)
    specs = institutions or [
        ("99XA", "Instelling Alfa", True),
        ("99XB", "Instelling Beta", False),
        ("99XC", "Instelling Gamma", True),
    ]
    insts = [
        Institution.objects.get_or_create(brin=b, defaults={"name": n, "consent_to_be_named": c})[0]
        for b, n, c in specs
    ]
    sizes = sizes or [60, 35, 14, 3, 25]
    progs = programmes(len(sizes))
    if group_first_two:
        group = ProgrammeGroup.objects.create(name="Groep Test-opleiding")
        Programme.objects.filter(pk__in=[progs[0].pk, progs[1].pk]).update(group=group)
    sections = list(SbiSection.objects.values_list("code", flat=True))
    occupation = list(OccupationGroup.objects.filter(level=1).values_list("code", flat=True))
    waves = {w.code: w for w in Wave.objects.all()}
    graduates = []
    cohorts = {}
    locations = {}
    counter = 0
    for inst in insts:
        for year in (2021, 2022):
            cohorts[(inst.pk, year)] = Cohort.objects.create(institution=inst, school_year=year)
        for name in ("Noord", "Zuid"):
            locations[(inst.pk, name)] = Location.objects.create(institution=inst, name=name)
        for prog, size in zip(progs, sizes, strict=True):
            for _ in range(size + rng.randint(0, 4)):
                counter += 1
                year = rng.choice((2021, 2022))
                graduates.append(
                    Graduate(
                        institution=inst,
                        student_number=f"S{counter:07d}",
                        first_name=f"Voornaam{counter}",
                        last_name=f"Achternaam{counter}",
                        email=f"s{counter}@school.example",
                        private_email=f"p{counter}@example.com",
                        programme=prog,
                        diploma_date=datetime.date(year + 1, 7, 1),
                        cohort=cohorts[(inst.pk, year)],
                        level=prog.level,
                        pathway=rng.choice(["BOL", "BOL", "BBL"]),
                        location=locations[(inst.pk, rng.choice(["Noord", "Zuid"]))],
                        gender=rng.choice("mvvx"),
                        birth_year=year + 1 - rng.randint(17, 26),
                    )
                )
    Graduate.objects.bulk_create(graduates)
    graduates = list(Graduate.objects.filter(institution__in=insts).order_by("pk"))
    now = timezone.now()
    invitations = []
    plan = []
    for graduate in graduates:
        for code in ("T1", "T3"):
            if code == "T3" and rng.random() < 0.3:
                continue
            roll = rng.random()
            if roll < 0.72:
                status = Invitation.Status.COMPLETED
            elif roll < 0.78:
                status = Invitation.Status.PARTIAL
            elif roll < 0.84:
                status = Invitation.Status.OPENED
            elif roll < 0.88:
                status = Invitation.Status.BOUNCED
            elif roll < 0.90:
                status = Invitation.Status.OPTED_OUT
            elif roll < 0.93:
                status = Invitation.Status.PENDING
            else:
                status = Invitation.Status.SENT
            sent = status != Invitation.Status.PENDING
            invitations.append(
                Invitation(
                    graduate=graduate,
                    wave=waves[code],
                    due_on=graduate.diploma_date,
                    status=status,
                    sent_at=now if sent else None,
                    sent_on=now.date() if sent else None,
                )
            )
            plan.append(status)
    Invitation.objects.bulk_create(invitations)
    saved = list(Invitation.objects.filter(graduate__in=graduates).order_by("pk"))
    responses = []
    for number, invitation in enumerate(saved):
        if invitation.status in (Invitation.Status.COMPLETED, Invitation.Status.PARTIAL):
            answers = random_answers(rng, sections, occupation, number)
            done = now if invitation.status == Invitation.Status.COMPLETED else None
            responses.append(response_for(invitation.pk, answers, done))
    Response.objects.bulk_create(responses)
    return Dataset(insts, progs, graduates)


def make_events(invitations, day_offsets: dict[str, int], base: datetime.datetime) -> None:
    """History rows at chosen days (InvitationEvent.at is auto_now_add, so set it after)."""
    events = [InvitationEvent(invitation=i, status=s) for i in invitations for s in day_offsets]
    InvitationEvent.objects.bulk_create(events)
    for status, offset in day_offsets.items():
        InvitationEvent.objects.filter(invitation__in=invitations, status=status).update(
            at=base + datetime.timedelta(days=offset)
        )
