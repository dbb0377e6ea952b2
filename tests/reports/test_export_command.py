"""python manage.py export_report: same tables and rules as the dashboard."""

import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.factories.datasets import make_dataset


@pytest.fixture
def data(db):
    return make_dataset(seed=5)


def test_institution_csv_matches_the_dashboard_export(data, tmp_path, admin_client):
    out = tmp_path / "a.csv"
    call_command(
        "export_report", "--institution", "99XA", "--wave", "T1", "--format", "csv", "--output", str(out)
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    web = admin_client.get("/reports/i/99XA/export.csv?wave=T1").content.decode("utf-8")
    command = pd.read_csv(io.StringIO(text[1:]), sep=";", decimal=",")
    page = pd.read_csv(io.StringIO(web[1:]), sep=";", decimal=",")
    pd.testing.assert_frame_equal(command, page)
    assert (command["min_group"] == 10).all() and (command["rounding_base"] == 0).all()


def test_all_xlsx_is_the_cross_view(data, tmp_path):
    out = tmp_path / "all.xlsx"
    call_command(
        "export_report",
        "--all",
        "--cohort",
        "2021",
        "--cohort",
        "2022",
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    book = load_workbook(out, read_only=True)
    assert "Toelichting" in book.sheetnames and "working" in book.sheetnames
    text = " ".join(str(c) for s in book.worksheets for r in s.values for c in r if c is not None)
    assert "Overige instellingen" in text and "Beta" not in text


def test_formula_safe_labels(data, tmp_path):
    from alumni.models import ProgrammeGroup

    ProgrammeGroup.objects.filter(name="Groep Test-opleiding").update(name='=HYPERLINK("x")')
    out = tmp_path / "a.csv"
    call_command("export_report", "--institution", "99XA", "--format", "csv", "--output", str(out))
    text = out.read_text(encoding="utf-8")
    assert ";=HYPERLINK" not in text and "'=HYPERLINK" in text


def test_unknown_institution_is_an_error(data, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "export_report", "--institution", "00ZZ", "--format", "csv", "--output", str(tmp_path / "x")
        )
