"""Browser tests: Debian's Chromium driven by Playwright, phone-sized.

Django's async-unsafe guard is off while these tests run (and only then; see
tests.helpers.browser). The browser lives as long as the module, so no event
loop is left running for the tests after it.

Every request the browser makes to a host other than the live server is
blocked and recorded; a test that caused one fails.
"""

import uuid

import pytest

from tests.factories.people import restore_reference_data
from tests.helpers import browser as browsers
from tests.helpers.browser import PHONE, block_foreign_hosts


@pytest.fixture(scope="module", autouse=True)
def orm_beside_playwright():
    with browsers.orm_beside_playwright():
        yield


@pytest.fixture(scope="module")
def browser(orm_beside_playwright):
    with browsers.chromium() as chromium:
        yield chromium


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
        block_foreign_hosts(context, self.base_url, self.foreign)
        return context


@pytest.fixture
def phone(browser, live_server, survey_db):
    device = Phone(browser, live_server.url)
    yield device
    device.context.close()
    assert device.foreign == [], f"requests to other hosts: {device.foreign}"
