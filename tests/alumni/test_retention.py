"""Retention (alumni.privacy.retention): exactly the due contact data goes, network members stay,
files do not outlive their processing, and every run is counted in the audit log."""

import datetime

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from alumni.models import Graduate, Upload
from alumni.privacy.erasure import erase_graduate
from alumni.privacy.retention import CONTACT_FIELDS, apply_retention
from alumni.tasks import apply_retention as retention_task
from audit.models import AuditEntry
from surveys.models import Invitation, OutboundEmail, Response
from tests.factories.people import make_graduate, make_institution, make_invitation

TODAY = datetime.date(2030, 1, 1)
S = Invitation.Status


def _t3(graduate, status=S.COMPLETED, closes_days_ago=None, due_days_ago=400):
    closes = TODAY - datetime.timedelta(days=closes_days_ago) if closes_days_ago is not None else None
    return make_invitation(
        "T3",
        status=status,
        graduate=graduate,
        due_on=TODAY - datetime.timedelta(days=due_days_ago),
        closes_on=closes,
        sent_at=None if closes is None else timezone.now(),
    )


def _network(invitation, **purposes):
    Response.objects.create(
        invitation=invitation,
        instrument_version="1",
        current_page="contact",
        completed_at=timezone.now(),
        **(purposes or {"network_mentoring": True}),
    )


@pytest.fixture
def graduates(db):
    school = make_institution()
    old = datetime.date(2025, 7, 1)  # T3 due 2028-07-01, its window ends 2028-12-28
    g = {
        name: make_graduate(school, diploma_date=old)
        for name in (
            "closed",
            "recently_closed",
            "network",
            "network_opted_out",
            "no_t3",
            "t3_pending",
            "not_invited",
            "erased",
        )
    }
    g["young"] = make_graduate(school, diploma_date=datetime.date(2027, 7, 1))  # T3 window still to come
    closed = _t3(g["closed"], closes_days_ago=60)
    OutboundEmail.objects.create(
        invitation=closed,
        purpose="invitation",
        to_address=g["closed"].email,
        schedule_day=TODAY,
        state="sent",
    )
    _t3(g["recently_closed"], closes_days_ago=10)
    _network(_t3(g["network"], closes_days_ago=90))
    _network(_t3(g["network_opted_out"], closes_days_ago=90), network_guest_lessons=True)
    Graduate.objects.filter(pk=g["network_opted_out"].pk).update(opted_out_at=timezone.now())
    _t3(g["t3_pending"], status=S.PENDING, due_days_ago=500)
    _t3(g["not_invited"], status=S.NOT_INVITED, due_days_ago=500)
    erase_graduate(g["erased"], reason="verzoek")
    return g


def contact(graduate) -> tuple:
    graduate.refresh_from_db()
    return tuple(getattr(graduate, f) for f in CONTACT_FIELDS)


def test_exactly_the_due_contact_data_goes(graduates):
    kept_before = {n: contact(graduates[n]) for n in ("recently_closed", "network", "t3_pending", "young")}
    summary = apply_retention(today=TODAY)
    gone = {"closed", "network_opted_out", "no_t3", "not_invited"}
    for name in gone:
        assert contact(graduates[name]) == ("",) * 5, name
        assert graduates[name].contact_removed_at is not None
        assert graduates[name].student_number  # the school's key stays (docs/privacy.md)
    for name, before in kept_before.items():
        assert contact(graduates[name]) == before, name
        assert graduates[name].contact_removed_at is None
    assert summary.contact_removed == len(gone)
    assert summary.network_kept == 1
    assert summary.outbox_addresses_removed == 1
    assert not OutboundEmail.objects.exclude(to_address="").filter(invitation__graduate=graduates["closed"])
    assert summary.by_institution == {"98QA": {"contact_removed": 4}}


