"""Benchmark: cohort import (parse + validate + upsert) vs. a bare PostgreSQL COPY.

    python bench/import.py [--rows 100000] [--memory-rows 500000]

1. Generates a realistic cohort CSV (Dutch Excel: ';', Dutch dates).
2. Imports it with the product's own service (the same code path as the
   web page and ``import_cohort``) into an empty institution, then imports the
   same file again (every row unchanged).
3. In the same run, COPYs the same rows, already converted, into a table of
   the same shape (``LIKE alumni_graduate INCLUDING ALL``): the floor that
   any import into PostgreSQL has to pay.
4. In a child process, imports a 500,000-row file and reports its peak RSS.

Target (issue #2): full import <= 4x the COPY time; peak memory for 500k rows < 1 GB.
"""

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_django, table, timed

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
    from alumni.models import Cohort, Graduate, Institution, Location, Upload

    inst, _ = Institution.objects.get_or_create(brin=brin, defaults={"name": f"Bench {brin}"})
    Graduate.objects.filter(institution=inst).delete()
    Upload.objects.filter(institution=inst).delete()
    Location.objects.filter(institution=inst).delete()
    Cohort.objects.filter(institution=inst).delete()
    return inst


def copy_baseline(checked, inst, *, foreign_keys: bool = True) -> float:
    """COPY the same rows, already typed, into a table shaped like alumni_graduate."""
    from django.db import connection, transaction
    from django.utils import timezone

    from alumni.importing.writing import FIELDS
    from alumni.models import Cohort, Location

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
    frame["preferred_language"] = "nl"
    frame["created_at"] = now
    frame["updated_at"] = now
    columns = ", ".join(frame.columns)
    chunks = []  # serialised before the clock starts: the baseline is COPY alone
    for start in range(0, len(frame), 25_000):
        chunks.append(
            io.StringIO(frame.iloc[start : start + 25_000].to_csv(index=False, header=False, na_rep="\\N"))
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_graduate_copy")
        cursor.execute("CREATE TABLE bench_graduate_copy (LIKE alumni_graduate INCLUDING ALL)")
        # Same shape includes the same foreign keys (checked at commit, as in the real table).
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'alumni_graduate'::regclass AND contype = 'f'"
        )
        for name, definition in cursor.fetchall() if foreign_keys else []:
            cursor.execute(f"ALTER TABLE bench_graduate_copy ADD CONSTRAINT bench_{name} {definition}")
        start = time.perf_counter()
        for chunk in chunks:
            chunk.seek(0)
            cursor.copy_expert(
                f"COPY bench_graduate_copy ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", chunk
            )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # pay the deferred FK checks inside the timing
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_graduate_copy")
    return elapsed


def memory_child(rows: int) -> None:
    """Run in a child process: import `rows` rows, print peak RSS as JSON."""
    setup_django()
    from alumni.models import Programme
    from alumni.services import import_file

    crebos = list(Programme.objects.filter(source="hks2015").values_list("crebo", "level")[:40])
    data = make_csv(rows, crebos, seed=2)
    inst = fresh_institution("99ZM")
    start = time.perf_counter()
    outcome = import_file(institution=inst, data=data, file_name="bench-500k.csv")
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": rows,
                "new": outcome.counts.new,
                "seconds": elapsed,
                "peak_mb": peak_mb,
                "file_mb": len(data) / 1e6,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=500_000)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        return memory_child(args.memory_child)

    setup_django()
    from alumni.models import Programme
    from alumni.services import check_file, import_file

    crebos = list(Programme.objects.filter(source="hks2015").values_list("crebo", "level")[:40])
    data = make_csv(args.rows, crebos)
    inst = fresh_institution("99ZB")
    t: dict = {}
    with timed(t, "import"):
        first = import_file(institution=inst, data=data, file_name="bench.csv")
    assert first.counts.new == args.rows, first.counts
    with timed(t, "reimport"):
        again = import_file(institution=inst, data=data, file_name="bench.csv")
    assert again.counts.unchanged == args.rows, again.counts
    with timed(t, "check_only"):
        checked = check_file(data, inst)
    t["copy"] = copy_baseline(checked, inst)
    t["copy_nofk"] = copy_baseline(checked, inst, foreign_keys=False)

    print(f"\n== bench/import: {args.rows:,} rows, {len(data) / 1e6:.1f} MB CSV, PostgreSQL ==")
    rows = [
        (
            "COPY baseline (same rows, same table shape)",
            f"{t['copy']:.2f}",
            f"{args.rows / t['copy']:,.0f}",
            "1.00x",
        ),
        (
            "COPY into the same table without its FKs",
            f"{t['copy_nofk']:.2f}",
            f"{args.rows / t['copy_nofk']:,.0f}",
            f"{t['copy_nofk'] / t['copy']:.2f}x",
        ),
        (
            "parse + validate only",
            f"{t['check_only']:.2f}",
            f"{args.rows / t['check_only']:,.0f}",
            f"{t['check_only'] / t['copy']:.2f}x",
        ),
        (
            "full import, all new",
            f"{t['import']:.2f}",
            f"{args.rows / t['import']:,.0f}",
            f"{t['import'] / t['copy']:.2f}x",
        ),
        (
            "re-import, all unchanged",
            f"{t['reimport']:.2f}",
            f"{args.rows / t['reimport']:,.0f}",
            f"{t['reimport'] / t['copy']:.2f}x",
        ),
    ]
    print(table(rows, ("what", "seconds", "rows/s", "vs COPY")))
    ratio = t["import"] / t["copy"]
    print(f"target: full import <= 4x COPY -> {ratio:.2f}x {'OK' if ratio <= 4 else 'MISSED'}")

    if args.memory_rows:
        child = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(args.memory_rows)],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"\n{result['rows']:,} rows ({result['file_mb']:.0f} MB): imported in {result['seconds']:.1f} s, "
            f"peak RSS {result['peak_mb']:.0f} MB (target < 1024 MB) -> "
            f"{'OK' if result['peak_mb'] < 1024 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
