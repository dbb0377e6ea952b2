"""A demo institution's cohort list, as its student administration would export it.

The file goes through the real upload path (``alumni.services.import_file``),
so the demo exercises what an institution admin does: a semicolon CSV in
Windows-1252 with Dutch headers. Names are common Dutch first and last names;
every address is on ``example`` domains.
"""

import datetime
import io
import random

from alumni.models import Programme, ProgrammeGroup
from surveys.scheduling import add_months

FIRST_NAMES = [
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
LAST_NAMES = [
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
HEADER = (
    "studentnummer;roepnaam;tussenvoegsel;achternaam;e-mailadres;prive_email;crebo;diplomadatum;"
    "niveau;leerweg;vestiging;geslacht;geboortejaar"
)
ROWS = 240


def diploma_dates(today: datetime.date) -> list[datetime.date]:
    """Some whose 3-month survey is due now, some whose 3-year survey is due
    now, and older cohorts for the reports."""
    moments = [add_months(today, -3) - datetime.timedelta(days=d) for d in range(1, 20)]
    moments += [add_months(today, -36) - datetime.timedelta(days=d) for d in range(1, 20)]
    moments += [datetime.date(year, 7, day) for year in (2022, 2023, 2024) for day in (1, 5, 12)]
    return moments


def _programmes() -> list[tuple[str, int]]:
    """(crebo, level) of the grouped HKS 2015 programmes, else the first ten of that list."""
    current = Programme.objects.filter(source=Programme.Source.HKS_2015)
    grouped = current.filter(group__in=ProgrammeGroup.objects.all()).values_list("crebo", "level")
    return list(grouped) or list(current.values_list("crebo", "level")[:10])


def cohort_csv(brin: str, locations: list[str], today: datetime.date, rng: random.Random) -> bytes:
    crebos = _programmes()
    moments = diploma_dates(today)
    out = io.StringIO()
    out.write(HEADER + "\r\n")
    for i in range(ROWS):
        first = rng.choice(FIRST_NAMES)
        prefix, last = rng.choice(LAST_NAMES)
        crebo, level = rng.choice(crebos)
        day = rng.choice(moments)
        slug = f"{first}.{last}".lower().replace(" ", "")
        out.write(
            f"{brin[-2:]}{i:06d};{first};{prefix};{last};{slug}{i}@student.{brin.lower()}.example;"
            f"{slug}{i}@example.com;{crebo};{day:%d-%m-%Y};{level};{rng.choice(['BOL', 'BOL', 'BBL'])};"
            f"{rng.choice(locations)};{rng.choice('mvvx')};{day.year - rng.randint(18, 24)}\r\n"
        )
    return out.getvalue().encode("cp1252", errors="replace")
