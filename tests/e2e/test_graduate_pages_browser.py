"""The admin's graduate pages in Chromium, at phone (360 px) and desktop (1280 px)
width: signed in through the login form, find a graduate, correct a bounced
address (the invitation is queued again), the addresses to fix, the erase
confirmation. Every page passes axe-core (no serious or critical violations)
and does not scroll sideways. With ``GRADUATE_SHOTS=<dir>`` each page is
also saved as a screenshot, to look at."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from alumni.models import Location, Membership
from surveys import lifecycle
from surveys.models import Invitation, OutboundEmail
from tests.factories import people
from tests.helpers.browser import add_axe, block_foreign_hosts, watch_csp

S = Invitation.Status
PASSWORD = "a-long-password-1"
WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def school(survey_db, django_user_model):
    institution = people.make_institution("ROC Amstelland", "98QA")
    user = django_user_model.objects.create_user("beheer", "beheer@example.org", PASSWORD)
    Membership.objects.create(user=user, institution=institution, role=Membership.Role.ADMIN)
    north = Location.objects.create(institution=institution, name="Amstelveen Noord")
    names = [
        ("Fatima", "el", "Amrani"),
        ("Daan", "de", "Vries"),
        ("Sanne", "", "Jansen"),
        ("Mohammed", "", "Yilmaz"),
    ]
    graduates = [
        people.make_graduate(institution, first_name=f, name_prefix=p, last_name=last, location=north)
        for f, p, last in names
    ]
    bounced = people.make_invitation(graduate=graduates[0], status=S.PENDING, sent_on=None, closes_on=None)
    OutboundEmail.objects.create(
        invitation=bounced,
        purpose="invitation",
        to_address=graduates[0].private_email,
        schedule_day=timezone.localdate(),
        state=OutboundEmail.State.FAILED,
        last_error="550 5.1.1 <prive1@example.com>: Recipient address rejected: User unknown",
    )
    lifecycle.bounce(bounced, "550 5.1.1 Recipient address rejected: User unknown")
    opened = people.make_invitation(graduate=graduates[1], status=S.SENT)
    lifecycle.open_link(opened)
    people.make_invitation(graduate=graduates[2], status=S.COMPLETED)
    lifecycle.opt_out(people.make_invitation(graduate=graduates[3], status=S.SENT).graduate)
    lifecycle.bounce(
        people.make_invitation(graduate=graduates[2], wave_code="T3", status=S.SENT), "550 unknown"
    )
    return {"user": user, "graduates": graduates, "bounced": bounced}


def check(page, name: str, width: str):
    add_axe(page)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == [], (page.url, violations)
    if shots := os.environ.get("GRADUATE_SHOTS"):
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTHS[width]["width"], f"{page.url} scrolls sideways ({scroll}px)"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_find_correct_and_resend_at_phone_and_desktop_width(browser, live_server, school, width):
    # Under the site's real CSP (add_axe runs outside the page's policy).
    context = browser.new_context(viewport=WIDTHS[width], locale="nl-NL")
    foreign, refused = [], watch_csp(context)
    block_foreign_hosts(context, live_server.url, foreign)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/graduates/")
    page.fill('[name="username"]', "beheer")
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"], input[type="submit"]')
    assert page.url.endswith("/graduates/")
    assert page.locator("text=4 gediplomeerden gevonden").count() == 1
    check(page, "list", width)

    page.fill('[name="q"]', "amrani")
    with page.expect_navigation():
        page.click('button:has-text("Zoeken")')
    assert page.locator("text=1 gediplomeerde gevonden").count() == 1
    with page.expect_navigation():
        page.click('td a:has-text("Amrani")')
    check(page, "detail", width)

    page.fill('[name="private_email"]', "fatima.nieuw@example.com")
    with page.expect_navigation():
        page.click('button:has-text("Adressen opslaan")')
    assert page.locator("text=De e-mailadressen zijn opgeslagen.").count() == 1
    assert page.locator("text=opnieuw verstuurd").count() >= 1
    check(page, "detail-after-correction", width)
    queued = OutboundEmail.objects.get(invitation=school["bounced"], state=OutboundEmail.State.QUEUED)
    assert queued.to_address == "fatima.nieuw@example.com"

    with page.expect_navigation():
        page.click("text=Deze gediplomeerde wissen…")
    check(page, "erase-confirm", width)

    page.goto(f"{live_server.url}/graduates/to-fix/")
    assert page.locator("text=Yilmaz").count() == 1 and page.locator("text=Jansen").count() == 1
    assert page.locator("text=Amrani").count() == 0  # fixed: mailed again
    check(page, "to-fix", width)

    with page.expect_navigation():
        page.click('td a:has-text("Jansen")')  # the bounced T3 address
    with page.expect_navigation():
        page.click("text=Deze gediplomeerde wissen…")
    page.fill('[name="reason"]', "verzoek per e-mail van 2 december")
    page.check('[name="confirm"]')
    with page.expect_navigation():
        page.click('button:has-text("Voorgoed wissen")')
    assert page.locator("text=Gediplomeerde gewist").count() >= 1
    assert page.locator("text=Jansen").count() == 0
    check(page, "erased", width)
    context.close()
    assert foreign == []
    assert refused == [], refused
