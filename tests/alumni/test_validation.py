"""One test (or a few) per rule of docs/cohort-upload.md: what a file may
contain and how each cell is checked and normalised.

Files go through ``services.check_file`` (read + validate against the real
reference data) or, where the stored result matters, ``services.import_file``.
"""

import datetime

import pytest

from alumni import services
from alumni.importing.problems import message
from alumni.models import Graduate, Location, Programme, Upload
from tests.factories.cohort_files import (
    CREBO,
    CREBO_OTHER,
    CREBO_PRE_2015,
    UNKNOWN_CREBO,
    csv_row_number,
    dutch,
    graduate,
    graduates,
    make_csv,
    make_xlsx,
)
from tests.helpers.upload_report import only_problem, problems_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def check(institution):
    def run(rows, today=None, **file_options):
        return services.check_file(make_csv(rows, **file_options), institution, today=today)

    return run


@pytest.fixture
def store(institution):
    """Import rows; return the outcome (asserting the file was accepted unless told)."""

    def run(rows, accepted=True, **file_options):
        outcome = services.import_file(
            institution=institution, data=make_csv(rows, **file_options), file_name="cohort.csv"
        )
        if accepted:
            assert outcome.written, outcome.checked.problems
        return outcome

    return run


def stored(n: int, institution) -> Graduate:
    return Graduate.objects.get(institution=institution, student_number=graduate(n)["studentnummer"])


def level_of(crebo: str) -> int:
    return Programme.objects.get(crebo=crebo).level


# --- headers ----------------------------------------------------------------

# Every alias the spec names, per Dutch header.
SPEC_ALIASES = {
    "studentnummer": ["student_number", "deelnemernummer", "deelnemersnummer", "leerlingnummer"],
    "voornaam": ["first_name", "roepnaam"],
    "tussenvoegsel": ["name_prefix", "voorvoegsel"],
    "achternaam": ["last_name"],
    "email": ["e-mailadres", "e-mail"],
    "prive_email": ["private_email"],
    "crebo": ["crebonummer", "crebocode", "opleidingscode"],
    "diplomadatum": ["graduation_date", "datum diploma", "datum_diplomering"],
    "niveau": ["level"],
    "leerweg": ["pathway"],
    "vestiging": ["location"],
    "geslacht": ["gender"],
    "geboortejaar": ["birth_year"],
}
FULL_ROW = {
    "tussenvoegsel": "van der",
    "prive_email": "eigen.adres@example.nl",
    "niveau": "",  # filled in per test from the programme
    "leerweg": "BBL",
    "vestiging": "Amstelveen",
    "geslacht": "x",
    "geboortejaar": "2003",
}
# field in CheckedTable.valid for each Dutch header
FIELD = {
    "studentnummer": "student_number",
    "voornaam": "first_name",
    "tussenvoegsel": "name_prefix",
    "achternaam": "last_name",
    "email": "email",
    "prive_email": "private_email",
    "crebo": "crebo",
    "diplomadatum": "diploma_date",
    "niveau": "level",
    "leerweg": "pathway",
    "vestiging": "location",
    "geslacht": "gender",
    "geboortejaar": "birth_year",
}


def full_row(n=1):
    return graduate(n, **dict(FULL_ROW, niveau=str(level_of(CREBO))))


@pytest.mark.parametrize(
    ("dutch_header", "alias"),
    [(header, alias) for header, aliases in SPEC_ALIASES.items() for alias in aliases],
)
def test_header_aliases_from_the_spec_are_recognised(check, dutch_header, alias):
    row = full_row()
    reference = check([row])
    checked = check([row], rename={dutch_header: alias})
    assert checked.problems == []
    assert checked.ignored_columns == []
    field = FIELD[dutch_header]
    assert checked.valid[field].tolist() == reference.valid[field].tolist()


