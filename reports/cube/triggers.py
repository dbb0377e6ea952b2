"""The report cube: pre-aggregated counts that are never stale.

Why: a report over a million responses is one pass over the joined rows with
~180 filtered counts, several seconds on a small machine however the query is
tuned. The cube (:class:`reports.models.CubeCell`) holds the same counts
per cell — institution x programme x cohort x wave x pathway x location, the
finest grain any dashboard groups or filters by (level, sector, crebo and
programme group follow from the programme) — so a report adds up a few
thousand cells instead.

The guarantee
-------------
**A report never shows figures older than the data committed when it
started.** Not "refreshed nightly", not "at most a minute old":

1. Database triggers on ``surveys_response``, ``surveys_invitation`` and
   ``alumni_graduate`` record every change that can move a count as a dirty
   slice (cohort x programme x wave, :class:`reports.models.CubeDirty`), in the
   *same transaction* as the change. They fire for every writer: the ORM,
   ``QuerySet.update()``, ``bulk_create``, cascading deletes, raw SQL, a
   TRUNCATE (PostgreSQL; it marks the whole cube). A response counts only
   once completed, so saving the pages of an unfinished survey marks nothing.
2. Before reading, :func:`reports.services.ensure_cube_fresh` checks (a few
   small queries) that the triggers are in place, that the cube was built
   under today's definitions (:func:`definition`: the indicators'
   conditions, the SBI sections, occupation groups and regions, hashed) and
   that no slice is dirty. If anything is off it refreshes first: the dirty
   slices' cells are recomputed from the source tables and swapped in one
   transaction (a definition change, a TRUNCATE or most slices dirty
   rebuild everything).
3. Refreshes are serialised by locking the :class:`~reports.models.CubeState`
   row (an UPDATE, so a row lock on PostgreSQL and the write lock on SQLite).
   A refresh consumes exactly the dirty marks it read *before* recomputing;
   a change committed meanwhile leaves its own dirty row behind for the next
   refresh, so nothing is lost between the read and the delete.

Labels are not in the cube: it stores ids (programme, cohort, location, ...)
and a report joins the names, crebo codes, programme groups, levels and
sectors at read time, so editing reference data needs no refresh.

The beat task ``reports.tasks.refresh_cube`` runs the same refresh every
minute, so a viewer rarely pays for it. What a refresh costs (1M responses,
docs/benchmarks.md): a full rebuild is one pass like the old live report;
a slice costs in proportion to its responses.

Not in the cube (still live queries): the optional weighting (needs gender
and age band per cell), the T1 -> T3 flows, response monitoring by day.

Triggers and the SQLite table rebuild
-------------------------------------
Django alters SQLite tables by copying them, which drops their triggers. So
:func:`install_triggers` runs after every ``migrate`` (``post_migrate``) as
well as in the migration, and the freshness check counts the triggers: if
any is missing it reinstalls them and rebuilds the cube (changes made while
they were missing were not recorded).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import connection

from . import indicators as ind

RESPONSES, INVITATIONS = "n:responses", "n:invitations"
"""Per cell: completed responses and non-pending invitations (which groups exist at all)."""

# Columns whose change moves a count; the triggers watch exactly these
# (tests/reports/test_cube.py checks the indicators use nothing else).
INVITATION_COLUMNS = ("status", "sent_at", "graduate_id", "wave_id")
GRADUATE_COLUMNS = ("institution_id", "cohort_id", "programme_id", "pathway", "location_id")


@dataclass(frozen=True)
class Definition:
    """What the cube is built from: the indicators and their column layout."""

    response_indicators: tuple[ind.Indicator, ...]
    invitation_indicators: tuple[ind.Indicator, ...]
    columns: tuple[str, ...]
    fingerprint: str


def column_name(indicator_key: str, category_key: str) -> str:
    return f"{indicator_key}:{category_key}"


def definition() -> Definition:
    """The indicators of every report (all regions), and a hash of their conditions.

    The region indicator is built over *all* regions: for an institution it
    says "in one of the institution's regions", which is what the per-scope
    indicator of :func:`reports.selectors.report_indicators` says for the
    institutions in its scope, so one cube serves every scope.
    """
    from alumni.models import OccupationGroup, SbiSection

    from .models import Region

    sections = list(SbiSection.objects.order_by("code").values_list("code", "title_nl"))
    groups = list(OccupationGroup.objects.filter(level=1).order_by("code").values_list("code", "title_nl"))
    regions = [
        (sorted(region.institutions.values_list("pk", flat=True)), region.ranges)
        for region in Region.objects.order_by("pk").prefetch_related("institutions")
    ]
    extra = [ind.branch_indicator(sections), ind.occupation_indicator(groups)]
    if any(institutions for institutions, _ in regions):
        extra.append(ind.region_indicator(regions))
    responses = (*ind.INDICATORS, *extra)
    invitations = ind.RESPONSE_INDICATORS
    layout = [(RESPONSES, ""), (INVITATIONS, "")]
    for indicator in (*responses, *invitations):
        for category in indicator.categories:
            layout.append((column_name(indicator.key, category.key), str(category.when)))
    fingerprint = hashlib.sha256(json.dumps(layout).encode()).hexdigest()
    return Definition(responses, invitations, tuple(name for name, _ in layout), fingerprint)


# --- triggers -------------------------------------------------------------------------

TRIGGER_PREFIX = "reports_cube_"
_DIRTY = "INSERT INTO reports_cubedirty (cohort_id, programme_id, wave_id)"


def _distinct(old: str, new: str, columns) -> str:
    return " OR ".join(f"{old}.{c} IS DISTINCT FROM {new}.{c}" for c in columns)


def _postgresql_sql() -> list[str]:
    """Statement triggers for INSERT, DELETE and TRUNCATE (bulk loads, cascades: one
    ``INSERT ... SELECT DISTINCT`` per statement), row triggers for UPDATE whose
    ``WHEN`` is checked without calling any function, so saving a page of an
    unfinished survey (the survey's hot path) costs nothing."""
    p = TRIGGER_PREFIX
    response_key = (
        f"{_DIRTY} SELECT g.cohort_id, g.programme_id, i.wave_id FROM surveys_invitation i"
        " JOIN alumni_graduate g ON g.id = i.graduate_id WHERE i.id = {row}.invitation_id"
    )
    invitation_key = (
        f"{_DIRTY} SELECT g.cohort_id, g.programme_id, {{row}}.wave_id FROM alumni_graduate g"
        " WHERE g.id = {row}.graduate_id"
    )
    functions = [
        f"""
        CREATE OR REPLACE FUNCTION {p}mark_responses() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                {_DIRTY} SELECT DISTINCT g.cohort_id, g.programme_id, i.wave_id
                FROM old_rows r JOIN surveys_invitation i ON i.id = r.invitation_id
                JOIN alumni_graduate g ON g.id = i.graduate_id WHERE r.completed_at IS NOT NULL;
            ELSE
                {_DIRTY} SELECT DISTINCT g.cohort_id, g.programme_id, i.wave_id
                FROM new_rows r JOIN surveys_invitation i ON i.id = r.invitation_id
                JOIN alumni_graduate g ON g.id = i.graduate_id WHERE r.completed_at IS NOT NULL;
            END IF;
            RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION {p}mark_response_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.completed_at IS NOT NULL THEN
                {response_key.format(row="OLD")};
            END IF;
            IF NEW.completed_at IS NOT NULL
                    AND (OLD.completed_at IS NULL OR OLD.invitation_id <> NEW.invitation_id) THEN
                {response_key.format(row="NEW")};
            END IF;
            RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION {p}mark_invitations() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                {_DIRTY} SELECT DISTINCT g.cohort_id, g.programme_id, r.wave_id
                FROM old_rows r JOIN alumni_graduate g ON g.id = r.graduate_id;
            ELSE
                {_DIRTY} SELECT DISTINCT g.cohort_id, g.programme_id, r.wave_id
                FROM new_rows r JOIN alumni_graduate g ON g.id = r.graduate_id;
            END IF;
            RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION {p}mark_invitation_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {invitation_key.format(row="OLD")};
            IF OLD.graduate_id <> NEW.graduate_id OR OLD.wave_id <> NEW.wave_id THEN
                {invitation_key.format(row="NEW")};
            END IF;
            RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION {p}mark_graduates() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_DIRTY} SELECT DISTINCT cohort_id, programme_id, NULL::integer FROM old_rows;
            RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION {p}mark_graduate_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_DIRTY} VALUES (OLD.cohort_id, OLD.programme_id, NULL);
            IF OLD.cohort_id <> NEW.cohort_id OR OLD.programme_id <> NEW.programme_id THEN
                {_DIRTY} VALUES (NEW.cohort_id, NEW.programme_id, NULL);
            END IF;
            RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION {p}mark_all() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_DIRTY} VALUES (NULL, NULL, NULL);
            RETURN NULL;
        END $$""",
    ]
    row_conditions = {
        "surveys_response": "OLD.completed_at IS NOT NULL OR NEW.completed_at IS NOT NULL",
        "surveys_invitation": _distinct("OLD", "NEW", INVITATION_COLUMNS),
        "alumni_graduate": _distinct("OLD", "NEW", GRADUATE_COLUMNS),
    }
    triggers = []
    for table, statement_function, row_function, events in (
        ("surveys_response", "mark_responses", "mark_response_row", ("INSERT", "DELETE")),
        ("surveys_invitation", "mark_invitations", "mark_invitation_row", ("INSERT", "DELETE")),
        ("alumni_graduate", "mark_graduates", "mark_graduate_row", ("DELETE",)),
    ):
        for event in events:
            rows = "NEW TABLE AS new_rows" if event == "INSERT" else "OLD TABLE AS old_rows"
            triggers.append(
                (
                    f"{p}{table}_{event.lower()}",
                    table,
                    f"AFTER {event} ON {table} REFERENCING {rows}"
                    f" FOR EACH STATEMENT EXECUTE FUNCTION {p}{statement_function}()",
                )
            )
        triggers.append(
            (
                f"{p}{table}_update",
                table,
                f"AFTER UPDATE ON {table} FOR EACH ROW WHEN ({row_conditions[table]})"
                f" EXECUTE FUNCTION {p}{row_function}()",
            )
        )
        triggers.append(
            (
                f"{p}{table}_truncate",
                table,
                f"AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {p}mark_all()",
            )
        )
    statements = list(functions)
    for name, table, body in triggers:
        statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"CREATE TRIGGER {name} {body}"]
    return statements


