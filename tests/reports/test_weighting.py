"""Raking (reports.weighting.rake) and the weighted figures beside the unweighted ones."""

import numpy as np
import pandas as pd
import pytest

from reports.filters import Filters
from reports.report import build_report
from reports.scoping import all_institutions_access
from reports.weighting import rake
from tests.factories.datasets import make_dataset


def margins(sample, weights, margin):
    return (sample["n"] * weights).groupby(sample[margin]).sum()


def test_raking_matches_every_margin():
    rng = np.random.default_rng(3)
    cells = pd.MultiIndex.from_product(
        [["p1", "p2", "p3"], ["BOL", "BBL"], ["m", "v"]], names=["prog", "path", "sex"]
    )
    sample = cells.to_frame(index=False)
    sample["n"] = rng.integers(3, 40, len(sample))
    targets = {
        "prog": pd.Series({"p1": 300, "p2": 150, "p3": 50}),
        "path": pd.Series({"BOL": 350, "BBL": 150}),
        "sex": pd.Series({"m": 240, "v": 260}),
    }
    weights = rake(sample, targets)
    for margin, target in targets.items():
        got = margins(sample, weights, margin)
        pd.testing.assert_series_equal(
            got.sort_index(), target.astype(float).sort_index(), check_names=False, atol=1e-6
        )


def test_proportional_sample_gets_one_weight():
    sample = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "v"], "n": [10, 20, 30, 60]})
    targets = {"a": pd.Series({"x": 60, "y": 180}), "b": pd.Series({"u": 80, "v": 160})}
    weights = rake(sample, targets)
    assert np.allclose(weights, 2.0)


def test_single_margin_is_post_stratification():
    sample = pd.DataFrame({"a": ["x", "y"], "n": [10, 40]})
    weights = rake(sample, {"a": pd.Series({"x": 50, "y": 50})})
    assert weights.tolist() == pytest.approx([5.0, 1.25])


def test_missing_level_is_spread_over_the_others():
    sample = pd.DataFrame({"a": ["x", "y"], "n": [10, 10]})
    weights = rake(sample, {"a": pd.Series({"x": 30, "y": 10, "z": 60})})
    assert (sample["n"] * weights).sum() == pytest.approx(100)


@pytest.mark.django_db
def test_weighted_shares_sit_beside_shown_unweighted_ones():
    make_dataset(seed=9)
    report = build_report(all_institutions_access("99XA"), Filters(), ("programme",), weighted=True)
    table = report.by_key()["working"]
    for row in table.rows():
        for cell in row["cells"]:
            if cell["share"] is None:
                assert cell["weighted_share"] is None
            else:
                assert 0 <= cell["weighted_share"] <= 1
    total = table.rows()[-1]["cells"]
    assert sum(c["weighted_share"] for c in total) == pytest.approx(1.0)
    assert "weighted_share" in report.to_long().columns
