"""The survey e-mails themselves, and the opt-out link they carry.

Every mail has a text and an HTML part, is Dutch unless the graduate chose
English, names the institution, carries the personal survey link and an
opt-out link on SITE_URL, and the RFC 8058 one-click unsubscribe headers.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alumni.models import Graduate, Institution
from surveys import planning, sending
from surveys.models import Invitation, OutboundEmail
from tests.factories.people import emails_of, invitation_of, make_graduate

pytestmark = pytest.mark.django_db

DIPLOMA = datetime.date(2025, 6, 15)
T1_DUE = datetime.date(2025, 9, 15)  # closes 42 days later: 27 October 2025
SITE = "https://alumni.example.nl"
S = Invitation.Status


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def send_day(day):
    planning.plan(day)
    while sending.send_queued(100).sent:
        pass


def html_of(message) -> str:
    (html, mimetype), *others = message.alternatives
    assert mimetype == "text/html"
    assert others == []
    return html


def mail_for(institution, mailoutbox, *, reminder=False, **fields):
    graduate = make_graduate(institution, diploma_date=DIPLOMA, **fields)
    send_day(T1_DUE)
    if reminder:
        send_day(T1_DUE + datetime.timedelta(days=7))
    messages = [m for m in mailoutbox if m.to == [graduate.private_email or graduate.email]]
    return graduate, messages[-1]


def links(graduate):
    token = invitation_of(graduate, "T1").token
    return (
        SITE + reverse("surveys:survey", args=[token]),
        SITE + reverse("surveys:opt_out", args=[token]),
    )


# --- parts, language, content ------------------------------------------------------------------------


@pytest.mark.parametrize("reminder", [False, True], ids=["invitation", "reminder"])
def test_dutch_by_default_with_a_text_and_an_html_part(institution, mailoutbox, reminder):
    graduate, message = mail_for(institution, mailoutbox, reminder=reminder)
    html = html_of(message)
    assert message.content_subtype == "plain"
    assert message.body.startswith(f"Beste {graduate.first_name},")
    assert message.subject.startswith("Herinnering" if reminder else "Hoe gaat het")
    assert "Naar de vragenlijst" in message.body
    assert '<html lang="nl">' in html
    assert "Naar de vragenlijst" in html
    assert "Afmelden" in html
    assert "27 oktober 2025" in message.body  # the closing day, in Dutch
    assert "Dear" not in message.body and "Go to the survey" not in html


@pytest.mark.parametrize("reminder", [False, True], ids=["invitation", "reminder"])
def test_english_for_a_graduate_who_chose_it(institution, mailoutbox, reminder):
    graduate, message = mail_for(institution, mailoutbox, reminder=reminder, preferred_language="en")
    html = html_of(message)
    assert message.body.startswith(f"Dear {graduate.first_name},")
    assert message.subject.startswith("Reminder" if reminder else "How are you doing")
    assert '<html lang="en">' in html
    assert "Go to the survey" in html
    assert "Unsubscribe" in html
    assert "27 October 2025" in message.body  # the closing day, in English too
    assert "oktober" not in message.body
    assert "Beste" not in message.body and "Naar de vragenlijst" not in html


def test_a_dutch_mail_stays_dutch_while_english_is_active(institution, mailoutbox):
    from django.utils import translation

    with translation.override("en"):
        _graduate, message = mail_for(institution, mailoutbox)
    assert "27 oktober 2025" in message.body
    assert '<html lang="nl">' in html_of(message)


def test_names_the_institution_in_subject_text_and_html(mailoutbox):
    institution = Institution.objects.create(brin="98ZZ", name="ROC Noord & Zuid")
    _graduate, message = mail_for(institution, mailoutbox)
    html = html_of(message)
    assert message.subject.endswith("- ROC Noord & Zuid")
    assert "bij ROC Noord & Zuid" in message.body
    assert "ROC Noord &amp; Zuid" in html  # escaped in HTML
    assert "ROC Noord & Zuid" not in html


@pytest.mark.parametrize("name", ["Zoë", "Ann & <b>Co</b>", 'O\'Brien "Bo"', "Łukasz", "张伟"])
def test_any_first_name_arrives_intact_in_text_and_escaped_in_html(institution, mailoutbox, name):
    """What goes over SMTP, parsed back: the name as given in the text part,
    HTML-escaped in the HTML part, and the personal link in both."""
    import email
    import email.policy

    from django.utils.html import escape

    graduate, message = mail_for(institution, mailoutbox, first_name=name)
    wire = email.message_from_bytes(message.message().as_bytes(linesep="\r\n"), policy=email.policy.default)
    text = wire.get_body(preferencelist=("plain",)).get_content()
    html = wire.get_body(preferencelist=("html",)).get_content()
    survey_url, _opt_out_url = links(graduate)
    assert f"Beste {name}," in text
    assert escape(name) in html
    assert survey_url in text and survey_url in html
    assert " ".join(str(wire["To"]).split()) == graduate.private_email


def test_personal_link_and_opt_out_link_on_site_url(institution, mailoutbox):
    graduate, message = mail_for(institution, mailoutbox)
    survey_url, opt_out_url = links(graduate)
    html = html_of(message)
    assert survey_url.startswith(SITE + "/")
    assert survey_url in message.body and f'href="{survey_url}"' in html
    assert opt_out_url in message.body and f'href="{opt_out_url}"' in html
    assert graduate.last_name not in survey_url and graduate.student_number not in survey_url


def test_each_graduate_gets_their_own_link(institution, mailoutbox):
    first, first_message = mail_for(institution, mailoutbox)
    second = make_graduate(institution, diploma_date=DIPLOMA)
    send_day(T1_DUE)
    (second_message,) = [m for m in mailoutbox if m.to == [second.private_email]]
    assert links(first)[0] in first_message.body and links(first)[0] not in second_message.body
    assert links(second)[0] in second_message.body


def test_one_click_unsubscribe_headers(institution, mailoutbox):
    graduate, message = mail_for(institution, mailoutbox)
    _survey_url, opt_out_url = links(graduate)
    assert message.extra_headers["List-Unsubscribe"] == f"<{opt_out_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The headers survive into the MIME message that goes over SMTP.
    mime = message.message()
    assert mime["List-Unsubscribe"] == f"<{opt_out_url}>"
    assert mime["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = emails_of(graduate).get()
    assert mime["Message-ID"] == f"<survey-{row.pk}@alumni.example.nl>"


# --- the opt-out link -------------------------------------------------------------------------------------------------


@pytest.fixture
def invited(institution, mailoutbox):
    graduate, _message = mail_for(institution, mailoutbox)
    planning.plan(T1_DUE + datetime.timedelta(days=7))  # a reminder waiting in the queue
    return graduate


@pytest.fixture
def strict_client():
    """A client that checks CSRF like a browser request would be checked."""
    return Client(enforce_csrf_checks=True)


def test_rfc_8058_one_click_post_opts_out_without_a_csrf_token(invited, strict_client):
    _survey_url, opt_out_url = links(invited)
    response = strict_client.post(
        opt_out_url.removeprefix(SITE),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    invited.refresh_from_db()
    assert invited.opted_out_at is not None
    assert invitation_of(invited, "T1").status == S.OPTED_OUT
    assert emails_of(invited).get(purpose="reminder-1").state == OutboundEmail.State.CANCELLED
    assert sending.send_queued(100).sent == 0


def test_the_confirm_form_post_opts_out(invited, strict_client):
    _survey_url, opt_out_url = links(invited)
    response = strict_client.post(opt_out_url.removeprefix(SITE))
    assert response.status_code == 200
    assert "surveys/opted_out.html" in [t.name for t in response.templates]
    assert Graduate.objects.get(pk=invited.pk).opted_out_at is not None


def test_opt_out_get_asks_for_confirmation_and_changes_nothing(invited, strict_client):
    _survey_url, opt_out_url = links(invited)
    response = strict_client.get(opt_out_url.removeprefix(SITE))
    assert response.status_code == 200
    assert "surveys/opt_out_confirm.html" in [t.name for t in response.templates]
    assert b'method="post"' in response.content
    invited.refresh_from_db()
    assert invited.opted_out_at is None
    assert invitation_of(invited, "T1").status == S.SENT
    # A mail scanner fetching the link does not stop the reminders.
    assert sending.send_queued(100).sent == 1


def test_opting_out_twice_is_harmless(invited, strict_client):
    _survey_url, opt_out_url = links(invited)
    strict_client.post(opt_out_url.removeprefix(SITE))
    first = Graduate.objects.get(pk=invited.pk).opted_out_at
    response = strict_client.post(opt_out_url.removeprefix(SITE))
    assert response.status_code == 200
    assert Graduate.objects.get(pk=invited.pk).opted_out_at == first
    assert invitation_of(invited, "T1").events.filter(status=S.OPTED_OUT).count() == 1


def test_opt_out_with_an_unknown_token_is_a_friendly_404(db, strict_client):
    for method in (strict_client.get, strict_client.post):
        response = method(reverse("surveys:opt_out", args=["not-a-real-token"]))
        assert response.status_code == 404
        assert "Deze link werkt niet" in response.content.decode()  # the survey's own friendly page


def test_a_completed_graduate_who_opts_out_keeps_the_completed_status(invited, strict_client):
    Invitation.objects.filter(graduate=invited).update(status=S.COMPLETED, completed_at=timezone.now())
    _survey_url, opt_out_url = links(invited)
    strict_client.post(opt_out_url.removeprefix(SITE))
    assert invitation_of(invited, "T1").status == S.COMPLETED
    assert Graduate.objects.get(pk=invited.pk).opted_out_at is not None
