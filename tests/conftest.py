"""Shared fixtures, and the rule that CI never silently skips a service.

With ``CI`` set (as ``.ci/run`` does), DATABASE_URL must point at PostgreSQL
and REDIS_URL at a reachable Redis, or the whole run fails at once.
"""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from alumni.models import Institution, Membership
from alumni.reference import load_reference_data


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3
        ):
            return True
    except OSError:
        return False


def pytest_configure(config):
    if not (os.environ.get("CI") or os.environ.get("REQUIRE_SERVICES")):
        return
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL in CI")
    elif not _reachable(database_url, 5432):
        problems.append(f"PostgreSQL is unreachable at {database_url}")
    if not redis_url.startswith("redis://"):
        problems.append("REDIS_URL must point at Redis in CI")
    elif not _reachable(redis_url, 6379):
        problems.append(f"Redis is unreachable at {redis_url}")
    if problems:
        raise pytest.UsageError("CI needs its services: " + "; ".join(problems))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data (qualification lists etc.) once per test database."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def institution(db):
    return Institution.objects.create(brin="99XA", name="Demo College Amstel")


@pytest.fixture
def other_institution(db):
    return Institution.objects.create(brin="99XB", name="Demo College IJ")


@pytest.fixture
def institution_admin(db, institution, django_user_model):
    user = django_user_model.objects.create_user("admin-a", "admin-a@example.org", "a-long-password-1")
    Membership.objects.create(user=user, institution=institution, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def on_postgres():
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture(autouse=True)
def default_language():
    """The test client runs views in the test's own thread, and LocaleMiddleware
    activates the request's language there without resetting it: start every
    test in the platform's default language."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
