"""Browser tests: Debian's Chromium driven by Playwright, phone-sized.

Playwright's sync API runs an event loop in the test thread, which trips
Django's async-unsafe guard for the ORM calls the tests make; nothing here is
async, so the guard is switched off while these tests run (and only then: a
process-wide setting would leak into later tests and into the subprocesses
they start, e.g. ``manage.py check --deploy``). The browser lives as long as
the module, so no event loop is left running for the tests after it.

Every request the browser makes to a host other than the live server is
blocked and recorded; a test that caused one fails.
"""

import os
import uuid
from urllib.parse import urlparse

import pytest

from tests.factories.people import restore_reference_data
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, PHONE


@pytest.fixture(scope="module", autouse=True)
def orm_beside_playwright():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(orm_beside_playwright):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def survey_db(transactional_db, settings):
    """The live server needs committed data; a transactional test starts from
    an empty database, so the reference lists and waves are put back."""
    restore_reference_data()
    settings.SURVEYS_GUESS_KEY_PREFIX = f"e2e-{uuid.uuid4().hex}"


class Phone:
    """A browser context the size of a phone, and the hosts it tried to reach."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.foreign: list[str] = []
        self.context = self.new_context(browser)

    def new_context(self, browser):
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="nl-NL"
        )
        own = urlparse(self.base_url).netloc

        def guard(route):
            if urlparse(route.request.url).netloc == own:
                route.continue_()
            else:
                self.foreign.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        return context


@pytest.fixture
def phone(browser, live_server, survey_db):
    device = Phone(browser, live_server.url)
    yield device
    device.context.close()
    assert device.foreign == [], f"requests to other hosts: {device.foreign}"
