"""Cohort files as an institution uploads them (CSV or Excel), built from rows.

A file is built from rows given as dicts (header -> cell). ``make_csv`` and
``make_xlsx`` turn the same rows into the bytes an admin would upload, so a
test states only what matters for it.
"""

import csv
import datetime
import io

import openpyxl

# Real crebo codes from alumni/refdata (the qualification lists); tests read
# their level from the Programme table rather than assuming it.
CREBO = "25180"  # Kok (HKS 2015 list)
CREBO_OTHER = "25139"  # Financieel administratief medewerker (HKS 2015 list)
CREBO_PRE_2015 = "94040"  # Betonboorder (2014 list)
UNKNOWN_CREBO = "99999"  # in neither list (checked where used)

DIPLOMA_DATE = "2024-06-28"


def student_number(n: int) -> str:
    """Student numbers with leading zeros, as administrations export them."""
    return f"{n:07d}"


def graduate(n: int = 1, **cells) -> dict:
    """One valid row with Dutch headers; ``cells`` override or add columns."""
    row = {
        "studentnummer": student_number(n),
        "voornaam": f"Voornaam{n}",
        "tussenvoegsel": "",
        "achternaam": f"Achternaam{n}",
        "email": f"student{n}@roc.example.nl",
        "crebo": CREBO,
        "diplomadatum": DIPLOMA_DATE,
    }
    row.update(cells)
    return row


def graduates(count: int, start: int = 1, **cells) -> list[dict]:
    return [graduate(n, **cells) for n in range(start, start + count)]


def columns_of(rows: list[dict]) -> list[str]:
    """Every header used by ``rows``, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def table(rows: list[dict], columns=None, rename=None, drop=()) -> tuple[list[str], list[list]]:
    """Rows as a header line and value lines. ``rename`` maps a Dutch header to
    the header to write (an alias); ``drop`` leaves columns out."""
    columns = [c for c in (columns or columns_of(rows)) if c not in drop]
    rename = rename or {}
    header = [rename.get(c, c) for c in columns]
    body = [[row.get(c, "") for c in columns] for row in rows]
    return header, body


def make_csv(
    rows: list[dict],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    newline: str = "\n",
    columns=None,
    rename=None,
    drop=(),
    header=True,
) -> bytes:
    """A CSV file as bytes. Use ``encoding="utf-8-sig"`` for a BOM."""
    head, body = table(rows, columns, rename, drop)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    if header:
        writer.writerow(head)
    writer.writerows(body)
    return out.getvalue().encode(encoding)


def make_xlsx(
    rows: list[dict],
    *,
    blank_rows_above: int = 0,
    sheet_title: str | None = None,
    other_sheets: tuple[str, ...] = (),
    columns=None,
    rename=None,
    drop=(),
) -> bytes:
    """An .xlsx file as bytes; cell values keep their Python type (dates stay
    date cells, floats stay numbers). ``other_sheets`` come before the data."""
    head, body = table(rows, columns, rename, drop)
    book = openpyxl.Workbook()
    first = book.active
    for title in other_sheets:
        sheet = book.create_sheet(title, 0)
        sheet.append(["iets anders"])
    first.title = sheet_title or "Cohort"
    for _ in range(blank_rows_above):
        first.append([])
    first.append(head)
    for values in body:
        first.append(values)
    if other_sheets:
        book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_row_number(index: int) -> int:
    """The Excel row of the ``index``-th data row (0-based) of a CSV with the header on row 1."""
    return index + 2


def dutch(day: datetime.date, sep: str = "-", pad: bool = True) -> str:
    """A date the way Dutch Excel writes it: 31-12-2025, or 1-7-2025 without padding."""
    if pad:
        return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"
    return f"{day.day}{sep}{day.month}{sep}{day.year}"
