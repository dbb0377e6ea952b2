"""The graduate's own page behind the personal link (s/<token>/mijn-gegevens/):
what is stored, in the link's language; correcting the private address;
opting out; erasure at once after a confirmation; unknown and erased links."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from alumni.models import Graduate
from audit.models import AuditEntry
from surveys.link.own_data_texts import TEXTS
from surveys.models import Invitation, OutboundEmail, Response
from tests.factories import people

pytestmark = pytest.mark.django_db
S = Invitation.Status


@pytest.fixture(autouse=True)
def own_rate_limit_counter(settings):
    """A counter of its own per test (Redis is shared by runs on one machine)."""
    settings.SURVEYS_GUESS_KEY_PREFIX = f"test-{uuid.uuid4().hex}"
    settings.SURVEYS_GUESS_LIMIT = 5


@pytest.fixture
def invitation():
    return people.make_invitation(
        graduate_fields={
            "first_name": "Sanne",
            "last_name": "Bakker",
            "email": "s.bakker@student.example.nl",
            "private_email": "sanne@example.com",
            "diploma_date": datetime.date(2025, 6, 30),
            "birth_year": 2004,
        }
    )


def page_url(invitation) -> str:
    return reverse("surveys:own_data", args=[invitation.token])


def erase_url(invitation) -> str:
    return reverse("surveys:own_data_erase", args=[invitation.token])


def text_of(response) -> str:
    """The visible text of a page, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_route_is_the_graduates_own_page_not_a_survey_page(invitation):
    assert page_url(invitation) == f"/s/{invitation.token}/mijn-gegevens/"
    assert erase_url(invitation) == f"/s/{invitation.token}/mijn-gegevens/wissen/"


# --- what is stored, per language -----------------------------------------------------


def assert_page_in(response, language: str, shown, not_shown) -> str:
    """The page is in ``language``: its <html lang>, every text of ``shown`` on
    it and none of ``not_shown`` (the other language's words); returns its text."""
    page = text_of(response)
    assert f'<html lang="{language}">' in response.content.decode()
    for expected in shown:
        assert expected in page, expected
    for other in not_shown:
        assert other not in page, other
    return page


def test_dutch_page_shows_what_is_stored_and_why(client, invitation):
    graduate = invitation.graduate
    response = client.get(page_url(invitation))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = (
        "Jouw gegevens",
        "Wat we van je bewaren",
        "Sanne Bakker",
        graduate.student_number,
        graduate.institution.name,
        graduate.programme.name,
        "30 juni 2025",
        "2004",
        "s.bakker@student.example.nl",
        "sanne@example.com",
        "Nederlands",
        "Vragenlijst 3 maanden na je diploma",
        "Verstuurd",
        "Vragenlijst 3 jaar na je diploma",
        "Nog niet verstuurd",
        "Hoe lang we je gegevens bewaren",
        "30 dagen nadat de vragenlijst van 3 jaar",
        "nooit met je naam",
        "Afmelden",
        "Mijn gegevens wissen",
    )
    english = ("Your data", "What we keep", "Sent on", "Unsubscribe", "Erase my data")
    page = assert_page_in(response, "nl", shown, english)
    assert "Geslacht" not in page and "Locatie" not in page  # optional, and not in this school's file


def test_english_page_for_a_graduate_who_chose_english(client):
    invitation = people.make_invitation(graduate_fields={"preferred_language": "en"})
    shown = ("Your data", "What we keep about you", "Survey 3 months after your diploma", "Unsubscribe")
    dutch = ("Jouw gegevens", "bewaren", "Afmelden", "Vragenlijst")
    assert_page_in(client.get(page_url(invitation)), "en", shown, dutch)


def test_the_language_switch_is_stored_like_on_the_survey(client, invitation):
    response = client.get(page_url(invitation) + "?lang=en")
    assert response.status_code == 302 and response["Location"] == page_url(invitation)
    assert Graduate.objects.get(pk=invitation.graduate_id).preferred_language == "en"
    page = text_of(client.get(page_url(invitation)))
    assert "Your data" in page and "English" in page  # the stored language is shown too
    assert 'href="?lang=nl"' in client.get(page_url(invitation)).content.decode()


def test_every_text_has_both_languages_and_the_same_placeholders():
    for key, (dutch, english) in TEXTS.items():
        assert dutch.strip() and english.strip(), key
        assert set(re.findall(r"{\w+}", dutch)) == set(re.findall(r"{\w+}", english)), key


def test_answers_and_the_alumni_network_are_explained(client, invitation):
    Response.objects.create(invitation=invitation, network_mentoring=True, recontact_consent=True)
    page = text_of(client.get(page_url(invitation)))
    assert "alumninetwerk" in page
    assert "tot je je afmeldt of je gegevens laat wissen" in page


