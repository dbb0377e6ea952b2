"""Every export, download and view of personal data in the report and upload
pages writes exactly one audit entry: actor, action, what, institution, address."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from alumni.models import Membership, Upload
from audit.models import AuditEntry
from reports.models import Region, RegionalAnalyst
from tests.factories.cohort_files import graduates, make_csv
from tests.factories.datasets import make_dataset
from tests.factories.people import CLIENT_IP as IP
from tests.factories.people import PASSWORD

pytestmark = pytest.mark.django_db

THREE_NEW = {
    "written": True,
    "import_valid_rows": False,
    "new": 3,
    "updated": 0,
    "unchanged": 0,
    "rejected": 0,
    "erased_skipped": 0,
}
"""The details of an import entry for a file of three new graduates."""


def entries_for(user) -> list[AuditEntry]:
    """What ``user`` did, logins aside (force_login sends the login signal too)."""
    return list(AuditEntry.objects.filter(actor_id=user.pk).exclude(action="login").order_by("id"))


def the_entry(user) -> AuditEntry:
    (entry,) = entries_for(user)
    return entry


def assert_entry(entry, user, action, what, institution_id=None):
    assert (entry.actor_id, entry.actor) == (user.pk, user.get_username())
    assert (entry.action, entry.what, entry.institution_id, entry.ip) == (action, what, institution_id, IP)


# --- Reports ----------------------------------------------------------------------


@pytest.fixture
def data(db):
    return make_dataset(sizes=[14, 8, 3])


@pytest.fixture
def alfa(data):
    return next(i for i in data.institutions if i.brin == "99XA")


@pytest.fixture
def member(web, alfa, django_user_model):
    """An institution admin of 99XA, logged in."""
    user = django_user_model.objects.create_user("beheer-a", "beheer-a@example.org", PASSWORD)
    Membership.objects.create(user=user, institution=alfa, role=Membership.Role.ADMIN)
    web.force_login(user)
    return user


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_institution_report_export_with_its_filters(web, member, alfa, data, fmt):
    url = reverse("reports:institution_export", args=[alfa.brin, fmt])
    response = web.get(url, {"wave": "T1", "cohort": ["2022", "2021"], "by": "location", "weighted": "1"})
    assert response.status_code == 200
    entry = the_entry(member)
    assert_entry(entry, member, "export", "institution_report", alfa.pk)
    assert entry.details == {
        "filters": {"wave": "T1", "cohorts": [2021, 2022]},
        "by": ["location"],
        "weighted": True,
        "format": fmt,
    }
    assert entry.path == url  # the filters are in details, not in a kept query string


def test_the_institution_report_page_itself_is_not_an_export(web, member, alfa):
    assert web.get(reverse("reports:institution", args=[alfa.brin])).status_code == 200
    assert entries_for(member) == []


def test_a_refused_export_records_nothing(web, member, data):
    other = next(i for i in data.institutions if i.brin == "99XB")
    assert web.get(reverse("reports:institution_export", args=[other.brin, "csv"])).status_code == 404
    assert entries_for(member) == []


def test_a_cross_institution_export_names_the_region(web, data, django_user_model):
    analyst = django_user_model.objects.create_user("analist", "an@example.org", PASSWORD)
    region = Region.objects.create(name="Regio", postcode_ranges="1000-1099")
    region.institutions.set(data.institutions)
    RegionalAnalyst.objects.create(user=analyst, region=region)
    web.force_login(analyst)
    response = web.get(reverse("reports:cross_export", args=["csv"]), {"region": region.pk, "level": "4"})
    assert response.status_code == 200
    entry = the_entry(analyst)
    assert_entry(entry, analyst, "export", "cross_report")
    assert (entry.target_type, entry.target_id) == ("reports.region", str(region.pk))
    assert entry.details["filters"] == {"level": 4} and entry.details["format"] == "csv"


def test_the_monitoring_csv_is_an_export(web, member, alfa):
    assert web.get(reverse("reports:monitoring", args=[alfa.brin])).status_code == 200
    assert entries_for(member) == []  # the page shows counts only
    assert web.get(reverse("reports:monitoring", args=[alfa.brin]), {"format": "csv"}).status_code == 200
    assert_entry(the_entry(member), member, "export", "monitoring_csv", alfa.pk)


def test_the_network_list_is_a_view_and_its_csv_an_export(web, member, alfa):
    page = web.get(reverse("reports:network", args=[alfa.brin]))
    assert page.status_code == 200
    shown = len(page.context["rows"])
    assert shown > 0
    view = the_entry(member)
    assert_entry(view, member, "view", "network_list", alfa.pk)
    assert view.details == {"rows": shown}
    web.get(reverse("reports:network", args=[alfa.brin]), {"format": "csv"})
    export = entries_for(member)[-1]
    assert_entry(export, member, "export", "network_csv", alfa.pk)
    assert export.details == {"rows": shown}
    assert len(entries_for(member)) == 2


def test_the_raw_response_export_with_its_filters(web, data, platform_admin):
    web.force_login(platform_admin)
    response = web.get(reverse("reports:raw_export"), {"wave": "T3", "programme": data.programmes[0].crebo})
    b"".join(response.streaming_content)
    entry = the_entry(platform_admin)
    assert_entry(entry, platform_admin, "export", "raw_responses")
    assert entry.details == {"filters": {"wave": "T3", "programme": data.programmes[0].crebo}}


def test_the_export_report_command_is_an_export_without_an_actor(data, alfa, tmp_path):
    out = tmp_path / "rapport.csv"
    call_command(
        "export_report", "--institution", alfa.brin, "--wave", "T1", "--format", "csv", "--output", str(out)
    )
    (entry,) = AuditEntry.objects.filter(what="report_command")
    assert (entry.action, entry.actor_id, entry.ip, entry.institution_id) == ("export", None, None, alfa.pk)
    assert entry.details == {"filters": {"wave": "T1"}, "by": ["programme"], "format": "csv", "all": False}


# --- Uploads ----------------------------------------------------------------------


@pytest.fixture
def uploader(web, institution, institution_admin, private_storage):
    web.force_login(institution_admin)
    return institution_admin


def upload_file(web, institution, rows) -> Upload:
    response = web.post(
        reverse("alumni:upload_list"),
        {
            "institution": institution.pk,
            "file": SimpleUploadedFile("cohort.csv", make_csv(rows)),
            "sheet": "",
        },
    )
    assert response.status_code == 302
    return Upload.objects.get(pk=int(re.search(r"/uploads/(\d+)/", response["Location"]).group(1)))


def test_an_upload_received_then_confirmed(web, uploader, institution):
    upload = upload_file(web, institution, graduates(3))
    received = the_entry(uploader)
    assert_entry(received, uploader, "upload", "upload_received", institution.pk)
    assert (received.target_type, received.target_id) == ("alumni.upload", str(upload.pk))
    assert received.details == {
        "status": "validated",
        "rows_total": 3,
        "rows_rejected": 0,
        "file_size": upload.file_size,
    }
    web.post(reverse("alumni:upload_confirm", args=[upload.pk]))
    confirmed = entries_for(uploader)[-1]
    assert_entry(confirmed, uploader, "import", "upload_confirmed", institution.pk)
    assert confirmed.target_id == str(upload.pk)
    assert confirmed.details == THREE_NEW
    assert len(entries_for(uploader)) == 2
    # Confirming again changes nothing, so it records nothing.
    web.post(reverse("alumni:upload_confirm", args=[upload.pk]))
    assert len(entries_for(uploader)) == 2


def test_the_import_command_records_its_import(institution, tmp_path):
    """``import_cohort`` (no user: a script or cron) writes one entry for the upload it stored,
    also when the file is rejected; a dry run stores and records nothing."""
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(make_csv(graduates(3)))
    bad.write_bytes(make_csv(graduates(2, crebo="123")))
    call_command("import_cohort", str(good), institution=institution.brin, dry_run=True)
    assert not AuditEntry.objects.filter(action="import").exists()
    call_command("import_cohort", str(good), institution=institution.brin)
    with pytest.raises(CommandError):
        call_command("import_cohort", str(bad), institution=institution.brin)
    entries = list(AuditEntry.objects.filter(action="import").order_by("id"))
    uploads = list(Upload.objects.filter(institution=institution).order_by("id"))
    assert [(e.what, e.target_id, e.institution_id, e.actor_id, e.actor) for e in entries] == [
        ("import_command", str(u.pk), institution.pk, None, "") for u in uploads
    ]
    assert entries[0].details == THREE_NEW
    assert (entries[1].details["written"], entries[1].details["rejected"]) == (False, 2)


def test_an_upload_discarded(web, uploader, institution):
    upload = upload_file(web, institution, graduates(2))
    web.post(reverse("alumni:upload_discard", args=[upload.pk]))
    discarded = entries_for(uploader)[-1]
    assert_entry(discarded, uploader, "upload", "upload_discarded", institution.pk)
    assert (discarded.target_id, discarded.details) == (str(upload.pk), {"status": "discarded"})


@pytest.mark.parametrize(
    ("name", "what", "key"),
    [
        ("alumni:upload_problems_csv", "upload_problems_csv", "problems"),
        ("alumni:upload_rejected_rows_csv", "upload_rows_to_fix_csv", "rejected_rows"),
    ],
)
def test_the_upload_downloads_are_exports(web, uploader, institution, name, what, key):
    rows = graduates(4)
    rows[1]["crebo"] = "123"
    rows[3]["email"] = "geen-adres"
    upload = upload_file(web, institution, rows)
    before = len(entries_for(uploader))
    assert web.get(reverse(name, args=[upload.pk])).status_code == 200
    export = entries_for(uploader)[-1]
    assert len(entries_for(uploader)) == before + 1
    assert_entry(export, uploader, "export", what, institution.pk)
    assert (export.target_id, export.details) == (str(upload.pk), {"rows": len(upload.report[key])})
    assert export.details["rows"] > 0


def test_the_upload_page_is_a_view_of_personal_data(web, uploader, institution):
    upload = upload_file(web, institution, graduates(2))
    web.get(reverse("alumni:upload_detail", args=[upload.pk]))
    view = entries_for(uploader)[-1]
    assert_entry(view, uploader, "view", "upload_detail", institution.pk)
    assert (view.target_id, view.details) == (str(upload.pk), {"page": 1})


def test_another_institutions_upload_records_nothing(web, uploader, other_institution, django_user_model):
    other_admin = django_user_model.objects.create_user("beheer-b", "b@example.org", PASSWORD)
    Membership.objects.create(user=other_admin, institution=other_institution, role=Membership.Role.ADMIN)
    web.force_login(other_admin)
    upload = upload_file(web, other_institution, graduates(2))
    web.force_login(uploader)
    for name in ("alumni:upload_detail", "alumni:upload_problems_csv", "alumni:upload_rejected_rows_csv"):
        assert web.get(reverse(name, args=[upload.pk])).status_code == 404
    assert web.post(reverse("alumni:upload_discard", args=[upload.pk])).status_code == 404
    assert entries_for(uploader) == []
