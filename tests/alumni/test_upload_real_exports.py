"""Files as real systems and Excel produce them (issue 12, item 8).

An Eduarte export has title lines above the header and a total below the data;
Excel's "Unicode-tekst" is UTF-16 with tabs; a "rows to fix" file opened and
saved in Excel has lost its leading zeros. Each must import (or say clearly
what is wrong, once), and a graduate must never be duplicated.
"""

import io

import openpyxl
import pytest
from django.utils import translation

from alumni import services
from alumni.importing.problems import message
from alumni.importing.reading import read_table
from alumni.importing.report import problems_csv, rejected_rows_csv
from alumni.models import Graduate
from tests.factories.cohort_files import graduate, graduates, make_csv, table
from tests.helpers.upload_report import only_problem, problems_with, read_report_csv

pytestmark = pytest.mark.django_db

TITLES = [["Deelnemers met diploma per opleiding"], ["Peildatum: 01-07-2024", "", "ROC Voorbeeld"]]


def xlsx_with(rows: list[dict], *, above=(), below=()) -> bytes:
    """An .xlsx like Eduarte's export: lines above the header, lines below the data."""
    head, body = table(rows)
    book = openpyxl.Workbook()
    sheet = book.active
    for line in above:
        sheet.append(line)
    sheet.append(head)
    for values in body:
        sheet.append(values)
    for line in below:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_with(rows: list[dict], *, above=(), below=(), delimiter=";") -> bytes:
    lines = [delimiter.join(line) for line in above]
    lines += make_csv(rows, delimiter=delimiter).decode().splitlines()
    lines += [delimiter.join(line) for line in below]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def codes(items: list[dict]) -> list[str]:
    return [i["code"] for i in items]


# --- the header under title lines --------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "csv-semicolons", "csv-bare-titles"])
def test_an_export_with_two_title_lines_above_the_header_imports(import_cohort, institution, kind):
    rows = graduates(3)
    if kind == "xlsx":
        data, name = xlsx_with(rows, above=TITLES), "eduarte.xlsx"
    elif kind == "csv-semicolons":  # Excel pads a title line with the delimiter
        width = len(rows[0])
        above = [line + [""] * (width - len(line)) for line in TITLES]
        data, name = csv_with(rows, above=above), "eduarte.csv"
    else:
        data, name = csv_with(rows, above=[["Deelnemers met diploma"], ["Peildatum 01-07-2024"]]), "e.csv"
    result = import_cohort(data, name)
    assert result.problems == []
    assert result.written
    assert Graduate.objects.filter(institution=institution).count() == 3
    notice = only_problem(result.warnings, "title_rows_skipped")
    assert notice["params"] == {"rows": "1, 2", "header_row": 3}
    with translation.override("nl"):
        assert "Alles boven de kopregel (rij 3) is overgeslagen (rij 1, 2)" in message(notice)


def test_row_numbers_below_title_lines_are_the_rows_excel_shows(institution):
    rows = graduates(3)
    rows[1]["crebo"] = "123"
    for data in (xlsx_with(rows, above=TITLES), csv_with(rows, above=TITLES)):
        checked = services.check_file(data, institution)
        problem = only_problem(checked.problems, "crebo_format")
        assert problem["row"] == 5  # two titles, the header on row 3, the second graduate on row 5


def test_a_header_with_missing_columns_is_named_once_as_the_likely_header(institution):
    """Six "required column missing" messages told the admin nothing; one sentence does."""
    rows = [
        {"Studentnummer": "0104515", "Naam": "Jan Jansen", "Opleiding": "Kok", "E-mailadres": "j@roc.nl"},
    ]
    checked = services.check_file(xlsx_with(rows, above=TITLES), institution)
    problem = only_problem(checked.problems, "header_incomplete")
    assert codes(checked.problems) == ["header_incomplete"]
    assert problem["params"]["header_row"] == 3
    with translation.override("nl"):
        text = message(problem)
    assert text.startswith("Rij 3 lijkt uw kopregel")
    for column in ("voornaam", "achternaam", "crebo", "diplomadatum"):
        assert column in text


