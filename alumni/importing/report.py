"""The downloadable parts of an upload's report, as CSV for Dutch Excel.

Semicolon-separated with a UTF-8 BOM (so Excel picks the encoding), and
formula-safe: a cell that a spreadsheet would evaluate is prefixed with a
quote (CSV injection, OWASP).
"""

import csv
import io

from django.utils.translation import gettext as _

from .problems import message

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(header: list[str], rows) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([formula_safe(h) for h in header])  # headers come from the uploaded file too
    for row in rows:
        writer.writerow([formula_safe(v) for v in row])
    return out.getvalue()


def problems_csv(problems: list[dict]) -> str:
    header = [_("row"), _("column"), _("value"), _("problem")]
    return _csv(
        header,
        ([p.get("row") or "", p.get("column") or "", p.get("value", ""), message(p)] for p in problems),
    )


def rejected_rows_csv(rows: list[dict]) -> str:
    """The skipped rows with their original cells, to fix and upload again.
    The first column is the row number in the uploaded file."""
    if not rows:
        return _csv([], [])
    header = list(rows[0].keys())
    return _csv(header, ([r.get(h, "") for h in header] for r in rows))
