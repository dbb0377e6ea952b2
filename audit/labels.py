"""Dutch descriptions of the ``what`` names written to the log, for the page.

``what`` stays a short machine name (the filter and the CSV use it as is);
this table only says in words what it means. A name not listed here (a new
caller's) is shown as its code: add it here when you add a ``record`` call.
"""

from django.utils.translation import gettext_lazy as _

WHAT = {
    # reports
    "institution_report": _("institution report (download)"),
    "cross_report": _("cross-institution report (download)"),
    "monitoring_csv": _("response monitoring (CSV)"),
    "network_list": _("alumni network list (page)"),
    "network_csv": _("alumni network list (CSV)"),
    "raw_responses": _("anonymised response rows"),
    # uploads
    "upload_received": _("cohort file received and checked"),
    "upload_confirmed": _("import confirmed"),
    "upload_discarded": _("upload discarded"),
    "upload_detail": _("upload page"),
    "upload_problems_csv": _("upload problems (CSV)"),
    "upload_rows_to_fix_csv": _("rows to fix (CSV)"),
    # graduates, erasure, retention, the graduate's own page
    "graduate_list": _("list of graduates"),
    "graduate_page": _("graduate's page"),
    "graduates_to_fix": _("addresses to fix (page)"),
    "graduates_to_fix_csv": _("addresses to fix (CSV)"),
    "graduate_email": _("e-mail address corrected"),
    "invitation_resend": _("invitation sent again"),
    "retention_run": _("retention run"),
    "own_email": _("e-mail address corrected by the graduate"),
    # the log itself, logins and roles
    "audit_log_csv": _("audit log (CSV)"),
    "membership_created": _("membership created"),
    "membership_changed": _("membership changed"),
    "membership_deleted": _("membership deleted"),
    "membership_programmes_changed": _("programmes of a membership changed"),
    "regional_analyst_created": _("regional analyst added"),
    "regional_analyst_changed": _("regional analyst changed"),
    "regional_analyst_deleted": _("regional analyst removed"),
    "user_created": _("user created with staff or superuser status"),
    "user_flags_changed": _("user status changed (staff, superuser, active)"),
    "user_groups_changed": _("groups of a user changed"),
    "user_permissions_changed": _("permissions of a user changed"),
    "user_deleted": _("user deleted"),
}


def what_label(what: str):
    """The description of ``what``, or ``None`` when there is none."""
    return WHAT.get(what)
