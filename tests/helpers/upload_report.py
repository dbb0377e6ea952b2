"""Reading what a cohort upload reports back: its problems and its CSV download."""

import csv
import io


def problems_with(problems: list[dict], code: str) -> list[dict]:
    return [p for p in problems if p["code"] == code]


def only_problem(problems: list[dict], code: str) -> dict:
    found = problems_with(problems, code)
    assert len(found) == 1, f"expected one {code!r} problem, got {problems}"
    return found[0]


def read_report_csv(text: str) -> list[list[str]]:
    """A downloaded report: BOM checked by the caller, then parsed as ;-CSV."""
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
