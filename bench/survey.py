"""Benchmark: survey pages (GET + POST) vs a trivial view, same gunicorn, PostgreSQL.

    python bench/survey.py [--clients 50] [--rounds 3] [--seconds 5] [--paced-rate 50]
                           [--tokens 4000] [--workers 3] [--threads 1]

1. Creates ``--tokens`` T1 invitations (sent, link open) for a bench
   institution in the bench database (fresh each run).
2. Starts gunicorn on 127.0.0.1 with the product's settings and URLs plus one
   trivial view (``bench/survey_server.py``), persistent DB connections
   (CONN_MAX_AGE=60, as docker-compose sets), DEBUG off.
3. Closed loop, ``--clients`` concurrent clients sending their next request as
   soon as the previous answer is in, for ``--rounds`` rounds that alternate
   (so a busy neighbour on the machine hits all alike):
   * trivial: GET + POST of the trivial view (no database, no template);
   * survey: every client walks its own graduates through the employee route
     — GET a page, POST its answers (302), next page, …, submit — so every
     request is a different (token, page) and every POST writes.
4. Paced (open loop): the same survey walk offered at ``--paced-rate`` req/s
   in total by the same number of clients; latency counted from the planned
   send time. This is the latency a graduate sees when the server is not
   saturated (a realistic national peak is tens of requests per second).
5. Prints requests/s and p50/p99 latency for each, and the throughput ratio.

With ``REDIS_URL`` set (as in production) the guessing limit's counter is
read from Redis on every survey request; without it, from process memory.

The load generator is a small asyncio HTTP/1.1 client in this process
(loopback only, bounded by time and by ``--max-requests``); latency runs from
sending the request (incl. reconnecting: gunicorn's sync workers close every
connection) to the last byte of the response.

Targets: p99 < 100 ms paced at 50 requests/s (a national peak is tens per second), and a
closed-loop throughput >= 0.25x the trivial view's (for comparison: LimeSurvey 6 on this
machine serves its token survey at about a fortieth of ours, see docs/benchmarks.md).
"""

import argparse
import asyncio
import contextlib
import datetime
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH_DATABASE_URL, ROOT, free_port, make_graduates, setup_django, table

BRIN = "97ZZ"

# The employee route (the typical path): page -> form body.
EMPLOYEE = [
    ("nu", {"activity": ["employee"]}),
    ("werk", {"hours_per_week": "38", "contract": "permanent", "wage_band": "2500"}),
    ("functie", {"job_title": "Kok", "job_tasks": "Koken en inkopen", "occupation_group": "5"}),
    (
        "werkgever",
        {"branch": "I", "employer_name": "Hotel Amstel", "workplace": "1012", "job_route": "internship"},
    ),
    ("aansluiting", {"level_match": "same", "field_match": "own", "diploma_needed": "level_field"}),
    ("inkomen", {"benefit": "none"}),
    ("terugblik", {"meaningful": "4", "fits_plans": "4", "uses_learning": "5", "preparation": "4"}),
    ("opleiding", {"missed": ["digital"], "choose_again": "yes"}),
    (
        "contact",
        {"recontact_consent": "yes", "private_email": "kok@example.com", "network": ["guest_lessons"]},
    ),
]
BODIES = [(page, urlencode({**data, "go": "next"}, doseq=True).encode()) for page, data in EMPLOYEE]


def make_invitations(count: int) -> list[str]:
    """``count`` fresh T1 invitations whose link is open; returns their tokens."""
    from django.utils import timezone

    from alumni.models import Graduate, Institution
    from surveys.defaults import ensure_default_waves
    from surveys.models import Invitation, Wave

    ensure_default_waves(Wave)
    inst, _ = Institution.objects.get_or_create(brin=BRIN, defaults={"name": "Bench College"})
    Invitation.objects.filter(graduate__institution=inst).delete()
    Graduate.objects.filter(institution=inst).delete()
    graduates = make_graduates(inst, count, diploma_date=datetime.date(2025, 6, 30), prefix="B")
    today = timezone.localdate()
    wave = Wave.objects.get(code="T1")
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                graduate=g,
                wave=wave,
                status=Invitation.Status.SENT,
                due_on=today,
                sent_on=today,
                sent_at=timezone.now(),
                closes_on=today + datetime.timedelta(days=42),
            )
            for g in graduates
        ],
        batch_size=2000,
    )
    return [i.token for i in invitations]


