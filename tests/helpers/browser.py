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