def _sqlite_sql() -> list[str]:
    """Row triggers (SQLite has no statement triggers), same marks as on PostgreSQL."""

    def key_of_response(row: str) -> str:
        return (
            f"{_DIRTY} SELECT g.cohort_id, g.programme_id, i.wave_id FROM surveys_invitation i"
            f" JOIN alumni_graduate g ON g.id = i.graduate_id WHERE i.id = {row}.invitation_id"
        )

    def key_of_invitation(row: str) -> str:
        return (
            f"{_DIRTY} SELECT g.cohort_id, g.programme_id, {row}.wave_id FROM alumni_graduate g"
            f" WHERE g.id = {row}.graduate_id"
        )

    def changed(columns) -> str:
        return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)

    p = TRIGGER_PREFIX
    creates = [
        f"""CREATE TRIGGER {p}surveys_response_insert AFTER INSERT ON surveys_response
        WHEN NEW.completed_at IS NOT NULL BEGIN {key_of_response("NEW")}; END""",
        f"""CREATE TRIGGER {p}surveys_response_update AFTER UPDATE ON surveys_response
        WHEN OLD.completed_at IS NOT NULL OR NEW.completed_at IS NOT NULL BEGIN
            {key_of_response("OLD")} AND OLD.completed_at IS NOT NULL;
            {key_of_response("NEW")} AND NEW.completed_at IS NOT NULL;
        END""",
        f"""CREATE TRIGGER {p}surveys_response_delete AFTER DELETE ON surveys_response
        WHEN OLD.completed_at IS NOT NULL BEGIN {key_of_response("OLD")}; END""",
        f"""CREATE TRIGGER {p}surveys_invitation_insert AFTER INSERT ON surveys_invitation
        BEGIN {key_of_invitation("NEW")}; END""",
        f"""CREATE TRIGGER {p}surveys_invitation_update AFTER UPDATE ON surveys_invitation
        WHEN {changed(INVITATION_COLUMNS)} BEGIN {key_of_invitation("OLD")}; {key_of_invitation("NEW")}; END""",
        f"""CREATE TRIGGER {p}surveys_invitation_delete AFTER DELETE ON surveys_invitation
        BEGIN {key_of_invitation("OLD")}; END""",
        f"""CREATE TRIGGER {p}alumni_graduate_update AFTER UPDATE ON alumni_graduate
        WHEN {changed(GRADUATE_COLUMNS)} BEGIN
            {_DIRTY} VALUES (OLD.cohort_id, OLD.programme_id, NULL), (NEW.cohort_id, NEW.programme_id, NULL);
        END""",
        f"""CREATE TRIGGER {p}alumni_graduate_delete AFTER DELETE ON alumni_graduate
        BEGIN {_DIRTY} VALUES (OLD.cohort_id, OLD.programme_id, NULL); END""",
    ]
    drops = [f"DROP TRIGGER IF EXISTS {sql.split()[2]}" for sql in creates]
    return drops + creates


