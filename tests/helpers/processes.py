"""Waiting on work done by other processes (Celery workers, a live server)."""

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository: the working directory of started processes

# The production settings' environment with dummy secrets (``check --deploy`` in a subprocess).
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "ALLOWED_HOSTS": "alumni.example.nl",
    "SITE_URL": "https://alumni.example.nl",
    # Never connected to by `check`: the checks need a URL, not a server.
    "DATABASE_URL": "postgres://alumni:dummy@db.invalid:5432/alumni",
}


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
