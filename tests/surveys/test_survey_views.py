"""The survey behind the personal link, through Django's test client: the
route page by page, every link state, rate limiting, language, errors, and
that no page loads anything from another host."""

import datetime
import gzip
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from config.clientip import client_ip
from surveys.link import ratelimit
from surveys.models import Invitation, InvitationEvent, Response
from tests.factories import people

S = Invitation.Status
ROOT = Path(settings.BASE_DIR)

EMPLOYEE_PAGES = {
    "nu": {"activity": ["employee"]},
    "werk": {"hours_per_week": "38", "contract": "permanent", "wage_band": "2500"},
    "functie": {"job_title": "Kok", "job_tasks": "Koken en inkopen", "occupation_group": "5"},
    "werkgever": {
        "branch": "I",
        "employer_name": "Hotel Amstel",
        "workplace": "1012",
        "job_route": "internship",
    },
    "aansluiting": {"level_match": "same", "field_match": "own", "diploma_needed": "level_field"},
    "inkomen": {"benefit": "none"},
    "terugblik": {"meaningful": "4", "fits_plans": "4", "uses_learning": "5", "preparation": "4"},
    "opleiding": {"missed": ["digital"], "choose_again": "yes"},
    "contact": {"recontact_consent": "yes", "private_email": "kok@example.com", "network": ["guest_lessons"]},
}


@pytest.fixture(autouse=True)
def own_rate_limit_counter(settings):
    """A counter of its own per test (Redis is shared by runs on one machine)."""
    settings.SURVEYS_GUESS_KEY_PREFIX = f"test-{uuid.uuid4().hex}"
    settings.SURVEYS_GUESS_LIMIT = 5


@pytest.fixture
def invitation(db):
    return people.make_invitation(graduate_fields={"private_email": ""})


def url(invitation, page=None):
    return f"/s/{invitation.token}/" + (f"{page}/" if page else "")


def follow_the_link(client, invitation):
    response = client.get(url(invitation))
    assert response.status_code == 302
    return response["Location"]


# --- the route -------------------------------------------------------------------------


def test_the_employee_path_shows_exactly_the_routed_pages_and_stores_the_answers(client, invitation):
    location = follow_the_link(client, invitation)
    visited = []
    while location != url(invitation):
        page = location.rstrip("/").rsplit("/", 1)[1]
        visited.append(page)
        assert client.get(location).status_code == 200
        response = client.post(location, {**EMPLOYEE_PAGES[page], "go": "next"})
        assert response.status_code == 302, response.content.decode()[:2000]
        location = response["Location"]
    assert visited == list(EMPLOYEE_PAGES)
    assert len(visited) + 1 <= 12  # pages + thank-you: the typical path in at most 12 screens
    thanks = client.get(location)
    assert thanks.status_code == 200 and "Bedankt" in thanks.content.decode()
    r = Response.objects.get(invitation=invitation)
    assert r.completed_at and r.main_activity == "employee" and r.hours_per_week == 38 and r.branch_id == "I"
    invitation.refresh_from_db()
    assert invitation.status == S.COMPLETED
    assert invitation.graduate.private_email == "kok@example.com"


def test_opening_the_link_continues_where_the_graduate_left_off(client, invitation):
    client.post(url(invitation, "nu"), {"activity": ["employee"]})
    client.post(url(invitation, "werk"), {"hours_per_week": "20"})
    # another device: a fresh client without cookies
    from django.test import Client

    assert Client().get(url(invitation))["Location"] == url(invitation, "functie")
    page = Client().get(url(invitation, "werk")).content.decode()
    assert 'value="20"' in page  # earlier answers are shown again


def test_a_page_off_the_route_or_before_the_first_answer_redirects(client, invitation):
    assert client.get(url(invitation, "werk"))["Location"] == url(invitation)
    assert client.get(url(invitation, "no-such-page"))["Location"] == url(invitation)
    client.post(url(invitation, "nu"), {"activity": ["studying"]})
    assert client.get(url(invitation, "functie"))["Location"] == url(invitation)
    assert client.get(url(invitation, "studie")).status_code == 200


def test_back_saves_and_goes_to_the_previous_page(client, invitation):
    client.post(url(invitation, "nu"), {"activity": ["employee"]})
    response = client.post(url(invitation, "werk"), {"hours_per_week": "12", "go": "back"})
    assert response["Location"] == url(invitation, "nu")
    assert Response.objects.get(invitation=invitation).hours_per_week == 12


