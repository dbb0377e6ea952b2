"""The indicators of reporting.md computed again, independently of the product.

The expected figures come from plain pandas over the raw answer columns (and
statsmodels for the Wilson intervals): no product code is used to compute
them. The report tests (indicators, cube) compare the product's tables with
these; ``check_table`` does the comparison for one dashboard table.
"""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from surveys.models import Invitation, Response

PAID = {"employee", "agency", "zzp", "business", "bbl"}
ACTIVITIES = [
    "employee", "agency", "zzp", "business", "bbl", "studying",
    "unpaid", "caring", "unemployed", "ill", "gap_year", "other",
]  # fmt: skip
GROUPS = {
    "employee": "employee", "agency": "employee", "bbl": "employee", "zzp": "self_employed",
    "business": "self_employed", "studying": "studying", "unemployed": "unemployed",
}  # fmt: skip
BRIN = "99XA"

OPEN = {"REPORTS_MIN_GROUP_WITHIN": 1, "REPORTS_MIN_COUNT": 1, "REPORTS_ROUNDING_BASE": 0}


def open_thresholds(settings) -> None:
    """No group too small, no rounding: every figure is shown as computed (``OPEN``)."""
    for name, value in OPEN.items():
        setattr(settings, name, value)


def raw_responses(brin=BRIN, wave=None) -> pd.DataFrame:
    fields = {
        "graduate": "invitation__graduate_id",
        "crebo": "invitation__graduate__programme__crebo",
        "pname": "invitation__graduate__programme__name",
        "group": "invitation__graduate__programme__group__name",
        "wave": "invitation__wave__code",
        "brin": "invitation__graduate__institution__brin",
    }
    answers = [
        "completed_at", "main_activity", "hours_per_week", "looked_for_work", "available_for_work",
        "benefit", "contract", "self_employment_reason", "level_match", "field_match", "diploma_needed",
        "job_route", "study_level", "preparation", "meaningful", "fits_plans", "uses_learning",
        "choose_again", "wage_band", "branch_id", "occupation_group_id", "workplace_postcode",
    ]  # fmt: skip
    rows = Response.objects.values_list(*fields.values(), *answers)
    df = pd.DataFrame(list(rows), columns=[*fields, *answers])
    df = df[df["completed_at"].notna() & (df["brin"] == brin)]
    if wave:
        df = df[df["wave"] == wave]
    df["programme"] = np.where(df["group"].notna(), df["group"], df["crebo"] + " " + df["pname"])
    return df


def expected_masks(df: pd.DataFrame) -> dict[str, dict[str, pd.Series]]:
    """reporting.md, written out again with pandas (see reports/indicators.py for the wording)."""
    main = df["main_activity"]
    resp = main != ""
    working = main.isin(PAID)
    hours = df["hours_per_week"]
    studying = main == "studying"
    unemployed = resp & ~working & (df["looked_for_work"] == True) & (df["available_for_work"] == True)  # noqa: E712
    full_time = working & (hours >= 35)

    def each(column, values, extra=True):
        return {v: extra & (df[column] == v) for v in values}

    m = {
        "activity": {a: main == a for a in ACTIVITIES},
        "working": {"yes": working, "no": resp & ~working},
        "working_12h": {"yes": working & (hours >= 12), "no": (resp & ~working) | (working & (hours < 12))},
        "working_full_time": {"yes": full_time, "no": (resp & ~working) | (working & (hours < 35))},
        "studying": {
            **each("study_level", ["mbo", "ad", "hbo", "wo"], studying),
            "other": studying & df["study_level"].isin(["other", ""]),
            "no": resp & ~studying,
        },
        "benefit": each("benefit", ["none", "ww", "bijstand", "disability", "other", "declined"]),
        "any_benefit": {
            "yes": df["benefit"].isin(["ww", "bijstand", "disability", "other"]),
            "no": df["benefit"] == "none",
            "declined": df["benefit"] == "declined",
        },
        "unemployed": {"yes": unemployed, "no": resp & ~unemployed},
        "unemployed_labour_force": {"unemployed": unemployed, "working": working},
        "zzp": {
            "yes": working & main.isin(["zzp", "business"]),
            "no": working & ~main.isin(["zzp", "business"]),
        },
        "zzp_reason": each("self_employment_reason", ["own_choice", "both", "necessity", "client_required"]),
        "contract_mix": {
            "permanent": working & (df["contract"] == "permanent"),
            "temporary": working & df["contract"].isin(["temp_prospect", "temporary", "bbl"]),
            "flexible": working & df["contract"].isin(["agency", "on_call"]),
            "zzp": working & df["contract"].isin(["zzp", "owner"]),
        },
        "field_match": each("field_match", ["own", "related", "other", "any"], working),
        "level_match": each("level_match", ["higher", "same", "lower", "none"], working),
        "own_level_or_higher": {
            "yes": working & df["level_match"].isin(["higher", "same"]),
            "no": working & df["level_match"].isin(["lower", "none"]),
        },
        "diploma_needed": each(
            "diploma_needed",
            ["level_field", "level", "field", "advantage", "not_required", "dont_know"],
            working,
        ),
        "job_route": each(
            "job_route", ["internship", "school", "vacancy", "network", "own_business", "other"], working
        ),
        "choose_again": each("choose_again", ["yes", "maybe", "no"]),
        "wage_band": each(
            "wage_band", ["0000", "0500", "1000", "1500", "2000", "2500", "3000", "3500", "4000"], full_time
        ),
    }
    for scale in ("preparation", "meaningful", "fits_plans", "uses_learning"):
        m[scale] = {str(k): df[scale] == k for k in range(1, 6)}
    postcode = df["workplace_postcode"]
    with_postcode = working & (postcode != "")
    inside = (postcode >= "1000") & (postcode <= "1499")
    m["region"] = {"yes": with_postcode & inside, "no": with_postcode & ~inside}
    for key, column in (("branch", "branch_id"), ("occupation", "occupation_group_id")):
        answered = working & df[column].notna()
        totals = df.loc[answered, column].value_counts()
        top = sorted(totals.index, key=lambda code: (-totals[code], code))[:5]
        m[key] = {code: answered & (df[column] == code) for code in top}
        m[key]["other"] = answered & ~df[column].isin(top)
    return m


