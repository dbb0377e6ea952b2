"""Shared by the erasure and retention tests: every table's rows as text, and a graduate to erase."""

from __future__ import annotations

from django.db import connection


def dump_database() -> str:
    """Every row of every table of the database, cast to text, one line per row.

    PostgreSQL: ``row::text`` of each table; SQLite: each row's values joined.
    The whole database, not a list of models: a table someone adds later is
    searched too.
    """
    lines = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
            tables = [name for (name,) in cursor.fetchall()]
            for table in tables:
                cursor.execute(f'SELECT t::text FROM "{table}" t')
                lines += [f"{table}: {row}" for (row,) in cursor.fetchall()]
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            tables = [name for (name,) in cursor.fetchall()]
            for table in tables:
                cursor.execute(f'SELECT * FROM "{table}"')
                lines += [f"{table}: " + " | ".join(map(str, row)) for row in cursor.fetchall()]
    return "\n".join(lines)


def traces(dump: str, values) -> list[str]:
    """The lines of ``dump`` that contain any of ``values`` (case-insensitive)."""
    lowered = [v.lower() for v in values]
    return [line for line in dump.splitlines() if any(v in line.lower() for v in lowered)]
