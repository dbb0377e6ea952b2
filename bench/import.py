"""Benchmark: cohort import as the user runs it, against a bare PostgreSQL COPY.

    python bench/import.py [--rows 100000] [--memory-rows 500000]

What is timed is what a user runs, end to end:

1. ``python manage.py import_cohort FILE --institution BRIN`` as a child
   process (interpreter start, Django set-up, read, validate, write, commit),
   for 100,000 new rows, the same file again (all unchanged) and a 1-row file;
2. the web flow through Django's test client (middleware, views, the service):
   POST the file (check + preview), then POST confirm (write + commit);
3. the floor: a COPY of the same rows, already typed and serialised, into a
   table with the same columns, indexes, constraints (foreign keys deferred,
   as in the real table) and triggers, committed (the deferred checks run at
   commit). The graduates' table is vacuumed after every clean-up, so the
   import does not pay for the dead rows of the previous run.
4. memory: a 500,000-row ``import_cohort`` child's peak RSS alone (its
   institution is emptied beforehand, in another child, whose peak RSS is the
   lean delete's), both read with ``os.wait4``.

Targets (issue #12): the command within 3x the COPY; a 1-row import under 2 s;
the 500,000-row import under 1 GB; deleting them as lean as importing them.
"""

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH_DATABASE_URL, ROOT, setup_django, table, timed

FIRST = ["Sanne", "Mohammed", "Daan", "Fatima", "Lars", "Noa", "Youssef", "Emma", "Bram", "Aylin"]
PREFIX = ["", "", "", "van", "de", "van der", "van den", ""]
LAST = ["Jansen", "de Vries", "Bakker", "El Amrani", "Visser", "Smit", "Yilmaz", "Mulder", "Bos", "Kaya"]


