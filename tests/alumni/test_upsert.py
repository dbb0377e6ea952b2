"""Re-uploads are an upsert on (institution, student number).

``writing.upsert`` has two ways to store rows: COPY on PostgreSQL and
bulk_create/bulk_update elsewhere. Every test here runs with each path the
database under test has: on SQLite the ORM path, on PostgreSQL both (the ORM
path is chosen by presenting the real connection with another vendor name;
the database itself is real either way).
"""

import datetime

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from alumni import services
from alumni.importing import writing
from alumni.models import Cohort, Graduate, Location, Programme, Upload
from tests.factories.cohort_files import CREBO, CREBO_OTHER, graduate, graduates, make_csv

pytestmark = pytest.mark.django_db

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
WRITE_PATHS = ("copy", "orm") if ON_POSTGRES else ("orm",)


class _ConnectionAs:
    """The real connection under another vendor name (to choose a write path)."""

    def __init__(self, vendor):
        self.vendor = vendor

    def __getattr__(self, name):
        return getattr(connection, name)


@pytest.fixture(params=WRITE_PATHS)
def write_path(request, monkeypatch):
    if request.param == "orm" and ON_POSTGRES:
        monkeypatch.setattr(writing, "connection", _ConnectionAs("sqlite"))
    return request.param


@pytest.fixture
def upload_rows(institution, write_path):
    def run(rows, **kwargs):
        outcome = services.import_file(
            institution=institution, data=make_csv(rows), file_name="cohort.csv", **kwargs
        )
        assert outcome.checked.problems == [], outcome.checked.problems
        return outcome

    return run


def by_number(institution) -> dict[str, Graduate]:
    return {g.student_number: g for g in Graduate.objects.filter(institution=institution)}


def full_graduate(n: int, **cells) -> dict:
    """A row with every optional column filled; ``cells`` override."""
    optional = {
        "tussenvoegsel": "van der",
        "prive_email": f"Eigen{n}@Example.NL",
        "niveau": str(Programme.objects.get(crebo=CREBO).level),
        "leerweg": "bbl",
        "vestiging": "Amstelveen",
        "geslacht": "F",
        "geboortejaar": str(datetime.date.today().year - 19),
    }
    return graduate(n, **{**optional, **cells})


def test_the_write_path_is_the_one_intended(upload_rows, institution, write_path):
    with CaptureQueriesContext(connection) as queries:
        upload_rows(graduates(3))
    inserts = [
        q["sql"] for q in queries if q["sql"].startswith("INSERT") and Graduate._meta.db_table in q["sql"]
    ]
    if write_path == "copy":
        assert inserts == []  # the rows went in by COPY, which Django does not log
    else:
        assert inserts
    assert Graduate.objects.filter(institution=institution).count() == 3


def test_new_rows_are_stored_with_every_field(upload_rows, institution):
    rows = [full_graduate(1), full_graduate(2, tussenvoegsel="", leerweg="BOL", geslacht="m", vestiging="")]
    outcome = upload_rows(rows)
    assert (outcome.counts.new, outcome.counts.updated, outcome.counts.unchanged) == (2, 0, 0)
    stored = by_number(institution)
    programme = Programme.objects.get(crebo=CREBO)
    for row in rows:
        g = stored[row["studentnummer"]]
        local, domain = row["prive_email"].split("@")
        assert (g.first_name, g.name_prefix, g.last_name) == (
            row["voornaam"],
            row["tussenvoegsel"],
            row["achternaam"],
        )
        assert (g.email, g.private_email) == (row["email"], f"{local}@{domain.lower()}")
        assert g.programme == programme
        assert g.level == int(row["niveau"])
        assert g.diploma_date == datetime.date.fromisoformat(row["diplomadatum"])
        assert g.cohort.school_year == (
            g.diploma_date.year if g.diploma_date.month >= 8 else g.diploma_date.year - 1
        )
        assert g.cohort.institution == institution
        assert g.pathway == row["leerweg"].upper()
        assert g.gender == {"f": "v"}.get(row["geslacht"].lower(), row["geslacht"].lower())
        assert g.birth_year == int(row["geboortejaar"])
        assert (g.location.name if g.location else "") == row["vestiging"]
        assert g.last_upload == outcome.upload
        assert g.preferred_language == "nl"
        assert g.created_at is not None and g.updated_at is not None


def test_text_with_csv_and_copy_special_characters_is_stored_exactly(upload_rows, institution):
    names = ['Anne "Annie"', "O'Brien, jr.", "de; Vries", "back\\slash", "\\N", "-1+2", "Ærø ß 漢字"]
    rows = [graduate(n, achternaam=name, tussenvoegsel=name) for n, name in enumerate(names, start=1)]
    upload_rows(rows)
    stored = by_number(institution)
    assert [(stored[r["studentnummer"]].last_name, stored[r["studentnummer"]].name_prefix) for r in rows] == [
        (name, name) for name in names
    ]
    # and a re-upload finds every one of them unchanged
    assert upload_rows(rows).counts.unchanged == len(rows)


def test_reupload_of_the_same_file_changes_nothing(upload_rows, institution):
    rows = [full_graduate(n) for n in range(1, 6)]
    first = upload_rows(rows)
    before = {g.student_number: (g.updated_at, g.last_upload_id) for g in Graduate.objects.all()}
    second = upload_rows(rows)
    assert (second.counts.new, second.counts.updated, second.counts.unchanged) == (0, 0, len(rows))
    upload = Upload.objects.get(pk=second.upload.pk)
    assert (upload.rows_new, upload.rows_updated, upload.rows_unchanged) == (0, 0, len(rows))
    after = {g.student_number: (g.updated_at, g.last_upload_id) for g in Graduate.objects.all()}
    assert after == before
    assert {last for _, last in after.values()} == {first.upload.pk}


