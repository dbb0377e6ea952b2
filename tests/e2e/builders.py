"""Invitations with a live link, for the questionnaire's tests (browser and not).

Programmes are real crebo codes from the loaded reference data; waves are the
shipped defaults (recreated after a transactional test's flush).
"""

import datetime
import itertools

from django.utils import timezone

from alumni.models import Cohort, Graduate, Institution, Programme, school_year_of
from surveys.defaults import ensure_default_waves
from surveys.models import Invitation, Wave

_numbers = itertools.count(1)


def institution(name: str = "ROC Amstelland", brin: str = "98QA") -> Institution:
    found, _ = Institution.objects.get_or_create(brin=brin, defaults={"name": name})
    return found


def graduate(school: Institution | None = None, **fields) -> Graduate:
    school = school or institution()
    n = next(_numbers)
    diploma = fields.pop("diploma_date", datetime.date(2025, 7, 1))
    cohort, _ = Cohort.objects.get_or_create(institution=school, school_year=school_year_of(diploma))
    values = {
        "student_number": f"S{n:07d}",
        "first_name": f"Voornaam{n}",
        "last_name": f"Achternaam{n}",
        "email": f"student{n}@school.example.nl",
        "programme": Programme.objects.filter(source="hks2015").order_by("crebo").first(),
        "preferred_language": "nl",
    }
    values.update(fields)
    assert values["programme"] is not None, "reference data is not loaded"
    return Graduate.objects.create(institution=school, diploma_date=diploma, cohort=cohort, **values)


def invitation(wave_code: str = "T1", status: str = Invitation.Status.SENT, **fields) -> Invitation:
    """An invitation whose mail went out today and whose link is open for six weeks."""
    ensure_default_waves(Wave)
    grad = fields.pop("graduate", None) or graduate(**fields.pop("graduate_fields", {}))
    today = timezone.localdate()
    values = {
        "due_on": today,
        "sent_on": today,
        "sent_at": timezone.now(),
        "closes_on": today + datetime.timedelta(days=42),
    }
    values.update(fields)
    return Invitation.objects.create(
        graduate=grad, wave=Wave.objects.get(code=wave_code), status=status, **values
    )
