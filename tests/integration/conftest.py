"""Real Celery workers (and beat) as subprocesses, on the test database.

The worker gets the test database's name, the test's SMTP sink and a queue
of its own through the environment, exactly as an operator would configure a
production worker. With REDIS_URL set (CI) the broker is Redis; otherwise the
filesystem broker in a temporary folder.
"""

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories.people import restore_reference_data
from tests.helpers.processes import ROOT, wait_for
from tests.smtp_sink import SmtpSink


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryProcesses:
    """Starts workers and beat for one test; kills whatever is left at the end."""

    def __init__(self, tmp_path: Path, smtp_url: str):
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "EMAIL_URL": smtp_url,
            "CELERY_QUEUE": self.queue,
            # A short lease: a killed worker's rows are back in the queue seconds later.
            "SURVEYS_CLAIM_LEASE_SECONDS": "3",
            "SURVEYS_RETRY_BASE_SECONDS": "1",
            "LOG_LEVEL": "INFO",
            "CELERY_BROKER_DIR": str(settings.CELERY_BROKER_DIR),
            "VAR_DIR": str(tmp_path / "var"),
        }
        self.processes: list[subprocess.Popen] = []

    def _start(self, args: list[str], name: str, **env) -> tuple[subprocess.Popen, Path]:
        log = self.tmp_path / f"{name}-{len(self.processes)}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool children too
        )
        self.processes.append(process)
        return process, log

    def worker(self, concurrency: int = 2, **env) -> subprocess.Popen:
        process, log = self._start(
            [
                "worker",
                "-Q",
                self.queue,
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{self.queue}-{len(self.processes)}@%h",
                "--loglevel=INFO",
            ],
            "worker",
            **env,
        )
        wait_for(lambda: "ready." in log.read_text(), timeout=60, what=f"worker ready ({log})")
        return process

    def beat(self, every_seconds: float = 1.0) -> subprocess.Popen:
        schedule = self.tmp_path / "beat-schedule"
        process, _log = self._start(
            ["beat", "--loglevel=INFO", "-s", str(schedule)],
            "beat",
            SURVEYS_DISPATCH_EVERY_SECONDS=str(every_seconds),
        )
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the whole process group: main process and pool children."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill(process)

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.tmp_path.glob("*.log")))


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush the database: load the reference tables
    and the default waves again."""
    restore_reference_data()


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def celery_processes(tmp_path, smtp_sink):
    processes = CeleryProcesses(tmp_path, smtp_sink.url)
    yield processes
    processes.stop_all()
