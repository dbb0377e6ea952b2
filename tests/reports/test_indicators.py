"""Every indicator of reporting.md, computed independently and compared.

The expected figures come from plain pandas over the raw answer columns
(and statsmodels for the Wilson intervals), in ``tests/helpers/indicator_oracle``:
no product code is used to compute them. They are compared with the
selectors' protected tables, the dashboard JSON, the dashboard HTML, the
CSV export and the XLSX export. First with suppression switched off (every
cell comparable), then with the real thresholds (every *shown* cell must
still be right). Shares, intervals and means are published rounded (whole
percentages, one decimal): they are compared at that precision.
"""

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from reports.filters import Filters
from reports.models import Region
from reports.report import ALL_WAVES, build_report
from reports.scoping import all_institutions_access
from tests.factories.datasets import make_dataset
from tests.helpers.indicator_oracle import (
    BRIN,
    OPEN,
    PAID,
    check_table,
    expected_counts,
    expected_invitations,
    expected_transitions,
    raw_responses,
    wilson,
)


@pytest.fixture
def dataset(db):
    data = make_dataset()
    region = Region.objects.create(name="Regio Test", postcode_ranges="1000-1499")
    region.institutions.add(data.institutions[0])
    return data


def test_every_indicator_matches_an_independent_computation(dataset, settings, admin_client):
    for name, value in OPEN.items():
        setattr(settings, name, value)
    report = build_report(all_institutions_access(BRIN), Filters(wave=ALL_WAVES), ("programme",))
    data = report.as_json()
    tables = {t["key"]: t for t in data["tables"]}
    expected = {**expected_counts(raw_responses()), **expected_invitations()}
    assert set(expected) | {"transitions"} == set(tables)
    for key, want in expected.items():
        check_table(tables[key], want, hidden_allowed=False)
    # means of the 1-5 scales and the median wage band, from the raw answers
    df = raw_responses()
    for scale in ("preparation", "meaningful", "fits_plans", "uses_learning"):
        means = df.groupby("programme")[scale].mean()
        for row in tables[scale]["rows"][:-1]:
            assert row["mean"] == pytest.approx(means[row["label"]], abs=0.05 + 1e-9)  # one decimal
        assert tables[scale]["rows"][-1]["mean"] == pytest.approx(df[scale].mean(), abs=0.05 + 1e-9)
    ft = df[
        df["main_activity"].isin(PAID)
        & (df["hours_per_week"] >= 35)
        & ~df["wage_band"].isin(["", "declined"])
    ]
    bands = sorted(ft["wage_band"])
    middle = bands[(len(bands) + 1) // 2 - 1]  # lower median of the ordered bands
    labels = {c["key"]: c["label"] for c in tables["wage_band"]["categories"]}
    assert tables["wage_band"]["rows"][-1]["median"] == labels[middle]
    # T1 -> T3 flows
    flows = expected_transitions()
    totals = tables["transitions"]["rows"][-1]
    assert totals["n"] == int(flows.to_numpy().sum())
    for row in tables["transitions"]["rows"]:
        for cell in row["cells"]:
            column = flows[cell["category"]] if cell["category"] in flows else pd.Series(dtype=int)
            if row is totals:
                assert cell["count"] == int(column.sum())

    # The dashboard's JSON and the exports show the same figures.
    view_json = admin_client.get(f"/reports/i/{BRIN}/?format=json&wave=all").json()
    assert view_json["tables"] == data["tables"]
    csv_text = admin_client.get(f"/reports/i/{BRIN}/export.csv?wave=all").content.decode("utf-8")
    assert csv_text.startswith("\ufeff")
    csv_frame = pd.read_csv(io.StringIO(csv_text[1:]), sep=";", decimal=",", dtype={"category": str})
    xlsx = load_workbook(
        io.BytesIO(admin_client.get(f"/reports/i/{BRIN}/export.xlsx?wave=all").content), read_only=True
    )
    for key, want in expected.items():
        part = csv_frame[csv_frame["indicator"] == key]
        sheet = list(xlsx[key].values)
        xframe = pd.DataFrame(sheet[1:], columns=sheet[0])
        for frame in (part, xframe):
            cells = {(str(r["programme"]), str(r["category"])): r for r in frame.to_dict("records")}
            for label in want.index:
                n = int(want.loc[label].sum())
                if n == 0:
                    continue
                for category in want.columns:
                    k = int(want.loc[label, category])
                    cell = cells[(label, category)]
                    assert int(cell["count"]) == k, (key, label, category)
                    low, high = wilson(k, n)
                    # whole percentages: the exact figure within half a percentage point
                    assert float(cell["share"]) == pytest.approx(k / n, abs=0.005 + 1e-9)
                    assert float(cell["ci_low"]) == pytest.approx(low, abs=0.005 + 1e-9)
                    assert float(cell["ci_high"]) == pytest.approx(high, abs=0.005 + 1e-9)


def test_shown_cells_are_right_under_the_real_thresholds(dataset, admin_client):
    data = admin_client.get(f"/reports/i/{BRIN}/?format=json&wave=T1").json()
    tables = {t["key"]: t for t in data["tables"]}
    expected = expected_counts(raw_responses(wave="T1"))
    for key, want in expected.items():
        check_table(tables[key], want, hidden_allowed=True)
    html = admin_client.get(f"/reports/i/{BRIN}/?wave=T1").content.decode()
    total = tables["working"]["rows"][-1]
    assert f"({total['cells'][0]['count']})" in html  # the count beside the share in the table


def test_cohort_pooling_and_rows_by_cohort(dataset, settings):
    for name, value in OPEN.items():
        setattr(settings, name, value)
    df = raw_responses()
    both = (2021, 2022)
    pooled = build_report(
        all_institutions_access(BRIN), Filters(wave=ALL_WAVES, cohorts=both), ("programme",)
    )
    single = build_report(all_institutions_access(BRIN), Filters(wave=ALL_WAVES), ("programme",))
    assert pooled.as_json()["tables"] == single.as_json()["tables"]  # both cohorts pooled = everything
    by_cohort = build_report(all_institutions_access(BRIN), Filters(wave=ALL_WAVES), ("cohort",))
    by_cohort = by_cohort.by_key()["working"]
    rows = {r["label"]: r["n"] for r in by_cohort.rows()}
    assert set(rows) == {"2021", "2022", "Totaal"}
    assert (
        rows["2021"] + rows["2022"]
        == rows["Totaal"]
        == int(expected_counts(df)["working"].loc["Totaal"].sum())
    )
