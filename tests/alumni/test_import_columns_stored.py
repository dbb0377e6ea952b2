"""The typed columns of a cohort file arrive in the table as written.

The import derives values per distinct value rather than per row (a
graduate's school year from each distinct diploma date, the programme by a
lookup per crebo) and sends new rows to PostgreSQL as Arrow-written CSV: a
date, a blank number or the school year around 1 August must come out of
that exactly as one row at a time would give it, on both write paths.
"""

import pytest
from django.conf import settings

from alumni import services
from alumni.importing import writing
from alumni.models import Graduate
from tests.factories.cohort_files import CREBO, CREBO_OTHER, graduate, make_csv

pytestmark = pytest.mark.django_db

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


class _ConnectionAs:
    """The real connection under another vendor name (to choose the ORM path)."""

    def __init__(self, vendor):
        from django.db import connection

        self._connection = connection
        self.vendor = vendor

    def __getattr__(self, name):
        return getattr(self._connection, name)


@pytest.fixture(params=("copy", "orm") if ON_POSTGRES else ("orm",))
def write_path(request, monkeypatch):
    if request.param == "orm" and ON_POSTGRES:
        monkeypatch.setattr(writing, "connection", _ConnectionAs("sqlite"))
    return request.param


def test_dates_school_years_programmes_and_blank_numbers_are_stored_exactly(institution, write_path):
    rows = [
        graduate(1, diplomadatum="31-07-2024", crebo=CREBO, niveau="", geboortejaar="", vestiging=""),
        graduate(2, diplomadatum="01-08-2024", crebo=CREBO_OTHER, niveau="", geboortejaar="", vestiging=""),
        graduate(3, diplomadatum="31-07-2024", crebo=CREBO_OTHER, niveau="", geboortejaar="2004"),
        graduate(4, diplomadatum="2025-08-01", crebo=CREBO, niveau="", geboortejaar="", vestiging="Noord"),
    ]
    outcome = services.import_file(institution=institution, data=make_csv(rows), file_name="cohort.csv")
    assert outcome.checked.problems == [] and outcome.counts.new == 4

    stored = {
        g.student_number: g
        for g in Graduate.objects.filter(institution=institution).select_related("cohort", "programme")
    }
    found = [
        (
            g.diploma_date.isoformat(),
            g.cohort.school_year,
            g.programme.crebo,
            g.level,
            g.birth_year,
            g.location.name if g.location else None,
        )
        for g in (stored[row["studentnummer"]] for row in rows)
    ]
    assert found == [
        ("2024-07-31", 2023, CREBO, None, None, None),
        ("2024-08-01", 2024, CREBO_OTHER, None, None, None),
        ("2024-07-31", 2023, CREBO_OTHER, None, 2004, None),
        ("2025-08-01", 2025, CREBO, None, None, "Noord"),
    ]
    # read back, the same file is unchanged in every column
    again = services.import_file(institution=institution, data=make_csv(rows), file_name="cohort.csv")
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 4)