@pytest.mark.parametrize(
    ("dutch_header", "written"),
    [
        ("studentnummer", " STUDENT-NUMMER "),
        ("studentnummer", "Student Number"),
        ("voornaam", "Vóórnaam"),
        ("achternaam", "achter_naam"),
        ("email", "E-MAILADRES"),
        ("prive_email", "Privé-e-mail"),
        ("diplomadatum", "DATUM-DIPLOMA"),
        ("diplomadatum", "Datum_Diploma"),
        ("geboortejaar", "Geboorte jaar"),
        ("crebo", "Crebo_Nummer"),
    ],
)
def test_headers_ignore_case_accents_spaces_dashes_and_underscores(check, dutch_header, written):
    row = full_row()
    checked = check([row], rename={dutch_header: written})
    assert checked.problems == []
    assert checked.ignored_columns == []
    assert checked.valid[FIELD[dutch_header]].tolist() == check([row]).valid[FIELD[dutch_header]].tolist()


def test_unknown_columns_are_reported_as_ignored_not_fatal(store):
    rows = graduates(2, opmerking="let op", Klas="4B")
    outcome = store(rows)
    assert outcome.checked.ignored_columns == ["opmerking", "Klas"]
    ignored = problems_with(outcome.checked.warnings, "ignored_column")
    assert [w["column"] for w in ignored] == ["opmerking", "Klas"]
    assert "opmerking" in message(ignored[0])
    assert outcome.counts.new == len(rows)
    assert outcome.upload.report["ignored_columns"] == ["opmerking", "Klas"]


@pytest.mark.parametrize("missing", ["studentnummer", "voornaam", "achternaam", "crebo", "diplomadatum"])
def test_a_missing_required_column_is_named(check, missing):
    checked = check(graduates(2), drop=(missing,))
    problem = only_problem(checked.problems, "missing_column")
    assert problem["column"] == missing
    assert problem["row"] is None
    assert missing in message(problem)
    assert checked.valid.empty


def test_the_same_field_twice_is_an_error(check):
    rows = [dict(graduate(1), **{"E-mail": "ander@roc.example.nl"})]
    problem = only_problem(check(rows).problems, "duplicate_column")
    assert "email" in problem["params"]["headers"] and "E-mail" in problem["params"]["headers"]


# --- text -------------------------------------------------------------------


def test_student_numbers_keep_leading_zeros(store, institution):
    rows = [graduate(1, studentnummer="000123"), graduate(2, studentnummer="123")]
    store(rows)
    assert set(Graduate.objects.values_list("student_number", flat=True)) == {"000123", "123"}


def test_excel_text_formula_around_a_student_number_is_unwrapped(store, institution):
    store([graduate(1, studentnummer='="00123"')])
    assert Graduate.objects.get(institution=institution).student_number == "00123"


@pytest.mark.parametrize("header", ["voornaam", "achternaam", "studentnummer"])
def test_required_text_may_not_be_blank(check, header):
    rows = graduates(3)
    rows[1][header] = "  "
    problem = only_problem(check(rows).problems, "required")
    assert (problem["row"], problem["column"]) == (csv_row_number(1), header)


def test_text_longer_than_the_field_is_an_error(check):
    limit = Graduate._meta.get_field("student_number").max_length
    rows = [graduate(1, studentnummer="1" * (limit + 1)), graduate(2, studentnummer="2" * limit)]
    problem = only_problem(check(rows).problems, "too_long")
    assert (problem["row"], problem["column"], problem["params"]["max"]) == (2, "studentnummer", limit)


# --- e-mail -----------------------------------------------------------------


def test_email_domain_is_lower_cased_and_local_part_kept(store, institution):
    address = "Jan.De.Vries@ROC.Example.NL"
    private = "Jan@GMAIL.com"
    store([graduate(1, email=address, prive_email=private)])
    found = stored(1, institution)
    local, domain = address.rsplit("@", 1)
    assert found.email == f"{local}@{domain.lower()}"
    assert found.private_email == f"{private.split('@')[0]}@{private.split('@')[1].lower()}"


@pytest.mark.parametrize("bad", ["jan.roc.example.nl", "jan@", "@roc.example.nl", "jan@roc", "jan @roc.nl"])
def test_an_invalid_email_is_an_error_naming_row_and_column(check, bad):
    rows = graduates(3)
    rows[2]["email"] = bad
    problem = only_problem(check(rows).problems, "email_invalid")
    assert (problem["row"], problem["column"], problem["value"]) == (csv_row_number(2), "email", bad.strip())
    assert bad.strip() in message(problem)