def expected_counts(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    out = {}
    for key, masks in expected_masks(df).items():
        frame = pd.DataFrame({cat: mask.groupby(df["programme"]).sum() for cat, mask in masks.items()})
        frame.loc["Totaal"] = frame.sum()
        out[key] = frame.astype(int)
    return out


def expected_invitations(brin=BRIN) -> dict[str, pd.DataFrame]:
    rows = Invitation.objects.exclude(status="pending").filter(graduate__institution__brin=brin)
    df = pd.DataFrame(
        list(
            rows.values_list(
                "status", "sent_at", "response__completed_at", "graduate__programme__crebo",
                "graduate__programme__name", "graduate__programme__group__name",
            )
        ),
        columns=["status", "sent_at", "done", "crebo", "pname", "group"],
    )  # fmt: skip
    df["programme"] = np.where(df["group"].notna(), df["group"], df["crebo"] + " " + df["pname"])
    sent = df["sent_at"].notna() & (df["status"] != "bounced")
    done = sent & df["done"].notna()
    out = {}
    for key, masks in {
        "reach": {"yes": sent, "no": ~sent},
        "response": {"yes": done, "no": sent & ~done},
    }.items():
        frame = pd.DataFrame({cat: mask.groupby(df["programme"]).sum() for cat, mask in masks.items()})
        frame.loc["Totaal"] = frame.sum()
        out[key] = frame.astype(int)
    return out


def expected_transitions(brin=BRIN) -> pd.DataFrame:
    df = raw_responses(brin)
    df = df[df["main_activity"] != ""]
    t1 = df[df["wave"] == "T1"].set_index("graduate")["main_activity"]
    t3 = df[df["wave"] == "T3"].set_index("graduate")["main_activity"]
    both = pd.concat([t1.rename("t1"), t3.rename("t3")], axis=1, join="inner")
    grouped = both.apply(lambda column: column.map(lambda a: GROUPS.get(a, "other")))
    return pd.crosstab(grouped["t1"], grouped["t3"])


def wilson(count, n):
    return proportion_confint(count, n, alpha=0.10, method="wilson")


def check_table(table_json: dict, expected: pd.DataFrame, *, hidden_allowed: bool):
    """The dashboard JSON of one table against the independent counts."""
    keys = [c["key"] for c in table_json["categories"]]
    assert sorted(keys) == sorted(expected.columns), table_json["key"]
    for row in table_json["rows"]:
        label = row["label"]
        want = expected.loc[label]
        n = int(want.sum())
        if row["n"] is not None:
            assert row["n"] == n
        for cell in row["cells"]:
            k = int(want[cell["category"]])
            if cell["count"] is None:
                assert hidden_allowed or n == 0, (
                    table_json["key"],
                    label,
                    cell,
                )  # an empty row has no shares
                continue
            assert cell["count"] == k, (table_json["key"], label, cell)
            if cell["share"] is None:
                assert hidden_allowed or n == 0
                continue
            # at the published precision: whole percentages (reports.disclosure.rules.SHARE_DECIMALS)
            assert cell["share"] == pytest.approx(k / n, abs=0.005 + 1e-9)
            assert round(cell["share"] * 100, 9).is_integer()
            low, high = wilson(k, n)
            assert cell["ci_low"] == pytest.approx(low, abs=0.005 + 1e-9)
            assert cell["ci_high"] == pytest.approx(high, abs=0.005 + 1e-9)
