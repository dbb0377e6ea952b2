from django.core.management.base import BaseCommand

from demo.institutions import DEMO_PASSWORD, load_institutions
from demo.survey_progress import load_survey_progress


class Command(BaseCommand):
    help = "Load fictional demo institutions, users, cohorts and answers (local use only; idempotent)."

    def handle(self, *args, **options):
        for line in load_institutions():
            self.stdout.write(line)
        self.stdout.write(
            "Users: platform (platform admin), beheerder (institution admin), loopbaan (career office); "
            f"password {DEMO_PASSWORD}"
        )
        self.stdout.write(load_survey_progress())
