"""Benchmark: survey e-mail through the Celery path vs. a bare smtplib loop.

    python bench/dispatch.py [--messages 100000] [--concurrency 4]

1. Starts a local SMTP sink (aiosmtpd, its own process, counts messages) and
   a real Celery worker (prefork, ``--concurrency``) on Redis.
2. Creates N graduates whose T1 invitation is due today (PostgreSQL), and plans
   their invitations with the product's own ``planning.plan`` (timed).
3. Celery path: one ``dispatch`` task; the worker claims batches and sends
   them. Timed from the task's enqueue until the sink has counted N messages.
4. Baseline, same run, same sink: the same N messages (one of ours, rendered,
   as bytes) sent by a bare ``smtplib`` loop over one connection.

The worker runs as docker-compose's does: ``--concurrency 4`` and
``SURVEYS_ASYNC_COMMIT`` on (``SURVEYS_ASYNC_COMMIT=false`` in the environment
measures it without).

Target (issue #3): Celery path >= 0.5x the bare loop; all N in under 30 minutes.
"""

import argparse
import datetime
import multiprocessing
import os
import smtplib
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH_DATABASE_URL, ROOT, free_port, make_graduates, setup_django, table

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
ASYNC_COMMIT = os.environ.get("SURVEYS_ASYNC_COMMIT", "true")


def sink_process(port: int, counter, ready) -> None:
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def wait_count(counter, target: int, timeout: float) -> float:
    start = time.perf_counter()
    while counter.value < target:
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"timed out: {counter.value}/{target} messages after {timeout:.0f} s")
        time.sleep(0.05)
    return time.perf_counter()


def clean_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:  # the bench database holds only bench data: start clean
        cursor.execute(
            "TRUNCATE surveys_invitationevent, surveys_outboundemail, surveys_invitation, alumni_graduate CASCADE"
        )


def create_graduates(n: int) -> None:
    from alumni.models import Institution
    from surveys.models import Wave
    from surveys.scheduling import add_months

    inst, _ = Institution.objects.get_or_create(brin="99ZD", defaults={"name": "Bench Dispatch College"})
    diploma = add_months(datetime.date.today(), -3) - datetime.timedelta(days=1)
    make_graduates(inst, n, diploma_date=diploma, prefix="G", first_name="Sanne")
    Wave.objects.update(send_rate_per_minute=10_000_000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=4)  # sending waits on SMTP: 2 per core
    args = parser.parse_args()
    n = args.messages

    setup_django()
    from django.core.mail import get_connection

    from surveys import planning
    from surveys.mail import build_message
    from surveys.models import OutboundEmail

    clean_database()
    port = free_port()
    counter = multiprocessing.Value("q", 0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=sink_process, args=(port, counter, ready), daemon=True)
    sink.start()
    ready.wait(10)

    # The worker starts before there is mail: a starting worker dispatches at
    # once and again one claim lease later (surveys.tasks.resume_sending), so
    # the lease is set past the run here, or that dispatch would start the
    # clock early. A batch never lives long enough to need a renewal anyway.
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "SURVEYS_BATCH_SIZE": "500",
        "SURVEYS_ASYNC_COMMIT": ASYNC_COMMIT,  # as docker-compose's worker runs
        "SURVEYS_CLAIM_LEASE_SECONDS": "3600",
        "CELERY_QUEUE": "bench-dispatch",
    }
    subprocess.run(
        [sys.executable, "-c", f"import redis; redis.Redis.from_url('{REDIS_URL}').flushdb()"], check=True
    )
    log = open(ROOT / "var" / "bench-dispatch-worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "bench-dispatch",
            "--pool=prefork",
            f"--concurrency={args.concurrency}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    time.sleep(8)  # its boot, and its start-up dispatch finding nothing yet
    print(f"creating {n:,} due graduates …", flush=True)
    create_graduates(n)
    t0 = time.perf_counter()
    result = planning.plan()
    plan_seconds = time.perf_counter() - t0
    queued = OutboundEmail.objects.filter(state="queued").count()
    assert queued == n, (queued, result)

    # One rendered message of ours, for the baseline.
    email = OutboundEmail.objects.select_related(
        "invitation__wave", "invitation__graduate__institution", "invitation__graduate__programme"
    ).first()
    grad = email.invitation.graduate
    message = build_message(email, email.invitation, grad, grad.institution.name, grad.programme.name)
    payload = message.message().as_bytes(linesep="\r\n")  # as Django's SMTP backend sends it

    # --- Celery path
    sender = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from surveys.tasks import dispatch; "
            "import time; print(time.time()); dispatch.apply_async(queue='bench-dispatch')",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    started_wall = float(sender.stdout.strip().splitlines()[-1])
    start = time.perf_counter() - (time.time() - started_wall)
    end = wait_count(counter, n, timeout=1800)
    celery_seconds = end - start
    worker.terminate()
    worker.wait(30)
    assert OutboundEmail.objects.filter(state="sent").count() == n

    # --- bare smtplib loop, same sink, same message bytes
    counter.value = 0
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            smtp.sendmail("alumnimonitor@localhost", [f"g{i}@school.example.nl"], payload)
    bare_seconds = wait_count(counter, n, timeout=1800) - start
    sink.terminate()
    get_connection().close()

    celery_rate, bare_rate = n / celery_seconds, n / bare_seconds
    print(
        f"\n== bench/dispatch: {n:,} invitation e-mails ({len(payload):,} bytes each), "
        f"worker concurrency {args.concurrency}, SURVEYS_ASYNC_COMMIT={ASYNC_COMMIT}, Redis + PostgreSQL =="
    )
    print(
        table(
            [
                (
                    "bare smtplib loop, one connection (baseline)",
                    f"{bare_seconds:.1f}",
                    f"{bare_rate:,.0f}",
                    "1.00x",
                ),
                (
                    "Celery path: dispatch -> batches -> SMTP",
                    f"{celery_seconds:.1f}",
                    f"{celery_rate:,.0f}",
                    f"{celery_rate / bare_rate:.2f}x",
                ),
            ],
            ("what", "seconds", "msgs/s", "vs bare"),
        )
    )
    print(f"planning {n:,} invitations (planning.plan): {plan_seconds:.1f} s")
    ratio = celery_rate / bare_rate
    print(
        f"target: >= 0.5x bare -> {ratio:.2f}x {'OK' if ratio >= 0.5 else 'MISSED'}; "
        f"all in < 30 min -> {celery_seconds / 60:.1f} min {'OK' if celery_seconds < 1800 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
