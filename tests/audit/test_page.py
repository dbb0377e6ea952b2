"""/audit/: platform admins read, filter and export the log; nobody else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alumni.models import Membership
from audit.models import AuditEntry
from audit.services import Action, record
from tests.factories import people
from tests.factories.people import CLIENT_IP as IP
from tests.factories.people import PASSWORD
from tests.helpers.upload_report import read_report_csv

pytestmark = pytest.mark.django_db

PAGE = reverse("audit:entries")
CSV = reverse("audit:entries_csv")


@pytest.fixture
def admin_web(web, platform_admin):
    web.force_login(platform_admin)
    return web


def recorded_at(monkeypatch, when: datetime.datetime, *args, **kwargs) -> AuditEntry:
    """An entry as if written at ``when`` (the log takes its time from the clock)."""
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: when)
        return record(*args, **kwargs)


def local(year, month, day, hour=12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def shown(response) -> list[int]:
    return [entry.pk for entry, _brin in response.context["rows"]]


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return read_report_csv(text)


# --- who may see it ---------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(web):
    for url in (PAGE, CSV):
        response = web.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("kind", ["institution_admin", "career_office", "staff"])
def test_everybody_but_a_platform_admin_gets_403(web, institution, django_user_model, kind):
    user = django_user_model.objects.create_user(
        "iemand", "i@example.org", PASSWORD, is_staff=kind == "staff"
    )
    if kind != "staff":
        role = Membership.Role.ADMIN if kind == "institution_admin" else Membership.Role.CAREER_OFFICE
        Membership.objects.create(user=user, institution=institution, role=role)
    web.force_login(user)
    assert web.get(PAGE).status_code == 403
    assert web.get(CSV).status_code == 403
    assert not AuditEntry.objects.filter(what="audit_log_csv").exists()
    assert "/audit/" not in web.get(reverse("reports:index")).content.decode()


def test_the_navigation_links_to_it_for_platform_admins(admin_web):
    assert f'href="{PAGE}"' in admin_web.get(reverse("reports:index")).content.decode()


# --- the list ----------------------------------------------------------------------


def test_newest_first_fifty_a_page(admin_web):
    for n in range(60):
        record(Action.VIEW, f"page_{n:02d}")
    first = admin_web.get(PAGE, {"action": "view"})
    assert first.status_code == 200
    whats = [e.what for e, _ in first.context["rows"]]
    assert whats == [f"page_{n:02d}" for n in range(59, 9, -1)]
    second = admin_web.get(PAGE, {"action": "view", "page": 2})
    assert [e.what for e, _ in second.context["rows"]] == [f"page_{n:02d}" for n in range(9, -1, -1)]
    body = first.content.decode()
    assert "action=view&amp;page=2" in body  # the next page keeps the filter
    assert "60 regels" in body


def test_the_page_is_dutch_and_shows_who_what_where(admin_web, institution, platform_admin):
    record(Action.EXPORT, "network_csv", user=platform_admin, institution=institution, details={"rows": 3})
    body = admin_web.get(PAGE).content.decode()
    for dutch in ("Auditlog", "Actie", "Gebruiker", "Instelling", "Vanaf", "Downloaden als CSV"):
        assert dutch in body
    # Words for people; the codes stay in the CSV.
    assert "lijst van het alumninetwerk (CSV)" in body and institution.brin in body
    assert "network_csv" not in body
    assert '<span class="text-muted">rijen:</span> 3</span>' in body


def test_the_page_shows_no_graduate_names(admin_web, institution, platform_admin):
    graduate = people.make_graduate(institution)
    record(Action.VIEW, "graduate_page", user=platform_admin, target=graduate, institution=institution)
    record(Action.ERASURE, "erase_graduate", target=graduate, institution=institution, details={"answers": 2})
    body = admin_web.get(PAGE).content.decode()
    assert f"gediplomeerde #{graduate.pk}" in body
    for personal in (graduate.first_name, graduate.last_name, graduate.email, graduate.private_email):
        assert personal not in body
    assert graduate.student_number not in body
    exported = " ".join(";".join(row) for row in csv_rows(admin_web.get(CSV)))
    assert f"alumni.graduate;{graduate.pk}" in exported
    for personal in (graduate.first_name, graduate.last_name, graduate.email, graduate.student_number):
        assert personal not in exported


# --- filters ----------------------------------------------------------------------


def test_filter_by_action_actor_institution_and_what(
    admin_web, institution, other_institution, django_user_model, platform_admin
):
    anna = django_user_model.objects.create_user("anna.beheer", "a@example.org", PASSWORD)
    bert = django_user_model.objects.create_user("bert", "b@example.org", PASSWORD)
    a1 = record(Action.EXPORT, "network_csv", user=anna, institution=institution)
    a2 = record(Action.VIEW, "network_list", user=anna, institution=other_institution)
    b1 = record(Action.EXPORT, "institution_report", user=bert, institution=institution)
    mine = {a1.pk, a2.pk, b1.pk}

    def ids(**query):
        return [pk for pk in shown(admin_web.get(PAGE, query)) if pk in mine]

    assert ids(action="export") == [b1.pk, a1.pk]
    assert ids(actor="ANNA") == [a2.pk, a1.pk]  # contains, any case
    assert ids(institution=institution.pk) == [b1.pk, a1.pk]
    assert ids(what="network") == [a2.pk, a1.pk]
    assert ids(action="export", actor="anna", institution=institution.pk, what="csv") == [a1.pk]
    assert ids(actor="nobody") == []


def test_filter_by_dates_includes_the_last_day(admin_web, monkeypatch):
    days = {
        day: recorded_at(monkeypatch, local(2026, 11, day), Action.VIEW, f"day_{day}") for day in (1, 2, 3)
    }
    late = recorded_at(monkeypatch, local(2026, 11, 2, hour=23), Action.VIEW, "late_on_the_2nd")
    response = admin_web.get(PAGE, {"date_from": "2026-11-02", "date_to": "2026-11-02"})
    assert shown(response) == [late.pk, days[2].pk]
    assert shown(admin_web.get(PAGE, {"date_from": "2026-11-03", "what": "day"})) == [days[3].pk]
    assert shown(admin_web.get(PAGE, {"date_to": "2026-11-01"})) == [days[1].pk]


@pytest.mark.parametrize(
    "query",
    [{"date_from": "2026-11-03", "date_to": "2026-11-01"}, {"date_from": "gisteren"}, {"action": "hack"}],
)
def test_bad_filters_show_an_error_and_no_entries(admin_web, query):
    record(Action.VIEW, "something")
    response = admin_web.get(PAGE, query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert shown(response) == []
    assert "Corrigeer de filters" in response.content.decode()
    refused = admin_web.get(CSV, query)
    assert refused.status_code == 400 and not AuditEntry.objects.filter(what="audit_log_csv").exists()


# --- the CSV ----------------------------------------------------------------------


def test_the_csv_has_the_filtered_rows_and_is_itself_audited(admin_web, institution, platform_admin):
    graduate = people.make_graduate(institution)
    view = record(Action.VIEW, "graduate_page", user=platform_admin, target=graduate, institution=institution)
    record(Action.EXPORT, "network_csv", user=platform_admin, institution=institution)
    response = admin_web.get(CSV, {"action": "view", "institution": institution.pk})
    header, *rows = csv_rows(response)
    assert header[:5] == ["tijdstip", "handeling", "gebruiker", "gebruiker-id", "wat"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["handeling"], row["wat"], row["gebruiker"]) == ("view", "graduate_page", "platform")
    assert (row["object"], row["object-id"], row["instelling"]) == (
        "alumni.graduate",
        str(graduate.pk),
        "99XA",
    )
    assert row["tijdstip"] == timezone.localtime(view.at).isoformat(timespec="seconds")
    export = AuditEntry.objects.get(what="audit_log_csv")
    assert (export.action, export.actor_id, export.ip) == ("export", platform_admin.pk, IP)
    assert export.details == {"filters": {"action": "view", "institution": institution.pk}}


def test_the_unfiltered_csv_holds_every_entry_including_its_own(admin_web):
    for n in range(5):
        record(Action.VIEW, f"page_{n}")
    expected = AuditEntry.objects.count() + 1  # and the export's own entry
    _header, *rows = csv_rows(admin_web.get(CSV))
    assert len(rows) == expected
    assert rows[0][4] == "audit_log_csv"  # newest first


def test_the_csv_is_formula_safe(admin_web, django_user_model):
    evil = django_user_model.objects.create_user("=HYPERLINK(1)", "e@example.org", PASSWORD)
    record(Action.VIEW, "+cmd", user=evil, details={"note": "@SUM(1)"})
    _header, *rows = csv_rows(admin_web.get(CSV, {"action": "view"}))
    (row,) = rows
    assert row[2] == "'=HYPERLINK(1)" and row[4] == "'+cmd"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


# --- the Django admin ---------------------------------------------------------------


def test_the_admin_shows_entries_read_only(admin_web):
    entry = record(Action.EXPORT, "network_csv", details={"rows": 2})
    assert admin_web.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    page = admin_web.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_web.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert admin_web.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    bulk = admin_web.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_query_string_is_not_kept(rf, platform_admin):
    request = rf.get("/graduates/", {"q": "Jansen"}, REMOTE_ADDR=IP)
    request.user = platform_admin
    entry = record(Action.VIEW, "graduate_list", request=request, details={"searched": True})
    assert entry.path == "/graduates/"
    assert "Jansen" not in str(AuditEntry.objects.filter(pk=entry.pk).values().get())