def test_an_invalid_private_email_drops_the_cell_not_the_row(store, institution):
    rows = [graduate(1, prive_email="geen-adres"), graduate(2, prive_email="eigen@example.nl")]
    outcome = store(rows)
    assert outcome.checked.problems == []
    warning = only_problem(outcome.checked.warnings, "private_email_dropped")
    assert (warning["row"], warning["column"], warning["value"]) == (2, "prive_email", "geen-adres")
    assert "geen-adres" in message(warning)
    assert stored(1, institution).private_email == ""
    assert stored(1, institution).email == graduate(1)["email"]
    assert stored(2, institution).private_email == "eigen@example.nl"


def test_an_invalid_private_email_as_the_only_address_still_rejects_the_row(check):
    checked = check([graduate(1, email="", prive_email="geen-adres")])
    assert [p["code"] for p in checked.problems] == ["email_missing"]
    assert [w["code"] for w in checked.warnings] == ["private_email_dropped"]


def test_at_least_one_email_per_row(check):
    rows = [
        graduate(1, email="", prive_email=""),
        graduate(2, email="", prive_email="eigen@example.nl"),
        graduate(3, prive_email=""),
    ]
    checked = check(rows)
    problem = only_problem(checked.problems, "email_missing")
    assert problem["row"] == csv_row_number(0)
    assert checked.valid["student_number"].tolist() == [rows[1]["studentnummer"], rows[2]["studentnummer"]]


def test_a_private_email_column_alone_is_enough(check):
    rows = [graduate(n, prive_email=f"eigen{n}@example.nl") for n in (1, 2)]
    checked = check(rows, drop=("email",))
    assert checked.problems == []
    assert len(checked.valid) == 2


def test_a_file_without_any_email_column_is_rejected(check):
    problem = only_problem(check(graduates(2), drop=("email",)).problems, "missing_email_column")
    assert problem["row"] is None


# --- crebo ------------------------------------------------------------------


@pytest.mark.parametrize("written", [f"{CREBO}.0", f" {CREBO} ", f"{CREBO}.00"])
def test_crebo_as_excel_float_or_with_spaces_is_normalised(check, written):
    checked = check([graduate(1, crebo=written)])
    assert checked.problems == []
    assert checked.valid["crebo"].tolist() == [CREBO]
    assert checked.valid["programme_id"].tolist() == [Programme.objects.get(crebo=CREBO).pk]


def test_crebo_from_the_2014_list_is_accepted(check):
    checked = check([graduate(1, crebo=CREBO_PRE_2015)])
    assert checked.problems == []


@pytest.mark.parametrize("written", [CREBO[:4], CREBO + "0", "25l80", "crebo"])
def test_a_crebo_that_is_not_five_digits_is_an_error(check, written):
    rows = graduates(2)
    rows[1]["crebo"] = written
    problem = only_problem(check(rows).problems, "crebo_format")
    assert (problem["row"], problem["column"], problem["value"]) == (3, "crebo", written)


def test_an_unknown_crebo_is_an_error(check):
    assert not Programme.objects.filter(crebo=UNKNOWN_CREBO).exists()
    rows = graduates(2)
    rows[0]["crebo"] = UNKNOWN_CREBO
    problem = only_problem(check(rows).problems, "crebo_unknown")
    assert (problem["row"], problem["column"]) == (2, "crebo")
    assert UNKNOWN_CREBO in message(problem)


def test_a_programme_added_by_the_institution_makes_its_crebo_known(check, institution):
    rows = [graduate(1, crebo=UNKNOWN_CREBO)]
    assert problems_with(check(rows).problems, "crebo_unknown")
    Programme.objects.create(
        crebo=UNKNOWN_CREBO,
        name="Eigen opleiding",
        level=3,
        source=Programme.Source.LOCAL,
        added_by=institution,
    )
    assert check(rows).problems == []


# --- diploma date ------------------------------------------------------------

