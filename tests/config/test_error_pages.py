"""Friendly 403/404/500 pages: Dutch by default, the site's layout, no stack
trace or internal reason, and the 500 page renders while the database is down."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.urls("tests.config.urls_errors")


def _html(response) -> str:
    return response.content.decode()


def _error_page(client, path: str, status: int) -> str:
    response = client.get(path)
    assert response.status_code == status
    return _html(response)


@pytest.mark.django_db
def test_404_is_dutch_in_the_site_layout(client):
    html = _error_page(client, "/bestaat-niet/", 404)
    assert "Pagina niet gevonden" in html
    assert 'lang="nl"' in html and "Alumni Monitor" in html and "bootstrap.min.css" in html
    assert reverse("home") in html  # a way back
    assert "Page not found" not in html  # no English on a Dutch page


@pytest.mark.django_db
def test_404_in_english_when_the_user_chose_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _html(client.get("/does-not-exist/"))
    assert "Page not found" in html


@pytest.mark.django_db
def test_403_hides_the_reason(client):
    html = _error_page(client, "/test-errors/forbidden/", 403)
    assert "Geen toegang" in html
    assert "internal reason" not in html


@pytest.mark.django_db
def test_500_has_no_stack_trace():
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/boom/")
    assert response.status_code == 500
    html = _html(response)
    assert "Er ging iets mis" in html
    assert "secret detail" not in html and "Traceback" not in html and "RuntimeError" not in html
    assert response["Content-Security-Policy"]  # the headers still apply to an error


@pytest.mark.django_db
def test_500_page_needs_no_database(client, django_assert_num_queries, institution_admin):
    """Rendered by Django's server_error without context processors: no query
    even for a signed-in user (whose session and user would need two)."""
    from django.test import RequestFactory
    from django.views.defaults import server_error

    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


# In a child process the database really is unreachable (a closed port), and a
# signed-in browser's session cookie makes the view need it.
DATABASE_DOWN = """
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "x" * 32
response = client.get("/uploads/")
print(response.status_code)
print(response.content.decode())
"""


def test_500_page_renders_while_the_database_is_down():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL="postgres://alumni:dummy@127.0.0.1:1/alumni",  # nothing listens on port 1
        LOG_LEVEL="CRITICAL",
    )
    result = subprocess.run(
        [sys.executable, "-c", DATABASE_DOWN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    status, _, html = result.stdout.partition("\n")
    assert status == "500"
    assert "Er ging iets mis" in html and "Alumni Monitor" in html
    assert "OperationalError" not in html and "Traceback" not in html


@pytest.mark.django_db
def test_csrf_failure_page_is_friendly():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = _html(response)
    assert "Formulier verlopen" in html
    assert "CSRF" not in html
