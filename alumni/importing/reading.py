"""Turn the bytes of an uploaded file into a table of strings.

Whatever came in (CSV in four encodings and three delimiters, or .xlsx with
real date cells, title lines above the header and a total below the data), what
comes out is the same: a DataFrame of stripped strings and, for every row, the
row number the admin sees in Excel. The file type is decided by content, not by
the name: an .xlsx renamed to .csv is still read, a binary file named .csv is
refused clearly.

Limits are checked before the expensive part: the byte size first, an .xlsx
archive's uncompressed size before openpyxl opens it (a 3 MB "zip bomb" can
expand to gigabytes), and the row limit while the sheet streams, so an
oversized file is refused in seconds instead of after it was parsed.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.conf import settings

from . import columns as cols
from . import layout
from .problems import FileRejected, Problem

ZIP_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode-tekst" is UTF-16 LE with a BOM
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc …
DELIMITERS = (";", ",", "\t")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")


@dataclass
class RawTable:
    headers: list[str]  # as written in the file, stripped
    frame: pd.DataFrame  # one column per header position, all strings
    row_numbers: np.ndarray  # Excel row number per frame row
    file_type: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 0  # Excel row number of the header
    header_score: int = 0  # how many known fields the header names
    notices: list[Problem] = field(default_factory=list)  # title and total lines skipped


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
    """UTF-16 when the file starts with its BOM; else UTF-8 (with or without
    BOM) first, then Windows-1252; Latin-1 last, which accepts any byte. A NUL
    byte outside UTF-16 means this is no text at all."""
    if data.startswith(UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileRejected("binary_file") from exc
        if "\x00" in text[:65536] or _looks_binary(text):
            raise FileRejected("binary_file")
        return text, "utf-16"
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


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter the fullest of the first lines uses most (title lines
    above the header may have none); ties go to ';', Dutch Excel's."""
    counts = dict.fromkeys(DELIMITERS, 0)
    for line in lines[: layout.HEADER_SCAN_ROWS]:
        for d in DELIMITERS:
            counts[d] = max(counts[d], line.count(d))
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _header_line(lines: list[str], delimiter: str) -> int:
    """The physical line the header starts on. pandas takes the column count
    from its first line, so title lines above the header are cut off here."""
    records, starts = [], []
    reader = csv.reader(iter(lines), delimiter=delimiter)
    start = 0
    try:
        for record in reader:
            records.append(record)
            starts.append(start)
            start = reader.line_num
    except csv.Error:
        pass  # an odd quote in a title line: what was read so far decides
    if not records:
        return 0
    index, _score = layout.best_header(records)
    return starts[index]


def _read_csv(data: bytes) -> RawTable:
    text, encoding = _decode(data)
    head = [m.group() for m in _LINE.finditer(text[:65536])][: layout.HEADER_SCAN_ROWS * 2]
    delimiter = _sniff_delimiter(head)
    skipped = _header_line(head, delimiter)
    title_rows = [n + 1 for n, line in enumerate(head[:skipped]) if line.strip(" \t;,\r\n")]
    text = text[sum(len(line) for line in head[:skipped]) :]
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
    table = RawTable([], frame, row_numbers, "csv", encoding, delimiter)
    table.notices = _title_notice(title_rows, skipped + 1)
    return table


def _parser_detail(message: str) -> str:
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if match:
        expected, _line, saw = match.groups()
        return f"{saw} kolommen waar {expected} verwacht / {saw} columns where {expected} expected"
    return message.strip().splitlines()[-1][:200]


# --- XLSX --------------------------------------------------------------------


def _read_xlsx(data: bytes, sheet: str | None) -> RawTable:
    import openpyxl  # imported here: only uploads of .xlsx pay for it

    _check_archive(data)
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
        # The stated dimension (<dimension ref="A1:G1"/>) is not trusted: some
        # exporters write a wrong one, and rows beyond it would be lost unseen.
        worksheet.reset_dimensions()
        rows = _stream_rows(worksheet)
    except FileRejected:
        raise
    except Exception as exc:  # damaged sheet XML, a CRC error in the archive …
        raise FileRejected("xlsx_unreadable", detail=str(exc)[:200]) from exc
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)
    return RawTable([], frame, np.arange(1, len(frame) + 1), "xlsx")


