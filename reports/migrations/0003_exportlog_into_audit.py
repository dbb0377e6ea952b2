"""ExportLog had one home too many: its rows move into the audit log, then the table goes.

Each row becomes an AuditEntry with the same time, actor (id and username as
they are now; a deleted user's entries keep no name), kind as ``what`` and
institution; the old free-text detail is kept under ``details["detail"]``.
The page of the network list was a view of personal data; its CSV and the
raw response rows were exports.

Backwards the table comes back and the entries of those three kinds are
copied into it again; the audit entries themselves stay (append-only).
"""

from django.db import migrations

ACTIONS = {"network_list": "view", "network_csv": "export", "raw_responses": "export"}


def into_audit(apps, schema_editor):
    ExportLog = apps.get_model("reports", "ExportLog")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    db = schema_editor.connection.alias
    at = AuditEntry._meta.get_field("at")
    at.auto_now_add = False  # keep each row's own time (this historical model is the migration's)
    try:
        rows = (
            ExportLog.objects.using(db)
            .order_by("at", "pk")
            .values("at", "kind", "user_id", "user__username", "institution_id", "detail")
        )
        AuditEntry.objects.using(db).bulk_create(
            (
                AuditEntry(
                    at=row["at"],
                    action=ACTIONS.get(row["kind"], "export"),
                    what=row["kind"],
                    actor_id=row["user_id"],
                    actor=row["user__username"] or "",
                    institution_id=row["institution_id"],
                    details={"detail": row["detail"], "migrated_from": "reports.ExportLog"},
                )
                for row in rows.iterator(chunk_size=2000)
            ),
            batch_size=2000,
        )
    finally:
        at.auto_now_add = True


def back_from_audit(apps, schema_editor):
    ExportLog = apps.get_model("reports", "ExportLog")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    db = schema_editor.connection.alias
    users = set(
        ExportLog._meta.get_field("user").related_model.objects.using(db).values_list("pk", flat=True)
    )
    institutions = set(
        ExportLog._meta.get_field("institution").related_model.objects.using(db).values_list("pk", flat=True)
    )
    at = ExportLog._meta.get_field("at")
    at.auto_now_add = False
    try:
        entries = AuditEntry.objects.using(db).filter(what__in=list(ACTIONS)).order_by("at", "pk")
        ExportLog.objects.using(db).bulk_create(
            (
                ExportLog(
                    at=entry.at,
                    kind=entry.what,
                    user_id=entry.actor_id if entry.actor_id in users else None,
                    institution_id=entry.institution_id if entry.institution_id in institutions else None,
                    detail=str(entry.details.get("detail", entry.details.get("filters", "")))[:500],
                )
                for entry in entries.iterator(chunk_size=2000)
            ),
            batch_size=2000,
        )
    finally:
        at.auto_now_add = True


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_cube"),
        ("audit", "0002_append_only_trigger"),
    ]

    operations = [
        migrations.RunPython(into_audit, back_from_audit),
        migrations.DeleteModel(name="ExportLog"),
    ]
