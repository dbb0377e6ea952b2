"""The downloadable parts of an upload's report, as CSV for Dutch Excel
(``alumni.csvfiles``: ``;``, UTF-8 BOM, formula-safe; the headers of the
rejected rows come from the uploaded file, so they are made safe too)."""

from django.utils.translation import gettext as _

from alumni.csvfiles import csv_text

from .problems import message


def problems_csv(problems: list[dict]) -> str:
    header = [_("row"), _("column"), _("value"), _("problem")]
    return csv_text(
        header,
        ([p.get("row") or "", p.get("column") or "", p.get("value", ""), message(p)] for p in problems),
    )


def rejected_rows_csv(rows: list[dict]) -> str:
    """The skipped rows with their original cells, to fix and upload again.
    The first column is the row number in the uploaded file."""
    if not rows:
        return csv_text([], [])
    header = list(rows[0].keys())
    return csv_text(header, ([r.get(h, "") for h in header] for r in rows))
