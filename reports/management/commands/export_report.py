"""Scripted report export: the same tables and rules as the dashboard.

    python manage.py export_report --institution 25PZ --format csv --output out.csv
    python manage.py export_report --all --wave T1 --cohort 2023 --format xlsx --output all.xlsx
    python manage.py export_report --all --wave all --format csv --output both-waves.csv

``--institution`` gives that institution's own view (within-institution
thresholds); ``--all`` the cross-institution view of every institution
(cross thresholds, rounding, non-consenting institutions pooled). The
operator running it is trusted like a platform admin, but the disclosure
rules still apply: the file is publishable. Each run is an export in the
audit log (without an actor: a command has no signed-in user).

``--wave`` is T1 unless given: a figure never mixes the 3-month and the
3-year outcomes unless ``--wave all`` asks for it (the file's ``waves``
column then says T1+T3, and only then is the T1 -> T3 table in it).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from alumni.models import Institution
from audit.services import Action, record
from reports.exports import report_csv, report_xlsx
from reports.filters import DIMENSIONS, Filters
from reports.report import ALL_WAVES, DEFAULT_WAVE, build_report
from reports.scoping import all_institutions_access


class Command(BaseCommand):
    help = "Export the outcome report of one institution (--institution BRIN) or all (--all) as CSV or XLSX."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--institution", metavar="BRIN")
        which.add_argument("--all", action="store_true")
        parser.add_argument(
            "--wave",
            choices=["T1", "T3", ALL_WAVES],
            default=DEFAULT_WAVE,
            help=f"default {DEFAULT_WAVE}; '{ALL_WAVES}' pools both waves in every figure",
        )
        parser.add_argument(
            "--cohort", type=int, action="append", default=[], help="school year; repeat to pool"
        )
        parser.add_argument("--by", default=None, help=f"comma-separated breakdowns: {', '.join(DIMENSIONS)}")
        parser.add_argument("--format", choices=["csv", "xlsx"], required=True)
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        try:
            access = all_institutions_access(None if options["all"] else options["institution"])
        except Institution.DoesNotExist as error:
            raise CommandError(str(error)) from error
        default_by = "institution,programme" if options["all"] else "programme"
        by = [b.strip() for b in (options["by"] or default_by).split(",") if b.strip()]
        unknown = [b for b in by if b not in DIMENSIONS]
        if unknown:
            raise CommandError(f"unknown breakdown(s): {', '.join(unknown)}")
        filters = Filters(wave=options["wave"], cohorts=tuple(options["cohort"]))
        report = build_report(access, filters, by)
        path = Path(options["output"])
        if options["format"] == "csv":
            path.write_text(report_csv(report), encoding="utf-8", newline="")
        else:
            path.write_bytes(report_xlsx(report))
        record(
            Action.EXPORT,
            "report_command",
            institution=access.institution,
            details={
                "filters": {
                    k: v for k, v in {"wave": filters.wave, "cohorts": list(filters.cohorts)}.items() if v
                },
                "by": by,
                "format": options["format"],
                "all": bool(options["all"]),
            },
        )
        self.stdout.write(f"{len(report.all_tables())} tables written to {path}")
