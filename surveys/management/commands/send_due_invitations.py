import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from surveys import planning, sending


class Command(BaseCommand):
    help = (
        "Create due invitations, queue reminders, close waves and send the queued e-mail "
        "now, in this process. --today D makes every rule act as if it were day D."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; change and send nothing."
        )

    def handle(self, *args, today, dry_run, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from None
        result = planning.plan(day, dry_run=dry_run)
        label = day.isoformat() if day else "today"
        self.stdout.write(f"{label}{' (dry run)' if dry_run else ''}: {result.as_text()}")
        if dry_run:
            self.stdout.write(f"{sending.sendable_count()} e-mails already queued; nothing sent (dry run).")
            return
        total = sending.SendResult()
        while True:
            batch = sending.send_queued(settings.SURVEYS_BATCH_SIZE)
            total.add(batch)
            if not any(batch.__dict__.values()):
                break
        self.stdout.write(total.as_text())
