"""The institution admin's graduate pages (alumni.graduates): who may see what,
search and filters, the graduate's page without answers, e-mail correction
with resend, the addresses to fix and their CSV, the audit entries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alumni.graduates import views as graduate_views
from alumni.models import Cohort, Location, Membership
from audit.models import AuditEntry
from reports.models import Region, RegionalAnalyst
from surveys import lifecycle
from surveys.models import Invitation, OutboundEmail, Response
from tests.factories import people
from tests.factories.people import PASSWORD

S = Invitation.Status


@pytest.fixture
def graduate_a(institution):
    return people.make_graduate(
        institution,
        student_number="0012345",
        first_name="Fatima",
        name_prefix="el",
        last_name="Amrani",
        email="f.amrani@school.example.nl",
        private_email="fatima.prive@example.com",
    )


@pytest.fixture
def graduate_b(other_institution):
    return people.make_graduate(
        other_institution, student_number="0099999", first_name="Bram", last_name="Bakker"
    )


@pytest.fixture
def career_office(db, institution, django_user_model):
    user = django_user_model.objects.create_user("career", "c@example.org", PASSWORD)
    Membership.objects.create(user=user, institution=institution, role=Membership.Role.CAREER_OFFICE)
    return user


@pytest.fixture
def analyst(db, institution, django_user_model):
    user = django_user_model.objects.create_user("analyst", "an@example.org", PASSWORD)
    region = Region.objects.create(name="Regio Amstel")
    region.institutions.add(institution)
    RegionalAnalyst.objects.create(user=user, region=region)
    return user


@pytest.fixture
def platform_admin(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)


def signed_in(client, user):
    client.force_login(user)
    return client


def urls_of(graduate, invitation=None):
    """Every graduate-page URL about ``graduate`` (method, url)."""
    urls = [
        ("get", reverse("alumni:graduate_detail", args=[graduate.pk])),
        ("post", reverse("alumni:graduate_email", args=[graduate.pk])),
        ("get", reverse("alumni:graduate_erase", args=[graduate.pk])),
        ("post", reverse("alumni:graduate_erase", args=[graduate.pk])),
    ]
    if invitation is not None:
        urls.append(("post", reverse("alumni:invitation_resend", args=[graduate.pk, invitation.pk])))
    return urls


LISTS = ["alumni:graduate_list", "alumni:graduates_to_fix", "alumni:graduates_to_fix_csv"]


# --- who may see what ------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, graduate_a):
    invitation = people.make_invitation(graduate=graduate_a)
    for method, url in [("get", reverse(name)) for name in LISTS] + urls_of(graduate_a, invitation):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("role", ["career_office", "analyst"])
def test_career_office_and_analysts_see_no_graduate(client, request, role, graduate_a):
    user = request.getfixturevalue(role)
    invitation = people.make_invitation(graduate=graduate_a, status=S.BOUNCED)
    signed_in(client, user)
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 403
    for method, url in urls_of(graduate_a, invitation):
        assert (
            getattr(client, method)(
                url, {"email": "x@example.com", "reason": "test reason", "confirm": "on"}
            ).status_code
            == 404
        )
    graduate_a.refresh_from_db()
    assert graduate_a.email == "f.amrani@school.example.nl" and graduate_a.erased_at is None
    assert not OutboundEmail.objects.exists()
    assert "Gediplomeerden" not in client.get(reverse("reports:index")).content.decode()


def test_an_admin_sees_their_institution_only(client, institution_admin, graduate_a, graduate_b):
    invitation_b = people.make_invitation(graduate=graduate_b, status=S.BOUNCED)
    signed_in(client, institution_admin)
    page = client.get(reverse("alumni:graduate_list")).content.decode()
    assert "Amrani" in page and "Bakker" not in page
    assert "Gediplomeerden" in page  # the navigation link
    for method, url in urls_of(graduate_b, invitation_b):
        data = {"email": "x@example.com", "reason": "test reason", "confirm": "on"}
        assert getattr(client, method)(url, data).status_code == 404, url
    # An invitation of B's graduate under A's graduate id is not found either.
    url = reverse("alumni:invitation_resend", args=[graduate_a.pk, invitation_b.pk])
    assert client.post(url).status_code == 404
    graduate_b.refresh_from_db()
    assert graduate_b.email.endswith("@school.example.nl") and not OutboundEmail.objects.exists()
    assert client.get(reverse("alumni:graduates_to_fix")).content.decode().count("Bakker") == 0
    assert "0099999" not in client.get(reverse("alumni:graduates_to_fix_csv")).content.decode()


def test_a_platform_admin_sees_every_institution_and_can_filter_on_one(
    client, platform_admin, institution, graduate_a, graduate_b
):
    signed_in(client, platform_admin)
    page = client.get(reverse("alumni:graduate_list")).content.decode()
    assert "Amrani" in page and "Bakker" in page
    only_a = client.get(reverse("alumni:graduate_list"), {"institution": institution.pk}).content.decode()
    assert "Amrani" in only_a and "Bakker" not in only_a
    assert client.get(reverse("alumni:graduate_detail", args=[graduate_b.pk])).status_code == 200


# --- search, filters, sorting, pages ----------------------------------------------------------


def names(response) -> list[str]:
    return [g.last_name for g in response.context["page"].object_list]


@pytest.mark.parametrize(
    "query",
    [
        "amrani",
        "Fatima Amrani",
        "fatima el amrani",
        "0012345",
        "12345",
        "f.amrani@school",
        "FATIMA.PRIVE@example.com",
    ],
)
def test_search_finds_by_name_student_number_and_either_address(client, institution_admin, graduate_a, query):
    people.make_graduate(graduate_a.institution, last_name="Jansen", first_name="Piet")
    signed_in(client, institution_admin)
    assert names(client.get(reverse("alumni:graduate_list"), {"q": query})) == ["Amrani"]


def test_filters_by_programme_cohort_location_and_wave_status(client, institution, institution_admin):
    north = Location.objects.create(institution=institution, name="Noord")
    other_programme = people.programme(5)
    a = people.make_graduate(institution, last_name="Aa", location=north)
    b = people.make_graduate(institution, last_name="Bee", programme=other_programme)
    c = people.make_graduate(institution, last_name="Cee", diploma_date=datetime.date(2024, 6, 1))
    people.make_invitation(graduate=a, status=S.BOUNCED)
    people.make_invitation(graduate=b, status=S.COMPLETED)
    people.make_invitation(graduate=c, wave_code="T3", status=S.OPTED_OUT)
    signed_in(client, institution_admin)
    url = reverse("alumni:graduate_list")
    assert names(client.get(url, {"location": north.pk})) == ["Aa"]
    assert names(client.get(url, {"programme": other_programme.pk})) == ["Bee"]
    cohort_2024 = Cohort.objects.get(institution=institution, school_year=2023)
    assert names(client.get(url, {"cohort": cohort_2024.pk})) == ["Cee"]
    assert names(client.get(url, {"status_T1": "bounced"})) == ["Aa"]
    assert names(client.get(url, {"status_T1": "completed"})) == ["Bee"]
    assert names(client.get(url, {"status_T1": "none"})) == ["Cee"]
    assert names(client.get(url, {"status_T3": "opted_out"})) == ["Cee"]
    assert names(client.get(url, {"status_T1": "none", "status_T3": "none"})) == []
    response = client.get(url, {"status_T1": "bounced"})
    assert response.context["total"] == 1
    # A value from the URL that is not on offer (another institution's location) is ignored, not an error.
    assert client.get(url, {"location": 999999}).status_code == 200


def test_sorting_and_pages(client, institution, institution_admin, monkeypatch):
    monkeypatch.setattr(graduate_views, "PER_PAGE", 2)
    for number, last, diploma in [
        ("0003", "Cee", (2025, 1, 1)),
        ("0001", "Bee", (2025, 3, 1)),
        ("0002", "Aa", (2024, 9, 1)),
    ]:
        people.make_graduate(
            institution, student_number=number, last_name=last, diploma_date=datetime.date(*diploma)
        )
    signed_in(client, institution_admin)
    url = reverse("alumni:graduate_list")
    assert names(client.get(url)) == ["Aa", "Bee"]
    assert names(client.get(url, {"page": 2})) == ["Cee"]
    assert names(client.get(url, {"sort": "-name"})) == ["Cee", "Bee"]
    assert names(client.get(url, {"sort": "student_number"})) == ["Bee", "Aa"]
    assert names(client.get(url, {"sort": "-diploma_date"})) == ["Bee", "Cee"]
    page = client.get(url, {"sort": "student_number", "page": 2}).content.decode()
    assert "Cee" in page and "3 gediplomeerden gevonden" in page


# --- the graduate's page ----------------------------------------------------------------------


def test_the_page_shows_contact_data_and_history_but_never_answers(client, institution_admin, graduate_a):
    invitation = people.make_invitation(graduate=graduate_a, status=S.SENT)
    lifecycle.open_link(invitation)
    Response.objects.create(
        invitation=invitation,
        instrument_version="1",
        current_page="werk",
        employer_name="Bakkerij Zonneschijn",
        job_title="Banketbakker-uniek",
        job_tasks="Taarten-uniek versieren",
        workplace="Purmerend-uniek",
        workplace_postcode="1441",
        hours_per_week=37,
        main_activity="employee",
    )
    signed_in(client, institution_admin)
    page = client.get(reverse("alumni:graduate_detail", args=[graduate_a.pk])).content.decode()
    for shown in (
        "Fatima el Amrani",
        "0012345",
        "f.amrani@school.example.nl",
        "fatima.prive@example.com",
        "Link geopend",
    ):
        assert shown in page
    for answer in ("Zonneschijn", "Banketbakker-uniek", "Taarten-uniek", "Purmerend-uniek", "1441"):
        assert answer not in page
    assert invitation.token not in page  # the link is the graduate's credential


def test_an_erased_graduate_shows_nothing_personal(client, institution_admin, graduate_a):
    graduate_a.__class__.objects.filter(pk=graduate_a.pk).update(erased_at=timezone.now())
    signed_in(client, institution_admin)
    response = client.get(reverse("alumni:graduate_detail", args=[graduate_a.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "gewist" in page
    assert "Amrani" not in page and "0012345" not in page and "example" not in page
    assert "Amrani" not in client.get(reverse("alumni:graduate_list")).content.decode()


# --- correcting an address and resending --------------------------------------------------------


def bounced_invitation(graduate):
    """A T1 invitation whose first mail bounced (as the sender leaves it)."""
    invitation = people.make_invitation(
        graduate=graduate, status=S.PENDING, sent_on=None, sent_at=None, closes_on=None
    )
    OutboundEmail.objects.create(
        invitation=invitation,
        purpose="invitation",
        to_address=graduate.private_email,
        schedule_day=timezone.localdate(),
        state=OutboundEmail.State.FAILED,
        last_error="550 no such user",
    )
    lifecycle.bounce(invitation, "550 5.1.1 no such user")
    return invitation


def test_correcting_a_bounced_address_queues_exactly_one_mail_and_not_again(
    client, institution_admin, graduate_a
):
    invitation = bounced_invitation(graduate_a)
    signed_in(client, institution_admin)
    url = reverse("alumni:graduate_email", args=[graduate_a.pk])
    data = {"email": graduate_a.email, "private_email": "fatima.nieuw@example.com", "resend": "on"}
    response = client.post(url, data, follow=True)
    assert "opnieuw verstuurd" in response.content.decode()
    graduate_a.refresh_from_db()
    assert graduate_a.private_email == "fatima.nieuw@example.com"
    queued = OutboundEmail.objects.filter(invitation=invitation, state=OutboundEmail.State.QUEUED)
    assert [(m.to_address, m.purpose[:14]) for m in queued] == [
        ("fatima.nieuw@example.com", "invitation-re-")
    ]
    invitation.refresh_from_db()
    assert invitation.status == S.PENDING
    client.post(url, data)  # again, and with another correction the same day
    client.post(url, dict(data, private_email="fatima.echt@example.com"))
    assert (
        OutboundEmail.objects.filter(invitation=invitation).exclude(state=OutboundEmail.State.FAILED).count()
        == 1
    )
    assert OutboundEmail.objects.get(invitation=invitation, state=OutboundEmail.State.QUEUED).to_address == (
        "fatima.echt@example.com"
    )
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE, what="graduate_email")
    assert entries.count() == 3
    first = entries.order_by("pk").first()
    assert first.details["fields"] == ["private_email"] and first.target_id == str(graduate_a.pk)
    assert first.actor == "admin-a" and first.institution_id == graduate_a.institution_id
    for entry in entries:
        assert "example" not in str(entry.details)


def test_without_resend_the_address_is_only_corrected(client, institution_admin, graduate_a):
    invitation = bounced_invitation(graduate_a)
    signed_in(client, institution_admin)
    client.post(
        reverse("alumni:graduate_email", args=[graduate_a.pk]),
        {"email": "fatima@school.example.nl", "private_email": graduate_a.private_email},
    )
    invitation.refresh_from_db()
    assert invitation.status == S.BOUNCED
    assert not OutboundEmail.objects.filter(state=OutboundEmail.State.QUEUED).exists()


def test_queued_mail_follows_the_corrected_address(client, institution_admin, graduate_a):
    invitation = people.make_invitation(graduate=graduate_a, status=S.SENT)
    OutboundEmail.objects.create(
        invitation=invitation,
        purpose="reminder-1",
        to_address=graduate_a.private_email,
        schedule_day=timezone.localdate(),
    )
    signed_in(client, institution_admin)
    client.post(
        reverse("alumni:graduate_email", args=[graduate_a.pk]),
        {"email": graduate_a.email, "private_email": "nieuw@example.com", "resend": "on"},
    )
    assert [m.to_address for m in OutboundEmail.objects.all()] == ["nieuw@example.com"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "private_email": ""}, "geldig e-mailadres"),
        ({"email": "", "private_email": ""}, "ten minste één e-mailadres"),
    ],
)
def test_a_bad_address_is_refused_and_nothing_is_lost(client, institution_admin, graduate_a, data, message):
    signed_in(client, institution_admin)
    response = client.post(reverse("alumni:graduate_email", args=[graduate_a.pk]), data)
    assert response.status_code == 400 and message in response.content.decode()
    graduate_a.refresh_from_db()
    assert (
        graduate_a.email == "f.amrani@school.example.nl"
        and graduate_a.private_email == "fatima.prive@example.com"
    )
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE).exists()
    assert AuditEntry.objects.get(what="graduate_page").details["invalid_correction"] is True


def test_resend_on_request_queues_one_mail_a_day(client, institution_admin, graduate_a):
    invitation = people.make_invitation(graduate=graduate_a, status=S.OPENED)
    signed_in(client, institution_admin)
    url = reverse("alumni:invitation_resend", args=[graduate_a.pk, invitation.pk])
    client.post(url)
    client.post(url)
    mails = list(OutboundEmail.objects.filter(invitation=invitation))
    assert [(m.to_address, m.purpose.split("-")[0]) for m in mails] == [
        ("fatima.prive@example.com", "resend")
    ]
    completed = people.make_invitation(graduate=graduate_a, wave_code="T3", status=S.COMPLETED)
    response = client.post(
        reverse("alumni:invitation_resend", args=[graduate_a.pk, completed.pk]), follow=True
    )
    assert "kan niet opnieuw" in response.content.decode()
    assert not completed.emails.exists()
    assert AuditEntry.objects.filter(what="invitation_resend").count() == 2  # queued, then re-addressed


# --- addresses to fix -----------------------------------------------------------------------------


def test_the_to_fix_list_and_its_csv(client, institution, institution_admin, graduate_a):
    bounced_invitation(graduate_a)
    opted = people.make_graduate(
        institution, first_name="=HYPERLINK(1)", last_name="Opt", student_number="0000777"
    )
    people.make_invitation(graduate=opted, status=S.SENT)
    lifecycle.opt_out(opted)
    fine = people.make_graduate(institution, last_name="Prima")
    people.make_invitation(graduate=fine, status=S.COMPLETED)
    t3_bounce = people.make_graduate(institution, last_name="Driejaar")
    people.make_invitation(graduate=t3_bounce, wave_code="T3", status=S.BOUNCED)
    signed_in(client, institution_admin)

    page = client.get(reverse("alumni:graduates_to_fix"), {"wave": "T1"}).content.decode()
    assert "Amrani" in page and "Opt" in page and "Prima" not in page and "Driejaar" not in page
    assert reverse("alumni:graduate_detail", args=[graduate_a.pk]) + "#email" in page
    assert "fatima.prive@example.com" in page  # the address that failed

    response = client.get(reverse("alumni:graduates_to_fix_csv"), {"wave": "T1"})
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.splitlines()
    assert len(lines) == 3
    assert any(line.startswith('"=""0012345""";') for line in lines)  # Excel reads ="0012345": text
    assert "'=HYPERLINK(1)" in text  # formula-safe
    assert "Driejaar" not in text and "Prima" not in text
    export = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, what="graduates_to_fix_csv")
    assert export.details == {"filters": {"wave": "T1"}, "count": 2}
    view = AuditEntry.objects.get(action=AuditEntry.Action.VIEW, what="graduates_to_fix")
    assert view.details["count"] == 2 and view.institution_id == institution.pk


