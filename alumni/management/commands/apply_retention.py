"""Apply the retention periods now (the beat task runs the same daily).

    python manage.py apply_retention [--dry-run] [--today 2028-09-01]

See ``alumni.privacy.retention`` and docs/privacy.md for what goes when.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from alumni.privacy.retention import apply_retention


class Command(BaseCommand):
    help = "Remove contact data and upload files past their retention period; logs counts in the audit log."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would go, change nothing")
        parser.add_argument("--today", help="act as if it were this day (YYYY-MM-DD)")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(
                    f"--today must be a date like 2028-09-01, not {options['today']!r}"
                ) from error
        summary = apply_retention(today=today, dry_run=options["dry_run"])
        heading = "Dry run: nothing was changed. Would remove" if summary.dry_run else "Removed"
        self.stdout.write(f"{heading} (retention on {summary.today}):")
        for name, value in summary.counts().items():
            self.stdout.write(f"  {name.replace('_', ' ')}: {value}")
        for brin, counts in sorted(summary.by_institution.items()):
            self.stdout.write(
                f"  {brin}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
            )
        if not summary.dry_run:
            self.stdout.write("Logged in the audit log.")
