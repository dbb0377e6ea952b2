"""Fuzz tests of the upload reader and validation (issue 12, "Must show").

Whatever bytes arrive, named .csv or .xlsx, and whatever text is in the cells
or the header: the outcome is a report whose every problem has a sentence
(never an exception, never a server error), and a rejected file changes
nothing in the database. Examples are kept few (``max_examples``) so the suite
stays fast; hypothesis keeps the failures it found in its database and
replays them first.
"""

import io
import re
import string
import zipfile

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from alumni import services
from alumni.csvfiles import FORMULA_START
from alumni.importing.problems import MESSAGES, message
from alumni.importing.report import problems_csv, rejected_rows_csv
from alumni.models import Cohort, Graduate, Location, Upload
from tests.factories.cohort_files import graduate, graduates, make_csv, make_xlsx
from tests.helpers.upload_report import read_report_csv

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALID_CSV = make_csv(graduates(3))
VALID_XLSX = make_xlsx(graduates(3))
# Text that stresses a CSV reader and the checks: delimiters, quotes, line
# breaks, formula signs, BOMs, digits, accents, wide characters.
CELL_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(";,\t\"'\r\n =@+-.0123456789/:\ufeff\u00a0éëÖ’€")),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
)


def database_state() -> tuple:
    graduates_rows = tuple(
        Graduate.objects.order_by("pk").values_list(
            "pk", "student_number", "first_name", "last_name", "email", "private_email", "updated_at"
        )
    )
    return (
        graduates_rows,
        tuple(Location.objects.order_by("pk").values_list("pk", "name")),
        tuple(Cohort.objects.order_by("pk").values_list("pk", "school_year")),
    )


def assert_explained(items: list[dict]) -> None:
    """Every problem and notice has a known code and reads as a sentence."""
    for item in items:
        assert item["code"] in MESSAGES, item
        needed = set(string.Formatter().parse(str(MESSAGES[item["code"]])))
        given_names = {"value", "column", *(item.get("params") or {})}
        assert {name for _text, name, _spec, _conv in needed if name} <= given_names, item
        assert message(item).strip()


def assert_downloads_work(checked) -> None:
    for table in (
        read_report_csv(problems_csv(checked.problems)),
        read_report_csv(rejected_rows_csv(checked.rejected_rows)),
    ):
        for line in table:
            for cell in line:
                assert not cell.startswith(FORMULA_START) or re.fullmatch(r'="[0-9]+"', cell), cell


def mutate(data: bytes, positions: list[int], values: bytes, cut: int | None) -> bytes:
    """A damaged copy of a real file: some bytes changed, maybe truncated."""
    out = bytearray(data)
    for position, value in zip(positions, values, strict=False):
        out[position % len(out)] = value
    return bytes(out[:cut] if cut else out)


damaged = st.builds(
    mutate,
    st.sampled_from([VALID_CSV, VALID_XLSX]),
    st.lists(st.integers(min_value=0), max_size=20),
    st.binary(min_size=0, max_size=20),
    st.one_of(st.none(), st.integers(min_value=1, max_value=len(VALID_XLSX))),
)
any_bytes = st.one_of(
    st.binary(max_size=3000),
    st.binary(max_size=3000).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=3000).map(lambda b: b"\xff\xfe" + b),
    damaged,
)


@FUZZ
@given(data=any_bytes, name=st.sampled_from(["cohort.csv", "cohort.xlsx", "cohort.txt"]))
@example(data=b"\xff\xfe\x00", name="cohort.csv")
@example(data=b"PK\x03\x04", name="cohort.xlsx")
@example(data=b"\x00" * 10, name="cohort.csv")
@example(data=b'studentnummer;voornaam\r\n="\r\n', name="cohort.csv")
def test_arbitrary_bytes_give_a_report_and_a_rejected_file_writes_nothing(institution, data, name):
    before = database_state()
    uploads_before = Upload.objects.count()
    outcome = services.import_file(institution=institution, data=data, file_name=name)
    assert_explained(outcome.checked.problems)
    assert_explained(outcome.checked.warnings)
    if not outcome.written:
        assert outcome.checked.problems
        assert database_state() == before
    assert Upload.objects.count() == uploads_before + 1
    assert_downloads_work(outcome.checked)


@FUZZ
@given(data=any_bytes)
def test_the_web_flow_survives_arbitrary_bytes(institution, institution_admin, data):
    before = database_state()
    upload = services.receive_upload(
        institution=institution, user=institution_admin, file_name="x.csv", data=data
    )
    assert_explained(upload.report["problems"])
    assert database_state() == before  # checking writes no graduate, location or cohort
    if upload.status == Upload.Status.VALIDATED:
        outcome = services.confirm_upload(upload, import_valid_rows=False)
        if not outcome.written:
            assert database_state() == before
    else:
        assert upload.report["problems"] and not upload.file


@st.composite
def rows_with_arbitrary_cells(draw):
    """A file of valid rows where some cells (and maybe headers) are arbitrary text."""
    rows = graduates(draw(st.integers(min_value=1, max_value=4)))
    for row in rows:
        for header in draw(st.lists(st.sampled_from([*graduate(1), "prive_email", "niveau"]), max_size=4)):
            row[header] = draw(CELL_TEXT)
    extra = draw(st.lists(CELL_TEXT, max_size=2))
    for header in extra:
        for row in rows:
            row.setdefault(header, draw(CELL_TEXT))
    return rows


def _xlsx_safe(rows: list[dict]) -> list[dict]:
    return [
        {ILLEGAL_CHARACTERS_RE.sub("", k): ILLEGAL_CHARACTERS_RE.sub("", v) for k, v in r.items()}
        for r in rows
    ]


@FUZZ
@given(rows=rows_with_arbitrary_cells(), kind=st.sampled_from(["csv", "xlsx"]), valid_rows=st.booleans())
@example(
    rows=[graduate(1, studentnummer="=1+1", voornaam="\r", crebo="25180.0000")], kind="csv", valid_rows=True
)
@example(rows=[graduate(1, diplomadatum="99999", geboortejaar="0000")], kind="csv", valid_rows=False)
def test_arbitrary_cell_text_is_checked_and_written_all_or_nothing(institution, rows, kind, valid_rows):
    data = make_csv(rows) if kind == "csv" else make_xlsx(_xlsx_safe(rows))
    before = database_state()
    outcome = services.import_file(
        institution=institution, data=data, file_name=f"cohort.{kind}", import_valid_rows=valid_rows
    )
    checked = outcome.checked
    assert_explained(checked.problems)
    assert_explained(checked.warnings)
    assert_downloads_work(checked)
    if not outcome.written:
        assert database_state() == before
        return
    # Written: exactly the valid rows, each stored as checked.
    assert outcome.counts.new + outcome.counts.updated + outcome.counts.unchanged == len(checked.valid)
    numbers = set(checked.valid["student_number"])
    stored = set(Graduate.objects.filter(institution=institution).values_list("student_number", flat=True))
    assert numbers <= stored


def test_a_zip_of_anything_named_xlsx_is_a_clear_message(institution):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "geen werkmap")
    checked = services.check_file(out.getvalue(), institution)
    assert [p["code"] for p in checked.problems] == ["xlsx_unreadable"]
