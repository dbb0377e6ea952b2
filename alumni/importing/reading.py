"""Turn the bytes of an uploaded file into a table of strings.

Whatever came in (CSV in three encodings and three delimiters, or .xlsx with
real date cells and blank rows above the header), what comes out is the same:
a DataFrame of stripped strings and, for every row, the row number the admin
sees in Excel. The file type is decided by content, not by the name: an .xlsx
renamed to .csv is still read, a binary file named .csv is refused clearly.
"""

import datetime
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings

from .problems import FileRejected

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc …
DELIMITERS = (";", ",", "\t")
# Lines above the header with nothing but spaces and delimiters in them.
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t;,]*(?:\r\n|\n|\r))+")


@dataclass
class RawTable:
    headers: list[str]  # as written in the file, stripped
    frame: pd.DataFrame  # one column per header position, all strings
    row_numbers: np.ndarray  # Excel row number per frame row
    file_type: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""


def read_table(data: bytes, *, sheet: str | None = None) -> RawTable:
    max_bytes = settings.ALUMNI_UPLOAD_MAX_BYTES
    if len(data) > max_bytes:
        raise FileRejected(
            "too_large",
            size_mb=round(len(data) / 1_048_576, 1),
            limit_mb=round(max_bytes / 1_048_576, 1),
        )
    if not data.strip():
        raise FileRejected("empty_file")
    if data.startswith(ZIP_MAGIC):
        table = _read_xlsx(data, sheet)
    elif data.startswith(OLE_MAGIC):
        raise FileRejected("old_xls")
    else:
        table = _read_csv(data)
    return _finish(table)


# --- CSV ---------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first; then Windows-1252; Latin-1 last,
    which accepts any byte. A NUL byte means this is no text at all."""
    if b"\x00" in data[:65536]:
        raise FileRejected("binary_file")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise FileRejected("binary_file")
        return text, encoding
    raise FileRejected("binary_file")  # pragma: no cover - latin-1 decodes anything


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return controls > max(8, len(sample) // 100)


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to ';', Dutch Excel's
    return best if counts[best] else ";"


def _read_csv(data: bytes) -> RawTable:
    text, encoding = _decode(data)
    delimiter = _sniff_delimiter(text)
    # pandas takes the column count from the first line (and finds no columns
    # at all in an empty one): start at the first filled line, keep the count.
    blank = _LEADING_BLANK_LINES.match(text)
    skipped = len(re.findall(r"\r\n|\n|\r", blank.group())) if blank else 0
    text = text[blank.end() :] if blank else text
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            quotechar='"',
            engine="c",
        )
    except pd.errors.EmptyDataError as exc:
        raise FileRejected("empty_file") from exc
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise FileRejected(
            "csv_unreadable",
            line=str(int(line.group(1)) + skipped) if line else "?",
            detail=_parser_detail(str(exc)),
        ) from exc
    row_numbers = np.arange(skipped + 1, skipped + len(frame) + 1)
    return RawTable([], frame, row_numbers, "csv", encoding, delimiter)


def _parser_detail(message: str) -> str:
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if match:
        expected, _line, saw = match.groups()
        return f"{saw} kolommen waar {expected} verwacht / {saw} columns where {expected} expected"
    return message.strip().splitlines()[-1][:200]


# --- XLSX --------------------------------------------------------------------


def _read_xlsx(data: bytes, sheet: str | None) -> RawTable:
    import openpyxl  # imported here: only uploads of .xlsx pay for it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a zip that is no workbook, a damaged file …
        raise FileRejected("xlsx_unreadable", detail=str(exc)[:200]) from exc
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise FileRejected("sheet_missing", sheet=sheet, sheets=", ".join(book.sheetnames))
            worksheet = book[sheet]
        else:
            worksheet = book.worksheets[0]
        rows = [[_cell_text(value) for value in row] for row in worksheet.iter_rows(values_only=True)]
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)
    return RawTable([], frame, np.arange(1, len(frame) + 1), "xlsx")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- common ---------------------------------------------------------------


def _finish(table: RawTable) -> RawTable:
    """Strip cells, find the header row, drop fully blank rows."""
    frame = table.frame.fillna("")
    for column in frame.columns:
        values = frame[column].astype(str).str.strip()
        wrapped = values.str.startswith('="') & values.str.endswith('"')
        if wrapped.any():
            values = values.mask(wrapped, values.str.slice(2, -1))
        frame[column] = values
    filled = (frame != "").any(axis=1).to_numpy()
    if not filled.any():
        raise FileRejected("empty_file")
    header_at = int(np.argmax(filled))
    headers = [str(h).strip() for h in frame.iloc[header_at].tolist()]
    body = frame.iloc[header_at + 1 :]
    numbers = table.row_numbers[header_at + 1 :]
    keep = filled[header_at + 1 :]
    body = body[keep].reset_index(drop=True)
    body.columns = range(body.shape[1])
    max_rows = settings.ALUMNI_UPLOAD_MAX_ROWS
    if len(body) > max_rows:
        raise FileRejected("too_many_rows", rows=len(body), limit=max_rows)
    table.headers = headers
    table.frame = body
    table.row_numbers = numbers[keep]
    return table
