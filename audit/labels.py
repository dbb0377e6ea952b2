"""The log in words, for the page: what the stored codes mean to the people who read it.

An entry keeps short machine values — ``what`` names, model labels, the keys
and codes in ``details`` — so the filters and the CSV (for scripts and
spreadsheets) use them as they are. The page shows them here in words: every
``what`` name an app writes has its description in ``WHAT``
(tests/audit/test_labels.py fails on a ``record`` call whose name lacks one),
detail keys in ``DETAIL_KEYS``, coded values (a role, an upload's status, a
field name, yes/no) through the models' own choices.
"""

import json

from django.apps import apps
from django.utils.translation import gettext_lazy as _

WHAT = {
    # logins
    "login": _("login"),
    "logout": _("logout"),
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
    "import_command": _("cohort list imported by the import_cohort command"),
    "import_demo": _("demo cohort list imported"),
    # graduates, erasure, retention, the graduate's own page
    "graduate_list": _("list of graduates"),
    "graduate_page": _("graduate's page"),
    "graduates_to_fix": _("addresses to fix (page)"),
    "graduates_to_fix_csv": _("addresses to fix (CSV)"),
    "graduate_email": _("e-mail address corrected"),
    "invitation_resend": _("invitation sent again"),
    "graduate": _("graduate's personal data erased"),
    "retention_run": _("retention run"),
    "own_email": _("e-mail address corrected by the graduate"),
    # the log itself and roles
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

# The keys of ``details``, and of the dictionaries inside it (filters, changes,
# retention periods), as the page shows them.
DETAIL_KEYS = {
    # counts and pages
    "rows": _("rows"),
    "count": _("number found"),
    "shown": _("shown on this page"),
    "page": _("page"),
    "invitations": _("invitations"),
    # filters of a page or a download
    "filters": _("filters"),
    "search": _("searched by name, number or e-mail"),
    "by": _("broken down by"),
    "weighted": _("weighted"),
    "format": _("format"),
    "table": _("table"),
    "all": _("all institutions"),
    "wave": _("wave"),
    "cohorts": _("cohorts"),
    "cohort": _("cohort"),
    "level": _("level"),
    "pathway": _("pathway"),
    "location": _("location"),
    "programme": _("programme"),
    "sector": _("sector (education domain)"),
    "institution": _("institution"),
    "region": _("region"),
    "action": _("action"),
    "actor": _("user (name contains)"),
    "what": _("what (contains)"),
    "date_from": _("from"),
    "date_to": _("to (inclusive)"),
    # uploads and imports
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
    "erased_skipped": _("skipped: erased graduates"),
    # graduates' e-mail and invitations
    "fields": _("fields"),
    "email": _("School e-mail"),
    "private_email": _("Private e-mail"),
    "readdressed": _("queued mail sent to the new address"),
    "resent": _("invitations sent again"),
    "invalid_correction": _("correction refused (invalid address)"),
    "outcome": _("outcome"),
    # erasure
    "reason": _("reason"),
    "at_own_request": _("at the graduate's own request"),
    "fields_cleared": _("fields cleared"),
    "links_closed": _("survey links closed"),
    "responses": _("responses kept without the person"),
    "free_text_answers_cleared": _("answers in their own words cleared"),
    "emails_scrubbed": _("e-mails without address"),
    "emails_cancelled": _("e-mails cancelled"),
    "events_scrubbed": _("history lines cleared"),
    "upload_entries_removed": _("lines removed from upload reports"),
    "admin_history_scrubbed": _("Django admin history lines cleared"),
    "tombstone": _("kept as erased (never imported again)"),
    # retention
    "today": _("date of the run"),
    "contact_removed": _("contact data removed"),
    "network_kept": _("kept (alumni network)"),
    "outbox_addresses_removed": _("addresses removed from sent mail"),
    "upload_files_deleted": _("uploaded files deleted"),
    "unconfirmed_uploads_discarded": _("unconfirmed uploads discarded"),
    "upload_reports_stripped": _("upload reports reduced to counts"),
    "by_institution": _("per institution"),
    "periods": _("periods"),
    "contact_grace_days": _("contact data kept after the last wave (days)"),
    "unconfirmed_upload_hours": _("unconfirmed upload kept (hours)"),
    "upload_report_days": _("upload report kept in full (days)"),
    # logins and roles
    "username": _("username tried"),
    "locked_out": _("locked out"),
    "user_id": _("user id"),
    "institution_id": _("institution id"),
    "role": _("role"),
    "changed": _("changed (before → after)"),
    "added": _("added"),
    "removed": _("removed"),
    "region_id": _("region id"),
    "is_superuser": _("platform admin (superuser)"),
    "is_staff": _("Django admin access (staff)"),
    "is_active": _("active"),
    "via": _("via"),
    # entries taken over from the old export log
    "detail": _("detail"),
    "migrated_from": _("taken over from"),
}

_FORMATS = {"csv": "CSV", "xlsx": "Excel (xlsx)", "json": "JSON"}
_RESEND = {
    "queued": _("a new e-mail is queued"),
    "readdressed": _("the queued e-mail goes to the new address"),
}
_TEXTS = {
    ("via", "no request"): _("no web request (command line or background task)"),
    ("migrated_from", "reports.ExportLog"): _("the former download log"),
}


def _choices(model_label: str, field: str) -> dict:
    return dict(apps.get_model(model_label)._meta.get_field(field).choices)


def _coded(key: str) -> dict:
    """The words for the codes a key holds (the models' own choices where there are some)."""
    from reports.filters import DIMENSIONS

    if key == "role":
        return _choices("alumni.membership", "role")
    if key == "status":
        return _choices("alumni.upload", "status")
    if key == "action":
        return _choices("audit.auditentry", "action")
    if key == "pathway":
        return _choices("alumni.graduate", "pathway")
    if key.startswith("status_"):  # the graduate list's status filter per wave
        return {"none": _("no invitation (yet)"), **_choices("surveys.invitation", "status")}
    if key == "by":
        return {k: d.label for k, d in DIMENSIONS.items()}
    if key == "fields":
        return DETAIL_KEYS
    if key == "outcome":
        return _RESEND
    if key == "format":
        return _FORMATS
    return {}


def key_label(key: str):
    if key.startswith("status_"):
        return _("status %(wave)s") % {"wave": key.removeprefix("status_")}
    return DETAIL_KEYS.get(key, key)


def value_text(key: str, value, *, nested: bool = False) -> str:
    """One value of ``details`` in words: yes/no, codes through ``_coded``, a list
    joined, a flag's [before, after] as before → after, a dictionary as its
    labelled items (in brackets inside another one)."""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value is None or value == "":
        return "–"
    if isinstance(value, dict):
        items = [
            f"{key_label(k)} {value_text(k, v, nested=True)}"
            if isinstance(v, dict)
            else f"{key_label(k)}: {value_text(k, v, nested=True)}"
            for k, v in sorted(value.items())
        ]
        return f"({', '.join(items)})" if nested else "; ".join(items)
    if isinstance(value, list | tuple):
        if key.startswith("is_") and len(value) == 2:  # a user flag changed: [before, after]
            return " → ".join(value_text(key, v) for v in value)
        return ", ".join(value_text(key, v, nested=True) for v in value) or "–"
    if isinstance(value, str):
        return str(_coded(key).get(value) or _TEXTS.get((key, value)) or value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _changes(changes: dict) -> str:
    """``{"role": ["admin", "career_office"]}`` as "role: institution admin → career office"."""
    return "; ".join(
        f"{key_label(field)}: {' → '.join(value_text(field, v) for v in pair)}"
        for field, pair in sorted(changes.items())
    )


def details_lines(details: dict) -> list[tuple[str, str]]:
    """``details`` as (label, value) pairs for the page, in words."""
    lines = []
    for key in sorted(details):
        value = details[key]
        shown = _changes(value) if key == "changed" and isinstance(value, dict) else value_text(key, value)
        lines.append((key_label(key), shown))
    return lines


def what_label(what: str):
    """The description of ``what``, or ``None`` when there is none."""
    return WHAT.get(what)


def target_label(target_type: str):
    """A model label (``alumni.graduate``) as the model's name in words, or ``None``."""
    try:
        return apps.get_model(target_type)._meta.verbose_name
    except (LookupError, ValueError):
        return None


def whats_matching(text: str) -> list[str]:
    """The ``what`` names whose description contains ``text`` (any case): the page's
    "what" filter finds entries by the words it shows, not only by their code."""
    needle = text.casefold()
    return [code for code, label in WHAT.items() if needle in str(label).casefold()]
