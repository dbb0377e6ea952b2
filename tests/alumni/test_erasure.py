"""Erasure (alumni.privacy.erasure): the person gone from every table, the figures unchanged.

The graduate erased here has answered T1 (free text included), has mail in
the outbox (one bounce quoting the address), status history, a row in an
upload's "rows to fix" and a change in the Django admin's history, so every
place personal data is known to land is exercised; the dump then searches
every table of the database, not a list of models.
"""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.db.models import ProtectedError
from django.urls import reverse

from alumni.models import ErasedLink, ErasedStudent, Graduate, Upload
from alumni.privacy import erasure
from alumni.privacy.erasure import ErasureRefused, coarse_postcode, erase_graduate
from alumni.privacy.tombstones import erased_student_numbers, normalise_student_number
from audit.models import AuditEntry
from reports.filters import Filters
from reports.report import build_report
from reports.scoping import all_institutions_access
from surveys.models import Invitation, InvitationEvent, OutboundEmail, Response
from tests.factories.datasets import make_dataset_in_region
from tests.helpers.database_dump import dump_database, traces
from tests.helpers.indicator_oracle import open_thresholds

IDENTITY = {
    "student_number": "7345109",
    "first_name": "Zebedeus",
    "name_prefix": "van der",
    "last_name": "Quaxelaar",
    "email": "zebedeus.quaxelaar@school.example.nl",
    "private_email": "zq.prive@example.com",
}
SEARCHED = ["7345109", "Zebedeus", "Quaxelaar", "zebedeus.quaxelaar@school", "zq.prive@example.com"]
FREE_TEXT = {"job_title": "Sous-chef Quaxelaar", "job_tasks": "Zebedeus' keuken", "employer_name": "Hotel Q"}


@pytest.fixture
def dataset(db, settings):
    open_thresholds(settings)
    return make_dataset_in_region()


@pytest.fixture
def victim(dataset, admin_user):
    """A graduate of the first institution with a completed response and traces everywhere."""
    response = (
        Response.objects.filter(
            completed_at__isnull=False,
            main_activity="employee",
            invitation__wave__code="T1",
            invitation__graduate__institution=dataset.institutions[0],
        )
        .select_related("invitation__graduate")
        .first()
    )
    graduate = response.invitation.graduate
    Graduate.objects.filter(pk=graduate.pk).update(**IDENTITY, birth_year=graduate.diploma_date.year - 20)
    Response.objects.filter(pk=response.pk).update(
        **FREE_TEXT, workplace="1012 AB", workplace_postcode="1012"
    )
    invitation = response.invitation
    OutboundEmail.objects.create(
        invitation=invitation,
        purpose="invitation",
        to_address=IDENTITY["email"],
        state=OutboundEmail.State.FAILED,
        schedule_day=datetime.date(2024, 1, 1),
        last_error=f"550 <{IDENTITY['email']}> mailbox unknown",
    )
    OutboundEmail.objects.create(
        invitation=invitation,
        purpose="invitation-alt",
        to_address=IDENTITY["private_email"],
        schedule_day=datetime.date(2024, 1, 1),
    )
    InvitationEvent.objects.create(
        invitation=invitation, status="sent", detail=f"bounced, trying the other address: {IDENTITY['email']}"
    )
    InvitationEvent.objects.create(invitation=invitation, status="sent", detail="invitation")
    Upload.objects.create(
        institution=graduate.institution,
        file_name="cohort.csv",
        file_sha256="0" * 64,
        status=Upload.Status.IMPORTED,
        report={
            "problems": [
                {"code": "email_invalid", "row": 7, "column": "prive_email", "value": "zq@@x", "params": {}},
                {"code": "required", "row": 9, "column": "crebo", "value": "", "params": {}},
            ],
            "warnings": [{"code": "formula_like", "row": 3, "column": "achternaam", "value": "Quaxelaar"}],
            "rejected_rows": [
                {"rij": 7, "studentnummer": "07345109", "voornaam": "Zebedeus", "achternaam": "Quaxelaar"},
                {"rij": 9, "studentnummer": "1111111", "voornaam": "Anna", "achternaam": "Andere"},
            ],
        },
    )
    LogEntry.objects.log_actions(
        user_id=admin_user.pk,
        queryset=[graduate],
        action_flag=CHANGE,
        change_message=f"Changed email to {IDENTITY['email']}",
        single_object=True,
    )
    graduate.refresh_from_db()
    return graduate


def report_csv(tmp_path, name, *args) -> bytes:
    path = tmp_path / f"{name}.csv"
    call_command("export_report", *args, "--format", "csv", "--output", str(path))
    return path.read_bytes()


EXPORTS = {
    "own": ("--institution", "99XA", "--by", "programme,location,pathway,cohort,wave,level,sector"),
    "all": ("--all", "--by", "institution,programme"),
    "t1": ("--institution", "99XA", "--wave", "T1", "--by", "crebo"),
}


