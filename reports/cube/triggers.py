"""The triggers that mark changed slices dirty, on PostgreSQL and SQLite.

Every change that can move a count (a completed response, an invitation's
status or sending, a graduate's programme, cohort, pathway or location)
inserts a :class:`~reports.cube.models.CubeDirty` row naming its cohort x
programme x wave slice, in the same transaction, for every writer (see
``reports.cube``). Installed by the migration and after every ``migrate``
(``reports.apps``), and again by a refresh that finds one missing.
"""

from __future__ import annotations

from django.db import connection

# Columns whose change moves a count; the triggers watch exactly these
# (tests/reports/test_cube.py checks the indicators use nothing else).
INVITATION_COLUMNS = ("status", "sent_at", "graduate_id", "wave_id")
GRADUATE_COLUMNS = ("institution_id", "cohort_id", "programme_id", "pathway", "location_id")

TRIGGER_PREFIX = "reports_cube_"
_DIRTY = "INSERT INTO reports_cubedirty (cohort_id, programme_id, wave_id)"


def _mark_response(row: str) -> str:
    """Mark the slice of the response ``row`` (``OLD`` or ``NEW``), found through its invitation."""
    return (
        f"{_DIRTY} SELECT g.cohort_id, g.programme_id, i.wave_id FROM surveys_invitation i"
        f" JOIN alumni_graduate g ON g.id = i.graduate_id WHERE i.id = {row}.invitation_id"
    )


def _mark_invitation(row: str) -> str:
    """Mark the slice of the invitation ``row`` (``OLD`` or ``NEW``), found through its graduate."""
    return (
        f"{_DIRTY} SELECT g.cohort_id, g.programme_id, {row}.wave_id FROM alumni_graduate g"
        f" WHERE g.id = {row}.graduate_id"
    )


def _any_changed(columns, differs: str) -> str:
    return " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in columns)


