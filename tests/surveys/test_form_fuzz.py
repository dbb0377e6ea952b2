"""Fuzz tests (hypothesis) of the graduate's forms: every page of the
questionnaire and the own page's address form.

Whatever a client posts — any strings, several values for one name, names
that are no question, valid codes mixed in — the answer is the page again
with a clear validation message (the error summary) or a redirect: never a
server error, and an invalid POST writes nothing (the Response row, the
graduate's address and the invitation are exactly as before, and no audit
entry is written). Every example runs in a savepoint that is rolled back, so
each starts from the same answers.
"""

from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from alumni.models import Graduate
from audit.models import AuditEntry
from surveys import questionnaire as ins
from surveys.models import Invitation, Response
from tests.factories import people

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Routes that together show every page: someone who works, is self-employed
# and studies (every working page, "main activity", "study"), and someone
# unemployed (the not-working questions); T3 adds the career page.
PROFILES = {
    "working": {"activity_employee": True, "activity_zzp": True, "activity_studying": True},
    "unemployed": {"activity_unemployed": True},
}


def profile_for(page: ins.Page) -> tuple[str, str]:
    for variant in ("T1", "T3"):
        for name, answers in PROFILES.items():
            if page.shown(ins.Answers(answers, variant)):
                return variant, name
    raise AssertionError(f"no profile reaches page {page.slug}")


def _codes(page: ins.Page) -> list[str]:
    """Values a real form could send: every option code, and a few edge numbers."""
    codes = [code for q in page.questions for code, _text in q.options]
    return [*codes, "", "yes", "no", "0", "-1", "38", "1012", "99999999999999999999", "a@b.nl", " "]


def post_data(page: ins.Page):
    """A POST body: the page's names (and "go" and a stray name) with any text,
    a valid code, or a list of those."""
    one = st.one_of(st.text(max_size=300), st.sampled_from(_codes(page)))
    value = st.one_of(one, st.lists(one, min_size=1, max_size=4))
    names = [q.name for q in page.questions] + ["go", "csrfmiddlewaretoken", "activity_employee"]
    return st.dictionaries(st.sampled_from(names), value, max_size=len(names))


def post(client, url: str, data: dict):
    body = urlencode(data, doseq=True)
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


def snapshot(invitation: Invitation) -> tuple:
    response = Response.objects.filter(invitation=invitation).first()
    return (
        model_to_dict(response) if response else None,
        Graduate.objects.values_list("private_email", "opted_out_at").get(pk=invitation.graduate_id),
        Invitation.objects.values_list("status", "completed_at").get(pk=invitation.pk),
        AuditEntry.objects.count(),
    )


def started(variant: str, profile: str) -> Invitation:
    """An invitation partly answered: the first page saved with the profile's activities."""
    invitation = people.make_invitation(variant, status=Invitation.Status.PARTIAL)
    Response.objects.create(invitation=invitation, current_page="nu", **PROFILES[profile])
    return invitation


def check(response, before: tuple, after: tuple, what: str):
    assert response.status_code in (200, 302), (what, response.status_code)
    event(f"HTTP {response.status_code}")
    if response.status_code == 200:  # given back: with a message, and nothing stored
        assert b'id="error-summary"' in response.content, what
        assert after == before, what


@pytest.mark.parametrize("page", ins.PAGES, ids=[page.slug for page in ins.PAGES])
def test_any_post_to_a_survey_page_is_a_message_or_a_redirect_and_an_invalid_one_writes_nothing(client, page):
    invitation = started(*profile_for(page))
    url = f"/s/{invitation.token}/{page.slug}/"
    assert client.get(url).status_code == 200  # the page is on this route

    @FUZZ
    @given(data=post_data(page))
    def run(data):
        with transaction.atomic():
            before = snapshot(invitation)
            response = post(client, url, data)
            check(response, before, snapshot(invitation), f"{page.slug}: {data!r}")
            transaction.set_rollback(True)

    run()


@FUZZ
@given(
    value=st.one_of(
        st.text(max_size=300),
        st.emails().map(str),
        st.lists(st.text(max_size=60), min_size=1, max_size=3),
    ),
    stray=st.dictionaries(
        st.sampled_from(["go", "email", "erase", "lang"]), st.text(max_size=40), max_size=2
    ),
)
def test_any_post_to_the_own_page_is_a_message_or_a_redirect_and_an_invalid_one_writes_nothing(
    client, value, stray
):
    with transaction.atomic():
        invitation = people.make_invitation(graduate_fields={"private_email": "oud@example.com"})
        url = f"/s/{invitation.token}/mijn-gegevens/"
        before = snapshot(invitation)
        response = post(client, url, {**stray, "private_email": value})
        check(response, before, snapshot(invitation), repr(value))
        if response.status_code == 302:  # stored as given (domain in lower case), and audited once
            stored = Graduate.objects.get(pk=invitation.graduate_id).private_email
            last = (value[-1] if isinstance(value, list) else value).strip()
            assert stored.lower() == last.lower()
            assert AuditEntry.objects.count() == before[-1] + (stored != "oud@example.com")
        transaction.set_rollback(True)
