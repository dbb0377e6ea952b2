"""/audit/ in Chromium at phone and desktop width: it fits, filters, and the CSV link keeps the filters.

Screenshots go to $AUDIT_SHOTS (a folder outside the repository) when set.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from alumni.models import Membership
from audit.services import Action, record
from tests.factories import people
from tests.factories.people import PASSWORD, restore_reference_data
from tests.helpers import browser as browsers

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def browser():
    with browsers.chromium() as chromium:
        yield chromium


@pytest.fixture
def log(transactional_db, django_user_model):
    restore_reference_data()
    from alumni.models import Institution

    school = Institution.objects.create(brin="99XA", name="Demo College Amstel")
    django_user_model.objects.create_superuser("platform", "p@example.org", PASSWORD)
    career = django_user_model.objects.create_user("loopbaan.amstel", "l@example.org", PASSWORD)
    Membership.objects.create(user=career, institution=school, role=Membership.Role.CAREER_OFFICE)
    for n in range(3):
        record(Action.VIEW, "network_list", user=career, institution=school, details={"rows": 12 + n})
    record(
        Action.EXPORT,
        "institution_report",
        user=career,
        institution=school,
        details={"filters": {"wave": "T1", "cohorts": [2024, 2025]}, "by": ["programme"], "format": "xlsx"},
    )
    record(Action.LOGIN_FAILED, "login", details={"username": "loopbaan.amstel"})
    # What a platform admin meets besides: role and status changes, an address
    # corrected, an erasure, a retention run, an upload (words, not codes, on the page).
    membership = Membership.objects.get(user=career)
    membership.role = Membership.Role.ADMIN
    membership.save()
    career.is_staff = True
    career.save()
    graduate = people.make_graduate(school)
    record(
        Action.CHANGE,
        "graduate_email",
        user=career,
        target=graduate,
        institution=school,
        details={"fields": ["private_email"], "readdressed": 1, "resent": 1},
    )
    record(
        Action.ERASURE,
        "graduate",
        user=career,
        target=graduate,
        institution=school,
        details={"reason": "verzoek per e-mail, ticket 2291", "at_own_request": False, "tombstone": True},
    )
    record(
        Action.RETENTION,
        "retention_run",
        details={
            "today": "2026-12-03",
            "contact_removed": 4,
            "network_kept": 1,
            "by_institution": {school.brin: {"contact_removed": 4}},
            "periods": {"contact_grace_days": 30},
        },
    )
    record(
        Action.UPLOAD,
        "upload_received",
        user=career,
        institution=school,
        details={"status": "validated", "rows_total": 120, "rows_rejected": 3, "file_size": 20480},
    )
    return school


def shoot(page, name):
    folder = os.environ.get("AUDIT_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", list(WIDTHS))
def test_the_audit_log_fits_and_filters(browser, live_server, log, size):
    context = browser.new_context(viewport=WIDTHS[size], locale="nl-NL")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    missing = []
    page.on("response", lambda response: response.status >= 400 and missing.append(response.url))
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", "platform")
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    if size == "phone":
        toggler = page.locator(".navbar-toggler")
        if toggler.count():
            toggler.click()
    page.get_by_role("link", name="Auditlog").click()
    page.wait_for_url("**/audit/")
    assert page.get_by_role("heading", name="Auditlog").is_visible()
    shoot(page, f"audit-{size}")
    body = page.locator("main").inner_text()
    for code in ("career_office", "graduate_email", "alumni.graduate", "validated", "True", "False"):
        assert code not in body, code
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    table = page.evaluate(
        "(() => { const t = document.querySelector('.table-responsive'); return t.scrollWidth - t.clientWidth; })()"
    )
    assert table <= 0, f"the table scrolls sideways by {table}px"

    page.select_option("#id_action", "view")
    page.fill("#id_actor", "loopbaan")
    page.get_by_role("button", name="Filteren").click()
    page.wait_for_url("**/audit/?*")
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    assert "lijst van het alumninetwerk (pagina)" in rows.first.inner_text()
    href = page.get_by_role("link", name="Downloaden als CSV").get_attribute("href")
    assert "action=view" in href and "actor=loopbaan" in href
    shoot(page, f"audit-{size}-filtered")
    # The browser's own favicon.ico request (not the page's) may 404; the page's requests may not.
    assert missing == []
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
    context.close()
