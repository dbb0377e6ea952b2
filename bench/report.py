"""Benchmark: the full report and the raw export at 1,000,000 responses.

    python bench/report.py [--graduates 500000] [--crebos 50] [--institutions 10]

1. Generates graduates, T1 and T3 invitations and a completed response for
   every invitation in PostgreSQL with INSERT ... SELECT generate_series
   (10 institutions, 50 programmes, 5 cohorts; 1M responses by default).
2. Rebuilds the report cube (``reports.cube``) from scratch and prints
   what that costs: the price of the pre-aggregation, paid after a bulk load,
   a TRUNCATE or a change of definitions (a new region, SBI section ...).
3. Times the product's full crebo x institution x wave report from the
   fresh cube (the cross-institution view: the freshness check, adding up
   the cells, every indicator table, pooling of non-consenting
   institutions, disclosure control, rounding) and, in the same run, one
   hand-written SQL ``GROUP BY`` that computes the same counts from the
   response rows (what a live report cannot beat: the database work alone).
4. Changes 1,000 random completed responses (raw SQL, as any writer could)
   and times the incremental refresh of the dirty slices, then the same
   again timing the first report after the change (it refreshes itself),
   and checks the refreshed cube against a recount from the source tables.
5. Times the streamed raw export of all rows (the view's generator, as the
   web server would consume it) against ``COPY (SELECT ...) TO STDOUT`` of
   the same rows, and measures the export's peak memory in a child process.

Targets (issue #5): report <= 3x the raw query and < 2 s; export <= 3x COPY,
memory flat.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_django, table, timed

ACTIVITY = (
    ["employee"] * 38 + ["agency"] * 6 + ["zzp"] * 7 + ["business"] * 2 + ["bbl"] * 5 + ["studying"] * 25
    + ["unpaid"] * 2 + ["caring"] * 2 + ["unemployed"] * 6 + ["ill"] * 2 + ["gap_year"] * 3 + ["other"] * 2
)  # fmt: skip


def _pick(values, seed_expr="random()"):
    array = "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"
    return f"({array})[1 + floor({seed_expr} * {len(values)})::int]"


RESPONSE_COLUMNS = """invitation_id, instrument_version, language, current_page, last_saved_page,
                started_at, updated_at, completed_at,
                activity_employee, activity_agency, activity_zzp, activity_business, activity_bbl, activity_studying,
                activity_unpaid, activity_caring, activity_unemployed, activity_ill, activity_gap_year, activity_other,
                main_activity, hours_per_week, looked_for_work, available_for_work, benefit, contract,
                self_employment_reason, job_title, job_tasks, employer_name, workplace, workplace_postcode,
                level_match, field_match, diploma_needed, job_route, study_level, study_related,
                meaningful, fits_plans, uses_learning, preparation,
                missed_knowledge, missed_social, missed_entrepreneurial, missed_digital, missed_dutch, missed_english,
                missed_none, choose_again, wage_band, network_guest_lessons, network_mentoring,
                network_employer_contacts, career_new_diploma, branch_id, occupation_group_id"""
KNOWN_RESPONSE_COLUMNS = {c.strip() for c in RESPONSE_COLUMNS.split(",")}


def _defaults_of_other_columns(cur) -> tuple[str, str]:
    """Columns of surveys_response this generator does not fill, with their model defaults.

    Why: the response model grows (e.g. a ``revision`` counter) and a NOT NULL
    column without a database default would make the INSERT fail.
    """
    from django.db.models import NOT_PROVIDED

    from surveys.models import Response

    columns, values = [], []
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'surveys_response'"
        " AND is_nullable = 'NO' AND column_default IS NULL"
    )
    required = {row[0] for row in cur.fetchall()}
    for field in Response._meta.concrete_fields:
        if field.column in required and field.column not in KNOWN_RESPONSE_COLUMNS:
            if field.default is NOT_PROVIDED or callable(field.default):
                continue
            columns.append(field.column)
            values.append(cur.mogrify("%s", [field.default]).decode())
    return "".join(f", {c}" for c in columns), "".join(f", {v}" for v in values)


def generate(graduates: int, crebos: int, institutions: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE surveys_response, surveys_invitationevent, surveys_outboundemail, surveys_invitation,"
            " alumni_graduate, alumni_cohort, alumni_location, alumni_upload CASCADE"
        )
        cur.execute("DELETE FROM alumni_membership")
        cur.execute("DELETE FROM reports_region_institutions")
        cur.execute("DELETE FROM alumni_institution")
        cur.execute("SELECT setseed(0.5)")
        for i in range(institutions):
            cur.execute(
                "INSERT INTO alumni_institution (brin, name, consent_to_be_named, created_at) VALUES (%s, %s, %s, now())",
                [f"{90 + i // 26}{chr(65 + i % 26)}Q", f"Bench instelling {i}", i % 10 < 7],
            )
        cur.execute("SELECT array_agg(id ORDER BY id) FROM alumni_institution")
        inst_ids = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO alumni_cohort (institution_id, school_year) "
            "SELECT i, y FROM unnest(%s::int[]) i, generate_series(2019, 2023) y",
            [inst_ids],
        )
        cur.execute(
            "SELECT array_agg(id ORDER BY crebo) FROM (SELECT id, crebo FROM alumni_programme "
            "WHERE source = 'hks2015' ORDER BY crebo LIMIT %s) p",
            [crebos],
        )
        prog_ids = cur.fetchone()[0]
        cur.execute(
            f"""
            INSERT INTO alumni_graduate (institution_id, student_number, first_name, name_prefix, last_name, email,
                private_email, programme_id, diploma_date, cohort_id, level, pathway, location_id, gender,
                birth_year, preferred_language, created_at, updated_at)
            SELECT inst, lpad(g::text, 9, '0'), 'Bench', '', 'Graduate' || g, 'b' || g || '@student.example',
                   '', prog, make_date(yr + 1, 7, 1), c.id, NULL, {_pick(["BOL", "BOL", "BBL"])}, NULL,
                   {_pick(["m", "v", "v", "x"])}, yr + 1 - (17 + floor(random() * 9)::int), 'nl', now(), now()
            FROM (
                SELECT g, (%s::int[])[1 + g %% %s] AS inst, (%s::int[])[1 + (g / 7) %% %s] AS prog,
                       2019 + (g / 3) %% 5 AS yr
                FROM generate_series(1, %s) g
            ) s JOIN alumni_cohort c ON c.institution_id = s.inst AND c.school_year = s.yr
            """,
            [inst_ids, len(inst_ids), prog_ids, len(prog_ids), graduates],
        )
        cur.execute(
            """
            INSERT INTO surveys_invitation (graduate_id, wave_id, token, status, due_on, created_at, sent_on, sent_at,
                reminders_sent, completed_at)
            SELECT g.id, w.id, md5(g.id::text || w.code), 'completed', g.diploma_date, now(), g.diploma_date,
                   now(), 0, now()
            FROM alumni_graduate g CROSS JOIN surveys_wave w
            """
        )
        paid = "main_activity IN ('employee','agency','zzp','business','bbl')"
        other_columns, other_values = _defaults_of_other_columns(cur)
        cur.execute(
            f"""
            INSERT INTO surveys_response ({RESPONSE_COLUMNS}{other_columns})
            SELECT id, '1', 'nl', 'done', '', now(), now(), now(),
                main_activity = 'employee', main_activity = 'agency', main_activity = 'zzp',
                main_activity = 'business', main_activity = 'bbl', main_activity = 'studying',
                main_activity = 'unpaid', main_activity = 'caring', main_activity = 'unemployed',
                main_activity = 'ill', main_activity = 'gap_year', main_activity = 'other',
                main_activity,
                CASE WHEN {paid} THEN 4 + floor(random() * 42)::int END,
                CASE WHEN NOT {paid} THEN random() < 0.4 END,
                CASE WHEN NOT {paid} THEN random() < 0.5 END,
                {_pick(["none"] * 6 + ["ww", "bijstand", "disability", "other", "declined", ""])},
                CASE WHEN main_activity IN ('zzp','business') THEN {_pick(["zzp", "owner"])}
                     WHEN {paid} THEN {_pick(["permanent", "temp_prospect", "temporary", "agency", "on_call", "bbl", ""])}
                     ELSE '' END,
                CASE WHEN main_activity IN ('zzp','business')
                     THEN {_pick(["own_choice", "both", "necessity", "client_required", ""])} ELSE '' END,
                CASE WHEN {paid} THEN 'Functie' ELSE '' END, '', '', '',
                CASE WHEN {paid} THEN (1000 + floor(random() * 1000)::int)::text ELSE '' END,
                CASE WHEN {paid} THEN {_pick(["higher", "same", "same", "lower", "none", ""])} ELSE '' END,
                CASE WHEN {paid} THEN {_pick(["own", "own", "related", "other", "any", ""])} ELSE '' END,
                CASE WHEN {paid} THEN {_pick(["level_field", "level", "field", "advantage", "not_required", "dont_know"])} ELSE '' END,
                CASE WHEN {paid} THEN {_pick(["internship", "school", "vacancy", "network", "own_business", "other"])} ELSE '' END,
                CASE WHEN main_activity = 'studying' THEN {_pick(["mbo", "ad", "hbo", "hbo", "wo", "other"])} ELSE '' END,
                '',
                1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int,
                1 + floor(random() * 5)::int,
                false, false, false, false, false, false, false,
                {_pick(["yes", "yes", "maybe", "no", ""])},
                CASE WHEN {paid} THEN {_pick(["0500", "1000", "1500", "2000", "2500", "3000", "3500", "4000", "declined"])} ELSE '' END,
                random() < 0.1, false, false, '',
                CASE WHEN {paid} THEN {_pick(list("ABCDEFGHIJ"))} END,
                CASE WHEN {paid} THEN {_pick(list("123456789"))} END{other_values}
            FROM (SELECT id, {_pick(ACTIVITY)} AS main_activity FROM surveys_invitation) s
            """
        )
        cur.execute("ANALYZE")


# --- the baseline: one hand-written GROUP BY with the same counts -----------------


def _one_per_value(column: str, values, given: str = "") -> list[str]:
    """``[given AND] r.<column> = '<value>'`` for each value: one category per answer."""
    prefix = f"{given} AND " if given else ""
    return [f"{prefix}r.{column} = '{value}'" for value in values]


def baseline_sql() -> str:
    """The same categories as reports/indicators.py, written as plain SQL conditions."""
    paid = "r.main_activity IN ('employee','agency','zzp','business','bbl')"
    resp = "r.main_activity <> ''"
    unemployed = f"{resp} AND NOT {paid} AND r.looked_for_work AND r.available_for_work"
    studying = "r.main_activity = 'studying'"
    conditions = _one_per_value("main_activity", sorted(set(ACTIVITY)))
    conditions += [paid, f"{resp} AND NOT {paid}"]
    for hours in (12, 35):
        conditions += [
            f"{paid} AND r.hours_per_week >= {hours}",
            f"({resp} AND NOT {paid}) OR ({paid} AND r.hours_per_week < {hours})",
        ]
    conditions += _one_per_value("study_level", ("mbo", "ad", "hbo", "wo"), studying)
    conditions += [
        f"{studying} AND r.study_level IN ('other', '')",
        f"{resp} AND r.main_activity <> 'studying'",
    ]
    conditions += _one_per_value("benefit", ("none", "ww", "bijstand", "disability", "other", "declined"))
    conditions += [
        "r.benefit IN ('ww','bijstand','disability','other')",
        "r.benefit = 'none'",
        "r.benefit = 'declined'",
    ]
    conditions += [unemployed, f"{resp} AND NOT ({unemployed})", unemployed, paid]
    conditions += [
        f"{paid} AND r.main_activity IN ('zzp','business')",
        f"{paid} AND r.main_activity NOT IN ('zzp','business')",
    ]
    conditions += _one_per_value(
        "self_employment_reason", ("own_choice", "both", "necessity", "client_required")
    )
    conditions += [
        f"{paid} AND r.contract IN ({x})"
        for x in ("'permanent'", "'temp_prospect','temporary','bbl'", "'agency','on_call'", "'zzp','owner'")
    ]
    conditions += _one_per_value("field_match", ("own", "related", "other", "any"), paid)
    conditions += _one_per_value("level_match", ("higher", "same", "lower", "none"), paid)
    conditions += [
        f"{paid} AND r.level_match IN ('higher','same')",
        f"{paid} AND r.level_match IN ('lower','none')",
    ]
    conditions += _one_per_value(
        "diploma_needed", ("level_field", "level", "field", "advantage", "not_required", "dont_know"), paid
    )
    conditions += _one_per_value(
        "job_route", ("internship", "school", "vacancy", "network", "own_business", "other"), paid
    )
    for scale in ("preparation", "meaningful", "fits_plans", "uses_learning"):
        conditions += [f"r.{scale} = {k}" for k in range(1, 6)]
    conditions += _one_per_value("choose_again", ("yes", "maybe", "no"))
    conditions += _one_per_value(
        "wage_band",
        ("0000", "0500", "1000", "1500", "2000", "2500", "3000", "3500", "4000"),
        f"{paid} AND r.hours_per_week >= 35",
    )
    conditions += _one_per_value("branch_id", "ABCDEFGHIJKLMNOPQRSTU", paid)
    conditions += _one_per_value("occupation_group_id", "0123456789", paid)
    counts = ",\n".join(f"COUNT(*) FILTER (WHERE {c})" for c in conditions)
    return f"""
        SELECT p.crebo, i.brin, w.code, {counts}
        FROM surveys_response r
        JOIN surveys_invitation v ON v.id = r.invitation_id
        JOIN surveys_wave w ON w.id = v.wave_id
        JOIN alumni_graduate g ON g.id = v.graduate_id
        JOIN alumni_programme p ON p.id = g.programme_id
        JOIN alumni_institution i ON i.id = g.institution_id
        WHERE r.completed_at IS NOT NULL
        GROUP BY p.crebo, i.brin, w.code
    """


INVITATION_SQL = """
    SELECT p.crebo, i.brin, w.code,
        COUNT(*) FILTER (WHERE v.sent_at IS NOT NULL AND v.status <> 'bounced'),
        COUNT(*) FILTER (WHERE NOT (v.sent_at IS NOT NULL AND v.status <> 'bounced')),
        COUNT(*) FILTER (WHERE v.sent_at IS NOT NULL AND v.status <> 'bounced' AND r.completed_at IS NOT NULL),
        COUNT(*) FILTER (WHERE v.sent_at IS NOT NULL AND v.status <> 'bounced' AND r.completed_at IS NULL)
    FROM surveys_invitation v
    LEFT JOIN surveys_response r ON r.invitation_id = v.id
    JOIN surveys_wave w ON w.id = v.wave_id
    JOIN alumni_graduate g ON g.id = v.graduate_id
    JOIN alumni_programme p ON p.id = g.programme_id
    JOIN alumni_institution i ON i.id = g.institution_id
    WHERE v.status <> 'pending'
    GROUP BY p.crebo, i.brin, w.code
