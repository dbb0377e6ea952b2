from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from alumni.importing.problems import message
from alumni.importing.report import problems_csv, rejected_rows_csv
from alumni.models import Institution
from alumni.services import import_file


class Command(BaseCommand):
    help = (
        "Import a cohort list (CSV or .xlsx) for one institution. Checks every row first; "
        "a file with errors imports nothing unless --import-valid-rows is given. "
        "Exit status: 0 all rows fine, 1 file rejected (nothing imported), "
        "2 valid rows imported but some rows skipped (--import-valid-rows)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--institution", required=True, metavar="BRIN")
        parser.add_argument("--sheet", help="Excel sheet name (default: the first sheet)")
        parser.add_argument("--import-valid-rows", action="store_true", help="Import the valid rows of a file with errors.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--report", type=Path, help="Where to write the error report (default: FILE.errors.csv).")
        parser.add_argument("--language", choices=["nl", "en"], default="nl")

    def handle(self, *args, file: Path, institution: str, sheet, import_valid_rows, dry_run, report, language, **options):
        translation.activate(language)
        try:
            inst = Institution.objects.get(brin=institution.upper())
        except Institution.DoesNotExist:
            raise CommandError(f"Unknown institution (BRIN) {institution!r}.") from None
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None

        outcome = import_file(
            institution=inst,
            data=data,
            file_name=file.name,
            sheet=sheet,
            import_valid_rows=import_valid_rows,
            dry_run=dry_run,
        )
        checked, counts, upload = outcome.checked, outcome.counts, outcome.upload
        for problem in checked.problems[:50]:
            self.stderr.write(_line(problem))
        if len(checked.problems) > 50:
            self.stderr.write(f"… and {len(checked.problems) - 50} more problems (see the report).")
        for warning in checked.warnings[:20]:
            self.stdout.write("warning: " + _line(warning))

        if checked.problems:
            report = report or file.with_name(file.name + ".errors.csv")
            report.write_text(problems_csv(checked.problems), encoding="utf-8")
            self.stderr.write(f"Error report: {report}")
            if checked.rejected_rows:
                skipped = report.with_name(report.stem + ".rows.csv")
                skipped.write_text(rejected_rows_csv(checked.rejected_rows), encoding="utf-8")
                self.stderr.write(f"Rows to fix and upload again: {skipped}")

        if not outcome.written and not dry_run:
            summary = f"rejected: {len(checked.problems)} problems; nothing imported"
        else:
            summary = (
                f"{'dry run, would import' if dry_run else 'imported'}: {counts.new} new, "
                f"{counts.updated} updated, {counts.unchanged} unchanged, {upload.rows_rejected} skipped"
            )
        self.stdout.write(f"{file.name}: {checked.rows_total} rows; {summary}.")
        if not checked.problems:
            return
        if outcome.written or (dry_run and import_valid_rows and len(checked.valid)):
            raise CommandError(f"{upload.rows_rejected} rows skipped (see the report).", returncode=2)
        raise CommandError("File rejected: nothing was imported.", returncode=1)


def _line(problem: dict) -> str:
    where = []
    if problem.get("row"):
        where.append(f"row {problem['row']}")
    if problem.get("column"):
        where.append(f"column {problem['column']!r}")
    prefix = ", ".join(where)
    return f"{prefix}: {message(problem)}" if prefix else message(problem)
