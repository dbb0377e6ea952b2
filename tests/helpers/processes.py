"""Waiting on work done by other processes (Celery workers, a live server)."""

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository: the working directory of started processes


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