def test_a_file_without_any_known_column_says_there_is_no_header(institution):
    data = b"Naam;Klas;Cijfer\r\nJan;4B;8\r\nPiet;4B;7\r\n"
    checked = services.check_file(data, institution)
    assert codes(checked.problems) == ["no_header"]
    with translation.override("nl"):
        assert "studentnummer" in message(checked.problems[0])


def test_one_missing_column_is_still_named_with_its_aliases(institution):
    checked = services.check_file(make_csv(graduates(2), drop=("crebo",)), institution)
    assert codes(checked.problems) == ["missing_column"]


def test_a_title_line_naming_one_column_does_not_pass_for_the_header():
    rows = graduates(2)
    raw = read_table(csv_with(rows, above=[["Crebo"], [""]]))
    assert raw.headers == table(rows)[0]
    assert raw.header_row == 3


# --- totals and print lines below the data -----------------------------------


@pytest.mark.parametrize(
    "footer",
    [
        [["Totaal: 5 deelnemers"]],
        [["Totaal:", "5"]],
        [["Aantal deelnemers: 5"], ["Afgedrukt op 02-12-2026"]],
        [["5 deelnemers"]],
    ],
    ids=["totaal", "totaal-two-cells", "aantal-and-printed", "count-only"],
)
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_total_line_gives_no_errors_and_one_notice_each(institution, footer, kind):
    rows = graduates(5)
    data = xlsx_with(rows, below=footer) if kind == "xlsx" else csv_with(rows, below=footer)
    checked = services.check_file(data, institution)
    assert checked.problems == []
    assert len(checked.valid) == 5
    notices = problems_with(checked.warnings, "footer_skipped")
    assert [n["row"] for n in notices] == [7 + i for i in range(len(footer))]
    assert notices[0]["value"] == " ".join(c for c in footer[0] if c)


def test_the_total_line_is_ignored_in_every_way_in(import_cohort, institution):
    result = import_cohort(xlsx_with(graduates(5), below=[["Totaal: 5 deelnemers"]]), "eduarte.xlsx")
    assert result.problems == [] and result.written
    assert codes(result.warnings) == ["footer_skipped"]
    assert result.upload.rows_total == 5
    assert Graduate.objects.filter(institution=institution).count() == 5


def test_a_graduate_with_few_cells_is_not_taken_for_a_total(institution):
    """A real row with gaps stays a row (and gets its errors): only total-like text is skipped."""
    rows = graduates(2)
    data = csv_with(rows, below=[["0000009", "Totaal"]])
    checked = services.check_file(data, institution)
    assert problems_with(checked.warnings, "footer_skipped") == []
    assert {p["row"] for p in checked.problems} == {4}


# --- Excel's "Unicode-tekst" ------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_bom_and_tabs_imports(import_cohort, institution, encoding):
    rows = [graduate(1, achternaam="Özdemir"), graduate(2, voornaam="Zoë", achternaam="d’Ancona")]
    text = make_csv(rows, delimiter="\t", newline="\r\n").decode()
    data = text.encode(encoding) if encoding == "utf-16" else b"\xfe\xff" + text.encode(encoding)
    result = import_cohort(data, "export.txt")
    assert result.problems == [] and result.written
    names = set(Graduate.objects.filter(institution=institution).values_list("first_name", "last_name"))
    assert ("Zoë", "d’Ancona") in names and ("Voornaam1", "Özdemir") in names


def test_utf16_reader_reports_encoding_and_delimiter():
    raw = read_table(make_csv(graduates(2), delimiter="\t").decode().encode("utf-16"))
    assert (raw.encoding, raw.delimiter) == ("utf-16", "\t")
    assert raw.row_numbers.tolist() == [2, 3]


# --- student numbers in the files we hand out ---------------------------------


def test_rows_to_fix_and_problems_write_student_numbers_as_text_for_excel(institution):
    rows = graduates(3)
    rows[0]["crebo"] = "123"
    rows[2]["studentnummer"] = rows[1]["studentnummer"]  # a duplicate: the number is the value
    checked = services.check_file(make_csv(rows), institution)
    fix = read_report_csv(rejected_rows_csv(checked.rejected_rows))
    column = fix[0].index("studentnummer")
    assert [line[column] for line in fix[1:]] == ['="0000001"', '="0000002"', '="0000002"']
    listed = read_report_csv(problems_csv(checked.problems))
    duplicates = [line for line in listed[1:] if line[1] == "studentnummer"]
    assert duplicates and all(line[2] == '="0000002"' for line in duplicates)
    crebo = next(line for line in listed[1:] if line[1] == "crebo")
    assert crebo[2] == "123"  # only student numbers become text cells


