"""Reading a file into strings and Excel row numbers (alumni.importing.reading)."""

import datetime
import io
import zipfile

import pytest
from django.conf import settings
from django.test import override_settings

from alumni.importing.problems import FileRejected
from alumni.importing.reading import read_table
from tests.factories.cohort_files import CREBO, columns_of, graduate, graduates, make_csv, make_xlsx, table

# Names that need more than ASCII; the last one only exists in Windows-1252.
ACCENTED = ["Zoë", "Renée", "Ünal"]
CP1252_ONLY = "d’Ancona"  # right single quotation mark: 0x92 in Windows-1252, absent in Latin-1


def rejected_code(data: bytes, **kwargs) -> str:
    with pytest.raises(FileRejected) as caught:
        read_table(data, **kwargs)
    return caught.value.problem.code


def cells(raw) -> list[list[str]]:
    return raw.frame.to_numpy().tolist()


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline", "names"),
    [
        pytest.param("cp1252", ";", "\r\n", [*ACCENTED, CP1252_ONLY], id="windows-1252-semicolon"),
        pytest.param("utf-8-sig", ",", "\n", [*ACCENTED, CP1252_ONLY], id="utf8-bom-comma"),
        pytest.param("utf-8", ";", "\n", [*ACCENTED, CP1252_ONLY], id="utf8-semicolon"),
        pytest.param("latin-1", "\t", "\r\n", ACCENTED, id="latin1-tab-crlf"),
    ],
)
def test_csv_encodings_and_delimiters_are_detected(encoding, delimiter, newline, names):
    rows = [graduate(n, achternaam=name) for n, name in enumerate(names, start=1)]
    raw = read_table(make_csv(rows, delimiter=delimiter, encoding=encoding, newline=newline))
    header, body = table(rows)
    assert raw.file_type == "csv"
    assert raw.delimiter == delimiter
    assert raw.headers == header  # a BOM does not stick to the first header
    assert cells(raw) == body
    assert raw.row_numbers.tolist() == [n + 2 for n in range(len(rows))]


def test_quoted_fields_keep_delimiters_and_line_breaks_in_one_row():
    rows = [
        graduate(1, achternaam="Jansen; de Vries"),
        graduate(2, achternaam="twee\nregels"),
        graduate(3),
    ]
    raw = read_table(make_csv(rows))
    assert [r[columns_of(rows).index("achternaam")] for r in cells(raw)] == [
        "Jansen; de Vries",
        "twee\nregels",
        "Achternaam3",
    ]
    # Excel shows a record with a line break in a cell as one row.
    assert raw.row_numbers.tolist() == [2, 3, 4]


def test_blank_lines_are_dropped_but_row_numbers_stay_as_in_excel():
    data = (
        b"\r\n\r\n" + make_csv(graduates(1), newline="\r\n") + b"\r\n" + make_csv([graduate(2)], header=False)
    )
    raw = read_table(data)
    assert raw.headers == columns_of(graduates(1))
    # header on line 3, first graduate on line 4, a blank line 5, then line 6.
    assert raw.row_numbers.tolist() == [4, 6]
    assert [r[0] for r in cells(raw)] == [graduate(1)["studentnummer"], graduate(2)["studentnummer"]]


def test_cells_are_stripped_and_leading_zeros_kept():
    rows = [graduate(1, studentnummer="  000123 ", voornaam=" Anna ")]
    raw = read_table(make_csv(rows))
    assert cells(raw)[0][:2] == ["000123", "Anna"]


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param('="00123"', id="bare"),
        pytest.param('"=""00123"""', id="quoted"),
    ],
)
def test_excel_text_formula_is_unwrapped(cell):
    header = ";".join(columns_of(graduates(1)))
    values = ";".join([cell, *list(graduate(1).values())[1:]])
    raw = read_table(f"{header}\n{values}\n".encode())
    assert cells(raw)[0][0] == "00123"


