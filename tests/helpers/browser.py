"""The browser the e2e tests drive: Debian's Chromium, phone-sized, and axe-core."""

from pathlib import Path

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


def add_axe(page) -> None:
    """Load axe-core into the page. Not with ``page.add_script_tag``: that inserts
    an inline <script>, which the site's Content-Security-Policy (script-src
    'self') blocks; ``evaluate`` runs over the DevTools protocol, outside the
    page's policy, so the page is checked as served."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
