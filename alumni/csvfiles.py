"""CSV files for Dutch Excel, written one way everywhere (upload reports, report exports).

Why these choices: Dutch Excel splits columns on ``;`` (``,`` is its decimal
separator) and reads a CSV as UTF-8 only when the file starts with a byte
order mark; otherwise accented names come out garbled. A text
cell that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) would be
evaluated by a spreadsheet, so it gets a leading quote (CSV injection, OWASP):
upload reports echo what an uploader typed, exports echo labels.

A student number is text, but Excel reads ``0104515`` as the number 104515 and
drops the zero; saved again, the re-uploaded row would not match its graduate.
So a :class:`TextCell` of digits is written as ``="0104515"``, which Excel
shows as the text 0104515 and the cohort reader unwraps again. (Digits only:
no other text is ever written as a formula.)
"""

import csv
import io
import re
from collections.abc import Iterable

BOM = "\ufeff"
DELIMITER = ";"
LINE_END = "\r\n"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_DIGITS = re.compile(r"[0-9]+")


class TextCell(str):
    """A value a spreadsheet must keep as text, such as a student number."""


def cell(value) -> str:
    """How one value is written: a :class:`TextCell` of digits as ``="…"``,
    everything else formula-safe."""
    if isinstance(value, TextCell) and _DIGITS.fullmatch(value):
        return f'="{value}"'
    return formula_safe(value)


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
        rows_writer.writerow([cell(v) for v in row])
    return out.getvalue()