A_DAY = datetime.date(2024, 7, 1)


@pytest.mark.parametrize(
    "written",
    [
        A_DAY.isoformat(),
        dutch(A_DAY),
        dutch(A_DAY, pad=False),
        dutch(A_DAY, sep="/"),
        f"{A_DAY.isoformat()} 00:00:00",
        str((A_DAY - datetime.date(1899, 12, 30)).days),  # Excel serial number
    ],
)
def test_diploma_date_formats(check, written):
    checked = check([graduate(1, diplomadatum=written)])
    assert checked.problems == []
    assert checked.valid["diploma_date"].tolist() == [A_DAY]


def test_diploma_date_from_an_excel_date_cell(institution):
    data = make_xlsx(
        [graduate(1, diplomadatum=A_DAY), graduate(2, diplomadatum=datetime.datetime(2023, 12, 31))]
    )
    checked = services.check_file(data, institution)
    assert checked.problems == []
    assert checked.valid["diploma_date"].tolist() == [A_DAY, datetime.date(2023, 12, 31)]


def test_day_comes_before_month_in_dutch_dates(check):
    checked = check([graduate(1, diplomadatum="1-7-2024"), graduate(2, diplomadatum="12/1/2024")])
    assert checked.valid["diploma_date"].tolist() == [datetime.date(2024, 7, 1), datetime.date(2024, 1, 12)]


@pytest.mark.parametrize("written", ["31-02-2024", "2024-13-01", "13/13/2024", "gisteren", "2024"])
def test_a_value_that_is_no_date_is_an_error(check, written):
    rows = graduates(2)
    rows[1]["diplomadatum"] = written
    problem = only_problem(check(rows).problems, "date_invalid")
    assert (problem["row"], problem["column"], problem["value"]) == (3, "diplomadatum", written)


def test_diploma_date_not_in_the_future(check):
    today = datetime.date.today()
    rows = [
        graduate(1, diplomadatum=dutch(today)),
        graduate(2, diplomadatum=dutch(today + datetime.timedelta(days=1))),
        graduate(3, diplomadatum=(today + datetime.timedelta(days=400)).isoformat()),
    ]
    problems = check(rows, today=today).problems
    assert [(p["code"], p["row"], p["column"]) for p in problems] == [
        ("date_future", 3, "diplomadatum"),
        ("date_future", 4, "diplomadatum"),
    ]


def test_diploma_date_not_before_2000(check):
    rows = [graduate(1, diplomadatum="01-01-2000"), graduate(2, diplomadatum="31-12-1999")]
    problem = only_problem(check(rows).problems, "date_too_old")
    assert (problem["row"], problem["value"]) == (3, "31-12-1999")


def test_cohort_is_the_school_year_of_the_diploma_date(store, institution):
    store([graduate(1, diplomadatum="31-07-2024"), graduate(2, diplomadatum="01-08-2024")])
    assert stored(1, institution).cohort.school_year == 2023
    assert stored(2, institution).cohort.school_year == 2024


# --- niveau, leerweg, geslacht, brin ---------------------------------------------


def test_level_that_agrees_with_the_programme_is_accepted(check):
    level = level_of(CREBO)
    checked = check(
        [graduate(1, niveau=str(level)), graduate(2, niveau=f"{level}.0"), graduate(3, niveau="")]
    )
    assert checked.problems == []
    assert checked.valid["level"].tolist()[:2] == [level, level]


def test_level_must_agree_with_the_programme(check):
    level, other = level_of(CREBO), level_of(CREBO_OTHER)
    assert level != other
    rows = [graduate(1, niveau=str(other)), graduate(2, crebo=CREBO_OTHER, niveau=str(other))]
    problem = only_problem(check(rows).problems, "level_mismatch")
    assert (problem["row"], problem["column"], problem["value"]) == (2, "niveau", str(other))
    assert problem["params"] == {"expected": level, "crebo": CREBO}


@pytest.mark.parametrize("written", ["0", "5", "twee", "2a"])
def test_level_must_be_1_to_4(check, written):
    problem = only_problem(check([graduate(1, niveau=written)]).problems, "level_invalid")
    assert problem["column"] == "niveau"


