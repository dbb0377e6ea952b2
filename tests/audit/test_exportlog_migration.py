"""reports 0003: the old ExportLog's rows become audit entries, then the table goes."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEntry
from tests.factories.people import restore_reference_data

BEFORE = [("reports", "0002_report_cube")]
AFTER = [("reports", "0003_exportlog_into_audit")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_exportlog(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    restore_reference_data()


def test_exportlog_rows_move_into_the_audit_log_with_their_time(back_to_exportlog):
    apps = back_to_exportlog
    ExportLog = apps.get_model("reports", "ExportLog")
    User = apps.get_model("auth", "User")
    Institution = apps.get_model("alumni", "Institution")
    career = User.objects.create(username="loopbaan", email="l@example.org")
    gone = User.objects.create(username="vertrokken", email="v@example.org")
    school = Institution.objects.create(brin="99XA", name="Demo College Amstel")
    when = timezone.make_aware(datetime.datetime(2026, 5, 4, 10, 30))
    rows = [
        ExportLog.objects.create(user=career, kind="network_list", institution=school, detail="12 graduates"),
        ExportLog.objects.create(user=career, kind="network_csv", institution=school, detail="12 graduates"),
        ExportLog.objects.create(user=gone, kind="raw_responses", detail="filters: {'wave': 'T1'}"),
    ]
    ExportLog.objects.filter(pk__in=[r.pk for r in rows]).update(at=when)
    gone.delete()  # ExportLog.user is SET_NULL: the entry keeps no name

    migrate(AFTER)

    entries = list(AuditEntry.objects.order_by("id").values())
    assert [(e["action"], e["what"]) for e in entries] == [
        ("view", "network_list"),
        ("export", "network_csv"),
        ("export", "raw_responses"),
    ]
    assert [(e["actor_id"], e["actor"], e["institution_id"]) for e in entries] == [
        (career.pk, "loopbaan", school.pk),
        (career.pk, "loopbaan", school.pk),
        (None, "", None),
    ]
    assert {e["at"] for e in entries} == {when}
    assert entries[2]["details"] == {
        "detail": "filters: {'wave': 'T1'}",
        "migrated_from": "reports.ExportLog",
    }
    assert "reports_exportlog" not in connection.introspection.table_names()