def test_the_page_opens_in_every_state_of_the_link(client, invitation):
    for status in (S.COMPLETED, S.EXPIRED, S.BOUNCED, S.OPTED_OUT):
        Invitation.objects.filter(pk=invitation.pk).update(status=status)
        assert client.get(page_url(invitation)).status_code == 200, status


def test_a_declined_follow_up_is_not_shown_as_planned(client, invitation):
    Response.objects.create(invitation=invitation, recontact_consent=False)
    page = text_of(client.get(page_url(invitation)))
    assert "Vragenlijst 3 jaar na je diploma" not in page


def test_the_survey_pages_and_the_opt_out_page_link_to_it(client, invitation):
    own = page_url(invitation)
    first = client.get(f"/s/{invitation.token}/", follow=True)
    assert f'href="{own}"' in first.content.decode()
    assert f'href="{own}"' in client.get(reverse("surveys:opt_out", args=[invitation.token])).content.decode()
    Invitation.objects.filter(pk=invitation.pk).update(status=S.EXPIRED)
    assert f'href="{own}"' in client.get(f"/s/{invitation.token}/").content.decode()


# --- correcting the private address ---------------------------------------------------


def test_correcting_the_private_address_stores_it_audits_it_and_readdresses_queued_mail(client, invitation):
    graduate = invitation.graduate
    queued = OutboundEmail.objects.create(
        invitation=invitation,
        purpose="reminder-1",
        to_address=graduate.private_email,
        schedule_day=timezone.localdate(),
    )
    response = client.post(page_url(invitation), {"private_email": "  sanne.nieuw@Example.COM "})
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(invitation)}?done=email_saved#email"
    assert Graduate.objects.get(pk=graduate.pk).private_email == "sanne.nieuw@example.com"
    queued.refresh_from_db()
    assert queued.to_address == "sanne.nieuw@example.com"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CHANGE, what="own_email")
    assert (entry.target_type, entry.target_id) == ("alumni.graduate", str(graduate.pk))
    assert entry.institution_id == graduate.institution_id
    assert entry.details == {"fields": ["private_email"], "removed": False, "readdressed": 1}
    assert entry.actor == "" and entry.ip == "127.0.0.1"
    # Neither the address nor the token (the graduate's credential) is in the log.
    assert "sanne" not in str(entry.details) and invitation.token not in entry.path
    assert entry.path == "/s/<token>/mijn-gegevens/"
    assert "Je e-mailadres is opgeslagen." in text_of(client.get(response["Location"]))


def test_removing_the_private_address_sends_mail_to_the_school_address(client, invitation):
    queued = OutboundEmail.objects.create(
        invitation=invitation,
        purpose="reminder-1",
        to_address="sanne@example.com",
        schedule_day=timezone.localdate(),
    )
    response = client.post(page_url(invitation), {"private_email": ""}, follow=True)
    assert Graduate.objects.get(pk=invitation.graduate_id).private_email == ""
    queued.refresh_from_db()
    assert queued.to_address == "s.bakker@student.example.nl"
    assert "We sturen e-mail naar je adres van school." in text_of(response)


def test_the_same_address_again_changes_nothing_and_is_not_audited(client, invitation):
    response = client.post(page_url(invitation), {"private_email": "sanne@example.com"}, follow=True)
    assert "Er is niets veranderd." in text_of(response)
    assert not AuditEntry.objects.filter(what="own_email").exists()


@pytest.mark.parametrize(
    "value, message",
    [
        ("not-an-address", "Vul een goed e-mailadres in"),
        ("a@b@c.nl", "Vul een goed e-mailadres in"),
        ("nul\x00@example.com", "Vul een goed e-mailadres in"),
        ("x" * 250 + "@example.com", "niet meer dan 254 tekens"),
    ],
)
def test_a_bad_address_gives_the_page_back_with_a_clear_message_and_stores_nothing(
    client, invitation, value, message
):
    response = client.post(page_url(invitation), {"private_email": value})
    assert response.status_code == 200
    page = text_of(response)
    assert message in page
    assert 'aria-invalid="true"' in response.content.decode()
    assert Graduate.objects.get(pk=invitation.graduate_id).private_email == "sanne@example.com"
    assert not AuditEntry.objects.filter(what="own_email").exists()


# --- opting out ----------------------------------------------------------------------


def test_opting_out_from_the_page_uses_the_opt_out_page_and_the_page_shows_it(client, invitation):
    html = client.get(page_url(invitation)).content.decode()
    opt_out = reverse("surveys:opt_out", args=[invitation.token])
    assert f'href="{opt_out}"' in html
    assert client.post(opt_out).status_code == 200
    graduate = Graduate.objects.get(pk=invitation.graduate_id)
    assert graduate.opted_out_at is not None
    page = text_of(client.get(page_url(invitation)))
    assert "Je hebt je afgemeld op" in page
    assert f'href="{opt_out}"' not in client.get(page_url(invitation)).content.decode()
    assert "Vragenlijst 3 jaar na je diploma" not in page  # not planned any more


