"""Fixtures for the audit tests: a client from a known address, a platform admin."""

import pytest
from django.test import Client

from tests.factories.people import CLIENT_IP as IP
from tests.factories.people import PASSWORD
from tests.helpers.storage import temporary_storage


@pytest.fixture
def web(db):
    """A browser at a known address (the test client's default is 127.0.0.1)."""
    return Client(REMOTE_ADDR=IP)


@pytest.fixture
def platform_admin(db, django_user_model):
    return django_user_model.objects.create_superuser("platform", "platform@example.org", PASSWORD)


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    return temporary_storage(settings, tmp_path)