# --- the audit log --------------------------------------------------------------------------------


def test_list_and_page_views_are_audited_without_names(client, institution, institution_admin, graduate_a):
    signed_in(client, institution_admin)
    client.get(reverse("alumni:graduate_list"), {"q": "Amrani", "status_T1": "none"})
    client.get(reverse("alumni:graduate_detail", args=[graduate_a.pk]))
    listed = AuditEntry.objects.get(what="graduate_list")
    assert listed.action == AuditEntry.Action.VIEW and listed.actor == "admin-a"
    assert listed.institution_id == institution.pk
    assert listed.details["count"] == 1 and listed.details["search"] is True
    assert listed.details["filters"] == {"status_T1": "none"}
    assert "Amrani" not in str(listed.details)
    assert listed.path == "/graduates/"  # the search words stay out of the append-only log
    assert listed.ip == "127.0.0.1"
    page = AuditEntry.objects.get(what="graduate_page")
    assert page.action == AuditEntry.Action.VIEW and page.target_id == str(graduate_a.pk)
    assert page.target_type == "alumni.graduate" and "Amrani" not in str(page.details)


# --- erasure from the page ---------------------------------------------------------------------


def test_erase_asks_for_a_reason_and_confirmation_then_the_page_shows_nothing_personal(
    client, institution_admin, graduate_a
):
    people.make_invitation(graduate=graduate_a, status=S.COMPLETED)
    signed_in(client, institution_admin)
    url = reverse("alumni:graduate_erase", args=[graduate_a.pk])
    confirm_page = client.get(url).content.decode()
    assert "Voorgoed wissen" in confirm_page and "Reden om te wissen" in confirm_page

    unconfirmed = client.post(url, {"reason": "verzoek per e-mail van 2 december"})
    assert unconfirmed.status_code == 200 and "Dit veld is verplicht" in unconfirmed.content.decode()
    quoting = client.post(url, {"reason": "verzoek van Fatima Amrani", "confirm": "on"})
    assert "mag niet de naam" in quoting.content.decode()
    graduate_a.refresh_from_db()
    assert graduate_a.erased_at is None and graduate_a.last_name == "Amrani"

    response = client.post(url, {"reason": "verzoek per e-mail van 2 december", "confirm": "on"}, follow=True)
    page = response.content.decode()
    assert "gewist" in page
    for personal in ("Amrani", "Fatima", "0012345", "f.amrani@school.example.nl", "fatima.prive@example.com"):
        assert personal not in page
    graduate_a.refresh_from_db()
    assert graduate_a.erased_at is not None
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ERASURE)
    assert entry.actor == "admin-a"
    # Erased: the list leaves them out, and the correction form no longer applies.
    assert "Amrani" not in client.get(reverse("alumni:graduate_list")).content.decode()
    client.post(reverse("alumni:graduate_email", args=[graduate_a.pk]), {"email": "x@example.com"})
    graduate_a.refresh_from_db()
    assert graduate_a.email != "x@example.com"


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (S.PENDING, ""),
        (S.NOT_INVITED, ""),
        (S.SENT, "invitation"),
        (S.SENT, "invitation-alt"),
        (S.SENT, "invitation-re-20251001"),
        (S.REMINDED, "reminder-2"),
        (S.REMINDED, "extra-2025-10-01"),
        (S.REMINDED, "resend-2025-10-01"),
        (S.PENDING, "resend: invitation-re-20251001"),
        (S.PENDING, "bounced, trying the other address: 550 unknown"),
        (S.BOUNCED, "550 5.1.1 unknown"),
        (S.BOUNCED, "gave up: 421 try later"),
        (S.OPENED, ""),
        (S.PARTIAL, ""),
        (S.COMPLETED, ""),
        (S.OPTED_OUT, ""),
        (S.EXPIRED, ""),
    ],
)
def test_every_kind_of_history_line_reads_as_dutch(status, detail):
    from django.utils import translation

    from alumni.graduates.history import describe
    from surveys.models import InvitationEvent

    event = InvitationEvent(status=status, detail=detail, at=timezone.now())
    with translation.override("en"):
        english = describe(event)
    dutch = describe(event)
    assert dutch["text"] != english["text"], dutch  # translated, not the msgid
    assert "550" not in dutch["text"] and "421" not in dutch["text"]  # the server's words go in the note
    assert dutch["note"] == english["note"]
