"""CSV files for Dutch Excel, written one way everywhere (upload reports, report exports).

Why these choices: Dutch Excel splits columns on ``;`` (``,`` is its decimal
separator) and reads a CSV as UTF-8 only when the file starts with a byte
order mark; otherwise accented names come out garbled. A text
cell that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) would be
evaluated by a spreadsheet, so it gets a leading quote (CSV injection, OWASP):
upload reports echo what an uploader typed, exports echo labels.
"""

import csv
import io
from collections.abc import Iterable

BOM = "\ufeff"
DELIMITER = ";"
LINE_END = "\r\n"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value) -> str:
    """``value`` as text, with a leading quote if a spreadsheet would evaluate it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def writer(out):
    """A ``csv`` writer in this dialect (``;``, CRLF); the caller writes the :data:`BOM` first."""
    return csv.writer(out, delimiter=DELIMITER, lineterminator=LINE_END)


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """A whole CSV file as text: BOM, header, rows; every cell formula-safe."""
    out = io.StringIO()
    out.write(BOM)
    rows_writer = writer(out)
    rows_writer.writerow([formula_safe(h) for h in header])
    for row in rows:
        rows_writer.writerow([formula_safe(v) for v in row])
    return out.getvalue()
