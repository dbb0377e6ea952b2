"""Erase one graduate's personal data (alumni.privacy.erasure), from the command line.

    python manage.py erase_graduate --institution 25PZ --student-number 0104515 \\
        --reason "request by e-mail, ticket 2291" [--dry-run]

The student number is matched as the import matches it (leading zeros and
Excel's ="…" do not matter). The operator is trusted like a platform admin;
the erasure is logged in the audit log with the reason (no user: "system").
"""

from django.core.management.base import BaseCommand, CommandError

from alumni.models import Graduate, Institution
from alumni.privacy.erasure import ErasureRefused, erase_graduate
from alumni.privacy.tombstones import normalise_student_number


class Command(BaseCommand):
    help = "Erase a graduate's personal data; coded answers stay (report figures do not change)."

    def add_arguments(self, parser):
        parser.add_argument("--institution", required=True, metavar="BRIN")
        parser.add_argument("--student-number", required=True)
        parser.add_argument(
            "--reason",
            required=True,
            help="why (kept in the audit log; never the person's name, address or number)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be erased, change nothing"
        )

    def handle(self, *args, **options):
        institution = Institution.objects.filter(brin=options["institution"].strip().upper()).first()
        if institution is None:
            raise CommandError(f"No institution with BRIN code {options['institution']!r}.")
        graduate = self._graduate(institution, options["student_number"])
        try:
            summary = erase_graduate(graduate, reason=options["reason"], dry_run=options["dry_run"])
        except ErasureRefused as refused:
            raise CommandError(str(refused)) from refused
        if summary.already_erased:
            self.stdout.write(f"Graduate {graduate.pk} was erased before; nothing changed.")
            return
        heading = "Dry run: nothing was changed. Would erase" if summary.dry_run else "Erased"
        self.stdout.write(f"{heading} graduate {graduate.pk} of {institution.brin}:")
        for name, value in summary.counts().items():
            self.stdout.write(f"  {name.replace('_', ' ')}: {int(value)}")
        if not summary.dry_run:
            self.stdout.write(
                "Logged in the audit log. Coded answers were kept; report figures are unchanged."
            )

    def _graduate(self, institution: Institution, number: str) -> Graduate:
        wanted = normalise_student_number(number)
        if not wanted:
            raise CommandError("Give a student number.")
        candidates = Graduate.objects.filter(institution=institution, erased_at__isnull=True)
        exact = candidates.filter(student_number=number.strip()).first()
        if exact is not None:
            return exact
        # As the import matches: by the normalised number (one query over the numbers only).
        matches = [
            pk
            for pk, stored in candidates.values_list("pk", "student_number").iterator(chunk_size=5000)
            if normalise_student_number(stored) == wanted
        ]
        if not matches:
            raise CommandError(f"No graduate of {institution.brin} with student number {number!r}.")
        if len(matches) > 1:
            raise CommandError(
                f"{len(matches)} graduates of {institution.brin} have student number {number!r} "
                "up to leading zeros; give it exactly as stored."
            )
        return Graduate.objects.get(pk=matches[0])
