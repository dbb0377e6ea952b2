"""Security headers on every page, and ``Cache-Control: no-store`` on every
response that may show personal data (config/middleware.py)."""

import uuid

import pytest
from django.urls import reverse

from alumni.models import Upload
from tests.factories import people


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    found = {}
    for part in header.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


@pytest.fixture(autouse=True)
def own_guess_counter(settings):
    """Unknown links requested here count as guesses: in a counter of this test's own (Redis is shared)."""
    settings.SURVEYS_GUESS_KEY_PREFIX = f"headers-{uuid.uuid4().hex}"


def assert_no_store(response):
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control, cache_control


@pytest.mark.django_db
def test_policy_allows_nothing_but_our_own_origin(client):
    response = client.get(reverse("login"))
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    for values in policy.values():
        assert not [v for v in values if v not in ("'self'", "'none'", "data:")], values
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_survey_link_gets_the_policy_and_no_store(client):
    invitation = people.make_invitation()
    response = client.get(f"/s/{invitation.token}/")
    assert response.status_code in (200, 302)
    assert directives(response)["script-src"] == ["'self'"]
    assert_no_store(response)


@pytest.mark.django_db
def test_an_unknown_survey_link_is_not_stored_either(client):
    assert_no_store(client.get("/s/not-a-token/"))


@pytest.mark.django_db
def test_every_page_of_a_signed_in_user_is_no_store(client, institution, institution_admin):
    people.make_graduate(institution)
    upload = Upload.objects.create(
        institution=institution,
        uploaded_by=institution_admin,
        file_name="c.csv",
        status=Upload.Status.IMPORTED,
    )
    client.force_login(institution_admin)
    for url in (
        reverse("home"),
        reverse("alumni:upload_list"),
        reverse("alumni:upload_detail", args=[upload.pk]),
        reverse("alumni:upload_problems_csv", args=[upload.pk]),
        reverse("alumni:upload_rejected_rows_csv", args=[upload.pk]),
        reverse("reports:network", args=[institution.brin]),
    ):
        response = client.get(url)
        assert response.status_code < 400, (url, response.status_code)
        assert_no_store(response)


@pytest.mark.django_db
def test_a_superusers_admin_pages_are_no_store(client, django_user_model, institution):
    graduate = people.make_graduate(institution)
    root = django_user_model.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client.force_login(root)
    response = client.get(reverse("admin:alumni_graduate_change", args=[graduate.pk]))
    assert response.status_code == 200
    assert graduate.last_name in response.content.decode()
    assert_no_store(response)


@pytest.mark.django_db
def test_anonymous_public_pages_are_not_marked(client):
    """no-store is for personal data: a page an anonymous visitor gets outside the
    personal link has none (the login page is never_cache by Django itself)."""
    response = client.get("/uploads/format/", follow=False)
    assert response.status_code == 302  # to the login page
    assert "no-store" not in response.get("Cache-Control", "")