def make_csv(rows: int, crebos: list[tuple[str, int]], seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    out.write(
        "Studentnummer;Roepnaam;Tussenvoegsel;Achternaam;E-mailadres;Crebo;Diplomadatum;Niveau;Leerweg;Vestiging;Geslacht;Geboortejaar\r\n"
    )
    for i in range(rows):
        crebo, level = rng.choice(crebos)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        out.write(
            f"{i:08d};{first};{rng.choice(PREFIX)};{last};{first.lower()}.{i}@student.example.nl;"
            f"{crebo};{rng.randint(1, 28)}-{rng.randint(1, 12)}-{rng.choice([2021, 2022, 2023, 2024])};"
            f"{level};{rng.choice(['BOL', 'BBL'])};{rng.choice(['Amstel', 'Zuidas', 'Noord'])};"
            f"{rng.choice('mvx')};{rng.randint(1995, 2006)}\r\n"
        )
    return out.getvalue().encode("utf-8")


def fresh_institution(brin: str):
    """The institution with no graduates, uploads, locations or cohorts left."""
    from alumni.models import Cohort, Graduate, Institution, Location, Upload
    from alumni.services import delete_graduates

    inst, _ = Institution.objects.get_or_create(brin=brin, defaults={"name": f"Bench {brin}"})
    delete_graduates(Graduate.objects.filter(institution=inst))
    Upload.objects.filter(institution=inst).delete()
    Location.objects.filter(institution=inst).delete()
    Cohort.objects.filter(institution=inst).delete()
    return inst


def vacuum() -> None:
    """VACUUM ANALYZE the graduates' table after a clean-up, before a timed run.

    A clean-up leaves its rows dead in the table and its indexes until a vacuum
    (this server runs without autovacuum): a COPY of the same student numbers
    then checks every dead duplicate in the unique index and appends behind the
    dead rows, which made the import's COPY 3x slower than the baseline's, into
    a table created fresh. Vacuumed, both start equal, as in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE alumni_graduate")


def copy_baseline(checked, inst, *, foreign_keys: bool = True) -> float:
    """COPY the same rows, already typed, into a table with alumni_graduate's
    columns, indexes, constraints and triggers, and commit; the seconds of
    COPY + commit."""
    from django.db import connection
    from django.utils import timezone

    from alumni.importing.writing import FIELDS
    from alumni.models import Cohort, Location, Upload

    frame = checked.valid.copy()
    cohorts = dict(Cohort.objects.filter(institution=inst).values_list("school_year", "pk"))
    locations = {
        n.lower(): pk for n, pk in Location.objects.filter(institution=inst).values_list("name", "pk")
    }
    frame["cohort_id"] = frame["school_year"].map(cohorts)
    frame["location_id"] = frame["location"].str.lower().map(locations).astype("Int64")
    now = timezone.now().isoformat()
    frame = frame[FIELDS].copy()
    frame["institution_id"] = inst.pk
    # The same rows as the import writes: each names the upload it came from
    # (one more foreign key checked per row).
    frame["last_upload_id"] = Upload.objects.filter(institution=inst).latest("pk").pk
    frame["preferred_language"] = "nl"
    frame["created_at"] = now
    frame["updated_at"] = now
    columns = ", ".join(frame.columns)
    chunks = []  # serialised before the clock starts: the baseline is COPY alone
    for start in range(0, len(frame), 25_000):
        chunks.append(
            io.StringIO(frame.iloc[start : start + 25_000].to_csv(index=False, header=False, na_rep="\\N"))
        )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_graduate_copy")
        cursor.execute("CREATE TABLE bench_graduate_copy (LIKE alumni_graduate INCLUDING ALL)")
        # The same foreign keys (deferred, checked at commit, as in the real table) …
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'alumni_graduate'::regclass AND contype = 'f'"
        )
        for name, definition in cursor.fetchall() if foreign_keys else []:
            cursor.execute(f"ALTER TABLE bench_graduate_copy ADD CONSTRAINT bench_{name} {definition}")
        # … and the same triggers (the report cube's dirty marks).
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = 'alumni_graduate'::regclass AND NOT tgisinternal"
        )
        for (definition,) in cursor.fetchall():
            cursor.execute(
                definition.replace("TRIGGER ", "TRIGGER bench_", 1).replace(
                    " ON public.alumni_graduate ", " ON public.bench_graduate_copy "
                )
            )
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            start = time.perf_counter()
            for chunk in chunks:
                chunk.seek(0)
                cursor.copy_expert(
                    f"COPY bench_graduate_copy ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", chunk
                )
            connection.commit()  # the deferred foreign-key checks run here, as for the import
            elapsed = time.perf_counter() - start
    finally:
        connection.set_autocommit(True)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_graduate_copy")
    return elapsed


CPU: dict[str, float] = {}  # child CPU seconds by file (or institution emptied), last run


def run_child(args: list[str]) -> tuple[float, float, str]:
    """Run a child process; (wall seconds, its own peak RSS in MB, stdout);
    its CPU seconds are kept in ``CPU`` (on a shared machine, wall time
    includes waiting for a core).
    The child is reaped with ``os.wait4``, which gives that child's peak RSS
    alone (``RUSAGE_CHILDREN`` would give the largest of all children so far)."""
    env = dict(os.environ, DATABASE_URL=BENCH_DATABASE_URL, DJANGO_SETTINGS_MODULE="config.settings.local")
    env.setdefault("LOG_LEVEL", "WARNING")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    CPU[args[-1] if "--empty-child" in args else args[3]] = usage.ru_utime + usage.ru_stime
    if child.returncode != 0:
        raise RuntimeError(f"{args} failed ({child.returncode}): {stderr[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def command(path: Path, brin: str) -> tuple[float, float]:
    seconds, peak, _out = run_child(
        [sys.executable, "manage.py", "import_cohort", str(path), "--institution", brin, "--language", "en"]
    )
    print(f"  import_cohort {path.name}: {seconds:.2f} s wall, {CPU[str(path)]:.2f} s CPU, {peak:.0f} MB")
    return seconds, peak


def empty_in_child(brin: str) -> tuple[float, float]:
    """Empty an institution in a child process of its own: (seconds, peak MB)."""
    return run_child([sys.executable, __file__, "--empty-child", brin])[:2]


def web_import(data: bytes, inst) -> tuple[float, float]:
    """The web flow through the test client: (upload + check seconds, confirm seconds)."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from alumni.models import Membership, Upload

    user, _ = get_user_model().objects.get_or_create(username="bench-import-admin")
    Membership.objects.get_or_create(user=user, institution=inst, role=Membership.Role.ADMIN)
    from django.conf import settings

    host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h), "localhost").lstrip(".")
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    start = time.perf_counter()
    response = client.post(
        reverse("alumni:upload_list"),
        {"institution": inst.pk, "file": SimpleUploadedFile("bench.csv", data, "text/csv")},
    )
    checked = time.perf_counter()
    assert response.status_code == 302, response.status_code
    upload = Upload.objects.filter(institution=inst).latest("pk")
    assert upload.status == Upload.Status.VALIDATED, upload.report.get("problems")
    response = client.post(reverse("alumni:upload_confirm", args=[upload.pk]))
    done = time.perf_counter()
    upload.refresh_from_db()
    assert upload.status == Upload.Status.IMPORTED and upload.rows_new == len(data.splitlines()) - 1
    return checked - start, done - checked