def test_a_text_cell_is_read_back_as_the_number_with_its_zeros(import_cohort, institution):
    rows = graduates(2)
    rows[0]["crebo"] = "123"
    first = services.check_file(make_csv(rows), institution)
    fix = read_report_csv(rejected_rows_csv(first.rejected_rows))
    header, line = fix[0], fix[1]
    record = dict(zip(header, line, strict=True))
    record.pop("rij")
    record["crebo"] = graduate(1)["crebo"]
    result = import_cohort(make_csv([record]))
    assert result.written
    assert list(
        Graduate.objects.filter(institution=institution).values_list("student_number", flat=True)
    ) == ["0000001"]


# --- lost leading zeros on a re-upload ------------------------------------------


@pytest.fixture
def stored_graduate(institution):
    outcome = services.import_file(
        institution=institution,
        data=make_csv([graduate(1, studentnummer="0104515", voornaam="Sanne", achternaam="Jansen")]),
        file_name="cohort.csv",
    )
    assert outcome.written
    return Graduate.objects.get(institution=institution)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"email": "nieuw@roc.example.nl"}, "leading_zeros_name"),
        ({"voornaam": "Sanne Marie", "achternaam": "de Jong"}, "leading_zeros_email"),
    ],
    ids=["same-name", "same-email"],
)
def test_a_number_that_lost_its_zeros_updates_the_graduate_with_a_warning(
    import_cohort, institution, stored_graduate, changes, code
):
    row = graduate(
        1, studentnummer="104515", voornaam="Sanne", achternaam="Jansen", email=stored_graduate.email
    )
    row.update(changes)
    result = import_cohort(make_csv([row]))
    assert result.problems == [] and result.written
    assert Graduate.objects.filter(institution=institution).count() == 1
    found = Graduate.objects.get(institution=institution)
    assert found.pk == stored_graduate.pk
    assert found.student_number == "0104515"
    assert (result.upload.rows_new, result.upload.rows_updated) == (0, 1)
    warning = only_problem(result.warnings, code)
    assert (warning["row"], warning["value"], warning["params"]["stored"]) == (2, "104515", "0104515")
    with translation.override("nl"):
        assert "0104515" in message(warning) and "nullen" in message(warning)


def test_the_web_preview_already_counts_the_match_as_an_update(
    institution, institution_admin, stored_graduate
):
    row = graduate(1, studentnummer="104515", voornaam="Sanne", achternaam="Jansen", email="x@roc.example.nl")
    upload = services.receive_upload(
        institution=institution, user=institution_admin, file_name="c.csv", data=make_csv([row])
    )
    assert upload.report["preview"]["new"] == 0 and upload.report["preview"]["updated"] == 1
    assert codes(upload.report["warnings"]) == ["leading_zeros_name"]
    assert Graduate.objects.get(institution=institution).email == stored_graduate.email  # nothing written yet


def test_a_different_person_with_a_similar_number_is_a_new_graduate(
    import_cohort, institution, stored_graduate
):
    row = graduate(
        2, studentnummer="104515", voornaam="Piet", achternaam="Bakker", email="piet@roc.example.nl"
    )
    result = import_cohort(make_csv([row]))
    assert result.written and result.upload.rows_new == 1
    assert set(Graduate.objects.values_list("student_number", flat=True)) == {"0104515", "104515"}
    assert not [w for w in result.warnings if w["code"].startswith("leading_zeros")]


def test_an_exact_number_in_the_same_file_wins_over_the_zero_match(
    import_cohort, institution, stored_graduate
):
    rows = [
        graduate(1, studentnummer="0104515", voornaam="Sanne", achternaam="Jansen"),
        graduate(2, studentnummer="104515", voornaam="Sanne", achternaam="Jansen", email="b@roc.example.nl"),
    ]
    result = import_cohort(make_csv(rows))
    assert result.written
    assert set(Graduate.objects.values_list("student_number", flat=True)) == {"0104515", "104515"}
