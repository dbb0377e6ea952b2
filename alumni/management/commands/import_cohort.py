from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from alumni.importing.problems import message
from alumni.importing.report import problems_csv, rejected_rows_csv
from alumni.models import Institution
from alumni.services import import_file


class Command(BaseCommand):
    # Scripted imports run this often; the system checks (every URL, model and
    # template setting) cost more than a small import itself and belong to
    # deploys and CI (`manage.py check --deploy`), not to every import.
    requires_system_checks = []
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
        parser.add_argument(
            "--import-valid-rows", action="store_true", help="Import the valid rows of a file with errors."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument(
            "--report", type=Path, help="Where to write the error report (default: FILE.errors.csv)."
        )
        parser.add_argument("--language", choices=["nl", "en"], default="nl")

    def handle(self, *args, language, **options):
        # override, not activate: called in-process (tests, tasks), the
        # command must not leave its language behind.
        with translation.override(language):
            self._import(**options)

    def _import(self, *, file: Path, institution: str, sheet, import_valid_rows, dry_run, report, **options):
        try:
            inst = Institution.objects.get(brin=institution.upper())
        except Institution.DoesNotExist:
            raise CommandError(_("Unknown institution (BRIN) %(brin)r.") % {"brin": institution}) from None
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}
            ) from None

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
            self.stderr.write(
                _("… and %(n)s more problems (see the report).") % {"n": len(checked.problems) - 50}
            )
        warnings = upload.report.get("warnings", [])  # the file's and the write's (lost zeros, erased)
        for warning in warnings[:20]:
            self.stdout.write(_("warning: %(line)s") % {"line": _line(warning)})

        if checked.problems:
            report = report or file.with_name(file.name + ".errors.csv")
            report.write_text(problems_csv(checked.problems), encoding="utf-8")
            self.stderr.write(_("Error report: %(path)s") % {"path": report})
            if checked.rejected_rows:
                skipped = report.with_name(report.stem + ".rows.csv")
                skipped.write_text(rejected_rows_csv(checked.rejected_rows), encoding="utf-8")
                self.stderr.write(_("Rows to fix and upload again: %(path)s") % {"path": skipped})

        numbers = {
            "file": file.name,
            "rows": checked.rows_total,
            "problems": len(checked.problems),
            "new": counts.new,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "skipped": upload.rows_rejected,
        }
        if not outcome.written and not dry_run:
            summary = _("%(file)s: %(rows)s rows; rejected: %(problems)s problems; nothing imported.")
        elif dry_run:
            summary = _(
                "%(file)s: %(rows)s rows; dry run, would import: %(new)s new, %(updated)s updated, "
                "%(unchanged)s unchanged, %(skipped)s skipped."
            )
        else:
            summary = _(
                "%(file)s: %(rows)s rows; imported: %(new)s new, %(updated)s updated, "
                "%(unchanged)s unchanged, %(skipped)s skipped."
            )
        self.stdout.write(summary % numbers)
        if not checked.problems:
            return
        if outcome.written or (dry_run and import_valid_rows and len(checked.valid)):
            raise CommandError(_("%(skipped)s rows skipped (see the report).") % numbers, returncode=2)
        raise CommandError(_("File rejected: nothing was imported."), returncode=1)


def _line(problem: dict) -> str:
    where = []
    if problem.get("row"):
        where.append(_("row %(row)s") % {"row": problem["row"]})
    if problem.get("column"):
        where.append(_("column %(column)r") % {"column": problem["column"]})
    prefix = ", ".join(where)
    return f"{prefix}: {message(problem)}" if prefix else message(problem)