def empty_child(brin: str) -> None:
    setup_django()
    fresh_institution(brin)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=500_000)
    parser.add_argument("--empty-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.empty_child:
        return empty_child(args.empty_child)

    setup_django()
    from alumni.models import Programme
    from alumni.services import check_file

    crebos = list(Programme.objects.filter(source="hks2015").values_list("crebo", "level")[:40])
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    data = make_csv(args.rows, crebos)
    path = folder / "cohort.csv"
    path.write_bytes(data)
    one = folder / "one.csv"
    one.write_bytes(make_csv(1, crebos, seed=3))
    t: dict = {}

    fresh_institution("99ZB")
    vacuum()
    t["command"], t["command_mb"] = command(path, "99ZB")
    t["command_again"], _ = command(path, "99ZB")
    fresh_institution("99ZO")
    vacuum()
    t["command_one"], _ = command(one, "99ZO")
    inst = fresh_institution("99ZW")
    vacuum()
    t["web_check"], t["web_confirm"] = web_import(data, inst)
    with timed(t, "check_only"):
        checked = check_file(data, inst)
    t["copy"] = copy_baseline(checked, inst)
    t["copy_nofk"] = copy_baseline(checked, inst, foreign_keys=False)
    for brin in ("99ZW", "99ZO"):
        fresh_institution(brin)

    n = args.rows
    load = os.getloadavg()[0]
    print(f"\n== bench/import: {n:,} rows, {len(data) / 1e6:.1f} MB CSV, PostgreSQL, load {load:.1f} ==")

    def row(what, seconds):
        return (what, f"{seconds:.2f}", f"{n / seconds:,.0f}", f"{seconds / t['copy']:.2f}x")

    print(
        table(
            [
                row("COPY + commit (same columns, constraints, triggers)", t["copy"]),
                row("  the same without its foreign keys", t["copy_nofk"]),
                row("import_cohort, all new (whole process)", t["command"]),
                row("import_cohort, all unchanged (whole process)", t["command_again"]),
                row("web: upload + check + preview", t["web_check"]),
                row("web: confirm (write + commit)", t["web_confirm"]),
                row("web: both steps", t["web_check"] + t["web_confirm"]),
                row("parse + validate only (in process)", t["check_only"]),
            ],
            ("what", "seconds", "rows/s", "vs COPY"),
        )
    )
    ratio = t["command"] / t["copy"]
    print(f"target: import_cohort <= 3x COPY -> {ratio:.2f}x {'OK' if ratio <= 3 else 'MISSED'}")
    print(
        f"target: 1-row import_cohort < 2 s -> {t['command_one']:.2f} s "
        f"{'OK' if t['command_one'] < 2 else 'MISSED'}"
    )
    print(f"import_cohort of {n:,} rows: peak RSS {t['command_mb']:.0f} MB")

    if args.memory_rows:
        big = folder / "big.csv"
        big.write_bytes(make_csv(args.memory_rows, crebos, seed=2))
        empty_in_child("99ZM")  # a previous run's rows, deleted before (and apart from) the import
        vacuum()
        seconds, peak = command(big, "99ZM")
        delete_seconds, delete_peak = empty_in_child("99ZM")
        print(
            f"\n{args.memory_rows:,} rows ({big.stat().st_size / 1e6:.0f} MB): import_cohort {seconds:.1f} s, "
            f"peak RSS {peak:.0f} MB (target < 1024 MB) -> {'OK' if peak < 1024 else 'MISSED'}; "
            f"deleting them: {delete_seconds:.1f} s, peak RSS {delete_peak:.0f} MB "
            f"-> {'OK' if delete_peak <= peak else 'MISSED'} (as lean as the import)"
        )
    for item in folder.iterdir():
        item.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