"""


def raw_baseline() -> float:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(baseline_sql())
        rows = cur.fetchall()
        cur.execute(INVITATION_SQL)
        rows += cur.fetchall()
    elapsed = time.perf_counter() - start
    assert rows
    return elapsed


def change_responses(count: int, seed: int) -> None:
    """Change answers of ``count`` random completed responses in one raw UPDATE (the triggers mark them)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [seed / 10])
        cur.execute(
            f"""
            UPDATE surveys_response SET choose_again = {_pick(["yes", "maybe", "no", ""])},
                preparation = 1 + floor(random() * 5)::int
            WHERE id IN (SELECT id FROM surveys_response WHERE completed_at IS NOT NULL
                         ORDER BY random() LIMIT %s)
            """,
            [count],
        )


def cube_matches_sources() -> bool:
    """Every cube cell against a recount of the source tables (the incremental refresh is exact)."""
    from reports.cube import recount
    from reports.cube.definition import cube_definition
    from reports.cube.models import CubeCell

    stored = {
        (c.institution_id, c.programme_id, c.cohort_id, c.wave_id, c.pathway, c.location_id): c.counts
        for c in CubeCell.objects.all()
    }
    return stored == recount.cell_counts(cube_definition())


def product_report():
    from reports.filters import Filters
    from reports.report import build_report
    from reports.scoping import all_institutions_access

    start = time.perf_counter()
    report = build_report(
        all_institutions_access(None), Filters(), ("crebo", "institution", "wave"), transitions=False
    )
    elapsed = time.perf_counter() - start
    return elapsed, report


