"""Issue 13, items 3-5, in every export a user can ask for.

Three institutions, one (Beta) not consenting to be named, programmes of 3
to 70 graduates; Beta has a location of its own ("Bètastad"), Alfa one too
("Alfastad"). For every wave x cohort x programme filter the filter form
offers, and the breakdowns that put institutions or locations in rows, the
cross-institution report is exported as CSV and XLSX and checked:

* no pooled row ("Overige instellingen") with figures holds fewer than two
  institutions that have figures in that table (counted from an unpooled
  build of the same report in which everyone consents);
* no location name of the non-consenting institution appears;
* every share and interval is a whole percentage, every mean has one
  decimal, and across institutions every share is the rounded count over the
  rounded denominator beside it (so it cannot undo the rounding);
* yes/no columns say ja/nee, the median band is a label, the waves are those
  asked for and the T1 -> T3 table comes only with both.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from alumni.models import Graduate, Institution, Location, Programme, ProgrammeGroup
from reports.disclosure.institutions import OTHER_INSTITUTIONS, pool_rows
from reports.disclosure.protect import TOTAL, protect_table
from reports.disclosure.rules import Reason, Thresholds, round_shares
from reports.exports import report_csv, report_xlsx
from reports.filters import Filters
from reports.report import ALL_WAVES, build_report
from reports.scoping import all_institutions_access
from tests.factories.datasets import make_dataset

UNNAMED_LOCATION = "Bètastad"
NAMED_LOCATION = "Alfastad"
BREAKDOWNS = [("institution", "programme"), ("institution", "location"), ("location",)]
SHARE_COLUMNS = ("share", "ci_low", "ci_high", "weighted_share")


@pytest.fixture
def data(db):
    dataset = make_dataset(seed=13, sizes=[70, 35, 14, 3, 25])
    for brin, name in (("99XB", UNNAMED_LOCATION), ("99XA", NAMED_LOCATION)):
        institution = Institution.objects.get(brin=brin)
        location = Location.objects.create(institution=institution, name=name)
        Graduate.objects.filter(institution=institution, location__name="Zuid").update(location=location)
    return dataset


def filter_choices(dataset):
    """Every wave x cohort x programme the form offers (cohorts: none, each, both; wave: see the test)."""
    group = ProgrammeGroup.objects.get(name="Groep Test-opleiding")
    programmes = [None, f"g{group.pk}", *(p.crebo for p in dataset.programmes)]
    cohorts = [(), (2021,), (2022,), (2021, 2022)]
    for wave in ("T1", "T3", ALL_WAVES):
        for cohort in cohorts:
            for programme in programmes:
                yield Filters(wave=wave, cohorts=cohort, programme=programme)


def percent(k, n) -> float:
    return math.floor(Fraction(int(k) * 100, int(n)) + Fraction(1, 2)) / 100


def unpooled_sizes(access, filters, by) -> dict[str, dict[tuple, int]]:
    """Per table, the true n of every (institution BRIN, rest of the row): a build in which
    everyone consents and nothing is hidden or rounded."""
    brins = [i.brin for i in Institution.objects.filter(pk__in=access.scope.institution_ids)]
    open_rules = Thresholds(min_group_within=1, min_group_cross=1, min_count=1, rounding_base=0)
    everyone = dataclasses.replace(
        access, consented=frozenset(brins), institution_names={b: b for b in brins}, thresholds=open_rules
    )
    rows = ("institution", *(b for b in by if b != "institution"))
    report = build_report(everyone, filters, rows, transitions=False)
    sizes = {}
    for table in [*report.response, *report.tables]:
        counts = table.table.counts
        totals = counts[TOTAL].iloc[:-1]
        sizes[table.key] = {
            (label if isinstance(label, tuple) else (label,)): int(n)
            for label, n in totals.items()
            if not pd.isna(n)
        }
    return sizes


def named_institutions(report) -> dict[str, set[str]]:
    """Per table, the BRINs named in a report with institutions in its rows."""
    brin_of = {i.name: i.brin for i in Institution.objects.all()}
    position = report.by.index("institution")
    named = {}
    for table in [*report.response, *report.tables]:
        labels = [r["label"] for r in table.rows()[:-1]]
        labels = [label[position] if isinstance(label, list) else label for label in labels]
        named[table.key] = {brin_of[label] for label in labels if label in brin_of}
    return named


def assert_pools_hold_two(report, sizes, named) -> int:
    """Every pooled row that shows a figure holds at least two institutions with figures in it.

    ``sizes``: true n per (BRIN, the row's other keys but location), from
    :func:`unpooled_sizes`; ``named``: :func:`named_institutions` of the same
    filters (the pool of a table is everyone it does not name).
    """
    rest_keys = [b for b in report.by if b not in ("institution", "location")]
    checked = 0
    for table in [*report.response, *report.tables]:
        for row in table.rows()[:-1]:
            label = row["label"] if isinstance(row["label"], list) else [row["label"]]
            if OTHER_INSTITUTIONS not in label:
                continue
            if not (row["n"] or any(c["count"] for c in row["cells"])):
                continue  # hidden or empty: nothing of anyone is shown
            rest = {
                k: part
                for k, part in zip(report.by, label, strict=True)
                if k not in ("institution", "location")
            }
            members = set()
            for (brin, *others), n in sizes[table.key].items():
                key = dict(zip(rest_keys, others, strict=True))
                if n > 0 and brin not in named[table.key] and key == rest:
                    members.add(brin)
            assert len(members) >= 2, (table.key, row["label"], members, report.filters)
            checked += 1
    return checked


def assert_published_precision(frame: pd.DataFrame, cross: bool):
    for column in SHARE_COLUMNS:
        if column in frame:
            values = frame[column].dropna().astype(float).to_numpy()
            assert np.all(np.round(values * 100, 9) == np.round(values * 100)), column
    if "mean" in frame:
        means = frame["mean"].dropna().astype(float).to_numpy()
        assert np.all(np.round(means * 10, 9) == np.round(means * 10))
    if not cross:
        return
    rows = [c for c in frame.columns if c not in ("count", "share", "ci_low", "ci_high", "mark")]
    keys = [
        c for c in rows if c not in ("category", "category_label", "weighted_share", "mean", "median_band")
    ]
    totals = frame.loc[frame["category"] == TOTAL, [*keys, "count"]].rename(columns={"count": "n"})
    cells = frame[frame["share"].notna() & (frame["category"] != TOTAL)].merge(totals, on=keys, how="left")
    k, n = cells["count"].astype(int).to_numpy(), cells["n"].astype(int).to_numpy()
    expected = np.floor((200 * k + n) // (2 * n)) / 100  # the shown count over the shown n, halves up
    assert np.array_equal(cells["share"].astype(float).to_numpy(), expected), cells[
        cells["share"] != expected
    ]


def read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text[1:]), sep=";", decimal=",", dtype=str, keep_default_na=False).replace(
        "", np.nan
    )


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in ("count", *SHARE_COLUMNS, "mean"):
        if column in frame and not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = pd.to_numeric(frame[column].str.replace(",", ".", regex=False))
    return frame


def check_csv(text: str, report):
    assert UNNAMED_LOCATION not in text and "Beta" not in text and "99XB" not in text
    assert "True" not in text and "False" not in text
    # no float longer than the published precision anywhere in the file
    assert not re.search(r"\d,\d{3,}", text), re.search(r".{40}\d,\d{3,}.{10}", text)
    frame = read_csv(text)
    assert set(frame["cross_institution"]) == {"ja"}
    assert set(frame["waves"]) == {report.waves}
    assert ("transitions" in set(frame["indicator"])) == (report.waves == "T1+T3")
    frame = numeric(frame)
    assert_published_precision(frame, cross=True)
    if "median_band" in frame:
        codes = {c.key for t in report.tables if t.key == "wage_band" for c in t.indicator.categories}
        assert not set(frame["median_band"].dropna()) & codes


def check_xlsx(content: bytes, report):
    book = load_workbook(io.BytesIO(content), read_only=True)
    info = {row[0]: row[1] for row in book["Toelichting"].values if row and row[0]}
    assert info["cross_institution"] == "ja" and info["waves"] == report.waves
    for sheet in book.worksheets[1:]:
        rows = list(sheet.values)
        text = " ".join(str(c) for r in rows for c in r if c is not None)
        assert UNNAMED_LOCATION not in text and "Beta" not in text
        frame = pd.DataFrame(rows[1:], columns=rows[0])
        for column in SHARE_COLUMNS:
            if column in frame:
                values = frame[column].dropna().astype(float)
                assert (values.round(2) == values).all(), (sheet.title, column)
        for column in frame.columns:
            assert not any(isinstance(v, bool) for v in frame[column]), (sheet.title, column)


def test_every_filter_keeps_pools_locations_and_precision_in_every_format(data, settings):
    """Every filter on the report that every format renders; the files for the unnarrowed programmes.

    The CSV and XLSX are renderings of one :class:`Report` (test_indicators
    checks they carry its figures), and writing them is the slow part, so
    they are checked for every wave x cohort; the pools and the precision of
    the report itself for every wave x cohort x programme. No wave chosen is
    T1 (test_the_page_defaults_to_one_wave_and_labels_both, and the export
    command's default in test_the_export_command_keeps_to_its_wave), so it
    is not swept again.
    """
    access = all_institutions_access(None)
    truths = {}
    reports = pooled_rows = 0
    for filters in filter_choices(data):
        by_institution = build_report(access, filters, ("institution", "programme"))
        by_location = build_report(access, filters, ("location",))
        # the truth for every programme at once, where the programme filter only narrows its
        # rows (one crebo of a group is part of a row: its own truth)
        keep = row_labels(filters.programme)
        everything = dataclasses.replace(filters, programme=None) if keep != "part" else filters
        if everything not in truths:
            truths[everything] = unpooled_sizes(access, everything, ("institution", "programme"))
        keep = None if keep == "part" else keep
        sizes = {
            key: {(brin, label): n for (brin, label), n in table.items() if keep is None or label in keep}
            for key, table in truths[everything].items()
        }
        named = named_institutions(by_institution)  # the pool is decided per table, the same for both
        pooled_rows += assert_pools_hold_two(by_institution, sizes, named)
        per_institution = {}
        for key, table in sizes.items():
            per_institution[key] = {}
            for (brin, _programme), n in table.items():
                per_institution[key][(brin,)] = per_institution[key].get((brin,), 0) + n
        pooled_rows += assert_pools_hold_two(by_location, per_institution, named)
        for report in (by_institution, by_location):
            text = json.dumps(report.as_json(), ensure_ascii=False)
            assert UNNAMED_LOCATION not in text and "Beta" not in text and "99XB" not in text
            assert_json_precision(report)
            if filters.programme is None:
                check_csv(report_csv(report), report)
        if filters.programme is None and not filters.cohorts:
            check_xlsx(report_xlsx(by_institution), by_institution)
        reports += 2
    assert reports == 2 * 3 * 4 * 7
    assert pooled_rows > 0  # the pools were there to check


def row_labels(programme: str | None) -> set[str] | str | None:
    """The programme row labels a programme filter leaves (None: all; "part": part of a row)."""
    if programme is None:
        return None
    if programme.startswith("g"):
        return {ProgrammeGroup.objects.get(pk=int(programme[1:])).name}
    found = Programme.objects.get(crebo=programme)
    return "part" if found.group_id else {f"{found.crebo} {found.name}"}


def assert_json_precision(report):
    """What the page and its JSON show: whole percentages, of the shown counts across institutions."""
    for table in report.as_json()["tables"]:
        for row in table["rows"]:
            for cell in row["cells"]:
                for key in ("share", "ci_low", "ci_high", "weighted_share"):
                    value = cell.get(key)
                    assert value is None or round(value * 100, 9).is_integer(), (table["key"], key, value)
                if cell["share"] is not None:
                    assert cell["share"] == percent(cell["count"], row["n"]), (table["key"], row["label"])
            if row.get("mean") is not None:
                assert round(row["mean"] * 10, 9).is_integer()


def test_the_pool_rule_bites_in_this_data(data):
    """The dataset is made so that some pooled rows hold one institution: they are hidden whole."""
    access = all_institutions_access(None)
    hidden = 0
    for wave in ("T1", "T3"):
        report = build_report(access, Filters(wave=wave), ("institution", "programme"))
        for table in report.tables:
            hidden += int((table.table.reasons == Reason.LONE_POOL.value).all(axis=1).sum())
    assert hidden > 0


def test_locations_of_an_unnamed_institution_are_pooled_and_not_offered(data, admin_client):
    page = admin_client.get("/reports/cross/?by=location").content.decode()
    assert UNNAMED_LOCATION not in page and NAMED_LOCATION in page
    assert OTHER_INSTITUTIONS in page
    plain = admin_client.get("/reports/cross/?by=programme&format=json").json()["tables"]
    narrowed = admin_client.get(f"/reports/cross/?by=programme&location={UNNAMED_LOCATION}&format=json")
    assert narrowed.json()["tables"] == plain  # the filter on an unnamed vestiging is dropped
    named = admin_client.get(f"/reports/cross/?by=programme&location={NAMED_LOCATION}&format=json")
    assert named.json()["tables"] != plain
    own = admin_client.get("/reports/i/99XB/").content.decode()  # in its own view it is named
    assert UNNAMED_LOCATION in own


def test_the_export_command_keeps_to_its_wave(data, tmp_path):
    out = tmp_path / "t1.csv"
    call_command("export_report", "--all", "--wave", "T1", "--format", "csv", "--output", str(out))
    t1 = read_csv(out.read_text(encoding="utf-8"))
    assert set(t1["waves"]) == {"T1"} and "transitions" not in set(t1["indicator"])
    call_command("export_report", "--all", "--format", "csv", "--output", str(out))
    default = read_csv(out.read_text(encoding="utf-8"))
    pd.testing.assert_frame_equal(default, t1)  # no --wave is T1, never both mixed
    call_command(
        "export_report", "--institution", "99XA", "--wave", "all", "--format", "csv", "--output", str(out)
    )
    both = read_csv(out.read_text(encoding="utf-8"))
    assert set(both["waves"]) == {"T1+T3"} and "transitions" in set(both["indicator"])
    assert set(both["cross_institution"]) == {"nee"}
    assert_published_precision(numeric(both), cross=False)
    labels = set(both["median_band"].dropna())
    assert labels and all("€" in label or " " in label for label in labels), labels
    reach = both[both["indicator"] == "reach"]["base"].iloc[0]
    assert "uitnodiging" in reach.lower() or "invitation" in reach.lower()


def test_the_page_defaults_to_one_wave_and_labels_both(data, admin_client):
    default = admin_client.get("/reports/i/99XA/?format=json").json()
    assert default["waves"] == "T1" and "transitions" not in {t["key"] for t in default["tables"]}
    assert default["tables"] == admin_client.get("/reports/i/99XA/?wave=T1&format=json").json()["tables"]
    both = admin_client.get("/reports/i/99XA/?wave=all&format=json").json()
    assert both["waves"] == "T1+T3" and "transitions" in {t["key"] for t in both["tables"]}
    by_wave = admin_client.get("/reports/i/99XA/?by=wave&format=json").json()
    assert by_wave["waves"] == "T1+T3"  # side by side; the totals row adds both up


# --------------------------------------------------------------------------- pure rules


def test_round_shares_is_exact_half_up():
    assert round_shares(1, 8) == 0.13  # 12.5 %: a float path can land on 12
    assert round_shares(29, 200) == 0.15  # 14.5 %
    assert round_shares(7, 55) == 0.13 and np.isnan(round_shares(0, 0))
    k = np.arange(0, 301)
    expected = [percent(x, 300) for x in k]
    assert round_shares(k, np.full_like(k, 300)).tolist() == expected


def test_a_lone_pool_row_is_hidden_whole_and_protected():
    counts = pd.DataFrame(
        {"work": [41, 62, 27], "study": [13, 22, 18]}, index=["Alfa", "Gamma", OTHER_INSTITUTIONS]
    )
    result = protect_table(
        counts, thresholds=Thresholds(), cross_institution=True, hide_rows=[False, False, True]
    )
    assert (result.reasons.loc[OTHER_INSTITUTIONS] == Reason.LONE_POOL.value).all()
    assert result.counts.loc[OTHER_INSTITUTIONS].isna().all()
    assert set(result.marks.loc[OTHER_INSTITUTIONS]) == {"suppressed"}  # the public mark says no more
    # the totals row minus the named rows would give it back: more is hidden
    assert result.suppressed.drop(index=OTHER_INSTITUTIONS).any(axis=None)
    with pytest.raises(ValueError):
        protect_table(counts, thresholds=Thresholds(), cross_institution=True, hide_rows=[True])


def test_pool_rows_counts_members_per_row_and_table():
    frame = pd.DataFrame(
        {
            "institution": ["A", "B", "C", "A", "B", "C"],
            "programme": ["p", "p", "p", "q", "q", "q"],
            "location": ["A-Noord", "B-stad", "C-dorp", "A-Noord", "B-stad", "C-dorp"],
            "work": [30, 12, 9, 40, 6, 0],
            "zzp": [3, 0, 2, 5, 1, 0],
        }
    )
    # B does not consent; C (smaller than A) is pooled with it
    pooled, members = pool_rows(
        frame,
        ["institution", "programme"],
        consented={"A", "C"},
        values=["work", "zzp"],
        tables={"working": ["work"], "zzp": ["zzp"]},
    )
    assert pooled["institution"].tolist() == ["A", "A", OTHER_INSTITUTIONS, OTHER_INSTITUTIONS]
    counted = members.set_index("programme")
    assert counted.loc["p", "working"] == 2 and counted.loc["p", "zzp"] == 1  # C alone has zzp in p
    assert counted.loc["q", "working"] == 1  # C has nobody in q
    by_location, _members = pool_rows(frame, ["location"], consented={"A", "C"}, values=["work"])
    assert set(by_location["location"]) == {"A-Noord", OTHER_INSTITUTIONS}  # B's and C's locations pooled
    assert by_location.set_index("location").loc[OTHER_INSTITUTIONS, "work"] == 27
