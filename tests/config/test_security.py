"""Login lockout per account, and no third-party assets on staff pages.

Production settings: test_deploy_settings.py; lockout per address: test_lockout.py."""

import re
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