# --- the raw export ---------------------------------------------------------------


def export_child(mode: str) -> None:
    """Child process: consume the streamed export (or COPY) into /dev/null, print seconds and peak RSS."""
    setup_django()
    from django.db import connection

    from alumni.models import Institution
    from reports import exports
    from reports.filters import Filters, Scope
    from reports.selectors.personal_data import raw_rows

    scope = Scope(list(Institution.objects.values_list("pk", flat=True)))
    queryset = raw_rows(scope, Filters())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    size = rows = 0
    with open("/dev/null", "w") as sink:
        if mode == "stream":
            for chunk in exports.raw_rows_csv(queryset):
                sink.write(chunk)
                size += len(chunk)
        else:
            sql, params = queryset.query.sql_with_params()
            with connection.cursor() as cur:
                copy_sql = cur.mogrify(sql, params).decode()
                cur.copy_expert(f"COPY ({copy_sql}) TO STDOUT WITH (FORMAT csv, DELIMITER ';', HEADER)", sink)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del rows
    print(json.dumps({"seconds": elapsed, "peak_mb": peak, "before_mb": before, "chars": size}))


def run_child(mode: str, extra_args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--export-child", mode, *extra_args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--graduates", type=int, default=500_000, help="2 responses (T1, T3) per graduate")
    parser.add_argument("--crebos", type=int, default=50)
    parser.add_argument("--institutions", type=int, default=10)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument(
        "--changes", type=int, default=1000, help="responses changed before the incremental refresh"
    )
    parser.add_argument("--export-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        return export_child(args.export_child)
    setup_django()
    from reports.cube import refresh
    from surveys.models import Response

    results = {}
    if not args.skip_generate:
        with timed(results, "generate"):
            generate(args.graduates, args.crebos, args.institutions)
    responses = Response.objects.count()
    print(f"responses in PostgreSQL: {responses:,} (generated in {results.get('generate', 0):.1f} s)")
    rebuild = refresh.refresh_cube(full=True)
    print(f"full cube rebuild: {rebuild.as_text()}")
    raw_baseline()  # warm the caches once for both sides
    product_report()
    raws, products = [], []
    for _ in range(3):
        raws.append(raw_baseline())
        elapsed, report = product_report()
        products.append(elapsed)
    raw, product = min(raws), min(products)
    rows = len(report.tables[0].table.counts)
    print(f"report: {len(report.all_tables())} tables, {rows} rows each (crebo x institution x wave + total)")
    change_responses(args.changes, seed=1)
    incremental = refresh.refresh_cube()
    print(f"incremental refresh after {args.changes:,} changed responses: {incremental.as_text()}")
    change_responses(args.changes, seed=2)
    first_viewer, _ = product_report()
    print(f"first report after another {args.changes:,} changes (refreshes itself): {first_viewer:.2f} s")
    start = time.perf_counter()
    assert cube_matches_sources(), "the refreshed cube differs from a recount of the source tables"
    print(f"cube = recount from the source tables after both refreshes ({time.perf_counter() - start:.1f} s)")
    stream = run_child("stream", [])
    copy = run_child("copy", [])
    print(
        table(
            [
                ("raw SQL GROUP BY (same counts)", f"{raw:.2f}", "1.00", ""),
                (
                    "full report (build_report), fresh cube",
                    f"{product:.2f}",
                    f"{product / raw:.2f}",
                    "<= 3x and < 2 s",
                ),
                (
                    "full cube rebuild",
                    f"{rebuild.seconds:.2f}",
                    f"{rebuild.seconds / raw:.2f}",
                    f"{rebuild.cells:,} cells",
                ),
                (
                    f"incremental refresh, {args.changes:,} changed responses",
                    f"{incremental.seconds:.2f}",
                    f"{incremental.seconds / raw:.2f}",
                    f"{incremental.slices:,} slices",
                ),
                (
                    "first report after such a change",
                    f"{first_viewer:.2f}",
                    f"{first_viewer / raw:.2f}",
                    "refresh + report",
                ),
                ("COPY ... TO STDOUT", f"{copy['seconds']:.2f}", "1.00", f"peak {copy['peak_mb']:.0f} MB"),
                (
                    "streamed raw export",
                    f"{stream['seconds']:.2f}",
                    f"{stream['seconds'] / copy['seconds']:.2f}",
                    f"peak {stream['peak_mb']:.0f} MB (start {stream['before_mb']:.0f} MB), <= 3x",
                ),
            ],
            ("step", "seconds", "ratio", "note"),
        )
    )


if __name__ == "__main__":
    main()
