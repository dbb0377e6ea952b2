"""Login lockout, production settings, and no third-party assets on staff pages."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_login_locks_after_repeated_failures(client, institution_admin, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "admin-a", "password": "wrong"}, REMOTE_ADDR="10.9.8.7")
        assert response.status_code == 200  # the form again, with an error
    last = client.post(url, {"username": "admin-a", "password": "wrong"}, REMOTE_ADDR="10.9.8.7")
    assert last.status_code == 429  # the limit-th failure locks
    locked = client.post(
        url, {"username": "admin-a", "password": "a-long-password-1"}, REMOTE_ADDR="10.9.8.7"
    )
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_a_correct_password_before_the_limit_logs_in(client, institution_admin):
    client.post(reverse("login"), {"username": "admin-a", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "admin-a", "password": "a-long-password-1"})
    assert response.status_code == 302
    assert client.get(reverse("alumni:upload_list")).status_code == 200


def test_production_settings_pass_check_deploy():
    env = {
        # Not DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests set for this process.
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-check-0123456789",
        "ALLOWED_HOSTS": "alumni.example.nl",
        "SITE_URL": "https://alumni.example.nl",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_staff_pages_load_no_third_party_assets(client, institution_admin):
    client.force_login(institution_admin)
    for name in ("home", "alumni:upload_list", "surveys:wave_overview"):
        html = client.get(reverse(name)).content.decode()
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        assert not [u for u in external if not u.startswith("http://testserver")], (name, external)


@pytest.mark.django_db
def test_the_file_format_page_lists_every_accepted_header(client, institution_admin):
    from alumni.importing.columns import ALIASES

    client.force_login(institution_admin)
    html = client.get(reverse("alumni:upload_format")).content.decode()
    for aliases in ALIASES.values():
        for alias in aliases:
            assert f"<code>{alias}</code>" in html
