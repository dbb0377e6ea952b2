from django.core.management.base import BaseCommand

from alumni.reference import load_reference_data


class Command(BaseCommand):
    help = "Load qualification lists, education domains, SBI 2008 sections and ISCO-08 groups."

    def handle(self, *args, **options):
        counts = load_reference_data()
        changed = {k: v for k, v in sorted(counts.items()) if v}
        if not changed:
            self.stdout.write("Reference data is up to date: 0 created, 0 updated.")
        for label, number in changed.items():
            self.stdout.write(f"{label}: {number}")
