"""Where the table is in a file as real systems export it.

Eduarte and Excel exports put title lines above the header ("Deelnemers per
opleiding", "Peildatum 01-07-2025") and a total below the data ("Totaal: 5
deelnemers"). The header row is the row that names the most known columns
among the first rows; title lines above it and total lines anywhere below it
are skipped, and each skip is reported as a notice, never as an error.
"""

import re

from . import columns as cols

HEADER_SCAN_ROWS = 30  # title lines above the header: never more than a handful
FOOTER_MAX_CELLS = 2  # a total line names a count, not a graduate
# First filled cell of a total or print line (lower case, accents kept).
FOOTER_START = re.compile(
    r"^(?:sub)?tota(?:a)?l\b|^aantal\b|^count\b|^number of\b|^\d+\s+(?:deelnemers|studenten|leerlingen|"
    r"rijen|records|students|rows)\b|^(?:gegenereerd|afgedrukt|geprint|geëxporteerd|exportdatum|"
    r"printed|generated|exported)\b"
)


def header_score(cells) -> int:
    """How many different known fields a row's cells name."""
    return len({cols.field_for(c) for c in cells if c and str(c).strip()} - {None})


def best_header(rows: list[list[str]]) -> tuple[int, int]:
    """(index, score) of the header among ``rows`` (the first filled rows of a
    file). A later row wins only by naming more known columns than every row
    above it; with no known column anywhere, the first filled row is the header
    (and validation says so in one message)."""
    best, best_score = None, -1
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        if not any(str(c).strip() for c in cells):
            continue
        score = header_score(cells)
        if best is None or score > best_score:
            best, best_score = index, score
    return (best if best is not None else 0), max(best_score, 0)


def is_footer(cells, student_number_at: int | None) -> bool:
    """A total or print line: at most two filled cells, the first reads like a
    total, and the student-number column holds no number."""
    filled = [str(c).strip() for c in cells if str(c).strip()]
    if not filled or len(filled) > FOOTER_MAX_CELLS:
        return False
    if not FOOTER_START.match(filled[0].lower()):
        return False
    if student_number_at is not None and student_number_at < len(cells):
        number = str(cells[student_number_at]).strip()
        if number and number[:1].isdigit() and number != filled[0]:
            return False
    return True