def trigger_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return _postgresql_sql()
    if vendor == "sqlite":
        return _sqlite_sql()
    raise NotImplementedError(f"the report cube has no triggers for {vendor}")


def expected_triggers(vendor: str) -> int:
    return sum(1 for sql in trigger_sql(vendor) if sql.lstrip().startswith("CREATE TRIGGER"))


def installed_triggers(using=None) -> int:
    """How many of the cube's triggers the database has (a cheap catalogue query)."""
    conn = connection if using is None else using
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
        return cursor.fetchone()[0]


def install_triggers(schema_editor=None, *, using=None, force: bool = True) -> bool:
    """(Re)create the triggers; True if any was missing.

    Idempotent: ``force`` (migrations, ``post_migrate``) replaces them all, so
    a changed trigger reaches every database; without it only a database
    missing one is touched. When triggers were missing, changes made meanwhile
    went unrecorded, so the whole cube is marked dirty.
    """
    conn = schema_editor.connection if schema_editor is not None else (using or connection)
    missing = installed_triggers(conn) < expected_triggers(conn.vendor)
    if not (missing or force):
        return False
    with conn.cursor() as cursor:
        for sql in trigger_sql(conn.vendor):
            cursor.execute(sql)
        if missing:
            cursor.execute(f"{_DIRTY} VALUES (NULL, NULL, NULL)")
    return missing


def remove_triggers(schema_editor) -> None:
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            for table in ("surveys_response", "surveys_invitation", "alumni_graduate"):
                for event in ("insert", "update", "delete", "truncate"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}{table}_{event} ON {table}")
            for function in (
                "mark_responses",
                "mark_response_row",
                "mark_invitations",
                "mark_invitation_row",
                "mark_graduates",
                "mark_graduate_row",
                "mark_all",
            ):
                cursor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER_PREFIX}{function}()")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