def test_every_run_is_in_the_audit_log_and_a_second_run_finds_nothing(graduates):
    apply_retention(today=TODAY)
    again = apply_retention(today=TODAY)
    assert again.contact_removed == 0 and again.network_kept == 1
    entries = list(AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION).order_by("pk"))
    assert [e.details["contact_removed"] for e in entries] == [4, 0]
    assert entries[0].details["periods"]["contact_grace_days"] == settings.PRIVACY_CONTACT_GRACE_DAYS
    assert entries[0].actor == "" and entries[0].what == "retention_run"


def test_a_dry_run_counts_and_changes_nothing(graduates):
    before = {n: contact(g) for n, g in graduates.items()}
    summary = apply_retention(today=TODAY, dry_run=True)
    assert summary.contact_removed == 4 and summary.outbox_addresses_removed == 1
    assert {n: contact(g) for n, g in graduates.items()} == before
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION).exists()


def test_the_grace_period_is_a_setting(graduates, settings):
    settings.PRIVACY_CONTACT_GRACE_DAYS = 5
    assert apply_retention(today=TODAY, dry_run=True).contact_removed == 5  # recently closed too
    settings.PRIVACY_CONTACT_GRACE_DAYS = 400
    assert apply_retention(today=TODAY, dry_run=True).contact_removed == 0


def _upload(status, hours_ago, *, with_file=True, report=None):
    upload = Upload.objects.create(
        institution=make_institution(),
        file_name="cohort.csv",
        file_sha256="0" * 64,
        status=status,
        report=report or {},
    )
    if with_file:
        upload.file.save(f"u{upload.pk}.bin", ContentFile(b"studentnummer;naam\n1;Jan\n"), save=True)
    Upload.objects.filter(pk=upload.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(hours=hours_ago)
    )
    upload.refresh_from_db()
    return upload


def test_uploaded_files_never_outlive_their_processing(db):
    left_behind = _upload(Upload.Status.IMPORTED, 1)
    waiting = _upload(Upload.Status.VALIDATED, 2)
    abandoned = _upload(Upload.Status.VALIDATED, 30)
    names = {u.pk: u.file.name for u in (left_behind, waiting, abandoned)}
    summary = apply_retention()
    assert (summary.upload_files_deleted, summary.unconfirmed_uploads_discarded) == (2, 1)
    for upload in (left_behind, waiting, abandoned):
        upload.refresh_from_db()
    assert not default_storage.exists(names[left_behind.pk]) and not left_behind.file
    assert not default_storage.exists(names[abandoned.pk]) and abandoned.status == Upload.Status.DISCARDED
    assert default_storage.exists(names[waiting.pk]) and waiting.status == Upload.Status.VALIDATED
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RETENTION)
    assert entry.details["upload_files_deleted"] == 2


def test_old_upload_reports_keep_only_codes_and_counts(db):
    report = {
        "problems": [{"code": "email_invalid", "row": 4, "column": "email", "value": "jan@@x", "params": {}}],
        "warnings": [{"code": "formula_like", "row": 5, "column": "naam", "value": "=Jan"}],
        "rejected_rows": [{"rij": 4, "studentnummer": "123", "email": "jan@@x"}],
        "valid_rows": 10,
    }
    old = _upload(Upload.Status.IMPORTED, 24 * 40, with_file=False, report=report)
    recent = _upload(Upload.Status.IMPORTED, 24 * 5, with_file=False, report=report)
    assert apply_retention().upload_reports_stripped == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.report["rejected_rows"] == [] and old.report["valid_rows"] == 10
    assert [p["value"] for p in old.report["problems"] + old.report["warnings"]] == ["", ""]
    assert old.report["problems"][0]["code"] == "email_invalid" and old.report["problems"][0]["row"] == 4
    assert recent.report == report
    assert apply_retention().upload_reports_stripped == 0


def test_the_command_and_the_beat_task(graduates, capsys):
    call_command("apply_retention", "--dry-run", "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "Dry run" in out and "contact removed: 4" in out and "98QA" in out
    assert retention_task.apply().get().startswith(f"retention on {timezone.localdate()}: contact removed: 0")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION).count() == 1
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == retention_task.name == "alumni.tasks.apply_retention"


def test_the_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today"):
        call_command("apply_retention", "--today", "gisteren")