def test_xlsx_with_blank_rows_above_header_date_cells_and_float_crebo():
    day = datetime.date(2024, 6, 28)
    stamp = datetime.datetime(2023, 7, 1, 0, 0)
    rows = [
        graduate(1, crebo=float(CREBO), diplomadatum=day, extra="x"),
        graduate(2, crebo=int(CREBO), diplomadatum=stamp, extra=""),
    ]
    raw = read_table(make_xlsx(rows, blank_rows_above=2))
    assert raw.file_type == "xlsx"
    assert raw.headers == columns_of(rows)
    crebo_at = raw.headers.index("crebo")
    date_at = raw.headers.index("diplomadatum")
    assert [r[crebo_at] for r in cells(raw)] == [CREBO, CREBO]
    assert [r[date_at] for r in cells(raw)] == [day.isoformat(), stamp.date().isoformat()]
    # Two blank rows, the header on row 3: the first graduate is on row 4.
    assert raw.row_numbers.tolist() == [4, 5]


def test_xlsx_blank_rows_between_data_keep_excel_row_numbers():
    rows = [graduate(1), {}, graduate(2)]
    raw = read_table(make_xlsx(rows, columns=columns_of(graduates(1))))
    assert raw.row_numbers.tolist() == [2, 4]


def test_xlsx_named_sheet_is_read_and_first_sheet_by_default():
    data = make_xlsx(graduates(2), sheet_title="Gediplomeerden", other_sheets=("Toelichting",))
    assert read_table(data, sheet="Gediplomeerden").headers == columns_of(graduates(1))
    assert read_table(data).headers == ["iets anders"]


def test_xlsx_missing_sheet_names_the_sheets():
    data = make_xlsx(graduates(1), sheet_title="Cohort")
    with pytest.raises(FileRejected) as caught:
        read_table(data, sheet="Blad9")
    problem = caught.value.problem
    assert problem.code == "sheet_missing"
    assert problem.params == {"sheet": "Blad9", "sheets": "Cohort"}


def test_a_zip_that_is_not_a_workbook_is_refused_clearly():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hallo")
    assert rejected_code(out.getvalue()) == "xlsx_unreadable"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="zero-bytes"),
        pytest.param(b"  \r\n\r\n ", id="whitespace"),
        pytest.param(b"\xef\xbb\xbf", id="only-bom"),
        pytest.param(b";;;\r\n;;;\r\n", id="only-delimiters"),
    ],
)
def test_empty_files_are_refused(data):
    assert rejected_code(data) == "empty_file"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, id="png"),
        pytest.param(bytes(range(1, 32)) * 200, id="control-characters"),
    ],
)
def test_binary_files_are_refused(data):
    assert rejected_code(data) == "binary_file"


def test_old_excel_format_is_refused():
    assert rejected_code(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600) == "old_xls"


def test_file_over_the_size_limit_is_refused_before_reading():
    data = make_csv(graduates(20))
    with override_settings(ALUMNI_UPLOAD_MAX_BYTES=len(data) - 1), pytest.raises(FileRejected) as caught:
        read_table(data)
    assert caught.value.problem.code == "too_large"
    with override_settings(ALUMNI_UPLOAD_MAX_BYTES=len(data)):
        assert len(read_table(data).frame) == 20


def test_default_limits_allow_what_the_spec_promises():
    # "Up to at least 500,000 rows / 50 MB per file."
    assert settings.ALUMNI_UPLOAD_MAX_BYTES >= 50 * 1024 * 1024
    assert settings.ALUMNI_UPLOAD_MAX_ROWS >= 500_000


def test_too_many_rows_is_refused():
    data = make_csv(graduates(5))
    with override_settings(ALUMNI_UPLOAD_MAX_ROWS=4):
        assert rejected_code(data) == "too_many_rows"
    with override_settings(ALUMNI_UPLOAD_MAX_ROWS=5):
        assert len(read_table(data).frame) == 5


@pytest.mark.parametrize("blank_lines_above", [0, 2])
def test_a_row_with_too_many_fields_names_its_line(blank_lines_above):
    lines = [""] * blank_lines_above + make_csv(graduates(3)).decode().splitlines()
    bad_index = blank_lines_above + 2  # the second graduate
    lines[bad_index] += ";te veel"
    with pytest.raises(FileRejected) as caught:
        read_table("\n".join(lines).encode())
    problem = caught.value.problem
    assert problem.code == "csv_unreadable"
    assert problem.params["line"] == str(bad_index + 1)