@pytest.mark.parametrize(("written", "expected"), [("BOL", "BOL"), ("bbl", "BBL"), ("Bol", "BOL"), ("", "")])
def test_pathway_bol_or_bbl_in_any_case(check, written, expected):
    checked = check([graduate(1, leerweg=written)])
    assert checked.problems == []
    assert checked.valid["pathway"].tolist() == [expected]


def test_another_pathway_is_an_error(check):
    problem = only_problem(check([graduate(1, leerweg="BOL/BBL")]).problems, "pathway_invalid")
    assert (problem["row"], problem["column"]) == (2, "leerweg")


@pytest.mark.parametrize(
    ("written", "expected"),
    [("m", "m"), ("M", "m"), ("v", "v"), ("V", "v"), ("f", "v"), ("F", "v"), ("x", "x")],
)
def test_gender_m_v_f_x(check, written, expected):
    checked = check([graduate(1, geslacht=written)])
    assert checked.problems == []
    assert checked.valid["gender"].tolist() == [expected]


def test_another_gender_is_an_error(check):
    problem = only_problem(check([graduate(1, geslacht="q")]).problems, "gender_invalid")
    assert (problem["row"], problem["column"]) == (2, "geslacht")


@pytest.mark.parametrize("written", ["99XA", "99xa", " 99XA ", ""])
def test_brin_column_matching_the_institution_is_accepted(check, institution, written):
    assert institution.brin == "99XA"
    assert check([graduate(1, brin=written)]).problems == []


def test_brin_column_for_another_institution_is_an_error(check, institution, other_institution):
    problem = only_problem(check([graduate(1, brin=other_institution.brin)]).problems, "brin_mismatch")
    assert (problem["row"], problem["column"], problem["value"]) == (2, "brin", other_institution.brin)
    assert problem["params"]["expected"] == institution.brin


# --- birth year and birth date ------------------------------------------------------


def test_birth_year_four_digits(check):
    year = datetime.date.today().year - 20
    checked = check([graduate(1, geboortejaar=str(year)), graduate(2, geboortejaar=f"{year}.0")])
    assert checked.problems == []
    assert checked.valid["birth_year"].tolist() == [year, year]


@pytest.mark.parametrize("written", ["03", "200", "20031", "abcd", str(datetime.date.today().year)])
def test_birth_year_not_four_plausible_digits_is_an_error(check, written):
    problem = only_problem(check([graduate(1, geboortejaar=written)]).problems, "birth_year_invalid")
    assert (problem["row"], problem["column"]) == (2, "geboortejaar")


def test_birth_date_is_reduced_to_its_year_and_not_stored(store, institution):
    birth = datetime.date(2003, 5, 17)
    outcome = store([graduate(1, geboortedatum=dutch(birth))])
    assert stored(1, institution).birth_year == birth.year
    only_problem(outcome.checked.warnings, "birth_date_reduced")
    upload = Upload.objects.get(pk=outcome.upload.pk)
    assert dutch(birth) not in str(upload.report)
    stored_values = Graduate.objects.filter(institution=institution).values().get().values()
    assert birth not in stored_values
    assert dutch(birth) not in [str(v) for v in stored_values]


def test_full_birth_date_is_not_kept_in_the_report_of_a_rejected_row(institution):
    birth = datetime.date(2002, 11, 3)
    rows = [graduate(1, geboortedatum=dutch(birth), crebo="123"), graduate(2, geboortedatum="")]
    outcome = services.import_file(
        institution=institution, data=make_csv(rows), file_name="c.csv", import_valid_rows=True
    )
    assert outcome.written
    report = str(Upload.objects.get(pk=outcome.upload.pk).report)
    assert dutch(birth) not in report
    # the rows to fix still carry the year, so a corrected file keeps it
    (rejected,) = outcome.upload.report["rejected_rows"]
    assert rejected["geboortejaar"] == str(birth.year)
    assert "geboortedatum" not in rejected


