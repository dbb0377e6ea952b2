"""Problems found in a cohort file, stored as codes and shown in the reader's language.

A problem is kept as a plain dict (it goes into ``Upload.report`` as JSON) and
turned into a sentence only when shown, so the same report reads in Dutch for
one admin and in English for another.
"""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    # --- the file as a whole
    "empty_file": _("The file is empty."),
    "no_data_rows": _("The file has a header row but no graduates."),
    "no_header": _(
        "No header row found: none of the first rows names the columns. The header row needs at "
        "least {columns}."
    ),
    "header_incomplete": _(
        "Row {header_row} looks like your header row, but the required columns {columns} are "
        "missing. Check the names in that row against the file format."
    ),
    "binary_file": _(
        "This is not a CSV or Excel file (it contains binary data). "
        "Save it from Excel as 'CSV (semicolon separated)' or as .xlsx."
    ),
    "old_xls": _("The old Excel format (.xls) cannot be read. Save the file as .xlsx or CSV."),
    "too_large": _("The file is {size_mb} MB; the limit is {limit_mb} MB. Split it into smaller files."),
    "too_many_rows": _("The file has {rows} rows; the limit is {limit}. Split it into smaller files."),
    "too_many_rows_streamed": _(
        "The file has more than {limit} rows, the limit. Split it into smaller files."
    ),
    "too_large_unzipped": _(
        "The Excel file unpacks to {size_mb} MB; the limit is {limit_mb} MB. Save it as CSV, "
        "or split it into smaller files."
    ),
    "csv_unreadable": _("The file cannot be read as CSV near line {line}: {detail}"),
    "xlsx_unreadable": _("The Excel file cannot be opened: {detail}"),
    "sheet_missing": _("There is no sheet named '{sheet}'. The sheets are: {sheets}."),
    "missing_column": _("Required column '{column}' is missing (also accepted: {aliases})."),
    "missing_email_column": _("The file needs an 'email' or a 'prive_email' column."),
    "duplicate_column": _("The column '{column}' appears more than once: {headers}."),
    # --- one cell or row
    "required": _("This value is required."),
    "too_long": _("The value is longer than {max} characters."),
    "email_invalid": _("'{value}' is not a valid e-mail address."),
    "email_missing": _("The row has neither an e-mail nor a private e-mail address."),
    "crebo_format": _("'{value}' is not a crebo code: a crebo has exactly 5 digits."),
    "crebo_unknown": _(
        "Crebo {value} is not in the qualification lists. Check the code, "
        "or ask your admin to add the programme."
    ),
    "date_invalid": _("'{value}' is not a date. Use for example 31-12-2025 or 2025-12-31."),
    "date_future": _("The diploma date {value} lies in the future."),
    "date_too_old": _("The diploma date {value} lies before 2000."),
    "level_invalid": _("'{value}' is not a level: use 1, 2, 3 or 4."),
    "level_mismatch": _("Level {value} does not match level {expected} of crebo {crebo}."),
    "pathway_invalid": _("'{value}' is not a pathway: use BOL or BBL."),
    "gender_invalid": _("'{value}' is not a gender: use m, v (or f) or x."),
    "birth_year_invalid": _("'{value}' is not a plausible year of birth."),
    "birth_date_invalid": _("'{value}' is not a date of birth."),
    "duplicate_student_number": _("Student number {value} also appears in row {rows}."),
    "brin_mismatch": _("This row is for institution {value}, but the upload is for {expected}."),
    # --- warnings: reported, never blocking
    "formula": _(
        "'{value}' starts with '{char}', like a spreadsheet formula. Remove the '{char}' or correct "
        "the cell in the source system; formulas are never imported."
    ),
    "formula_like": _("Starts with '{char}': stored as plain text, never run as a formula."),
    "ignored_column": _("The column '{column}' is not used and was ignored."),
    "new_location": _("New location '{value}' will be created."),
    "birth_date_reduced": _("Only the year of birth is kept from '{column}'."),
    "title_rows_skipped": _(
        "Row(s) {rows} above the header row (row {header_row}) are not graduates and were skipped."
    ),
    "footer_skipped": _("'{value}' looks like a total line, not a graduate, and was skipped."),
    "private_email_dropped": _(
        "'{value}' is not a valid e-mail address. The row is imported without this private address."
    ),
    "leading_zeros_name": _(
        "Student number {value} is taken to be graduate {stored}, who has the same name: the "
        "leading zeros were probably lost in Excel. The stored number {stored} is kept."
    ),
    "erased_student": _(
        "Student number {value} belongs to a graduate whose data was erased at their request. "
        "The row was skipped: they will not be added or invited again."
    ),
    "leading_zeros_email": _(
        "Student number {value} is taken to be graduate {stored}, who has the same e-mail address: "
        "the leading zeros were probably lost in Excel. The stored number {stored} is kept."
    ),
}


@dataclass
class Problem:
    code: str
    row: int | None = None  # as the admin sees it in Excel (header = its own row)
    column: str | None = None  # the header as written in the file
    value: str = ""
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def message(problem: dict) -> str:
    """The sentence for a stored problem, in the active language."""
    template = str(MESSAGES.get(problem["code"], problem["code"]))
    params = {"value": problem.get("value", ""), "column": problem.get("column") or ""}
    params.update(problem.get("params") or {})
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


class FileRejected(Exception):
    """The file as a whole cannot be read; carries the one problem to show."""

    def __init__(self, code: str, **params):
        self.problem = Problem(code=code, params=params)
        super().__init__(code)