def _check_archive(data: bytes) -> None:
    """Refuse an archive that would expand beyond the limit, before any XML is
    parsed. The sizes come from the zip's directory; ``zipfile`` never returns
    more than a member's stated size (a member that lies fails its CRC check),
    so a stated size cannot be used to slip a bomb past this check."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileRejected("xlsx_unreadable", detail=str(exc)[:200]) from exc
    limit = settings.ALUMNI_UPLOAD_MAX_UNZIPPED_BYTES
    expanded = sum(member.file_size for member in members)
    if expanded > limit:
        raise FileRejected(
            "too_large_unzipped",
            size_mb=round(expanded / 1_048_576),
            limit_mb=round(limit / 1_048_576),
        )


def _stream_rows(worksheet) -> list[list[str]]:
    """The sheet's rows as text, stopping as soon as there are more filled
    rows than the limit allows (plus title lines and a header)."""
    limit = settings.ALUMNI_UPLOAD_MAX_ROWS + layout.HEADER_SCAN_ROWS + 1
    rows, filled = [], 0
    for row in worksheet.iter_rows(values_only=True):
        cells = [_cell_text(value) for value in row]
        rows.append(cells)
        if any(c.strip() for c in cells):
            filled += 1
            if filled > limit:
                raise FileRejected("too_many_rows_streamed", limit=settings.ALUMNI_UPLOAD_MAX_ROWS)
    return rows


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
    first_filled = np.flatnonzero(filled)[: layout.HEADER_SCAN_ROWS]
    candidates = frame.iloc[first_filled].to_numpy().tolist()
    index, table.header_score = layout.best_header(candidates)
    header_at = int(first_filled[index])
    headers = [str(h).strip() for h in frame.iloc[header_at].tolist()]
    table.header_row = int(table.row_numbers[header_at])
    if header_at > first_filled[0]:  # title lines in a sheet (a CSV's were cut off while reading)
        titles = [int(table.row_numbers[i]) for i in first_filled[:index]]
        table.notices.extend(_title_notice(titles, table.header_row))
    body = frame.iloc[header_at + 1 :]
    numbers = table.row_numbers[header_at + 1 :]
    keep = filled[header_at + 1 :]
    body = body[keep].reset_index(drop=True)
    body.columns = range(body.shape[1])
    numbers = numbers[keep]
    body, numbers = _drop_footers(table, headers, body, numbers)
    max_rows = settings.ALUMNI_UPLOAD_MAX_ROWS
    if len(body) > max_rows:
        raise FileRejected("too_many_rows", rows=len(body), limit=max_rows)
    table.headers = headers
    table.frame = body
    table.row_numbers = numbers
    return table


def _title_notice(rows: list[int], header_row: int) -> list[Problem]:
    if not rows:
        return []
    shown = ", ".join(str(r) for r in rows[:10])
    return [Problem("title_rows_skipped", params={"rows": shown, "header_row": header_row})]


def _drop_footers(table: RawTable, headers, body: pd.DataFrame, numbers):
    """Total and print lines ("Totaal: 5 deelnemers") are no graduates: they
    are left out and each is named in a notice. Only rows with at most two
    filled cells are looked at, so this costs nothing on a clean file."""
    if body.empty:
        return body, numbers
    filled_cells = (body != "").sum(axis=1).to_numpy()
    few = np.flatnonzero(filled_cells <= layout.FOOTER_MAX_CELLS)
    if not len(few):
        return body, numbers
    number_at = next((i for i, h in enumerate(headers) if cols.field_for(h) == "student_number"), None)
    footers = [i for i in few if layout.is_footer(body.iloc[i].tolist(), number_at)]
    for i in footers[:20]:
        text = " ".join(c for c in body.iloc[i].tolist() if c)[:100]
        table.notices.append(Problem("footer_skipped", row=int(numbers[i]), value=text))
    if not footers:
        return body, numbers
    keep = np.ones(len(body), dtype=bool)
    keep[footers] = False
    return body[keep].reset_index(drop=True), numbers[keep]