def test_an_invalid_birth_date_is_an_error(check):
    problem = only_problem(check([graduate(1, geboortedatum="31-02-2003")]).problems, "birth_date_invalid")
    assert (problem["row"], problem["column"]) == (2, "geboortedatum")


# --- duplicates, formulas, locations -------------------------------------------------


def test_duplicate_student_numbers_in_one_file_are_errors(check):
    rows = graduates(4)
    rows[3]["studentnummer"] = rows[1]["studentnummer"]
    checked = check(rows)
    found = problems_with(checked.problems, "duplicate_student_number")
    assert [(p["row"], p["column"]) for p in found] == [(3, "studentnummer"), (5, "studentnummer")]
    assert found[0]["params"]["rows"] == "5"
    assert found[1]["params"]["rows"] == "3"
    assert "5" in message(found[0])
    assert sorted(checked.valid["row"].tolist()) == [2, 4]


@pytest.mark.parametrize("char", ["=", "@"])
def test_values_starting_like_a_formula_are_errors(check, char):
    checked = check([graduate(1, voornaam=f'{char}HYPERLINK("http://x")', tussenvoegsel=f"{char}1+1")])
    found = problems_with(checked.problems, "formula")
    assert [(p["row"], p["column"]) for p in found] == [(2, "voornaam"), (2, "tussenvoegsel")]
    assert all(p["params"]["char"] == char for p in found)
    assert checked.valid.empty


@pytest.mark.parametrize("char", ["+", "-"])
def test_values_starting_with_plus_or_minus_are_stored_as_text(store, institution, char):
    first = f'{char}HYPERLINK("http://x")'
    outcome = store([graduate(1, voornaam=first, tussenvoegsel=f"{char}1+1")])
    graduate_ = stored(1, institution)
    assert (graduate_.first_name, graduate_.name_prefix) == (first, f"{char}1+1")
    notes = problems_with(outcome.checked.warnings, "formula_like")
    assert [(n["row"], n["column"]) for n in notes] == [(2, "voornaam"), (2, "tussenvoegsel")]


def test_new_locations_are_created_on_first_use_and_reported(store, institution):
    rows = [
        graduate(1, vestiging="Amstelveen"),
        graduate(2, vestiging="amstelveen"),
        graduate(3, vestiging="99XA46"),
    ]
    first = store(rows)
    reported = sorted(w["value"].lower() for w in problems_with(first.checked.warnings, "new_location"))
    created = Location.objects.filter(institution=institution)
    assert sorted(loc.name.lower() for loc in created) == reported == ["99xa46", "amstelveen"]
    assert first.counts.new_locations == len(reported) == first.upload.report["new_locations"]
    assert all(loc.created_by_upload_id == first.upload.pk for loc in created)
    assert created.get(name="99XA46").code == "99XA46"
    assert stored(1, institution).location_id == stored(2, institution).location_id

    again = store([graduate(4, vestiging="AMSTELVEEN"), graduate(5, vestiging="99xa46")])
    assert problems_with(again.checked.warnings, "new_location") == []
    assert again.counts.new_locations == 0
    assert Location.objects.filter(institution=institution).count() == len(reported)
    assert stored(4, institution).location_id == stored(1, institution).location_id


def test_locations_of_another_institution_are_not_used(store, institution, other_institution):
    Location.objects.create(institution=other_institution, name="Amstelveen")
    outcome = store([graduate(1, vestiging="Amstelveen")])
    assert [w["value"] for w in problems_with(outcome.checked.warnings, "new_location")] == ["Amstelveen"]
    assert stored(1, institution).location.institution == institution


def test_every_problem_of_every_row_is_reported_at_once(check):
    rows = graduates(3)
    rows[0].update(email="fout", crebo="1")
    rows[2].update(diplomadatum="morgen", geslacht="?")
    checked = check(rows)
    assert sorted((p["row"], p["code"]) for p in checked.problems) == [
        (2, "crebo_format"),
        (2, "email_invalid"),
        (4, "date_invalid"),
        (4, "gender_invalid"),
    ]
    assert checked.valid["row"].tolist() == [3]
    assert [r["rij"] for r in checked.rejected_rows] == [2, 4]
