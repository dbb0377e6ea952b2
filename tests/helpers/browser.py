"""The browser the browser tests drive: Debian's Chromium, phone-sized, and axe-core.

Playwright's sync API runs an event loop in the test thread, which trips
Django's async-unsafe guard for the ORM calls the tests make; nothing there is
async, so :func:`orm_beside_playwright` switches the guard off while a
browser runs (and only then: a process-wide setting would leak into later
tests and into the subprocesses they start, e.g. ``manage.py check --deploy``).
"""

import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parents[1] / "e2e" / "vendor" / "axe.min.js"  # accessibility checks
PHONE = {"width": 360, "height": 740}


@contextmanager
def orm_beside_playwright():
    """Django's async-unsafe guard off inside the block, as it was after it."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@contextmanager
def chromium():
    """Debian's Chromium, launched by Playwright, with the ORM usable beside it
    (a module-scoped fixture yields from this: no event loop outlives the module)."""
    from playwright.sync_api import sync_playwright

    with orm_beside_playwright(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def block_foreign_hosts(context, base_url: str, foreign: list[str]) -> None:
    """Abort every request of the browser ``context`` to a host other than
    ``base_url``'s and note its URL in ``foreign`` (a test asserts it stays empty)."""
    own = urlparse(base_url).netloc

    def guard(route):
        if urlparse(route.request.url).netloc == own:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)


# Runs before the page's own scripts, outside its policy; the binding reaches Python at once,
# so a violation is kept even when the page navigates away right after it.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


def watch_csp(context) -> list[str]:
    """What the site's Content-Security-Policy refuses in the browser ``context``,
    collected into the returned list (a test asserts it stays empty): the pages'
    ``securitypolicyviolation`` events and Chromium's "Refused to …" console
    errors. Call before the first page is opened."""
    refused: list[str] = []
    context.expose_binding(
        "__cspViolation", lambda source, text: refused.append(f"{source['frame'].url}: {text}")
    )
    context.add_init_script(_REPORT_VIOLATIONS)

    def on_console(message):
        if message.type == "error" and (
            "Content Security Policy" in message.text or "Refused to" in message.text
        ):
            refused.append(message.text)

    context.on("console", on_console)
    return refused


def add_axe(page) -> None:
    """Load axe-core into the page. Not with ``page.add_script_tag``: that inserts
    an inline <script>, which the site's Content-Security-Policy (script-src
    'self') blocks; ``evaluate`` runs over the DevTools protocol, outside the
    page's policy, so the page is checked as served."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