# --- the server ----------------------------------------------------------------------


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "survey_server",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
        "CONN_MAX_AGE": "60",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    cmd = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--backlog", "2048",
        "--log-level", "warning", "--chdir", str(ROOT),
    ]  # fmt: skip
    if threads > 1:
        cmd += ["--worker-class", "gthread", "--threads", str(threads)]
    server = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/trivial/", timeout=1) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


# --- the load generator ------------------------------------------------------------------


class Client:
    """One HTTP/1.1 connection, reopened when the server closes it."""

    def __init__(self, port: int):
        self.port, self.reader, self.writer = port, None, None

    async def request(self, method: str, path: str, body: bytes = b"") -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        if body:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        await self.writer.drain()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


class Stats:
    """Latencies of one load, added up over the rounds it ran in."""

    def __init__(self):
        self.latencies: dict[str, list[float]] = {"GET": [], "POST": []}
        self.errors = 0
        self.elapsed = 0.0
        self.recording = False

    def add(self, method: str, seconds: float, ok: bool):
        if self.recording:
            self.latencies[method].append(seconds)
            self.errors += not ok


async def run_load(port, clients, seconds, warmup, budget, stats, steps_of, rate=None):
    """``clients`` connections, each taking its next request from ``steps_of(i)``.
    Closed loop (next request as soon as the answer is in) or, with ``rate``,
    paced: each client sends at fixed times so the whole load offers ``rate``
    requests/s, and latency counts from the planned send time (a late start
    is waiting too)."""
    loop = asyncio.get_running_loop()
    begin = loop.time()
    stop_at = begin + warmup + seconds
    gap = clients / rate if rate else 0.0

    async def one(index):
        client, steps = Client(port), steps_of[index]
        planned = begin + gap * index / clients
        try:
            while loop.time() < stop_at and budget[0] > 0:
                step = next(steps, None)
                if step is None:
                    return  # this client ran out of tokens
                method, path, body, expected = step
                budget[0] -= 1
                if rate:
                    await asyncio.sleep(max(0.0, planned - loop.time()))
                    start = planned - loop.time() + time.perf_counter()
                    planned += gap
                else:
                    start = time.perf_counter()
                try:
                    status = await client.request(method, path, body)
                except (OSError, asyncio.IncompleteReadError):
                    await client.close()
                    status = 0
                stats.add(method, time.perf_counter() - start, status == expected)
        finally:
            await client.close()

    tasks = [asyncio.create_task(one(i)) for i in range(clients)]
    await asyncio.sleep(warmup)
    stats.recording, started = True, loop.time()
    await asyncio.gather(*tasks)
    stats.recording = False
    stats.elapsed += loop.time() - started


def trivial_steps(_index):
    while True:
        yield "GET", "/bench/trivial/", b"", 200
        yield "POST", "/bench/trivial/", b"answer=yes&go=next", 200


