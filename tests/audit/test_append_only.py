"""The audit log is append-only: in the application, and on PostgreSQL for any client."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnly, AuditEntry
from audit.services import Action, record
from tests.factories import people

pytestmark = pytest.mark.django_db


def test_record_keeps_who_what_where_and_no_personal_data(rf, django_user_model):
    user = django_user_model.objects.create_user("beheerder", "b@example.org", "a-long-password-1")
    graduate = people.make_graduate()
    request = rf.get("/graduates/1/", REMOTE_ADDR="203.0.113.9")
    request.user = user
    entry = record(
        Action.VIEW, "graduate_page", request=request, target=graduate, institution=graduate.institution
    )
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor) == (user.pk, "beheerder")
    assert (entry.target_type, entry.target_id) == ("alumni.graduate", str(graduate.pk))
    assert entry.institution_id == graduate.institution_id
    assert (entry.ip, entry.path) == ("203.0.113.9", "/graduates/1/")
    stored = " ".join(str(v) for v in AuditEntry.objects.values().get())
    assert graduate.last_name not in stored and graduate.email not in stored


def test_the_application_cannot_change_or_delete_an_entry():
    entry = record(Action.RETENTION, "apply_retention", details={"cleared": 3})
    entry.details = {"cleared": 0}
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(details={})
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().details == {"cleared": 3}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditentry SET actor = 'someone else'", "DELETE FROM audit_auditentry"],
)
def test_postgresql_refuses_raw_update_and_delete(sql):
    record(Action.LOGIN, "login")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor="").count() == 1
