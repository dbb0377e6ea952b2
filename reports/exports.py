"""Report exports: CSV for Dutch Excel, XLSX, and the streamed raw-row export.

CSV: the dialect of ``alumni.csvfiles`` (UTF-8 with BOM, ``;``, formula-safe
text cells, as in the upload reports) plus decimal commas (what Dutch Excel
expects).
Every row carries the rules that were applied (min_group, min_count,
rounding_base, confidence), the waves its figures cover (``waves``: T1, T3,
or T1+T3 when the user asked for all waves) and a public ``mark`` per cell
("" shown, "small_group", "suppressed"); hidden figures are empty, never a
number. Shares and intervals are proportions with two decimals (whole
percentages), means have one decimal (``reports.disclosure.rules``); yes/no
columns say "ja" / "nee".

The raw export streams: rows come from a server-side cursor
(``QuerySet.iterator(chunk_size=...)``) and are written to the response in
chunks, so memory stays flat however many rows there are.
"""

from __future__ import annotations

import contextlib
import io
import queue
import threading
from collections.abc import Iterable, Iterator

import pandas as pd
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from alumni.csvfiles import BOM, DELIMITER, LINE_END, csv_text, formula_safe, writer

from .report import Report
from .selectors.personal_data import RAW_COLUMNS

MARK_LEGEND = {
    "": "shown",
    "small_group": "hidden: the group is smaller than the minimum group size",
    "suppressed": (
        "hidden: a count of 1-4, a pooled row of a single institution, "
        "or hidden so that such figures cannot be recomputed"
    ),
}


