"""The addresses-to-fix list as a CSV file for Dutch Excel (``alumni.csvfiles``):
student numbers as text cells (``="0104515"``) so a corrected file keeps the
leading zeros, every other cell formula-safe."""

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import csvfiles


def to_fix_csv(invitations) -> str:
    header = [
        _("student number"),
        _("first name"),
        _("name prefix"),
        _("last name"),
        _("school e-mail"),
        _("private e-mail"),
        _("institution"),
        _("programme"),
        _("wave"),
        _("status"),
        _("since"),
        _("address that failed"),
        _("mail server's reply"),
    ]
    rows = []
    for invitation in invitations:
        graduate = invitation.graduate
        since = invitation.bounced_at if invitation.status == "bounced" else graduate.opted_out_at
        rows.append(
            [
                csvfiles.TextCell(graduate.student_number),
                graduate.first_name,
                graduate.name_prefix,
                graduate.last_name,
                graduate.email,
                graduate.private_email,
                graduate.institution.brin,
                graduate.programme.crebo,
                invitation.wave.code,
                invitation.get_status_display(),
                timezone.localtime(since).strftime("%Y-%m-%d") if since else "",
                invitation.failed_address or "",
                invitation.failed_error or "",
            ]
        )
    return csvfiles.csv_text(header, rows)