def _plpgsql_function(name: str, body: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}{name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {body}
            RETURN NULL;
        END $$"""


def _for_changed_rows(mark: str) -> str:
    """PL/pgSQL running ``mark`` over a statement's rows: ``{rows}`` is the transition table."""
    return f"""IF TG_OP = 'DELETE' THEN
                {mark.format(rows="old_rows")};
            ELSE
                {mark.format(rows="new_rows")};
            END IF;"""


def _postgresql_sql() -> list[str]:
    """Statement triggers for INSERT, DELETE and TRUNCATE (bulk loads, cascades: one
    ``INSERT ... SELECT DISTINCT`` per statement), row triggers for UPDATE whose
    ``WHEN`` is checked without calling any function, so saving a page of an
    unfinished survey (the survey's hot path) costs nothing."""
    functions = [
        _plpgsql_function(
            "mark_responses",
            _for_changed_rows(
                f"{_DIRTY} SELECT DISTINCT g.cohort_id, g.programme_id, i.wave_id"
                " FROM {rows} r JOIN surveys_invitation i ON i.id = r.invitation_id"
                " JOIN alumni_graduate g ON g.id = i.graduate_id WHERE r.completed_at IS NOT NULL"
            ),
        ),
        _plpgsql_function(
            "mark_response_row",
            f"""IF OLD.completed_at IS NOT NULL THEN
                {_mark_response("OLD")};
            END IF;
            IF NEW.completed_at IS NOT NULL
                    AND (OLD.completed_at IS NULL OR OLD.invitation_id <> NEW.invitation_id) THEN
                {_mark_response("NEW")};
            END IF;""",
        ),
        _plpgsql_function(
            "mark_invitations",
            _for_changed_rows(
                f"{_DIRTY} SELECT DISTINCT g.cohort_id, g.programme_id, r.wave_id"
                " FROM {rows} r JOIN alumni_graduate g ON g.id = r.graduate_id"
            ),
        ),
        _plpgsql_function(
            "mark_invitation_row",
            f"""{_mark_invitation("OLD")};
            IF OLD.graduate_id <> NEW.graduate_id OR OLD.wave_id <> NEW.wave_id THEN
                {_mark_invitation("NEW")};
            END IF;""",
        ),
        _plpgsql_function(
            "mark_graduates",
            f"{_DIRTY} SELECT DISTINCT cohort_id, programme_id, NULL::integer FROM old_rows;",
        ),
        _plpgsql_function(
            "mark_graduate_row",
            f"""{_DIRTY} VALUES (OLD.cohort_id, OLD.programme_id, NULL);
            IF OLD.cohort_id <> NEW.cohort_id OR OLD.programme_id <> NEW.programme_id THEN
                {_DIRTY} VALUES (NEW.cohort_id, NEW.programme_id, NULL);
            END IF;""",
        ),
        _plpgsql_function("mark_all", f"{_DIRTY} VALUES (NULL, NULL, NULL);"),
    ]
    row_conditions = {
        "surveys_response": "OLD.completed_at IS NOT NULL OR NEW.completed_at IS NOT NULL",
        "surveys_invitation": _any_changed(INVITATION_COLUMNS, "IS DISTINCT FROM"),
        "alumni_graduate": _any_changed(GRADUATE_COLUMNS, "IS DISTINCT FROM"),
    }
    p = TRIGGER_PREFIX
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
    p = TRIGGER_PREFIX
    creates = [
        f"""CREATE TRIGGER {p}surveys_response_insert AFTER INSERT ON surveys_response
        WHEN NEW.completed_at IS NOT NULL BEGIN {_mark_response("NEW")}; END""",
        f"""CREATE TRIGGER {p}surveys_response_update AFTER UPDATE ON surveys_response
        WHEN OLD.completed_at IS NOT NULL OR NEW.completed_at IS NOT NULL BEGIN
            {_mark_response("OLD")} AND OLD.completed_at IS NOT NULL;
            {_mark_response("NEW")} AND NEW.completed_at IS NOT NULL;
        END""",
        f"""CREATE TRIGGER {p}surveys_response_delete AFTER DELETE ON surveys_response
        WHEN OLD.completed_at IS NOT NULL BEGIN {_mark_response("OLD")}; END""",
        f"""CREATE TRIGGER {p}surveys_invitation_insert AFTER INSERT ON surveys_invitation
        BEGIN {_mark_invitation("NEW")}; END""",
        f"""CREATE TRIGGER {p}surveys_invitation_update AFTER UPDATE ON surveys_invitation
        WHEN {_any_changed(INVITATION_COLUMNS, "IS NOT")}
        BEGIN {_mark_invitation("OLD")}; {_mark_invitation("NEW")}; END""",
        f"""CREATE TRIGGER {p}surveys_invitation_delete AFTER DELETE ON surveys_invitation
        BEGIN {_mark_invitation("OLD")}; END""",
        f"""CREATE TRIGGER {p}alumni_graduate_update AFTER UPDATE ON alumni_graduate
        WHEN {_any_changed(GRADUATE_COLUMNS, "IS NOT")} BEGIN
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


_COUNT_TRIGGERS = {
    "postgresql": "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
    "sqlite": "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
}


def installed_triggers(using=None) -> int:
    """How many of the cube's triggers the database has (a cheap catalogue query)."""
    conn = connection if using is None else using
    with conn.cursor() as cursor:
        cursor.execute(_COUNT_TRIGGERS[conn.vendor], [TRIGGER_PREFIX + "%"])
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
    """Drop the triggers (and on PostgreSQL their functions): the migration's reverse."""
    conn = schema_editor.connection
    statements = trigger_sql(conn.vendor)
    with conn.cursor() as cursor:
        for sql in statements:
            if sql.startswith("DROP TRIGGER"):
                cursor.execute(sql)
        for sql in statements:
            if sql.lstrip().startswith("CREATE OR REPLACE FUNCTION"):
                cursor.execute(f"DROP FUNCTION IF EXISTS {sql.split()[4]}")