def test_no_trace_of_the_graduate_in_any_table_and_the_figures_unchanged(victim, tmp_path, admin_user):
    before = {name: report_csv(tmp_path, f"{name}-before", *args) for name, args in EXPORTS.items()}
    access = all_institutions_access("99XA")
    weighted_before = build_report(access, Filters(), ["programme"], weighted=True).as_json()
    assert traces(dump_database(), SEARCHED), "the test data must be there to begin with"
    old_tokens = list(victim.invitations.values_list("token", flat=True))

    summary = erase_graduate(victim, reason="verzoek via e-mail, ticket 2291", user=admin_user)

    left = traces(dump_database(), [*SEARCHED, *old_tokens])
    assert left == [], "\n".join(left)
    after = {name: report_csv(tmp_path, f"{name}-after", *args) for name, args in EXPORTS.items()}
    assert after == before
    assert build_report(access, Filters(), ["programme"], weighted=True).as_json() == weighted_before
    assert summary.links_closed == len(old_tokens) >= 1
    assert summary.upload_entries_removed == 3  # row 7, its problem, the warning quoting the name
    assert summary.emails_scrubbed == 2 and summary.emails_cancelled == 1
    assert summary.events_scrubbed == 1 and summary.admin_history_scrubbed == 1


def test_what_is_kept_and_what_is_gone(victim, admin_user):
    keep = ("programme_id", "cohort_id", "location_id", "pathway", "gender", "level", "institution_id")
    kept = {f: getattr(victim, f) for f in keep}
    response = Response.objects.get(invitation__graduate=victim, invitation__wave__code="T1")
    coded = {f: getattr(response, f) for f in ("main_activity", "hours_per_week", "contract", "branch_id")}
    statuses = list(victim.invitations.order_by("pk").values_list("status", "sent_at"))
    erase_graduate(victim, reason="verzoek", user=admin_user)
    victim.refresh_from_db()
    assert {f: getattr(victim, f) for f in keep} == kept
    assert list(victim.invitations.order_by("pk").values_list("status", "sent_at")) == statuses
    response.refresh_from_db()
    assert {f: getattr(response, f) for f in coded} == coded
    assert (response.job_title, response.job_tasks, response.employer_name, response.workplace) == ("",) * 4
    assert response.workplace_postcode == "1000"  # inside the region as 1012 was, no finer
    assert victim.erased_at is not None and victim.opted_out_at is not None
    assert victim.student_number.startswith("erased-") and victim.full_name == ""
    assert (victim.email, victim.private_email, victim.last_upload_id) == ("", "", None)
    assert victim.birth_year == victim.diploma_date.year - 20  # the first year of the 20-21 band
    assert victim.diploma_date.day == 1


def test_the_old_link_says_no_longer_available(victim, client, admin_user):
    token = victim.invitations.first().token
    erase_graduate(victim, reason="verzoek", user=admin_user)
    for url in (reverse("surveys:survey", args=[token]), reverse("surveys:survey_page", args=[token, "nu"])):
        page = client.get(url)
        assert page.status_code == 410
        assert "Deze link werkt niet meer" in page.content.decode()
        assert "Quaxelaar" not in page.content.decode()
    english = client.get(reverse("surveys:survey", args=[token]) + "?lang=en")
    assert english.status_code == 410 and "no longer available" in english.content.decode()
    assert client.get(reverse("surveys:opt_out", args=[token])).status_code == 410
    assert ErasedLink.objects.count() == victim.invitations.count()


def test_the_old_link_is_not_counted_as_a_guess(victim, client, settings):
    import uuid

    # A counter of its own: guesses other tests made from the same address must not count here.
    settings.SURVEYS_GUESS_KEY_PREFIX = f"erased-link-{uuid.uuid4().hex}"
    settings.SURVEYS_GUESS_LIMIT = 2
    token = victim.invitations.first().token
    erase_graduate(victim, reason="verzoek")
    statuses = {client.get(reverse("surveys:survey", args=[token])).status_code for _ in range(4)}
    assert statuses == {410}


def test_a_dry_run_changes_nothing(victim, admin_user):
    before = dump_database()
    summary = erase_graduate(victim, reason="proef", user=admin_user, dry_run=True)
    assert dump_database() == before
    assert summary.dry_run and summary.fields_cleared == 6 and summary.links_closed >= 1
    assert not AuditEntry.objects.filter(action="erasure").exists()


def test_the_audit_entry_says_who_when_and_why_never_what(victim, admin_user):
    erase_graduate(victim, reason="verzoek via e-mail, ticket 2291", user=admin_user)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ERASURE)
    assert (entry.actor_id, entry.actor) == (admin_user.pk, admin_user.username)
    assert (entry.target_type, entry.target_id) == ("alumni.graduate", str(victim.pk))
    assert entry.institution_id == victim.institution_id and entry.at is not None
    assert entry.details["reason"] == "verzoek via e-mail, ticket 2291"
    assert entry.details["links_closed"] >= 1 and entry.details["at_own_request"] is False
    assert traces(str(entry.details), SEARCHED) == []


def test_erasing_twice_changes_nothing_more(victim, admin_user):
    erase_graduate(victim, reason="verzoek", user=admin_user)
    after_first = dump_database()
    again = erase_graduate(victim, reason="nogmaals", user=admin_user)
    assert again.already_erased
    assert dump_database() == after_first


@pytest.mark.parametrize(
    "reason",
    ["", "  ", "Zebedeus belde", "mail van zq.prive@example.com", "nr 7345109", "nr 07345109", "QUAXELAAR"],
)
def test_a_reason_is_required_and_may_not_quote_the_person(victim, admin_user, reason):
    before = dump_database()
    with pytest.raises(ErasureRefused):
        erase_graduate(victim, reason=reason, user=admin_user)
    assert dump_database() == before


@pytest.mark.parametrize("reason", ["verzoek van de gediplomeerde", "op 3 januari gebeld", "ticket 73451090"])
def test_an_ordinary_reason_is_accepted(victim, reason):
    Graduate.objects.filter(pk=victim.pk).update(first_name="Jan")
    assert erase_graduate(victim, reason=reason).tombstone


def test_deleting_a_graduate_with_invitations_is_refused(victim):
    with pytest.raises(ProtectedError):
        victim.delete()
    with pytest.raises(ProtectedError):
        Graduate.objects.filter(pk=victim.pk).delete()
    assert Invitation.objects.filter(graduate=victim).exists()


def test_the_tombstone_finds_the_student_number_however_it_is_written(victim, admin_user):
    erase_graduate(victim, reason="verzoek", user=admin_user)
    numbers = ["7345109", "07345109", '="07345109"', " 7345109 ", "1111111", "", None]
    assert erased_student_numbers(victim.institution, numbers) == {
        "7345109",
        "07345109",
        '="07345109"',
        " 7345109 ",
    }
    other = Graduate.objects.exclude(institution=victim.institution).first().institution
    assert erased_student_numbers(other, ["7345109"]) == set()
    stone = ErasedStudent.objects.get()
    assert "7345109" not in stone.key and len(stone.key) == 64


def test_normalising_student_numbers():
    assert normalise_student_number('="0104515"') == normalise_student_number("104515") == "104515"
    assert normalise_student_number("ab 12") == "AB12"
    assert normalise_student_number("000") == "0"


def test_coarse_postcode_keeps_only_inside_or_outside():
    ranges = [("1000", "1099"), ("1380", "1384")]
    assert coarse_postcode("1012", ranges) == "1000"
    assert coarse_postcode("1382", ranges) == "1380"
    assert coarse_postcode("2500", ranges) == "0000"
    assert coarse_postcode("2500", []) == ""
    assert coarse_postcode("", ranges) == ""


