"""The graduate's own page in a phone-sized Chromium (360 px): reached from the
survey's footer, no serious accessibility violation, no sideways scrolling;
the address is corrected with the form, then the data erased after the
confirmation, and the link is dead afterwards.

``OWN_DATA_SHOTS=<dir>`` saves screenshots of every step at 360 and 1280 px.
"""

import os
from pathlib import Path

import pytest

from alumni.models import Graduate
from tests.factories import people
from tests.helpers.browser import PHONE, add_axe, block_foreign_hosts, watch_csp

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("OWN_DATA_SHOTS")


def check(page):
    add_axe(page)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def shoot(page, name: str):
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 740})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=f"{SHOTS}/{name}-360-top.png")  # as a phone shows it first, at full size


@pytest.fixture
def page(browser, live_server, survey_db):
    """A phone-sized tab under the site's real Content-Security-Policy: the test
    fails on any violation (reported by the page or logged by Chromium) and on
    any request to another host. axe-core runs through ``evaluate``, outside the
    page's policy (tests.helpers.browser.add_axe), so it needs no exception."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="nl-NL"
    )
    foreign, refused = [], watch_csp(context)
    block_foreign_hosts(context, live_server.url, foreign)
    tab = context.new_page()
    yield tab
    context.close()
    assert foreign == [], f"requests to other hosts: {foreign}"
    assert refused == [], refused


def test_own_page_on_a_phone_correct_the_address_then_erase(page, live_server):
    invitation = people.make_invitation(
        graduate_fields={"first_name": "Sanne", "last_name": "Bakker", "private_email": "sanne@example.com"}
    )
    page.goto(f"{live_server.url}/s/{invitation.token}/")
    page.click("footer >> text=Jouw gegevens")
    assert page.url.endswith(f"/s/{invitation.token}/mijn-gegevens/")
    assert page.locator("h1").inner_text() == "Jouw gegevens"
    check(page)
    shoot(page, "own-data")

    page.fill("#id_private_email", "geen adres")
    page.click("text=Opslaan")
    assert "Vul een goed e-mailadres in" in page.locator("#error-summary").inner_text()
    check(page)
    shoot(page, "own-data-error")
    page.fill("#id_private_email", "sanne.nieuw@example.com")
    page.click("text=Opslaan")
    assert "Je e-mailadres is opgeslagen." in page.locator("[role=status]").inner_text()
    assert Graduate.objects.get(pk=invitation.graduate_id).private_email == "sanne.nieuw@example.com"

    page.click("text=Mijn gegevens wissen")
    assert page.locator("h1").inner_text() == "Weet je het zeker?"
    check(page)
    shoot(page, "own-data-erase")
    page.click("text=Ja, wis mijn gegevens")
    assert page.locator("h1").inner_text() == "Je gegevens zijn gewist"
    check(page)
    shoot(page, "own-data-erased")
    assert Graduate.objects.get(pk=invitation.graduate_id).erased_at is not None

    page.goto(f"{live_server.url}/s/{invitation.token}/mijn-gegevens/")
    assert page.locator("h1").inner_text() == "Deze link werkt niet meer"