def _text_cell(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return formula_safe(value)


def _safe_text(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if not (pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(frame[column])):
            frame[column] = frame[column].map(_text_cell)
    frame.columns = [formula_safe(c) for c in frame.columns]
    return frame


PRECISION_NOTE = (
    "share, ci_low, ci_high, weighted_share: proportions rounded to two decimals (whole percentages); "
    "mean: one decimal. In cross-institution views they are computed from the rounded counts."
)


def dutch_boolean(value):
    """True/False as the Dutch words a reader expects in a spreadsheet."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return value


def export_frame(report: Report) -> pd.DataFrame:
    """Every table of the report in one long frame (one row per cell)."""
    long = report.to_long()
    long = long.rename(columns={"Totaal": "total"})
    long.insert(0, "view", report.access.title)
    for column in long.columns:
        if pd.api.types.is_bool_dtype(long[column]):
            long[column] = long[column].map(dutch_boolean)
    return long


def _frame_csv(frame: pd.DataFrame, **options) -> str:
    """A frame as a CSV file of ``alumni.csvfiles``' dialect, text cells formula-safe."""
    out = io.StringIO()
    out.write(BOM)
    _safe_text(frame).to_csv(out, sep=DELIMITER, index=False, lineterminator=LINE_END, **options)
    return out.getvalue()


def report_csv(report: Report, table: str | None = None) -> str:
    frame = export_frame(report)
    if table:
        frame = frame[frame["indicator"] == table]
        frame = frame.dropna(axis=1, how="all")
    return _frame_csv(frame, decimal=",", na_rep="")


def report_xlsx(report: Report) -> bytes:
    """One sheet per table plus "Toelichting" with the rules and the marks."""
    workbook = Workbook(write_only=True)
    info = workbook.create_sheet("Toelichting")
    bold = Font(bold=True)
    info.append([_("Report"), formula_safe(report.access.title)])
    rules = report.access.thresholds.for_view(cross_institution=report.access.cross_institution).as_dict()
    for key, value in rules.items():
        info.append([key, dutch_boolean(value)])
    info.append(["waves", report.waves])
    info.append(["precision", PRECISION_NOTE])
    info.append([])
    info.append(["mark", "meaning"])
    for mark, meaning in MARK_LEGEND.items():
        info.append([mark or "(empty)", meaning])
    grey = PatternFill("solid", fgColor="DDDDDD")
    frame = export_frame(report)
    for key, part in frame.groupby("indicator", sort=False):
        part = _safe_text(part.dropna(axis=1, how="all"))
        sheet = workbook.create_sheet(str(key)[:31])
        from openpyxl.cell import WriteOnlyCell

        header = []
        for name in part.columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        mark_position = list(part.columns).index("mark") if "mark" in part.columns else None
        percent = {i for i, name in enumerate(part.columns) if name in PERCENT_COLUMNS}
        for values in part.itertuples(index=False, name=None):
            row = []
            for position, value in enumerate(values):
                if value is pd.NA or (isinstance(value, float) and value != value):
                    value = None
                cell = WriteOnlyCell(sheet, value=value)
                if position in percent:
                    cell.number_format = "0%"
                if mark_position is not None and values[mark_position]:
                    cell.fill = grey
                row.append(cell)
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


PERCENT_COLUMNS = {"share", "ci_low", "ci_high", "weighted_share"}
"""Shown as whole percentages in Excel (the value stays the proportion)."""


class _Echo:
    def write(self, value):
        return value


def _raw_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"  # as PostgreSQL's COPY writes them, so both paths agree
    return formula_safe(value) if isinstance(value, str) else value


def stream_csv(header: Iterable[str], rows: Iterable[tuple], chunk: int = 2000) -> Iterator[str]:
    """CSV text in chunks of ``chunk`` rows: BOM and header first, formula-safe cells."""
    buffer = io.StringIO()
    rows_writer = writer(buffer)
    buffer.write(BOM)
    rows_writer.writerow([formula_safe(h) for h in header])
    pending = 0
    for row in rows:
        rows_writer.writerow([_raw_cell(v) for v in row])
        pending += 1
        if pending >= chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def raw_rows_csv(queryset, chunk_size: int = 5000) -> Iterator[str]:
    """The anonymised response rows (selectors.raw_rows) as a CSV stream.

    On PostgreSQL the rows are written by ``COPY (<the same query>) TO STDOUT``
    streamed from one helper thread (:func:`_copy_stream`): the database formats the
    CSV, which is several times faster than turning a million ORM tuples into
    text in Python, and memory stays at a few pieces. Every exported column is a
    code, a number or a yes/no (no free text: see ``selectors.RAW_COLUMNS``),
    so nothing in it can start a spreadsheet formula. Elsewhere (SQLite) the
    ORM's chunked iterator and the csv module do the same job.
    """
    from django.db import connection

    header = [name for name, _path in RAW_COLUMNS]
    if connection.vendor == "postgresql":
        return _copy_stream(queryset, header)
    return stream_csv(header, queryset.iterator(chunk_size=chunk_size))


class _CopyAborted(Exception):
    pass


class _QueueWriter(io.TextIOBase):
    """What psycopg2's COPY writes into: gathers the text into pieces of about
    ``flush_chars`` and hands them to the queue (which blocks when the reader
    is slow, so memory stays at ``depth`` pieces)."""

    def __init__(self, pieces: queue.Queue, stop: threading.Event, flush_chars: int):
        self.pieces, self.stop, self.flush_chars = pieces, stop, flush_chars
        self.parts: list[str] = []
        self.size = 0

    def write(self, data: str) -> int:
        if self.stop.is_set():
            raise _CopyAborted  # the client went away: end the COPY
        self.parts.append(data)
        self.size += len(data)
        if self.size >= self.flush_chars:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.parts:
            self.pieces.put("".join(self.parts))
            self.parts, self.size = [], 0


def _copy_stream(queryset, header: list[str], *, flush_chars: int = 1 << 18, depth: int = 8) -> Iterator[str]:
    """One ``COPY (<query>) TO STDOUT`` for the whole export, streamed.

    psycopg2's COPY pushes its output into a file object, while a streaming
    response pulls: a helper thread runs the COPY on this request's own
    connection (shared with it for the duration, so it sees the same
    transaction) and passes pieces through a bounded queue. Memory stays at a
    few pieces whatever the number of rows; the database formats the CSV.
    """
    from django.db import connections

    # The connection object itself: ``django.db.connection`` would give the
    # helper thread a connection of its own, outside this request's transaction.
    connection = connections[queryset.db]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, params).decode()
    pieces: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce():
        sink = _QueueWriter(pieces, stop, flush_chars)
        try:
            with connection.cursor() as cursor:
                cursor.copy_expert(
                    f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, DELIMITER '{DELIMITER}')", sink
                )
            sink.flush()
            pieces.put(None)
        except BaseException as exc:  # handed to the reader, raised there
            pieces.put(exc)

    yield BOM + DELIMITER.join(header) + LINE_END
    connection.inc_thread_sharing()
    thread = threading.Thread(target=produce, name="raw-export-copy", daemon=True)
    thread.start()
    try:
        while True:
            piece = pieces.get()
            if piece is None:
                return
            if isinstance(piece, BaseException):
                if isinstance(piece, _CopyAborted):
                    return
                raise piece
            yield piece.replace("\n", LINE_END)
    finally:
        stop.set()
        while thread.is_alive():  # let a blocked put() through, so the thread can end
            with contextlib.suppress(queue.Empty):
                pieces.get_nowait()
            thread.join(0.05)
        connection.dec_thread_sharing()


def network_csv(rows: list[dict]) -> str:
    header = ["name", "email", "programme", "cohort", "guest_lessons", "mentoring", "employer_contacts"]
    return csv_text(
        header,
        ([row[h] if isinstance(row[h], str) else ("ja" if row[h] else "") for h in header] for row in rows),
    )


def monitoring_csv(frame: pd.DataFrame) -> str:
    return _frame_csv(frame.astype({"day": str}) if "day" in frame else frame)
