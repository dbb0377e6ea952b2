"""The production settings, checked the way an operator starts them: in a
subprocess with only the environment (dummy secrets), so CI runs
``check --deploy`` on every commit."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.helpers.processes import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env=None, drop=()):
    # Not DJANGO_ALLOW_ASYNC_UNSAFE (the browser tests set it for this process),
    # nor any setting the developer's shell may carry that would mask a default.
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECURE_SSL_REDIRECT", "DEV_MAILBOX", *drop)
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    key = secrets.token_urlsafe(50)  # 67 characters, many unique: what W009 asks for
    assert len(key) >= 50
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "SECRET_KEY": key}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_does_fail_on_a_weak_key():
    """The check above could pass vacuously (e.g. --deploy ignored): a short key must fail it."""
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "SECRET_KEY": "short"}
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env=PRODUCTION_ENV, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_hosts_or_database():
    key = secrets.token_urlsafe(50)
    no_hosts = {k: v for k, v in PRODUCTION_ENV.items() if k != "ALLOWED_HOSTS"}
    result = run_manage("check", env={**no_hosts, "SECRET_KEY": key}, drop=("ALLOWED_HOSTS",))
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr
    no_db = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    result = run_manage("check", env={**no_db, "SECRET_KEY": key}, drop=("DATABASE_URL",))
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


SHOW_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({n: getattr(s, n) for n in ("
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', "
    "'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'DEBUG', 'DEV_MAILBOX')}))"
)


def test_production_values_for_https_cookies_and_framing():
    import json

    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEV_MAILBOX")},
            **PRODUCTION_ENV,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEV_MAILBOX": "true",  # even when asked for: never in production
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_SSL_REDIRECT"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] in ("same-origin", "no-referrer", "strict-origin")
    assert values["DEBUG"] is False and values["DEV_MAILBOX"] is False
