"""Demo data for ``make run``: two clearly fictional institutions, users for
each role, and cohort lists imported through the real upload path.

Codes are fictional on purpose (BRIN 99DA/99DB do not exist); programmes are
real crebo codes from the shipped qualification lists (the economic and
creative programmes of the 2018 Amsterdam study). Running it twice changes nothing.
"""

import datetime
import io
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from surveys.scheduling import add_months

from .models import Institution, Membership, Programme, ProgrammeGroup
from .services import import_file

DEMO_PASSWORD = "alumni-demo-2026"  # noqa: S105 - local demo only, printed by `make run`
INSTITUTIONS = [
    ("99DA", "Demo College Amstel (fictief)", True, ["Amstel", "Zuidas"]),
    ("99DB", "Demo Vakschool IJ (fictief)", False, ["Noord"]),
]
FIRST = [
    "Sanne",
    "Mohammed",
    "Daan",
    "Fatima",
    "Lars",
    "Noa",
    "Youssef",
    "Emma",
    "Bram",
    "Aylin",
    "Kevin",
    "Naima",
]
LAST = [
    ("", "Jansen"),
    ("de", "Vries"),
    ("", "Bakker"),
    ("", "El Amrani"),
    ("", "Visser"),
    ("van der", "Berg"),
    ("", "Yilmaz"),
    ("", "Mulder"),
    ("van", "Dijk"),
    ("", "Kaya"),
    ("de", "Boer"),
    ("", "Pinas"),
]


def _cohort_csv(brin: str, locations: list[str], today: datetime.date, rng: random.Random) -> bytes:
    crebos = list(
        Programme.objects.filter(
            group__in=ProgrammeGroup.objects.all(), source=Programme.Source.HKS_2015
        ).values_list("crebo", "level")
    ) or list(Programme.objects.filter(source=Programme.Source.HKS_2015).values_list("crebo", "level")[:10])
    # Diploma dates: some whose 3-month survey is due now, some whose 3-year
    # survey is due now, and older cohorts for the reports.
    moments = [add_months(today, -3) - datetime.timedelta(days=d) for d in range(1, 20)]
    moments += [add_months(today, -36) - datetime.timedelta(days=d) for d in range(1, 20)]
    moments += [datetime.date(year, 7, day) for year in (2022, 2023, 2024) for day in (1, 5, 12)]
    out = io.StringIO()
    out.write(
        "studentnummer;roepnaam;tussenvoegsel;achternaam;e-mailadres;prive_email;crebo;diplomadatum;niveau;leerweg;vestiging;geslacht;geboortejaar\r\n"
    )
    for i in range(240):
        first = rng.choice(FIRST)
        prefix, last = rng.choice(LAST)
        crebo, level = rng.choice(crebos)
        day = rng.choice(moments)
        slug = f"{first}.{last}".lower().replace(" ", "")
        out.write(
            f"{brin[-2:]}{i:06d};{first};{prefix};{last};{slug}{i}@student.{brin.lower()}.example;"
            f"{slug}{i}@example.com;{crebo};{day:%d-%m-%Y};{level};{rng.choice(['BOL', 'BOL', 'BBL'])};"
            f"{rng.choice(locations)};{rng.choice('mvvx')};{day.year - rng.randint(18, 24)}\r\n"
        )
    return out.getvalue().encode("cp1252", errors="replace")


@transaction.atomic
def load_demo_data(today: datetime.date | None = None) -> list[str]:
    today = today or datetime.date.today()
    rng = random.Random(2026)
    User = get_user_model()
    lines = []
    platform, created = User.objects.get_or_create(
        username="platform",
        defaults={"is_staff": True, "is_superuser": True, "email": "platform@example.org"},
    )
    if created:
        platform.set_password(DEMO_PASSWORD)
        platform.save()
    admin_user, created = User.objects.get_or_create(
        username="beheerder", defaults={"email": "beheerder@example.org"}
    )
    if created:
        admin_user.set_password(DEMO_PASSWORD)
        admin_user.save()
    career, created = User.objects.get_or_create(
        username="loopbaan", defaults={"email": "loopbaan@example.org"}
    )
    if created:
        career.set_password(DEMO_PASSWORD)
        career.save()
    for brin, name, consent, locations in INSTITUTIONS:
        institution, created = Institution.objects.get_or_create(
            brin=brin, defaults={"name": name, "consent_to_be_named": consent}
        )
        Membership.objects.get_or_create(user=admin_user, institution=institution, role=Membership.Role.ADMIN)
        Membership.objects.get_or_create(
            user=career, institution=institution, role=Membership.Role.CAREER_OFFICE
        )
        if created:
            outcome = import_file(
                institution=institution,
                data=_cohort_csv(brin, locations, today, rng),
                file_name=f"demo-cohortlijst-{brin}.csv",
                user=admin_user,
                via="demo",
            )
            lines.append(f"{name}: {outcome.counts.new} graduates imported")
        else:
            lines.append(f"{name}: already there")
    return lines