def test_double_submit_and_the_back_button_store_one_response(client, invitation):
    client.post(url(invitation, "nu"), {"activity": ["unemployed"]})
    first = client.post(url(invitation, "contact"), {"network": ["mentoring"], "go": "next"})
    second = client.post(url(invitation, "contact"), {"network": ["guest_lessons"], "go": "next"})
    assert first["Location"] == url(invitation)
    assert second.status_code == 200 and "Bedankt" in second.content.decode()  # the thank-you page again
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert InvitationEvent.objects.filter(invitation=invitation, status=S.COMPLETED).count() == 1
    back = client.get(url(invitation, "nu"))  # the back button after completing
    assert back.status_code == 200 and "Bedankt" in back.content.decode()
    again = client.post(url(invitation, "nu"), {"activity": ["employee"]})
    assert again.status_code == 200 and "Bedankt" in again.content.decode()
    assert Response.objects.get(invitation=invitation).activity_unemployed


def test_an_invalid_answer_shows_an_error_summary_linked_to_the_field(client, invitation):
    client.post(url(invitation, "nu"), {"activity": ["employee"]})
    response = client.post(url(invitation, "werk"), {"hours_per_week": "200"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in html and 'role="alert"' in html and "autofocus" in html
    assert 'href="#id_hours_per_week"' in html
    assert "Vul een heel getal in van 1 tot en met 80." in html
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_hours_per_week"', html)
    assert "<title>Fout: " in html
    assert Response.objects.get(invitation=invitation).hours_per_week is None


def test_the_first_question_is_required(client, invitation):
    html = client.post(url(invitation, "nu"), {}).content.decode()
    assert "Kies minstens één antwoord." in html and 'href="#id_activity_0"' in html
    assert not Response.objects.filter(invitation=invitation).exists()


def test_nothing_and_something_cannot_both_be_missed(client, invitation):
    client.post(url(invitation, "nu"), {"activity": ["employee"]})
    html = client.post(url(invitation, "opleiding"), {"missed": ["none", "dutch"]}).content.decode()
    assert "niet samen met andere antwoorden" in html


def test_pages_are_not_cached(client, invitation):
    response = client.get(url(invitation, "nu"))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_page_shows_its_own_institution_and_language(client, db):
    other_school = people.make_invitation(
        graduate=people.make_graduate(people.make_institution("Technisch College Noord", "97QB"))
    )
    client.post(url(other_school, "nu"), EMPLOYEE_PAGES["nu"])
    html = client.get(url(other_school, "werk")).content.decode()
    assert "Technisch College Noord" in html and "ROC Amstelland" not in html
    english = people.make_invitation(graduate_fields={"preferred_language": "en"})
    client.post(url(english, "nu"), EMPLOYEE_PAGES["nu"])
    assert '<html lang="en">' in client.get(url(english, "werk")).content.decode()


# --- language ------------------------------------------------------------------------------


def test_dutch_by_default_and_english_by_choice_remembered_for_the_mails(client, invitation):
    html = client.get(url(invitation, "nu")).content.decode()
    assert '<html lang="nl">' in html and "Wat deed je de afgelopen week?" in html
    switched = client.get(url(invitation, "nu") + "?lang=en")
    assert switched.status_code == 302 and switched["Location"] == url(invitation, "nu")
    invitation.graduate.refresh_from_db()
    assert invitation.graduate.preferred_language == "en"
    from django.test import Client

    html = Client().get(url(invitation, "nu")).content.decode()  # also on another device
    assert '<html lang="en">' in html and "What did you do last week?" in html and "Nederlands" in html


def test_english_error_messages(client, db):
    inv = people.make_invitation(graduate_fields={"preferred_language": "en"})
    html = client.post(url(inv, "nu"), {}).content.decode()
    assert "Choose at least one answer." in html and "<title>Error: " in html


# --- link states ------------------------------------------------------------------------------


def test_unknown_link(client, db):
    response = client.get("/s/" + "x" * 43 + "/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Deze link werkt niet" in html and "Alumni Monitor" in html


def test_unknown_link_in_english_after_choosing_it(client, db):
    client.get("/s/" + "x" * 43 + "/?lang=en")
    assert "This link does not work" in client.get("/s/" + "x" * 43 + "/").content.decode()


@pytest.mark.parametrize(
    ("setup", "status", "nl", "en"),
    [
        ({"status": S.EXPIRED}, 410, "De vragenlijst is gesloten", "The survey has closed"),
        (
            {"closes_on": datetime.date(2020, 1, 1)},
            410,
            "De vragenlijst is gesloten",
            "The survey has closed",
        ),
        ({"status": S.BOUNCED}, 410, "Deze vragenlijst is niet open", "This survey is not open"),
        ({"status": S.NOT_INVITED}, 410, "Deze vragenlijst is niet open", "This survey is not open"),
        ({"status": S.OPTED_OUT}, 410, "Je hebt je afgemeld", "You have unsubscribed"),
        ({"status": S.COMPLETED}, 200, "Bedankt!", "Thank you!"),
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_link_states_get_a_friendly_page_in_the_graduates_language(
    client, db, setup, status, nl, en, language
):
    inv = people.make_invitation(**setup, graduate_fields={"preferred_language": language})
    for path in (url(inv), url(inv, "nu"), url(inv, "contact")):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == status, path
        assert (nl if language == "nl" else en) in html
        assert f'<html lang="{language}">' in html
        assert "ROC Amstelland" in html  # the institution's name
    assert client.post(url(inv, "nu"), {"activity": ["employee"]}).status_code == status
    assert not Response.objects.filter(invitation=inv).exists()


def test_a_closed_wave_closes_its_links(client, db):
    inv = people.make_invitation()
    inv.wave.is_active = False
    inv.wave.save()
    assert client.get(url(inv)).status_code == 410


def test_opening_the_link_records_the_open_once(client, invitation):
    client.get(url(invitation))
    client.get(url(invitation))
    invitation.refresh_from_db()
    assert invitation.status == S.OPENED
    assert InvitationEvent.objects.filter(invitation=invitation, status=S.OPENED).count() == 1


# --- rate limiting ------------------------------------------------------------------------------


def test_guessing_is_rate_limited_per_client(client, invitation):
    for n in range(5):
        assert client.get(f"/s/guess{n:040d}/").status_code == 404
    limited = client.get("/s/guess-number-six-000000000000000000000000/")
    assert limited.status_code == 429 and "Te veel pogingen" in limited.content.decode()
    assert limited["Retry-After"]
    # another client is not affected
    assert (
        client.get("/s/guess-number-seven-0000000000000000000000/", REMOTE_ADDR="10.1.2.3").status_code == 404
    )


def test_a_valid_link_opens_from_a_client_over_the_guessing_limit(client, invitation):
    """A computer room or a carrier's shared address: one graduate's typos do not lock out the rest."""
    for n in range(6):
        client.get(f"/s/guess{n:040d}/")
    assert client.get(f"/s/guess{99:040d}/").status_code == 429
    assert client.get(url(invitation, "nu")).status_code == 200
    assert client.get(url(invitation)).status_code == 302
    assert client.post(url(invitation, "nu"), {"activity": ["employee"]}).status_code == 302
    assert client.get(f"/s/{invitation.token}/afmelden/").status_code == 200


def test_guessing_through_the_opt_out_link_counts_too(client, invitation):
    for n in range(5):
        assert client.get(f"/s/guess{n:040d}/afmelden/").status_code == 404
    assert client.get(f"/s/guess{5:040d}/").status_code == 429
    assert client.get(f"/s/guess{6:040d}/afmelden/").status_code == 429
    assert client.get(f"/s/{invitation.token}/afmelden/").status_code == 200


def test_the_limit_counts_per_window(client, monkeypatch, db):
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    for _ in range(5):
        client.get("/s/" + "y" * 43 + "/")
    assert client.get("/s/" + "y" * 43 + "/").status_code == 429
    now[0] += ratelimit.window_seconds()
    assert client.get("/s/" + "y" * 43 + "/").status_code == 404


def test_known_links_do_not_count_as_guesses(client, invitation):
    for _ in range(10):
        assert client.get(url(invitation, "nu")).status_code == 200


def test_a_proxy_header_tells_clients_apart_when_configured(rf, settings):
    settings.SURVEYS_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "198.51.100.7"
    settings.SURVEYS_CLIENT_IP_HEADER = ""
    assert client_ip(request) == "10.0.0.1"


def test_an_unreachable_counter_fails_open(client, invitation, monkeypatch):
    class Broken:
        def get(self, *a, **k):
            raise ConnectionError("down")

        add = incr = get

    monkeypatch.setattr(ratelimit, "caches", {"default": Broken()})
    assert client.get(url(invitation, "nu")).status_code == 200
    assert client.get("/s/" + "z" * 43 + "/").status_code == 404


# --- no third-party hosts, small pages ------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data", "formaction") and value:
                self.urls.append((tag, name, value))


def _external(html: str) -> list:
    parser = _Links()
    parser.feed(html)
    found = [u for u in parser.urls if re.match(r"^([a-z][a-z0-9+.-]*:)?//", u[2], re.I)]
    found += [("style", "url", m) for m in re.findall(r"url\(\s*['\"]?((?:[a-z]+:)?//[^)'\"]+)", html, re.I)]
    found += [
        ("import", "@import", m) for m in re.findall(r"@import\s+['\"]?((?:[a-z]+:)?//[^'\";]+)", html, re.I)
    ]
    return found


def _all_pages(client, invitation) -> list[tuple[str, str]]:
    """Every page of the questionnaire (employee route + the pages off it)."""
    seen = []
    client.post(url(invitation, "nu"), {"activity": ["employee", "zzp", "studying"]})
    client.post(url(invitation, "belangrijkste"), {"main_activity": "zzp"})
    for page in [
        "nu",
        "belangrijkste",
        "werk",
        "zelfstandig",
        "functie",
        "werkgever",
        "aansluiting",
        "studie",
        "inkomen",
        "terugblik",
        "opleiding",
        "contact",
    ]:
        response = client.get(url(invitation, page))
        assert response.status_code == 200, page
        seen.append((page, response.content.decode()))
    seen.append(("error", client.post(url(invitation, "werk"), {"hours_per_week": "x"}).content.decode()))
    return seen


def test_no_rendered_survey_page_references_an_external_host(client, db):
    t1 = people.make_invitation("T1")
    t3 = people.make_invitation("T3")
    pages = _all_pages(client, t1)
    client.post(url(t3, "nu"), {"activity": ["unemployed"]})
    pages.append(("loopbaan", client.get(url(t3, "loopbaan")).content.decode()))
    pages.append(("unknown", client.get("/s/" + "q" * 43 + "/").content.decode()))
    pages.append(("done", client.get(url(people.make_invitation(status=S.COMPLETED))).content.decode()))
    pages.append(("expired", client.get(url(people.make_invitation(status=S.EXPIRED))).content.decode()))
    for name, html in pages:
        assert _external(html) == [], name
    # and the stylesheets they load pull in nothing from elsewhere
    for css in ("vendor/bootstrap/bootstrap.min.css", "css/survey.css"):
        text = Path(finders.find(css)).read_text(encoding="utf-8")
        assert not re.findall(r"url\(\s*['\"]?(?:[a-z]+:)?//", text, re.I), css
        assert "@import" not in text, css


def test_the_external_host_check_finds_one():
    assert _external('<script src="https://cdn.example.com/x.js"></script>')
    assert _external('<link href="//fonts.example.com/a.css">')
    assert _external('<div style="background:url(https://t.example/p.gif)">')
    assert not _external('<a href="/static/x.css"></a><a href="?lang=en"></a><a href="#id_x"></a>')


def test_pages_are_light_enough_for_a_slow_phone_connection(client, db):
    """Gzipped HTML + every stylesheet, no scripts, no images, no fonts: well
    under 100 kB for the first page (then the CSS is cached). At 400 kbit/s
    ("slow 3G") that is about 2 s; later pages are a few kB."""
    inv = people.make_invitation()
    for page, html in _all_pages(client, inv):
        assert "<script" not in html and "<img" not in html, page
        assert len(gzip.compress(html.encode())) < 5_000, page
    css = sum(
        len(gzip.compress(Path(finders.find(p)).read_bytes()))
        for p in ("vendor/bootstrap/bootstrap.min.css", "css/survey.css")
    )
    first = client.get(url(inv, "werk")).content
    assert len(gzip.compress(first)) + css < 100_000


def test_a_token_of_the_wrong_shape_gets_the_friendly_page_and_counts_as_a_guess(client, invitation):
    for path in ("/s/kort/", "/s/kort/nu/", "/s/" + "x" * 65 + "/", "/s/bad%20token%20here!!/afmelden/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Deze link werkt niet" in response.content.decode()
    client.get("/s/nog-een-keer/")
    assert client.get("/s/nog-een-keer/").status_code == 429  # 5 guesses: the limit
    assert client.get(url(invitation, "nu")).status_code == 200  # a valid link still opens


def test_survey_urls_are_reversed_only_for_tokens_of_the_right_shape():
    from django.urls import NoReverseMatch, reverse

    token = "AbC-_123xyzPAGETOKEN0000"
    assert reverse("surveys:survey_page", kwargs={"token": token, "page": "werk"}) == f"/s/{token}/werk/"
    with pytest.raises(NoReverseMatch):
        reverse("surveys:survey", kwargs={"token": "no/slashes/allowed"})
