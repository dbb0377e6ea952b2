"""Real-world files through every way in: the ``import_cohort`` command,
``services.import_file`` and the web flow's ``receive_upload`` +
``confirm_upload`` (see the ``import_cohort`` fixture).

Good files are imported whole. A file with errors is rejected: every problem
is reported with the Excel row and the column, the command exits 1 and
nothing is written, unless the valid rows were asked for: then exactly those
are imported, the bad ones are listed and the command exits 2.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from alumni import services
from alumni.importing.problems import message
from alumni.models import Graduate, Programme, Upload
from tests.factories.cohort_files import (
    CREBO,
    UNKNOWN_CREBO,
    columns_of,
    csv_row_number,
    dutch,
    graduate,
    graduates,
    make_csv,
    make_xlsx,
    student_number,
)
from tests.helpers.upload_report import read_report_csv

pytestmark = pytest.mark.django_db

SEEDED = (101, 102)  # graduates stored before each file, to see that nothing changes


@pytest.fixture
def seeded(institution):
    services.import_file(
        institution=institution, data=make_csv([graduate(n) for n in SEEDED]), file_name="seed.csv"
    )
    return snapshot(institution)


def snapshot(institution) -> dict[str, dict]:
    return {row["student_number"]: row for row in Graduate.objects.filter(institution=institution).values()}


def numbers(institution) -> set[str]:
    return set(Graduate.objects.filter(institution=institution).values_list("student_number", flat=True))


# --- good files -----------------------------------------------------------


@dataclass
class GoodFile:
    rows: list[dict]
    data: bytes
    file_name: str
    ignored: list[str] = field(default_factory=list)


def _names_rows():
    names = [("Zoë", "d’Ancona"), ("Renée", "Hoëvenaars"), ("Ünal", "Çelik")]
    return [graduate(n, voornaam=first, achternaam=last) for n, (first, last) in enumerate(names, start=1)]


def windows_1252_semicolon():
    rows = _names_rows()
    return GoodFile(rows, make_csv(rows, delimiter=";", encoding="cp1252", newline="\r\n"), "export.csv")


def utf8_with_bom():
    rows = _names_rows()
    return GoodFile(rows, make_csv(rows, delimiter=";", encoding="utf-8-sig"), "export.csv")


def latin1_tab_crlf():
    rows = [graduate(1, achternaam="Öztürk"), graduate(2, achternaam="Müller", tussenvoegsel="von")]
    return GoodFile(rows, make_csv(rows, delimiter="\t", encoding="latin-1", newline="\r\n"), "export.txt")


def xlsx_with_date_cells():
    rows = [
        graduate(1, crebo=float(CREBO), diplomadatum=datetime.date(2024, 7, 5), notitie="herkansing"),
        graduate(2, crebo=float(CREBO), diplomadatum=datetime.datetime(2023, 12, 20), notitie=""),
    ]
    return GoodFile(rows, make_xlsx(rows, blank_rows_above=2), "cohort.xlsx", ignored=["notitie"])


def dutch_dates():
    year = datetime.date.today().year - 1
    days = ["31-12-{y}", "1-7-{y}", "31/12/{y}"]
    rows = [graduate(n, diplomadatum=day.format(y=year)) for n, day in enumerate(days, start=1)]
    return GoodFile(rows, make_csv(rows), "cohort.csv")


def formula_values():
    """'+' and '-' at the start of a cell are kept as text (with a note)."""
    rows = [
        graduate(1, achternaam="+31 6 12345678", tussenvoegsel="-"),
        graduate(2, achternaam="-Jansen"),
    ]
    return GoodFile(rows, make_csv(rows), "cohort.csv")


GOOD_FILES = [
    windows_1252_semicolon,
    utf8_with_bom,
    latin1_tab_crlf,
    xlsx_with_date_cells,
    dutch_dates,
    formula_values,
]


def expected_date(cell) -> datetime.date:
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if re.fullmatch(r"\d{4}-\d\d-\d\d", cell):
        return datetime.date.fromisoformat(cell)
    day, month, year = re.split(r"[-/]", cell)
    return datetime.date(int(year), int(month), int(day))


@pytest.mark.parametrize("build", GOOD_FILES, ids=lambda b: b.__name__)
def test_good_files_are_imported_whole(import_cohort, institution, seeded, build):
    good = build()
    result = import_cohort(good.data, good.file_name)
    assert result.problems == []
    assert result.written
    stored = snapshot(institution)
    assert set(stored) == set(seeded) | {r["studentnummer"] for r in good.rows}
    programme = Programme.objects.get(crebo=CREBO)
    for row in good.rows:
        g = stored[row["studentnummer"]]
        assert (g["first_name"], g["name_prefix"], g["last_name"]) == (
            row["voornaam"],
            row["tussenvoegsel"],
            row["achternaam"],
        )
        assert g["programme_id"] == programme.pk
        assert g["diploma_date"] == expected_date(row["diplomadatum"])
    assert result.upload.report["ignored_columns"] == good.ignored
    assert (result.upload.rows_new, result.upload.rows_rejected) == (len(good.rows), 0)
    if result.command:
        assert result.command.returncode == 0
        assert f"{len(good.rows)} new" in result.command.stdout


def test_formula_values_are_flagged_and_stored_as_text(import_cohort, institution):
    good = formula_values()
    result = import_cohort(good.data)
    flagged = {(w["row"], w["column"]) for w in result.warnings if w["code"] == "formula_like"}
    assert flagged == {(2, "achternaam"), (2, "tussenvoegsel"), (3, "achternaam")}
    stored = snapshot(institution)
    assert stored[good.rows[0]["studentnummer"]]["last_name"] == good.rows[0]["achternaam"]
    if result.command:
        assert "warning" in result.command.stdout


# --- files with errors ----------------------------------------------------------


@dataclass
class BadFile:
    data: bytes
    expected: list[tuple[int | None, str | None]]  # (row, column) of each problem
    file_name: str = "cohort.csv"
    good_numbers: set[str] = field(default_factory=set)  # rows that are fine
    bad_numbers: set[str] = field(default_factory=set)  # rows that are not
    settings: dict = field(default_factory=dict)


def _with(rows: list[dict], index: int, **cells) -> list[dict]:
    rows = [dict(r) for r in rows]
    rows[index].update(cells)
    return rows


def _rows() -> list[dict]:
    """Five rows; the first corrects a stored graduate."""
    return [graduate(SEEDED[0], achternaam="Gecorrigeerd"), *graduates(4)]


def _split(rows: list[dict], bad: list[int]) -> dict:
    return {
        "good_numbers": {r["studentnummer"] for i, r in enumerate(rows) if i not in bad},
        "bad_numbers": {rows[i]["studentnummer"] for i in bad},
    }


def duplicate_student_numbers():
    rows = _with(_rows(), 3, studentnummer=_rows()[1]["studentnummer"])
    bad = [1, 3]
    return BadFile(
        make_csv(rows),
        [(csv_row_number(i), "studentnummer") for i in bad],
        **_split(rows, bad),
    )


def missing_required_column():
    return BadFile(make_csv(_rows(), drop=("achternaam",)), [(None, "achternaam")])


def invalid_email():
    rows = _with(_rows(), 2, email="jan.jansen@roc")
    return BadFile(make_csv(rows), [(csv_row_number(2), "email")], **_split(rows, [2]))


def four_digit_crebo():
    rows = _with(_rows(), 4, crebo=CREBO[1:])
    return BadFile(make_csv(rows), [(csv_row_number(4), "crebo")], **_split(rows, [4]))


def six_digit_crebo():
    rows = _with(_rows(), 1, crebo=CREBO + "1")
    return BadFile(make_csv(rows), [(csv_row_number(1), "crebo")], **_split(rows, [1]))


def unknown_crebo():
    assert not Programme.objects.filter(crebo=UNKNOWN_CREBO).exists()
    rows = _with(_rows(), 1, crebo=UNKNOWN_CREBO)
    return BadFile(make_csv(rows), [(csv_row_number(1), "crebo")], **_split(rows, [1]))


def future_diploma_date():
    future = datetime.date.today() + datetime.timedelta(days=30)
    rows = _with(_rows(), 2, diplomadatum=dutch(future))
    return BadFile(make_csv(rows), [(csv_row_number(2), "diplomadatum")], **_split(rows, [2]))


def xlsx_invalid_email_below_blank_rows():
    rows = _with(_rows(), 0, email="geen adres")
    # two blank rows, the header on row 3: the first data row is row 4
    return BadFile(make_xlsx(rows, blank_rows_above=2), [(4, "email")], "cohort.xlsx", **_split(rows, [0]))


def empty_file():
    return BadFile(b"", [(None, None)])


def header_only():
    return BadFile(make_csv([], columns=columns_of(_rows())), [(None, None)])


def values_starting_with_formula_signs():
    """'=' and '@' start a spreadsheet formula: errors, named by row and column."""
    rows = _with(_rows(), 1, voornaam='=HYPERLINK("http://evil.example","klik")')
    rows = _with(rows, 3, achternaam="@SUM(A1)")
    return BadFile(
        make_csv(rows),
        [(csv_row_number(1), "voornaam"), (csv_row_number(3), "achternaam")],
        **_split(rows, [1, 3]),
    )


def binary_named_csv():
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    return BadFile(data, [(None, None)], "cohort.csv")


def over_size_limit():
    data = make_csv(_rows())
    return BadFile(data, [(None, None)], settings={"ALUMNI_UPLOAD_MAX_BYTES": len(data) - 1})


BAD_FILES = [
    values_starting_with_formula_signs,
    duplicate_student_numbers,
    missing_required_column,
    invalid_email,
    four_digit_crebo,
    six_digit_crebo,
    unknown_crebo,
    future_diploma_date,
    xlsx_invalid_email_below_blank_rows,
    empty_file,
    header_only,
    binary_named_csv,
    over_size_limit,
]
FILE_LEVEL = {missing_required_column, empty_file, header_only, binary_named_csv, over_size_limit}


def assert_problems_named(result, bad: BadFile):
    found = [(p["row"], p["column"]) for p in result.problems]
    assert found == bad.expected, result.problems
    for problem in result.problems:
        text = message(problem)
        assert text and text != problem["code"]
        if problem["value"]:
            assert problem["value"] in text or problem["code"] in ("duplicate_student_number",)
    if result.command:
        err = result.command.stderr
        for row, column in bad.expected:
            assert any(
                (row is None or re.search(rf"\b{row}\b", line)) and (column is None or f"'{column}'" in line)
                for line in err.splitlines()
            ), err


@pytest.mark.parametrize("build", BAD_FILES, ids=lambda b: b.__name__)
def test_a_file_with_errors_is_rejected_and_nothing_is_imported(import_cohort, institution, seeded, build):
    bad = build()
    uploads_before = Upload.objects.count()
    with override_settings(**bad.settings):
        result = import_cohort(bad.data, bad.file_name)
    assert_problems_named(result, bad)
    assert not result.written
    assert result.upload.status == Upload.Status.REJECTED
    assert snapshot(institution) == seeded
    assert Upload.objects.count() == uploads_before + 1
    if result.command:
        assert result.command.returncode == 1
        assert "nothing" in result.command.message


@pytest.mark.parametrize("build", [b for b in BAD_FILES if b not in FILE_LEVEL], ids=lambda b: b.__name__)
def test_import_valid_rows_imports_exactly_the_good_rows(import_cohort, institution, seeded, build):
    bad = build()
    result = import_cohort(bad.data, bad.file_name, import_valid_rows=True)
    assert_problems_named(result, bad)
    assert result.written
    stored = snapshot(institution)
    assert set(stored) == set(seeded) | bad.good_numbers
    assert not (set(stored) - set(seeded)) & bad.bad_numbers
    corrected = student_number(SEEDED[0])
    if corrected in bad.good_numbers:
        assert stored[corrected]["last_name"] == "Gecorrigeerd"
        assert result.upload.rows_updated == 1
    else:
        assert stored[corrected] == seeded[corrected]
    listed = result.upload.report["rejected_rows"]
    assert sorted(r["rij"] for r in listed) == sorted({row for row, _ in bad.expected})
    assert {r["studentnummer"] for r in listed} == bad.bad_numbers
    assert result.upload.rows_rejected == len(listed)
    if result.command:
        assert result.command.returncode == 2
        rows_csv = result.command.stderr.split("Rows to fix and upload again: ")[1].strip()
        written = read_report_csv(Path(rows_csv).read_text(encoding="utf-8"))
        # student numbers are text cells for Excel: ="0000001"
        column = written[0].index("studentnummer")
        assert {line[column] for line in written[1:]} == {f'="{n}"' for n in bad.bad_numbers}


@pytest.mark.parametrize(
    "build", [b for b in BAD_FILES if b in FILE_LEVEL and b is not over_size_limit], ids=lambda b: b.__name__
)
def test_import_valid_rows_does_not_rescue_a_file_that_cannot_be_read(
    import_cohort, institution, seeded, build
):
    bad = build()
    result = import_cohort(bad.data, bad.file_name, import_valid_rows=True)
    assert not result.written
    assert snapshot(institution) == seeded
    if result.command:
        assert result.command.returncode == 1


# --- what every upload leaves behind ------------------------------------------------------


def test_every_upload_is_recorded_and_its_file_deleted(
    import_cohort, institution, institution_admin, private_storage
):
    rows = graduates(3)
    data = make_csv(_with(rows, 2, crebo="1"))
    result = import_cohort(data, "lijst 2025.csv", import_valid_rows=True)
    upload = Upload.objects.get(pk=result.upload.pk)
    assert upload.institution == institution
    assert upload.file_name == "lijst 2025.csv"
    assert upload.file_sha256 == hashlib.sha256(data).hexdigest()
    assert upload.file_size == len(data)
    assert upload.uploaded_at is not None and upload.imported_at is not None
    assert upload.uploaded_by == (institution_admin if import_cohort.channel == "web-service" else None)
    assert upload.via == ("command" if import_cohort.channel != "web-service" else "web")
    assert (
        upload.rows_total,
        upload.rows_new,
        upload.rows_updated,
        upload.rows_unchanged,
        upload.rows_rejected,
    ) == (
        3,
        2,
        0,
        0,
        1,
    )
    assert [p["code"] for p in upload.report["problems"]] == ["crebo_format"]
    assert upload.import_valid_rows is True
    assert not upload.file
    assert [p for p in private_storage.rglob("*") if p.is_file()] == []


def test_reupload_reports_nothing_new_and_a_changed_email_as_one_update(import_cohort, institution):
    rows = graduates(4)
    first = import_cohort(make_csv(rows))
    assert first.upload.rows_new == len(rows)
    again = import_cohort(make_csv(rows))
    assert (again.upload.rows_new, again.upload.rows_updated, again.upload.rows_unchanged) == (
        0,
        0,
        len(rows),
    )
    changed = _with(rows, 1, email="nieuw@roc.example.nl")
    third = import_cohort(make_csv(changed))
    assert (third.upload.rows_new, third.upload.rows_updated, third.upload.rows_unchanged) == (
        0,
        1,
        len(rows) - 1,
    )
    assert Graduate.objects.filter(institution=institution).count() == len(rows)
    if again.command:
        assert "0 new, 0 updated" in again.command.stdout
        assert "0 new, 1 updated" in third.command.stdout


# --- the command only -------------------------------------------------------------------


def test_dry_run_writes_nothing(run_command, institution):
    rows = graduates(3, vestiging="Nieuw-West")
    result = run_command(make_csv(rows), "cohort.csv", "--dry-run")
    assert result.returncode == 0
    assert "dry run" in result.stdout
    assert f"{len(rows)} new, 0 updated" in result.stdout
    assert Graduate.objects.count() == 0
    assert Upload.objects.count() == 0
    assert not institution.locations.exists()
    assert not institution.cohorts.exists()


@pytest.mark.parametrize(("extra", "code"), [((), 1), (("--import-valid-rows",), 2)])
def test_dry_run_of_a_file_with_errors_exits_as_the_real_run_would(run_command, extra, code):
    result = run_command(make_csv(_with(graduates(3), 0, email="x")), "cohort.csv", "--dry-run", *extra)
    assert result.returncode == code
    assert Graduate.objects.count() == 0
    assert Upload.objects.count() == 0


def test_command_writes_the_error_report_where_asked(run_command, tmp_path):
    report = tmp_path / "verslag" / "fouten.csv"
    report.parent.mkdir()
    result = run_command(make_csv(_with(graduates(2), 1, crebo="2")), "cohort.csv", "--report", str(report))
    assert result.returncode == 1
    text = report.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    lines = read_report_csv(text)
    assert [line[:2] for line in lines[1:]] == [[str(csv_row_number(1)), "crebo"]]


def test_command_reads_the_named_sheet(run_command, institution):
    rows = graduates(2)
    data = make_xlsx(rows, sheet_title="Gediplomeerden", other_sheets=("Uitleg",))
    assert run_command(data, "cohort.xlsx").returncode == 1  # the first sheet has no graduates
    assert run_command(data, "cohort.xlsx", "--sheet", "Gediplomeerden").returncode == 0
    assert numbers(institution) == {r["studentnummer"] for r in rows}
    missing = run_command(data, "cohort.xlsx", "--sheet", "Blad1")
    assert missing.returncode == 1
    assert "Gediplomeerden" in missing.stderr


def test_command_refuses_an_unknown_institution_or_file(run_command, tmp_path):
    assert run_command(make_csv(graduates(1)), "cohort.csv", brin="00ZZ").returncode == 1
    with pytest.raises(CommandError):
        call_command("import_cohort", str(tmp_path / "bestaat-niet.csv"), "--institution", "99XA")
    assert Graduate.objects.count() == 0


def test_command_accepts_the_brin_in_lower_case(run_command, institution):
    assert run_command(make_csv(graduates(1)), "cohort.csv", brin=institution.brin.lower()).returncode == 0
    assert Graduate.objects.filter(institution=institution).count() == 1
