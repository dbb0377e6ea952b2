"""The demo's institutions and users, with their cohorts uploaded.

Two clearly fictional institutions (BRIN 99DA/99DB do not exist) and one user
per role. Programmes are real crebo codes from the shipped qualification
lists (the economic and creative programmes of the 2018 Amsterdam study).
Running it twice changes nothing: only a new institution gets a cohort.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from alumni.models import Institution, Membership
from alumni.services import import_file

from .cohort_file import cohort_csv

DEMO_PASSWORD = "alumni-demo-2026"  # noqa: S105 - local demo only, printed by `make run`
INSTITUTIONS = [
    ("99DA", "Demo College Amstel (fictief)", True, ["Amstel", "Zuidas"]),
    ("99DB", "Demo Vakschool IJ (fictief)", False, ["Noord"]),
]
BRINS = [brin for brin, _name, _consent, _locations in INSTITUTIONS]


def _user(username: str, **defaults):
    user, created = get_user_model().objects.get_or_create(username=username, defaults=defaults)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def load_institutions(today: datetime.date | None = None) -> list[str]:
    """Users, institutions, memberships and cohorts; one line of output per institution."""
    today = today or datetime.date.today()
    rng = random.Random(2026)
    _user("platform", is_staff=True, is_superuser=True, email="platform@example.org")
    admin_user = _user("beheerder", email="beheerder@example.org")
    career = _user("loopbaan", email="loopbaan@example.org")
    lines = []
    for brin, name, consent, locations in INSTITUTIONS:
        institution, created = Institution.objects.get_or_create(
            brin=brin, defaults={"name": name, "consent_to_be_named": consent}
        )
        Membership.objects.get_or_create(user=admin_user, institution=institution, role=Membership.Role.ADMIN)
        Membership.objects.get_or_create(
            user=career, institution=institution, role=Membership.Role.CAREER_OFFICE
        )
        if not created:
            lines.append(f"{name}: already there")
            continue
        outcome = import_file(
            institution=institution,
            data=cohort_csv(brin, locations, today, rng),
            file_name=f"demo-cohortlijst-{brin}.csv",
            user=admin_user,
            via="demo",
        )
        lines.append(f"{name}: {outcome.counts.new} graduates imported")
    return lines
