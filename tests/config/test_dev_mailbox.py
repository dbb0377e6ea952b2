"""The local mailbox (/dev/mail/) shows every survey link sent: it exists
under config.settings.local only. Each settings module is loaded in its own
process, as it would be when the site starts."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

ROOT = Path(__file__).resolve().parents[2]

RESOLVE = (
    "import django; django.setup(); from django.urls import resolve, Resolver404\n"
    "try:\n    print(resolve('/dev/mail/').url_name)\n"
    "except Resolver404:\n    print('absent')\n"
)


def resolve_under(settings_module, **extra):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEV_MAILBOX", "DEBUG")
    }
    env.update(DJANGO_SETTINGS_MODULE=settings_module, **extra)
    result = subprocess.run(
        [sys.executable, "-c", RESOLVE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_local_settings_mount_the_mailbox():
    assert resolve_under("config.settings.local") == "dev_mailbox"


def test_production_never_mounts_it_even_when_asked():
    production = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "alumni.example.nl",
        "DATABASE_URL": "postgres://alumni:dummy@db.invalid:5432/alumni",
    }
    assert resolve_under("config.settings.production", **production) == "absent"
    assert resolve_under("config.settings.production", DEV_MAILBOX="true", **production) == "absent"


def test_test_settings_do_not_mount_it_unless_enabled():
    assert resolve_under("config.settings.test") == "absent"
    assert resolve_under("config.settings.test", DEV_MAILBOX="true") == "dev_mailbox"


@pytest.mark.django_db
def test_in_this_test_run_the_url_does_not_exist(client, institution_admin):
    with pytest.raises(NoReverseMatch):
        reverse("dev_mailbox")
    with pytest.raises(Resolver404):
        resolve("/dev/mail/")
    client.force_login(institution_admin)
    assert client.get("/dev/mail/").status_code == 404