# --- erasure -------------------------------------------------------------------------


def test_erasure_asks_to_confirm_first_and_a_get_changes_nothing(client, invitation):
    response = client.get(erase_url(invitation))
    assert response.status_code == 200
    page = text_of(response)
    assert "Weet je het zeker?" in page and "Je kunt dit niet ongedaan maken." in page
    assert f'action="{erase_url(invitation)}"' in response.content.decode()
    assert Graduate.objects.get(pk=invitation.graduate_id).erased_at is None


def test_erasure_is_carried_out_at_once_and_the_link_is_dead_afterwards(client, invitation):
    graduate = invitation.graduate
    Response.objects.create(invitation=invitation, activity_employee=True, employer_name="Hotel Amstel")
    response = client.post(erase_url(invitation))
    assert response.status_code == 200
    page = text_of(response)
    assert "Je gegevens zijn gewist" in page
    assert "Wat blijft: je andere antwoorden" in page
    assert "Je link werkt vanaf nu niet meer." in page
    erased = Graduate.objects.get(pk=graduate.pk)
    assert erased.erased_at is not None
    assert (erased.first_name, erased.email, erased.private_email) == ("", "", "")
    answers = Response.objects.get(invitation_id=invitation.pk)
    assert answers.activity_employee is True and answers.employer_name == ""  # coded kept, own words gone
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ERASURE)
    assert entry.details["reason"] == "Op verzoek van de gediplomeerde"
    assert entry.details["at_own_request"] is True
    assert entry.actor == "" and invitation.token not in entry.path
    # The old link: "no longer available", on every route, and no guess counted.
    for path in (f"/s/{invitation.token}/", page_url(invitation), erase_url(invitation)):
        after = client.get(path)
        assert after.status_code == 410, path
        assert "Deze link werkt niet meer" in text_of(after)
    assert client.post(erase_url(invitation)).status_code == 410


def test_erasure_in_english_says_what_happened_in_english(client):
    invitation = people.make_invitation(graduate_fields={"preferred_language": "en"})
    page = text_of(client.post(erase_url(invitation)))
    assert "Your data has been erased" in page and "What stays" in page
    assert "gewist" not in page


@pytest.mark.parametrize(
    "name, reason",
    [
        ({"name_prefix": "van de", "last_name": "Berg"}, "Op verzoek van de gediplomeerde"),
        # A name that is a word of the Dutch reason: erase_graduate refuses that reason, the neutral one is used.
        ({"first_name": "Op", "last_name": "Verzoek"}, "AVG art. 17"),
    ],
)
def test_erasure_goes_ahead_whatever_the_graduates_name(client, name, reason):
    invitation = people.make_invitation(graduate_fields=name)
    response = client.post(erase_url(invitation))
    assert response.status_code == 200
    assert Graduate.objects.get(pk=invitation.graduate_id).erased_at is not None
    assert AuditEntry.objects.get(action=AuditEntry.Action.ERASURE).details["reason"] == reason


# --- unknown links ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["mijn-gegevens/", "mijn-gegevens/wissen/"])
def test_an_unknown_token_is_the_surveys_unknown_link_and_counts_as_a_guess(client, db, suffix, settings):
    settings.SURVEYS_GUESS_LIMIT = 2
    for n in range(2):
        response = client.get(f"/s/{'A' * 20}{n}/{suffix}")
        assert response.status_code == 404
        assert "Deze link werkt niet" in text_of(response)
    assert client.get(f"/s/{'A' * 20}9/{suffix}").status_code == 429
    # A valid link from the same address still opens.
    assert client.get(page_url(people.make_invitation())).status_code == 200


def test_a_token_of_the_wrong_shape_never_reaches_the_page(client, db):
    assert client.get("/s/short/mijn-gegevens/").status_code == 404


# --- the e-mails link to it ------------------------------------------------------------


@pytest.mark.parametrize(
    "language, line, label",
    [
        ("nl", "je gegevens laten wissen: ", "Jouw gegevens"),
        ("en", "have your data erased: ", "Your data"),
    ],
)
def test_every_mail_links_to_the_own_page_in_its_language(
    institution, mailoutbox, settings, language, line, label
):
    from surveys import planning, sending

    settings.SITE_URL = "https://alumni.example.nl"
    graduate = people.make_graduate(
        institution, diploma_date=datetime.date(2025, 6, 15), preferred_language=language
    )
    for day in (datetime.date(2025, 9, 15), datetime.date(2025, 9, 22)):  # the invitation and a reminder
        planning.plan(day)
        sending.send_queued(100)
    token = Invitation.objects.get(graduate=graduate).token
    own = f"https://alumni.example.nl/s/{token}/mijn-gegevens/"
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert f"{line}{own}\n" in message.body
        (html, _mimetype), *_ = message.alternatives
        assert f'<a href="{own}" style="color:#666;">{label}</a>' in html
