"""Institutions, programmes, graduates, waves and invitations, straight in the database.

``make_*`` writes rows; ``programme``, ``wave``, ``invitation_of`` and
``emails_of`` look up what is there. Programmes are real crebo codes from the
loaded reference data (the HKS 2015 qualification list), never invented
ones; waves are the shipped defaults.
"""

import datetime
import itertools

from django.utils import timezone

from alumni.models import Cohort, Graduate, Institution, Programme, SbiSection, school_year_of
from alumni.reference import load_reference_data
from surveys.defaults import ensure_default_waves
from surveys.models import Invitation, OutboundEmail, Wave
from surveys.scheduling import add_months

DIPLOMA_DATE = datetime.date(2025, 7, 1)
PASSWORD = "a-long-password-1"  # the password of the tests' users (long enough for the validators)
CLIENT_IP = "203.0.113.7"  # a documentation address (RFC 5737): the tests\' client, as the audit log sees it

_numbers = itertools.count(1)


def restore_reference_data() -> None:
    """The reference lists and the default waves, after a transactional test
    flushed them (the session's test database has them from the start)."""
    if not SbiSection.objects.exists():
        load_reference_data()
    ensure_default_waves(Wave)


def make_institution(name: str = "ROC Amstelland", brin: str = "98QA") -> Institution:
    found, _ = Institution.objects.get_or_create(brin=brin, defaults={"name": name})
    return found


def programme(index: int = 0) -> Programme:
    """The ``index``-th programme of the HKS 2015 list (by crebo)."""
    found = Programme.objects.filter(source="hks2015").order_by("crebo")[index : index + 1].first()
    assert found is not None, "reference data (HKS 2015 list) is not loaded"
    return found


def new_graduate(institution: Institution, diploma_date: datetime.date, **fields) -> Graduate:
    """An unsaved graduate with a school and a private address, numbered
    uniquely in this test process; ``fields`` override any column."""
    n = next(_numbers)
    values = {
        "student_number": f"{n:07d}",
        "first_name": f"Voornaam{n}",
        "last_name": f"Achternaam{n}",
        "email": f"student{n}@school.example.nl",
        "private_email": f"prive{n}@example.com",
        "preferred_language": "nl",
        **fields,
    }
    if "programme" not in values:
        values["programme"] = programme()
    if "cohort" not in values:
        values["cohort"], _ = Cohort.objects.get_or_create(
            institution=institution, school_year=school_year_of(diploma_date)
        )
    return Graduate(institution=institution, diploma_date=diploma_date, **values)


def make_graduate(
    institution: Institution | None = None, *, diploma_date: datetime.date = DIPLOMA_DATE, **fields
) -> Graduate:
    """One graduate in the cohort of its diploma year (``private_email=""`` for none)."""
    graduate = new_graduate(institution or make_institution(), diploma_date, **fields)
    graduate.save()
    return graduate


def make_graduates(count: int, institution: Institution | None = None, **kwargs) -> list[Graduate]:
    return [make_graduate(institution, **kwargs) for _ in range(count)]


def make_due_graduates(institution: Institution, count: int, *, today=None) -> list[Graduate]:
    """Graduates whose T1 invitation is due today (diploma 3 months and 1 day
    ago), in one INSERT: the integration tests need many."""
    today = today or datetime.date.today()
    diploma = add_months(today, -3) - datetime.timedelta(days=1)
    cohort, _ = Cohort.objects.get_or_create(institution=institution, school_year=school_year_of(diploma))
    shared = {"programme": programme(), "cohort": cohort}
    return Graduate.objects.bulk_create(new_graduate(institution, diploma, **shared) for _ in range(count))


def wave(code: str) -> Wave:
    return Wave.objects.get(code=code)


def make_invitation(wave_code: str = "T1", status: str = Invitation.Status.SENT, **fields) -> Invitation:
    """An invitation whose mail went out today and whose link is open for six
    weeks; ``graduate=`` or ``graduate_fields=`` for its graduate."""
    ensure_default_waves(Wave)
    graduate = fields.pop("graduate", None) or make_graduate(**fields.pop("graduate_fields", {}))
    today = timezone.localdate()
    values = {
        "due_on": today,
        "sent_on": today,
        "sent_at": timezone.now(),
        "closes_on": today + datetime.timedelta(days=42),
        **fields,
    }
    return Invitation.objects.create(graduate=graduate, wave=wave(wave_code), status=status, **values)


def invitation_of(graduate: Graduate, code: str) -> Invitation:
    return Invitation.objects.get(graduate=graduate, wave__code=code)


def emails_of(graduate: Graduate, code: str | None = None):
    rows = OutboundEmail.objects.filter(invitation__graduate=graduate)
    if code:
        rows = rows.filter(invitation__wave__code=code)
    return rows.order_by("pk")
