"""Whole institutions with answered surveys, for the report tests: everything by bulk_create.

``make_dataset`` gives two or three institutions, a handful of real programmes
(two crebo codes grouped as one programme), two cohorts, T1 and T3
invitations in every status and a response for most. Programme sizes are
spread from tiny (3) to large (60) so that suppression triggers. Answers and
statuses are drawn by the demo's generator (``demo.answers``).
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
from demo.answers import random_answers, response_for, status_by_share
from surveys.models import Invitation, InvitationEvent, Response, Wave

from .people import new_graduate

S = Invitation.Status
# The share of invitations in each status (the rest: sent, not yet opened).
SHARES = [
    (S.COMPLETED, 0.72),
    (S.PARTIAL, 0.06),
    (S.OPENED, 0.06),
    (S.BOUNCED, 0.04),
    (S.OPTED_OUT, 0.02),
    (S.PENDING, 0.03),
]


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
    graduates = []
    for inst in insts:
        cohorts = {year: Cohort.objects.create(institution=inst, school_year=year) for year in (2021, 2022)}
        locations = {name: Location.objects.create(institution=inst, name=name) for name in ("Noord", "Zuid")}
        for prog, size in zip(progs, sizes, strict=True):
            for _ in range(size + rng.randint(0, 4)):
                year = rng.choice((2021, 2022))
                graduates.append(
                    new_graduate(
                        inst,
                        datetime.date(year + 1, 7, 1),
                        programme=prog,
                        cohort=cohorts[year],
                        level=prog.level,
                        pathway=rng.choice(["BOL", "BOL", "BBL"]),
                        location=locations[rng.choice(["Noord", "Zuid"])],
                        gender=rng.choice("mvvx"),
                        birth_year=year + 1 - rng.randint(17, 26),
                    )
                )
    Graduate.objects.bulk_create(graduates)
    graduates = list(Graduate.objects.filter(institution__in=insts).order_by("pk"))
    _invite(graduates, rng)
    _answer(graduates, rng)
    return Dataset(insts, progs, graduates)


def make_dataset_in_region(**kwargs) -> Dataset:
    """``make_dataset`` with the first institution in a region of postcodes
    1000-1499 (the "working in the region" figure, erasure's coarse postcode)."""
    from reports.models import Region

    data = make_dataset(**kwargs)
    region = Region.objects.create(name="Regio Test", postcode_ranges="1000-1499")
    region.institutions.add(data.institutions[0])
    return data


def _invite(graduates: list[Graduate], rng: random.Random) -> None:
    """A T1 invitation for everyone and a T3 for most, in a status drawn by ``SHARES``."""
    waves = {w.code: w for w in Wave.objects.all()}
    now = timezone.now()
    invitations = []
    for graduate in graduates:
        for code in ("T1", "T3"):
            if code == "T3" and rng.random() < 0.3:
                continue
            status = status_by_share(rng, SHARES) or S.SENT
            sent = status != S.PENDING
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
    Invitation.objects.bulk_create(invitations)


def _answer(graduates: list[Graduate], rng: random.Random) -> None:
    """Answers for every completed and partial invitation."""
    sections = list(SbiSection.objects.values_list("code", flat=True))
    occupation = list(OccupationGroup.objects.filter(level=1).values_list("code", flat=True))
    now = timezone.now()
    responses = []
    for number, invitation in enumerate(Invitation.objects.filter(graduate__in=graduates).order_by("pk")):
        if invitation.status in (S.COMPLETED, S.PARTIAL):
            answers = random_answers(rng, sections, occupation, number)
            done = now if invitation.status == S.COMPLETED else None
            responses.append(response_for(invitation.pk, answers, done))
    Response.objects.bulk_create(responses)


def make_events(invitations, day_offsets: dict[str, int], base: datetime.datetime) -> None:
    """History rows at chosen days (InvitationEvent.at is auto_now_add, so set it after)."""
    events = [InvitationEvent(invitation=i, status=s) for i in invitations for s in day_offsets]
    InvitationEvent.objects.bulk_create(events)
    for status, offset in day_offsets.items():
        InvitationEvent.objects.filter(invitation__in=invitations, status=status).update(
            at=base + datetime.timedelta(days=offset)
        )
