"""``load_reference_data`` is idempotent: a second run creates and updates nothing.

The test database has the reference data loaded once (tests/conftest.py);
expected numbers come from the CSV files in alumni/refdata.
"""

import csv
import io

import pytest
from django.core.management import call_command

from alumni.models import EducationDomain, OccupationGroup, Programme, ProgrammeGroup, SbiSection
from alumni.reference import REFDATA
from tests.factories.cohort_files import CREBO, CREBO_OTHER, CREBO_PRE_2015, UNKNOWN_CREBO

pytestmark = pytest.mark.django_db

MODELS = (EducationDomain, ProgrammeGroup, Programme, SbiSection, OccupationGroup)
UP_TO_DATE = "0 created, 0 updated"


def rows(name: str) -> list[dict]:
    with open(REFDATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def qualifications() -> dict[str, dict]:
    """crebo -> row; the 2015 list wins over the 2014 list, as in the loader."""
    found = {}
    for name in ("mbo_kwalificaties_2014.csv", "mbo_kwalificaties_hks_2015.csv"):
        found.update({r["kwalificatie_crebo"]: r for r in rows(name)})
    return found


def load() -> str:
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_counts_match_the_source_files():
    assert counts() == {
        "EducationDomain": len(rows("mbo_opleidingsdomeinen.csv")),
        "ProgrammeGroup": len({r["requested_programme"] for r in rows("mbo_crebo_selected_programmes.csv")}),
        "Programme": len(qualifications()),
        "SbiSection": len(rows("sbi2008_sections.csv")),
        "OccupationGroup": len(rows("isco08_structure.csv")),
    }


def test_the_crebos_the_tests_use_are_real_and_levels_as_listed():
    listed = qualifications()
    for crebo in (CREBO, CREBO_OTHER, CREBO_PRE_2015):
        assert Programme.objects.get(crebo=crebo).level == int(listed[crebo]["niveau"])
    assert UNKNOWN_CREBO not in listed


def test_running_twice_changes_nothing():
    before = counts()
    programmes = list(Programme.objects.order_by("crebo").values())
    for _ in range(2):
        output = load()
        assert UP_TO_DATE in output
        assert "created:" not in output and "updated:" not in output
    assert counts() == before
    assert list(Programme.objects.order_by("crebo").values()) == programmes


def test_a_run_repairs_missing_and_changed_rows_and_the_next_changes_nothing():
    before = counts()
    changed = Programme.objects.get(crebo=CREBO)
    listed_name = changed.name
    changed.name = "Verkeerd"
    changed.save()
    SbiSection.objects.filter(code="U").delete()
    leaf = OccupationGroup.objects.filter(level=4).order_by("code").first()
    leaf.delete()

    output = load()
    assert "programmes updated: 1" in output
    assert "SBI sections created: 1" in output
    assert "ISCO-08 groups created: 1" in output
    assert counts() == before
    assert Programme.objects.get(crebo=CREBO).name == listed_name

    again = load()
    assert UP_TO_DATE in again
    assert counts() == before