def survey_steps(tokens):
    """One graduate after another through the employee route, page by page."""
    for token in tokens:
        for page, body in BODIES:
            yield "GET", f"/s/{token}/{page}/", b"", 200
            yield "POST", f"/s/{token}/{page}/", body, 302


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summarise(name, stats):
    """Rows for the table (all, GET, POST), the rate and the p99 of all."""
    rows = []
    both = stats.latencies["GET"] + stats.latencies["POST"]
    for label, values in (
        (name, both),
        (f"  {name} GET", stats.latencies["GET"]),
        (f"  {name} POST", stats.latencies["POST"]),
    ):
        rows.append(
            (
                label,
                len(values),
                f"{len(values) / stats.elapsed:.0f}",
                f"{percentile(values, 50) * 1000:.1f}",
                f"{percentile(values, 99) * 1000:.1f}",
                f"{statistics.fmean(values) * 1000:.1f}" if values else "-",
                stats.errors if label == name else "",
            )
        )
    return rows, len(both) / stats.elapsed, percentile(both, 99)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5, help="per load per round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="trivial and survey alternate, to even out noise"
    )
    parser.add_argument("--warmup", type=float, default=1)
    parser.add_argument(
        "--paced-rate", type=float, default=50, help="req/s offered in the paced survey run (0: skip)"
    )
    parser.add_argument("--tokens", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-requests", type=int, default=300_000)
    args = parser.parse_args()

    setup_django(BENCH_DATABASE_URL)
    from django.db import connection

    from surveys.models import Response

    tokens = make_invitations(args.tokens)
    connection.close()
    port = free_port()
    server = start_gunicorn(port, args.workers, args.threads)
    load_before = os.getloadavg()[0]
    budget = [args.max_requests]
    survey_clients = [survey_steps(tokens[i :: args.clients]) for i in range(args.clients)]  # own tokens each
    trivial, survey, paced = Stats(), Stats(), Stats()
    try:
        for _ in range(args.rounds):
            trivial_clients = [trivial_steps(i) for i in range(args.clients)]
            asyncio.run(
                run_load(port, args.clients, args.seconds, args.warmup, budget, trivial, trivial_clients)
            )
            asyncio.run(
                run_load(port, args.clients, args.seconds, args.warmup, budget, survey, survey_clients)
            )
        if args.paced_rate:
            asyncio.run(
                run_load(
                    port,
                    args.clients,
                    args.seconds * 2,
                    args.warmup,
                    budget,
                    paced,
                    survey_clients,
                    args.paced_rate,
                )
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = os.getloadavg()[0]

    rows_t, rate_t, _p99_t = summarise("trivial view", trivial)
    rows_s, rate_s, p99_s = summarise("survey pages", survey)
    rows_p, _rate_p, p99_p = (
        summarise(f"survey paced {args.paced_rate:.0f}/s", paced) if args.paced_rate else ([], 0, 0)
    )
    completed = Response.objects.filter(
        invitation__graduate__institution__brin=BRIN, completed_at__isnull=False
    ).count()
    started = Response.objects.filter(invitation__graduate__institution__brin=BRIN).count()
    print(
        f"\nbench/survey — gunicorn {args.workers} sync worker(s)"
        + (f" x {args.threads} threads (gthread)" if args.threads > 1 else "")
        + f", {args.clients} concurrent clients, {args.rounds} rounds x {args.seconds:.0f} s per load "
        f"(after {args.warmup:.0f} s warm-up each), {os.cpu_count()} CPUs shared by client, server and "
        f"PostgreSQL; load average {load_before:.1f} before, {load_after:.1f} after; guessing-limit "
        f"counter in {'Redis (REDIS_URL)' if os.environ.get('REDIS_URL') else 'process memory (no REDIS_URL)'}\n"
    )
    print(
        table(
            rows_t + rows_s + rows_p,
            ("load", "requests", "req/s", "p50 ms", "p99 ms", "mean ms", "errors"),
        )
    )
    print(f"\nresponses written: {started} started, {completed} completed (of {len(tokens)} tokens)")
    ratio = rate_s / rate_t
    print(
        f"throughput ratio survey/trivial: {ratio:.2f}x   "
        f"(target >= 0.25x: {'met' if ratio >= 0.25 else 'NOT met'})"
    )
    print(f"survey p99 closed loop: {p99_s * 1000:.1f} ms")
    if args.paced_rate:
        verdict = "met" if p99_p < 0.1 else "NOT met"
        print(
            f"survey p99 paced at {args.paced_rate:.0f} req/s: {p99_p * 1000:.1f} ms   (target < 100 ms: {verdict})"
        )


if __name__ == "__main__":
    main()