def test_the_command(victim, admin_user, capsys):
    args = ["--institution", "99XA", "--student-number", "07345109", "--reason", "verzoek"]
    call_command("erase_graduate", *args, "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run" in out and "links closed" in out
    assert Graduate.objects.get(pk=victim.pk).erased_at is None
    call_command("erase_graduate", *args)
    out = capsys.readouterr().out
    assert "Erased" in out
    assert Graduate.objects.get(pk=victim.pk).erased_at is not None
    assert AuditEntry.objects.get(action="erasure").what == "graduate"


def test_the_command_refuses_clearly(victim):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No graduate"):
        call_command("erase_graduate", "--institution", "99XA", "--student-number", "999", "--reason", "x")
    with pytest.raises(CommandError, match=r"reason|reden"):
        call_command(
            "erase_graduate", "--institution", "99XA", "--student-number", "7345109", "--reason", " "
        )


def test_every_personal_field_is_handled():
    """A personal field added to Graduate later must be added to erasure too."""
    not_personal = {
        "id",
        "institution",
        "programme",
        "cohort",
        "level",
        "pathway",
        "location",
        "gender",
        "opted_out_at",
        "erased_at",
        "contact_removed_at",
        "created_at",
        "updated_at",
    }
    fields = {f.name for f in Graduate._meta.concrete_fields}
    assert fields - not_personal == set(erasure.PERSONAL_FIELDS)


def test_the_admin_erases_with_a_reason_instead_of_deleting(victim, admin_client):
    changelist = reverse("admin:alumni_graduate_changelist")
    page = admin_client.get(changelist)
    assert b"erase_selected" in page.content and b"delete_selected" not in page.content
    assert admin_client.get(reverse("admin:alumni_graduate_delete", args=[victim.pk])).status_code == 403
    chosen = {"action": "erase_selected", "_selected_action": [victim.pk]}
    asked = admin_client.post(changelist, chosen)
    assert asked.status_code == 200 and b"Quaxelaar" in asked.content and b'name="reason"' in asked.content
    assert Graduate.objects.get(pk=victim.pk).erased_at is None
    refused = admin_client.post(changelist, {**chosen, "confirm": "yes", "reason": ""})
    assert refused.status_code == 200 and Graduate.objects.get(pk=victim.pk).erased_at is None
    done = admin_client.post(
        changelist, {**chosen, "confirm": "yes", "reason": "verzoek, ticket 12"}, follow=True
    )
    assert done.status_code == 200
    assert Graduate.objects.get(pk=victim.pk).erased_at is not None
    entry = AuditEntry.objects.get(action="erasure")
    assert entry.details["reason"] == "verzoek, ticket 12" and entry.path == changelist
    assert admin_client.get(reverse("admin:alumni_graduate_change", args=[victim.pk])).status_code == 200
    edit = admin_client.post(
        reverse("admin:alumni_graduate_change", args=[victim.pk]), {"first_name": "Terug"}
    )
    assert edit.status_code == 403


def test_invitations_cannot_be_deleted_in_the_admin(victim, admin_client):
    invitation = victim.invitations.first()
    assert (
        admin_client.get(reverse("admin:surveys_invitation_delete", args=[invitation.pk])).status_code == 403
    )


def test_no_trace_after_the_admin_searched_and_opened_the_graduate(victim, client, django_user_model):
    """The institution admin's own work (search by name, the graduate's page) is audited; the
    audit log is append-only, so it must never have kept the search words or the person's data."""
    from alumni.models import Membership

    user = django_user_model.objects.create_user("admin-x", "admin-x@example.org", "a-long-password-1")
    Membership.objects.create(user=user, institution=victim.institution, role=Membership.Role.ADMIN)
    client.force_login(user)
    for query in ("Quaxelaar", "zq.prive@example.com", "7345109"):
        assert client.get(reverse("alumni:graduate_list"), {"q": query}).status_code == 200
    assert client.get(reverse("alumni:graduate_detail", args=[victim.pk])).status_code == 200
    erase_graduate(victim, reason="verzoek", user=user)
    left = traces(dump_database(), [*SEARCHED, "zq.prive%40example.com"])
    assert left == [], "\n".join(left)


def test_an_erased_graduate_in_a_new_upload_is_skipped_not_created_again(victim, admin_user):
    """The source system still lists the erased student: the re-upload skips
    that row (however the number is written), imports the others, and says so."""
    from alumni import services
    from tests.factories.cohort_files import graduate, make_csv

    institution = victim.institution
    erase_graduate(victim, reason="verzoek", user=admin_user)
    graduates_before = Graduate.objects.filter(institution=institution).count()
    rows = [
        graduate(1, studentnummer="07345109", voornaam="Zebedeus", achternaam="Quaxelaar"),
        graduate(2, studentnummer="8800001"),
    ]
    for path in ("command", "web"):
        data = make_csv(rows)
        if path == "command":
            outcome = services.import_file(institution=institution, data=data, file_name="c.csv")
            upload = outcome.upload
        else:
            upload = services.receive_upload(
                institution=institution, user=admin_user, file_name="c.csv", data=data
            )
            assert upload.report["preview"]["erased"] == 1
            outcome = services.confirm_upload(upload, import_valid_rows=False)
            upload = outcome.upload
        assert outcome.written
        assert outcome.counts.erased == 1
        assert upload.rows_new == (1 if path == "command" else 0)
        assert upload.rows_rejected == 1
        assert upload.rows_new + upload.rows_updated + upload.rows_unchanged + upload.rows_rejected == 2
        erased_warnings = [w for w in upload.report["warnings"] if w["code"] == "erased_student"]
        assert [(w["row"], w["value"]) for w in erased_warnings] == [(2, "07345109")]
    assert Graduate.objects.filter(institution=institution).count() == graduates_before + 1
    assert not Graduate.objects.filter(student_number__in=["7345109", "07345109"]).exists()
    assert not Graduate.objects.filter(last_name="Quaxelaar").exists()


def test_the_import_command_names_the_erased_row(victim, admin_user, tmp_path, capsys):
    from tests.factories.cohort_files import graduate, make_csv

    erase_graduate(victim, reason="verzoek", user=admin_user)
    path = tmp_path / "cohort.csv"
    path.write_bytes(make_csv([graduate(1, studentnummer="7345109")]))
    call_command("import_cohort", str(path), institution=victim.institution.brin)
    out = capsys.readouterr().out
    assert "7345109" in out and "gewist" in out
    assert "1 overgeslagen" in out
    assert not Graduate.objects.filter(student_number="7345109").exists()
