"""Small builders for the survey tests: graduates straight in the database.

Programmes are real crebo codes from the loaded reference data (the HKS 2015
qualification list), never invented ones.
"""

import datetime
import itertools

from alumni.models import Cohort, Graduate, Programme, school_year_of
from surveys.models import Invitation, OutboundEmail, Wave

_numbers = itertools.count(1)


def programme(index: int = 0) -> Programme:
    """The ``index``-th programme of the HKS 2015 list (by crebo)."""
    found = Programme.objects.filter(source="hks2015").order_by("crebo")[index : index + 1].first()
    assert found is not None, "reference data (HKS 2015 list) is not loaded"
    return found


def make_graduate(institution, *, diploma_date: datetime.date, programme_obj=None, **fields) -> Graduate:
    """One graduate with a school and a private address, in the cohort of its diploma year."""
    n = next(_numbers)
    cohort, _ = Cohort.objects.get_or_create(
        institution=institution, school_year=school_year_of(diploma_date)
    )
    values = {
        "student_number": f"{n:07d}",
        "first_name": f"Voornaam{n}",
        "last_name": f"Achternaam{n}",
        "email": f"student{n}@school.example.nl",
        "private_email": f"prive{n}@example.com",
        "programme": programme_obj or programme(),
        "preferred_language": "nl",
    }
    values.update(fields)
    return Graduate.objects.create(
        institution=institution, diploma_date=diploma_date, cohort=cohort, **values
    )


def make_graduates(count: int, institution, **kwargs) -> list[Graduate]:
    return [make_graduate(institution, **kwargs) for _ in range(count)]


def wave(code: str) -> Wave:
    return Wave.objects.get(code=code)


def invitation_of(graduate, code: str) -> Invitation:
    return Invitation.objects.get(graduate=graduate, wave__code=code)


def emails_of(graduate, code: str | None = None):
    rows = OutboundEmail.objects.filter(invitation__graduate=graduate)
    if code:
        rows = rows.filter(invitation__wave__code=code)
    return rows.order_by("pk")
