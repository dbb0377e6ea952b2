"""The Content-Security-Policy in a real browser: Debian's Chromium loads the
survey, the report (with its Chart.js charts), the upload pages and the error
pages under the policy, and none of them raises a violation — no blocked
inline script, style attribute, event handler or foreign host.

Violations are caught two ways: the page's ``securitypolicyviolation`` events
(recorded by a script Playwright injects before any of the page's own, outside
the page's policy) and the console errors Chromium logs for a blocked resource.
"""

import uuid

import pytest

from alumni.models import Membership, Upload
from tests.factories import people
from tests.factories.datasets import make_dataset
from tests.factories.people import PASSWORD
from tests.helpers import browser as browsers
from tests.helpers.browser import block_foreign_hosts

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


@pytest.fixture(scope="module")
def browser():
    with browsers.chromium() as chromium:
        yield chromium


class Tab:
    """One browser page that records every CSP violation, console error and foreign request."""

    def __init__(self, browser, base_url: str, width: int = 1280):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.foreign: list[str] = []
        self.console: list[str] = []
        self.violations: list[str] = []
        block_foreign_hosts(self.context, base_url, self.foreign)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))

    def open(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("load")
        return response

    def collect(self):
        """The violations of the page now shown (call before leaving it)."""
        found = self.page.evaluate("window.__csp || []")
        self.violations.extend(f"{self.page.url}: {v}" for v in found)

    def log_in(self, username: str):
        self.open("/accounts/login/")
        self.collect()
        self.page.fill('[name="username"]', username)
        self.page.fill('[name="password"]', PASSWORD)
        with self.page.expect_navigation():
            self.page.click('button[type="submit"]')

    def assert_clean(self):
        self.collect()
        # Chromium logs refused resources ("Refused to apply inline style…") as console errors.
        csp_console = [c for c in self.console if "Content Security Policy" in c or "Refused to" in c]
        assert self.violations == [], self.violations
        assert csp_console == [], csp_console
        assert self.foreign == [], self.foreign


@pytest.fixture
def site(transactional_db, settings):
    people.restore_reference_data()
    settings.SURVEYS_GUESS_KEY_PREFIX = f"csp-{uuid.uuid4().hex}"


def test_survey_pages_raise_no_violation(browser, live_server, site):
    invitation = people.make_invitation()
    tab = Tab(browser, live_server.url, width=360)
    tab.open(f"/s/{invitation.token}/")
    assert tab.page.locator("form").count() >= 1, tab.page.content()[:500]
    tab.collect()
    # One page further, so a page with errors (and its error summary) is seen too.
    with tab.page.expect_navigation():
        tab.page.click('button[value="next"]')
    tab.collect()
    tab.open(f"/s/{invitation.token}/afmelden/")
    tab.collect()
    tab.open("/s/not-a-real-token-at-all/")
    tab.assert_clean()
    tab.context.close()


def test_report_with_charts_raises_no_violation(browser, live_server, site, django_user_model):
    data = make_dataset(institutions=[("99XA", "Instelling Alfa", True)], sizes=[30, 12])
    institution = data.institutions[0]
    user = django_user_model.objects.create_user("admin-csp", "admin-csp@example.org", PASSWORD)
    Membership.objects.create(user=user, institution=institution, role=Membership.Role.ADMIN)
    tab = Tab(browser, live_server.url)
    tab.log_in("admin-csp")
    tab.open(f"/reports/i/{institution.brin}/")
    drawn = tab.page.evaluate(
        "() => [...document.querySelectorAll('canvas.report-chart')]"
        ".filter(c => window.Chart && Chart.getChart(c)).length"
    )
    assert drawn >= 1, "no chart was drawn: Chart.js or charts.js did not run"
    tab.collect()
    tab.open(f"/reports/i/{institution.brin}/summary/{data.programmes[0].crebo}/")
    assert tab.page.evaluate("() => !!Chart.getChart(document.querySelector('canvas.report-chart'))")
    # The Print button works without onclick=: its handler comes from print.js.
    tab.page.evaluate("() => { window.print = () => { window.__printed = true; }; }")
    tab.page.click("button[data-print]")
    assert tab.page.evaluate("window.__printed === true")
    tab.collect()
    tab.open(f"/reports/i/{institution.brin}/monitoring/")
    tab.collect()
    tab.open("/reports/")
    tab.assert_clean()
    tab.context.close()


def test_upload_and_error_pages_raise_no_violation(browser, live_server, site, django_user_model):
    institution = people.make_institution("Demo College Amstel", "99XA")
    user = django_user_model.objects.create_user("admin-up", "admin-up@example.org", PASSWORD)
    Membership.objects.create(user=user, institution=institution, role=Membership.Role.ADMIN)
    upload = Upload.objects.create(
        institution=institution, uploaded_by=user, file_name="cohort.csv", status=Upload.Status.IMPORTED
    )
    graduate = people.make_invitation(graduate_fields={"institution": institution}).graduate
    tab = Tab(browser, live_server.url)
    tab.log_in("admin-up")
    pages = ["/", "/uploads/", "/uploads/format/", f"/uploads/{upload.pk}/", "/waves/", "/bestaat-niet/"]
    pages += ["/graduates/", "/graduates/to-fix/", f"/graduates/{graduate.pk}/"]  # the admin's graduate pages
    for path in pages:
        response = tab.open(path)
        assert response.status == (404 if path == "/bestaat-niet/" else 200), (path, response.status)
        tab.collect()
    tab.assert_clean()
    tab.context.close()


def test_the_admin_and_the_audit_log_raise_no_violation(browser, live_server, site, django_user_model):
    django_user_model.objects.create_superuser("root-csp", "root-csp@example.org", PASSWORD)
    tab = Tab(browser, live_server.url)
    tab.open("/admin/login/")
    tab.page.fill('[name="username"]', "root-csp")
    tab.page.fill('[name="password"]', PASSWORD)
    with tab.page.expect_navigation():
        tab.page.click('input[type="submit"]')
    for path in ("/admin/", "/admin/alumni/graduate/", "/admin/alumni/institution/add/", "/audit/"):
        assert tab.open(path).status == 200, path
        tab.collect()
    tab.assert_clean()
    tab.context.close()


def test_the_recorder_does_see_a_violation(browser, live_server, site):
    """The control: an inline script slipped into a page is blocked and reported,
    so the clean runs above mean something."""
    tab = Tab(browser, live_server.url)
    tab.open("/accounts/login/")
    tab.page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.__ran = true";
                   document.body.appendChild(s); }"""
    )
    tab.page.wait_for_timeout(200)
    assert tab.page.evaluate("window.__ran === undefined")  # the policy blocked it
    tab.collect()
    assert any("script-src" in v for v in tab.violations), tab.violations
    tab.context.close()
