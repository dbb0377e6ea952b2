"""Disclosure control as users get it: pages, JSON and exports.

The true counts come from the same report built with suppression switched
off (its figures are checked against an independent computation in
test_indicators.py).
"""

import io

import pandas as pd
import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from reports.filters import Filters
from reports.report import build_report
from reports.scoping import all_institutions_access
from tests.factories.datasets import make_dataset

OPEN = {
    "REPORTS_MIN_GROUP_WITHIN": 1,
    "REPORTS_MIN_GROUP_CROSS": 1,
    "REPORTS_MIN_COUNT": 1,
    "REPORTS_ROUNDING_BASE": 0,
}


@pytest.fixture
def data(db):
    return make_dataset(seed=11)


def truth(settings, brin, by, filters=None):
    saved = {k: getattr(settings, k) for k in OPEN}
    for k, v in OPEN.items():
        setattr(settings, k, v)
    try:
        report = build_report(all_institutions_access(brin), filters or Filters(), by)
    finally:
        for k, v in saved.items():
            setattr(settings, k, v)
    return {t["key"]: t for t in report.as_json()["tables"]}


def assert_no_small_counts(tables, *, min_group, rounding):
    for t in tables.values():
        for row in t["rows"]:
            figures = [row["n"], *(c["count"] for c in row["cells"])]
            for value in figures:
                if value is not None:
                    assert not 1 <= value <= 4, (t["key"], row["label"], value)
                    if rounding:
                        assert value % 5 == 0, (t["key"], row["label"], value)


def assert_protected(shown, true, min_group):
    """Shares only over denominators >= min_group; no hidden cell recomputable from a line total."""
    for key, t in shown.items():
        real = true[key]
        grid = [[c["count"] for c in row["cells"]] for row in t["rows"]]
        real_grid = [[c["count"] or 0 for c in row["cells"]] for row in real["rows"]]  # empty rows: None
        for i, row in enumerate(t["rows"]):
            n_true = real["rows"][i]["n"]
            for cell in row["cells"]:
                if cell["share"] is not None:
                    assert n_true >= min_group, (key, row["label"])
            # a row whose total is shown: its hidden cells must not be derivable one by one
            hidden = [j for j, v in enumerate(grid[i]) if v is None]
            if row["n"] is not None and hidden:
                assert not 1 <= sum(real_grid[i][j] for j in hidden) <= 4, (key, row["label"])
                if len(hidden) == 1:
                    assert real_grid[i][hidden[0]] == 0, (key, row["label"])
        # columns: the totals row is the column total
        total_row = len(grid) - 1
        for j in range(len(grid[0]) if grid else 0):
            if grid[total_row][j] is None:
                continue
            hidden = [i for i in range(total_row) if grid[i][j] is None]
            if hidden:
                assert not 1 <= sum(real_grid[i][j] for i in hidden) <= 4, (key, j)
                if len(hidden) == 1:
                    assert real_grid[hidden[0]][j] == 0, (key, j)


def test_own_institution_view_is_protected(data, settings, admin_client):
    shown = {t["key"]: t for t in admin_client.get("/reports/i/99XA/?format=json").json()["tables"]}
    true = truth(settings, "99XA", ("programme",))
    assert_no_small_counts(shown, min_group=10, rounding=False)
    assert_protected(shown, true, 10)
    suppressed = sum(c["count"] is None for t in shown.values() for r in t["rows"] for c in r["cells"])
    assert suppressed > 0  # the data set is made to need it


def test_cross_view_is_protected_rounded_and_pooled(data, settings, admin_client):
    url = "/reports/cross/?by=institution&format=json"
    shown = {t["key"]: t for t in admin_client.get(url).json()["tables"]}
    true = truth(settings, None, ("institution",))
    assert_no_small_counts(shown, min_group=20, rounding=True)
    # shares need 20 unweighted respondents; true labels are BRINs, the shown ones names: compare by position
    for key, t in shown.items():
        for i, row in enumerate(t["rows"]):
            if any(c["share"] is not None for c in row["cells"]):
                assert true[key]["rows"][i]["n"] >= 20 or key == "transitions", (key, row["label"])


@pytest.mark.parametrize(
    "url",
    [
        "/reports/cross/?by=institution",
        "/reports/cross/?by=institution&format=json",
        "/reports/cross/?by=institution&by=programme",
        "/reports/cross/export.csv?by=institution",
        "/reports/cross/?by=institution&institution=99XB&format=json",
    ],
)
def test_non_consenting_institution_is_never_named(data, admin_client, url):
    body = admin_client.get(url).content.decode("utf-8")
    assert "Beta" not in body and "99XB" not in body
    assert "Overige instellingen" in body


def test_cross_filter_on_a_non_consenting_institution_is_ignored(data, admin_client):
    plain = admin_client.get("/reports/cross/?format=json").json()["tables"]
    filtered = admin_client.get("/reports/cross/?format=json&institution=99XB").json()["tables"]
    assert plain == filtered


def test_exports_carry_marks_and_rules_and_no_small_counts(data, admin_client, tmp_path):
    text = admin_client.get("/reports/i/99XA/export.csv").content.decode("utf-8")
    frame = pd.read_csv(io.StringIO(text[1:]), sep=";", decimal=",", dtype={"mark": str})
    assert {"mark", "min_group", "min_count", "rounding_base", "confidence"} <= set(frame.columns)
    counts = frame["count"].dropna()
    assert not counts.between(1, 4).any()
    assert set(frame["mark"].fillna("")) <= {"", "small_group", "suppressed"}
    assert frame.loc[frame["mark"].fillna("") != "", "count"].isna().all()
    out = tmp_path / "all.xlsx"
    call_command("export_report", "--all", "--format", "xlsx", "--output", str(out))
    book = load_workbook(out, read_only=True)
    info = {row[0]: row[1] for row in book["Toelichting"].values if row and row[0]}
    assert info["min_group"] == 20 and info["rounding_base"] == 5
    for sheet in book.worksheets[1:]:
        rows = list(sheet.values)
        header = rows[0]
        position = header.index("count")
        for row in rows[1:]:
            value = row[position]
            assert value is None or (value % 5 == 0 and not 1 <= value <= 4)
        assert not any("Beta" in str(cell) for row in rows for cell in row if cell)
