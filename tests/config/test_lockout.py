"""Login lockout per client address across usernames (django-axes): one
address may not try a few passwords on every account."""

import pytest
from django.urls import reverse

from alumni.models import Membership

ATTACKER, COLLEAGUE = "10.20.30.40", "10.20.30.99"


@pytest.fixture
def accounts(db, institution, django_user_model):
    users = []
    for n in range(6):
        user = django_user_model.objects.create_user(
            f"user-{n}", f"user-{n}@example.org", "a-long-password-1"
        )
        Membership.objects.create(user=user, institution=institution, role=Membership.Role.ADMIN)
        users.append(user)
    return users


def attempt(client, username, password, ip):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_failures_on_different_usernames_lock_the_address(client, accounts, settings):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for n in range(limit - 1):
        assert attempt(client, f"user-{n}", "wrong", ATTACKER).status_code == 200
    assert attempt(client, f"user-{limit - 1}", "wrong", ATTACKER).status_code == 429
    # Locked: not even the right password of an account it never tried opens.
    locked = attempt(client, "user-5", "a-long-password-1", ATTACKER)
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated
    html = locked.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in html and 'lang="nl"' in html


@pytest.mark.django_db
def test_another_address_can_still_log_in(client, accounts, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"user-{n}", "wrong", ATTACKER)
    assert attempt(client, "user-0", "wrong", ATTACKER).status_code == 429
    response = attempt(client, "user-0", "a-long-password-1", COLLEAGUE)
    assert response.status_code == 302
    assert response.wsgi_request.user.username == "user-0"


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_dodge_the_lock(client, accounts, settings):
    """Without SURVEYS_CLIENT_IP_HEADER the socket's address counts, whatever the client claims."""
    settings.SURVEYS_CLIENT_IP_HEADER = ""
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"user-{n}", "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert attempt(client, "user-5", "a-long-password-1", ATTACKER).status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_the_proxys_header_tells_clients_apart(client, accounts, settings):
    settings.SURVEYS_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    proxy = "172.16.0.1"
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"user-{n}", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_REAL_IP=ATTACKER,
        )
    colleague = client.post(
        reverse("login"),
        {"username": "user-5", "password": "a-long-password-1"},
        REMOTE_ADDR=proxy,
        HTTP_X_REAL_IP=COLLEAGUE,
    )
    assert colleague.status_code == 302  # the proxy's own address is not what is locked