def test_one_changed_email_is_exactly_one_update(upload_rows, institution):
    rows = [full_graduate(n) for n in range(1, 6)]
    upload_rows(rows)
    untouched = {g.student_number: g.updated_at for g in Graduate.objects.all()}
    changed = [dict(r) for r in rows]
    changed[2]["email"] = "nieuw.adres@roc.example.nl"
    second = upload_rows(changed)
    assert (second.counts.new, second.counts.updated, second.counts.unchanged) == (0, 1, len(rows) - 1)
    number = changed[2]["studentnummer"]
    stored = by_number(institution)
    assert stored[number].email == changed[2]["email"]
    assert stored[number].last_upload == second.upload
    assert stored[number].updated_at > untouched[number]
    assert {n: g.updated_at for n, g in stored.items() if n != number} == {
        n: t for n, t in untouched.items() if n != number
    }


def test_corrections_update_and_new_students_are_added_in_one_upload(upload_rows, institution):
    rows = graduates(4)
    upload_rows(rows)
    next_rows = [dict(r) for r in rows] + graduates(2, start=5)
    next_rows[0]["achternaam"] = "Gecorrigeerd"
    next_rows[1]["crebo"] = CREBO_OTHER
    next_rows[2]["diplomadatum"] = "2023-07-14"
    outcome = upload_rows(next_rows)
    assert (outcome.counts.new, outcome.counts.updated, outcome.counts.unchanged) == (2, 3, 1)
    stored = by_number(institution)
    assert len(stored) == len(next_rows)
    assert stored[next_rows[0]["studentnummer"]].last_name == "Gecorrigeerd"
    assert stored[next_rows[1]["studentnummer"]].programme.crebo == CREBO_OTHER
    moved = stored[next_rows[2]["studentnummer"]]
    assert moved.diploma_date == datetime.date(2023, 7, 14)
    assert moved.cohort.school_year == 2022


@pytest.mark.parametrize("how", ["blank cells", "columns left out"])
def test_blank_optional_cells_do_not_erase_stored_values(upload_rows, institution, how):
    rows = [full_graduate(n) for n in (1, 2)]
    upload_rows(rows)
    before = {n: Graduate.objects.filter(pk=g.pk).values().get() for n, g in by_number(institution).items()}
    optional = ["tussenvoegsel", "prive_email", "niveau", "leerweg", "vestiging", "geslacht", "geboortejaar"]
    if how == "blank cells":
        again = [dict(r, **dict.fromkeys(optional, "")) for r in rows]
    else:
        again = [{k: v for k, v in r.items() if k not in optional} for r in rows]
    # the first row: school e-mail blank instead (a row needs one address)
    again[0].update(email="", prive_email=rows[0]["prive_email"])
    outcome = upload_rows(again)
    assert (outcome.counts.new, outcome.counts.updated, outcome.counts.unchanged) == (0, 0, 2)
    after = {n: Graduate.objects.filter(pk=g.pk).values().get() for n, g in by_number(institution).items()}
    assert after == before


def test_a_value_given_again_replaces_the_stored_one(upload_rows, institution):
    upload_rows([full_graduate(1)])
    other_level = Programme.objects.get(crebo=CREBO_OTHER).level
    outcome = upload_rows(
        [full_graduate(1, crebo=CREBO_OTHER, niveau=str(other_level), leerweg="BOL", vestiging="Noord")]
    )
    assert outcome.counts.updated == 1
    (g,) = Graduate.objects.filter(institution=institution)
    assert (g.level, g.pathway, g.location.name) == (other_level, "BOL", "Noord")


def test_a_graduate_is_never_duplicated(upload_rows, institution):
    rows = graduates(3)
    for attempt in range(3):
        upload_rows([dict(r, voornaam=f"{r['voornaam']}-{attempt}") for r in rows])
    assert Graduate.objects.filter(institution=institution).count() == len(rows)
    existing = Graduate.objects.filter(institution=institution).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Graduate.objects.create(
            institution=institution,
            student_number=existing.student_number,
            first_name="Dubbel",
            last_name="Dubbel",
            programme=existing.programme,
            diploma_date=existing.diploma_date,
            cohort=existing.cohort,
        )


def test_the_same_student_number_at_another_institution_is_another_graduate(
    upload_rows, institution, other_institution
):
    rows = graduates(2)
    upload_rows(rows)
    services.import_file(institution=other_institution, data=make_csv(rows), file_name="b.csv")
    for inst in (institution, other_institution):
        assert sorted(
            Graduate.objects.filter(institution=inst).values_list("student_number", flat=True)
        ) == sorted(r["studentnummer"] for r in rows)


def test_dry_run_counts_but_writes_nothing(institution, write_path):
    rows = [full_graduate(n) for n in (1, 2, 3)]
    tables = (Graduate, Cohort, Location, Upload)
    before = [model.objects.count() for model in tables]
    dry = services.import_file(institution=institution, data=make_csv(rows), file_name="c.csv", dry_run=True)
    assert not dry.written
    assert [model.objects.count() for model in tables] == before
    real = services.import_file(institution=institution, data=make_csv(rows), file_name="c.csv")
    assert (dry.counts.new, dry.counts.updated, dry.counts.new_locations) == (
        real.counts.new,
        real.counts.updated,
        real.counts.new_locations,
    )

    changed = [dict(r) for r in rows]
    changed[0]["achternaam"] = "Anders"
    snapshot = list(Graduate.objects.order_by("pk").values())
    again = services.import_file(
        institution=institution, data=make_csv(changed), file_name="c.csv", dry_run=True
    )
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 1, len(rows) - 1)
    assert list(Graduate.objects.order_by("pk").values()) == snapshot
