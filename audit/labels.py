"""Dutch descriptions of the ``what`` names written to the log, for the page.

``what`` stays a short machine name (the filter and the CSV use it as is);
this table only says in words what it means. A name not listed here (a new
caller's) is shown as its code: add it here when you add a ``record`` call.
"""

import json

from django.utils.translation import gettext_lazy as _

WHAT = {
    # reports
    "institution_report": _("institution report (download)"),
    "cross_report": _("cross-institution report (download)"),
    "monitoring_csv": _("response monitoring (CSV)"),
    "network_list": _("alumni network list (page)"),
    "network_csv": _("alumni network list (CSV)"),
    "raw_responses": _("anonymised response rows"),
    "report_command": _("report exported by the export_report command"),
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

# The keys of ``details`` as the page shows them (the CSV keeps the JSON as stored).
DETAIL_KEYS = {
    "rows": _("rows"),
    "filters": _("filters"),
    "by": _("broken down by"),
    "weighted": _("weighted"),
    "format": _("format"),
    "table": _("table"),
    "status": _("status"),
    "rows_total": _("rows in the file"),
    "rows_rejected": _("rows rejected"),
    "file_size": _("file size (bytes)"),
    "written": _("written"),
    "import_valid_rows": _("good rows only"),
    "new": _("new"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "rejected": _("rejected"),
    "page": _("page"),
    "username": _("username tried"),
    "locked_out": _("locked out"),
    "user_id": _("user id"),
    "role": _("role"),
    "changed": _("changed (before, after)"),
    "added": _("added"),
    "removed": _("removed"),
    "region_id": _("region id"),
    "is_superuser": _("superuser"),
    "is_staff": _("staff"),
    "is_active": _("active"),
    "via": _("via"),
    "detail": _("detail"),
    "migrated_from": _("taken over from"),
}
DETAIL_VALUES = {("via", "no request"): _("no web request (command line or background task)")}


def details_lines(details: dict) -> list[tuple[str, str]]:
    """``details`` as (label, value) pairs for the page: known keys in words, yes/no in
    words, text as it is, anything else as JSON."""
    lines = []
    for key in sorted(details):
        value = details[key]
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif isinstance(value, str):
            shown = DETAIL_VALUES.get((key, value), value)
        else:
            shown = json.dumps(value, ensure_ascii=False, sort_keys=True)
        lines.append((DETAIL_KEYS.get(key, key), shown))
    return lines


def what_label(what: str):
    """The description of ``what``, or ``None`` when there is none."""
    return WHAT.get(what)
