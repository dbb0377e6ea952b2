"""The downloadable parts of an upload's report, as CSV for Dutch Excel
(``alumni.csvfiles``: ``;``, UTF-8 BOM, formula-safe; the headers of the
rejected rows come from the uploaded file, so they are made safe too).

Student numbers are written as text cells (``="0104515"``), so a file opened
and saved in Excel keeps the leading zeros it is matched on when uploaded again."""

from django.utils.translation import gettext as _

from alumni.csvfiles import TextCell, csv_text

from . import columns as cols
from .problems import message

NUMBER_CODES = {"duplicate_student_number", "leading_zeros_name", "leading_zeros_email", "erased_student"}


def _is_student_number(header) -> bool:
    return bool(header) and cols.field_for(str(header)) == "student_number"


def problems_csv(problems: list[dict]) -> str:
    header = [_("row"), _("column"), _("value"), _("problem")]
    return csv_text(
        header,
        (
            [
                p.get("row") or "",
                p.get("column") or "",
                _value(p),
                message(p),
            ]
            for p in problems
        ),
    )


def rejected_rows_csv(rows: list[dict]) -> str:
    """The skipped rows with their original cells, to fix and upload again.
    The first column is the row number in the uploaded file."""
    if not rows:
        return csv_text([], [])
    header = list(rows[0].keys())
    numbers = {h for h in header if _is_student_number(h)}
    return csv_text(
        header,
        ([TextCell(r.get(h, "")) if h in numbers else r.get(h, "") for h in header] for r in rows),
    )


def _value(problem: dict):
    value = problem.get("value", "")
    if problem.get("code") in NUMBER_CODES or _is_student_number(problem.get("column")):
        return TextCell(value)
    return value
