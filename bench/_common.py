"""Shared set-up for the benchmarks: a PostgreSQL database of their own.

Benchmarks are not tests: they print figures (rates and ratios against a
baseline measured in the same run) for docs/benchmarks.md.
"""

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alumni_bench")


def setup_django(database_url: str = BENCH_DATABASE_URL):
    """Point Django at the bench database, create and migrate it if needed."""
    import psycopg2

    dbname = database_url.rsplit("/", 1)[1]
    admin = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{dbname}"')
    admin.close()

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


@contextmanager
def timed(results: dict, key: str):
    start = time.perf_counter()
    yield
    results[key] = time.perf_counter() - start


def table(rows: list[tuple], headers: tuple) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = lambda r: "  ".join(str(v).rjust(w) for v, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_graduates(institution, count: int, *, diploma_date, prefix: str, first_name: str = "Bench") -> list:
    """``count`` graduates of ``institution`` (first programme of the HKS 2015
    list, the cohort of their diploma year), in bulk; ``prefix`` keeps their
    student numbers and addresses apart from other benchmarks' graduates."""
    from alumni.models import Cohort, Graduate, Programme, school_year_of

    programme = Programme.objects.filter(source="hks2015").order_by("crebo").first()
    cohort, _ = Cohort.objects.get_or_create(
        institution=institution, school_year=school_year_of(diploma_date)
    )
    return Graduate.objects.bulk_create(
        (
            Graduate(
                institution=institution,
                student_number=f"{prefix}{n:07d}",
                first_name=first_name,
                last_name=f"Graduate {n}",
                email=f"{prefix.lower()}{n}@school.example.nl",
                programme=programme,
                diploma_date=diploma_date,
                cohort=cohort,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )
