from django.core.management.base import BaseCommand

from alumni.demo import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load fictional demo institutions, users and cohorts (local use only; idempotent)."

    def handle(self, *args, **options):
        for line in load_demo_data():
            self.stdout.write(line)
        self.stdout.write(
            f"Users: platform (platform admin), beheerder (institution admin), loopbaan (career office); password {DEMO_PASSWORD}"
        )
        from reports.demo import (
            load_demo_responses,  # appended by reports (issue #5): answers for the dashboards
        )

        self.stdout.write(load_demo_responses())
