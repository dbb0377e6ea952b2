"""The two statements of every survey request, written once: the link's read and the page's save.

Every survey request starts by looking up its token: the invitation with its
wave, graduate, institution and the answers so far (five tables, ~150
columns). Written as ``select_related`` that costs Django ~1.7 ms to compile
into SQL on every call and PostgreSQL ~0.9 ms to plan — several times the
0.3 ms of actually running it, and most of a survey page's cost under load
(see bench/survey.py and docs/benchmarks.md).

So the SQL is built here once from the models' metadata, and on PostgreSQL it
is a prepared statement of the connection (``PREPARE`` on first use per
connection, then ``EXECUTE``). Its row becomes exactly what ``select_related``
would give: real model instances, each column through the backend's and the
field's own converters (SQLite hands back dates as text), the relations cached
both ways so no attribute access runs another query.

Of the invitation, wave, graduate and institution only the columns the
survey uses are read (none of the graduate's personal data: least
privilege, and less to parse); the others are deferred and would cost a
query if touched — tests/surveys/test_link_sql.py counts the queries.

On PostgreSQL the row comes back as one JSON array (``json_build_array``)
rather than ~80 columns: psycopg2 spends ~0.7 µs of Python-side work per
column of a result (its description, a decode per value), the JSON text is
one value and ``json.loads`` is C — 30 µs less per request for the client and
a little less for the server (bench/survey, docs/benchmarks.md). Values JSON
has no type for (dates, timestamps) are parsed by their field's type; a model
with a field type not handled here makes the read fall back to plain columns.

The page's save (``update_response_if_unchanged``) is a prepared statement per
set of columns too: PostgreSQL otherwise parses and plans the UPDATE on every
posted page (~50 µs of its CPU).

Prepared statements are used only outside a transaction (the survey views
read before they write, and a page in the middle is saved in autocommit): if
a connection pooler has discarded them, the failed ``EXECUTE`` poisons
nothing and they are prepared again. Inside a transaction (tests, callers
that hold locks) the same SQL is sent plainly.
"""

import datetime
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models import Field, Model, signals
from django.db.models.base import ModelState
from django.dispatch import receiver
from django.utils import timezone

from alumni.models import Graduate, Institution

from .models import Invitation, InvitationEvent, Response, Wave

_NO_SUCH_STATEMENT = "26000"  # PostgreSQL: invalid_sql_statement_name


@dataclass(frozen=True)
class _Part:
    """One model of the row: its table alias, and where its instance hangs."""

    model: type[Model]
    alias: str
    parent: str | None = None  # the alias of the instance it is cached on
    relation: str = ""  # the name of that relation on the parent's model
    only: tuple[str, ...] = ()  # the fields to read; empty: all

    @cached_property
    def fields(self) -> list[Field]:
        return [f for f in self.model._meta.concrete_fields if not self.only or f.name in self.only]

    @cached_property
    def attnames(self) -> list[str]:
        return [f.attname for f in self.fields]

    @cached_property
    def cache_on_parent(self):
        """The relation (field or reverse one-to-one) that caches this instance on its parent."""
        parent = next(p for p in _PARTS if p.alias == self.parent)
        return parent.model._meta.get_field(self.relation)


_PARTS = (
    _Part(Invitation, "i", only=("id", "graduate", "wave", "token", "status", "closes_on")),
    _Part(Wave, "w", "i", "wave", ("id", "code", "months_after_diploma", "is_active")),
    _Part(Graduate, "g", "i", "graduate", ("id", "institution", "preferred_language", "private_email")),
    _Part(Institution, "n", "g", "institution", ("id", "brin", "name")),
    _Part(Response, "r", "i", "response"),
)


def _column(model: type[Model], name: str) -> str:
    return model._meta.get_field(name).column


# Field types whose values come out of ``json_build_array`` as psycopg2 would
# return them, or with the parser that makes them so (None: as they are).
_AS_THEY_ARE = [
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "BooleanField",
    "CharField",
    "TextField",
    "SlugField",
]
_FROM_JSON: dict[str, Callable | None] = {
    **dict.fromkeys(_AS_THEY_ARE),
    "DateTimeField": datetime.datetime.fromisoformat,
    "DateField": datetime.date.fromisoformat,
}
_JSON_CHUNK = 90  # PostgreSQL functions take at most 100 arguments


def _internal_type(field: Field) -> str:
    if field.is_relation:
        return _internal_type(field.target_field)
    output = getattr(field, "output_field", None)  # a GeneratedField stores its output field's type
    return _internal_type(output) if isinstance(output, Field) else field.get_internal_type()


@cache
def _json_parsers(vendor: str) -> tuple[Callable | None, ...] | None:
    """A parser (or None) per column of the row read as JSON; None if the row
    is read as plain columns (not PostgreSQL, or a type JSON can't carry)."""
    if vendor != "postgresql":
        return None
    types = [_internal_type(field) for part in _PARTS for field in part.fields]
    if any(t not in _FROM_JSON for t in types):
        return None
    return tuple(_FROM_JSON[t] for t in types)


@cache
def _sql(vendor: str) -> tuple[str, str]:
    """The SELECT with a ``%s`` placeholder and with ``$1`` (for PREPARE)."""
    q = connection.ops.quote_name
    columns = [f"{part.alias}.{q(field.column)}" for part in _PARTS for field in part.fields]
    if _json_parsers(vendor) is not None:
        chunks = [columns[i : i + _JSON_CHUNK] for i in range(0, len(columns), _JSON_CHUNK)]
        arrays = ", ".join("json_build_array(" + ", ".join(chunk) + ")" for chunk in chunks)
        selected = f"json_build_array({arrays})::text"
    else:
        selected = ", ".join(columns)
    table = {part.alias: q(part.model._meta.db_table) for part in _PARTS}
    sql = (
        f"SELECT {selected} FROM {table['i']} i"
        f" INNER JOIN {table['w']} w ON w.{q('id')} = i.{q(_column(Invitation, 'wave'))}"
        f" INNER JOIN {table['g']} g ON g.{q('id')} = i.{q(_column(Invitation, 'graduate'))}"
        f" INNER JOIN {table['n']} n ON n.{q('id')} = g.{q(_column(Graduate, 'institution'))}"
        f" LEFT OUTER JOIN {table['r']} r ON r.{q(_column(Response, 'invitation'))} = i.{q('id')}"
        f" WHERE i.{q(_column(Invitation, 'token'))} = "
    )
    return sql + "%s", sql + "$1"


def _row_values(vendor: str, row: Sequence) -> list:
    """The row's values as psycopg2 would give them for plain columns."""
    parsers = _json_parsers(vendor)
    if parsers is None:
        return list(row)
    values = [value for chunk in json.loads(row[0]) for value in chunk]
    for position, parse in enumerate(parsers):
        if parse is not None and values[position] is not None:
            values[position] = parse(values[position])
    return values


Converter = Callable[[object, object, object], object]


@cache
def _converters(vendor: str) -> tuple[tuple[int, tuple[Converter, ...], object], ...]:
    """(position, converters, expression) for each column that needs converting,
    as Django's SQL compiler would apply them."""
    found, position = [], 0
    for part in _PARTS:
        for field in part.fields:
            expression = field.get_col(part.alias)
            converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                connection
            )
            if converters:
                found.append((position, tuple(converters), expression))
            position += 1
    return tuple(found)


@receiver(connection_created)
def _forget_prepared(sender, connection, **kwargs):
    """A new database session has no prepared statements yet."""
    connection.survey_prepared = set()


def _numbered(sql: str) -> str:
    """``%s`` placeholders as ``$1``, ``$2``, … (PREPARE's)."""
    counter = iter(range(1, sql.count("%s") + 1))
    return re.sub("%s", lambda _: f"${next(counter)}", sql)


@cache
def _statement_name(sql: str) -> str:
    """The prepared statement's name: the same SQL gets the same name in every process."""
    return f"alumni_{hashlib.blake2s(sql.encode(), digest_size=8).hexdigest()}"


def execute_prepared(db, cursor, sql: str, params: Sequence, numbered: str | None = None) -> None:
    """``cursor.execute(sql, params)``, as a prepared statement of the
    connection where that is safe (PostgreSQL, outside a transaction);
    ``numbered``: ``sql`` with ``$n`` placeholders and explicit types, if
    PostgreSQL can't infer them."""
    if db.vendor != "postgresql" or db.in_atomic_block:
        cursor.execute(sql, params)
        return
    name = _statement_name(sql)
    prepared = db.__dict__.setdefault("survey_prepared", set())
    for attempt in (1, 2):
        if name not in prepared:
            cursor.execute(f"PREPARE {name} AS {numbered or _numbered(sql)}")
            prepared.add(name)
        try:
            cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
            return
        except DatabaseError as error:
            if getattr(error.__cause__, "pgcode", None) != _NO_SUCH_STATEMENT or attempt == 2:
                raise
            prepared.clear()  # discarded by a pooler (DISCARD ALL): prepare again


def _fetch(db, token: str) -> Sequence | None:
    plain, numbered = _sql(db.vendor)
    with db.cursor() as cursor:
        execute_prepared(db, cursor, plain, [token], numbered)
        return cursor.fetchone()


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation behind ``token`` with ``wave``, ``graduate``,
    ``graduate.institution`` and ``response`` (or its absence) loaded."""
    db = connections[DEFAULT_DB_ALIAS]  # once: the proxy ``connection`` costs a lookup per use
    row = _fetch(db, token)
    if row is None:
        return None
    values = _row_values(db.vendor, row)
    for position, converters, expression in _converters(db.vendor):
        for convert in converters:
            values[position] = convert(values[position], expression, db)
    instances, start = {}, 0
    for part in _PARTS:
        names = part.attnames
        chunk = values[start : start + len(names)]
        start += len(names)
        if part.model is Response and chunk[0] is None:
            instance = None  # no answers yet (LEFT JOIN)
        else:
            instance = _instance(part.model, names, chunk, db.alias)
        if part.parent:
            part.cache_on_parent.set_cached_value(instances[part.parent], instance)
        instances[part.alias] = instance
    response = instances["r"]
    if response is not None:
        _RESPONSE_INVITATION.set_cached_value(response, instances["i"])
    return instances["i"]


_RESPONSE_INVITATION = Response._meta.get_field("invitation")

# Values every backend takes as they are (a field's get_db_prep_save returns them unchanged).
_PLAIN = frozenset({bool, int, str, type(None)})


def _instance(model: type[Model], attnames: list[str], values: list, alias: str) -> Model:
    """``model.from_db(alias, attnames, values)``, without running ``Model.__init__``.

    ``__init__`` sets each of the ~100 fields through ``setattr`` and sends
    ``pre_init``/``post_init``: a third of the read's cost. An instance loaded
    from the database is, to Django, its field values in ``__dict__`` (a field
    missing there is deferred) plus a ``ModelState`` saying which database it
    came from — that is what this builds. If anything listens to those
    signals for the model (nothing does in this project), ``from_db`` runs
    instead so that no receiver is skipped.
    """
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model.from_db(alias, attnames, values)
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=True))
    state = instance._state = ModelState()
    state.adding, state.db = False, alias
    return instance


@cache
def _update_sql(vendor: str, columns: tuple[str, ...]) -> str:
    q = connection.ops.quote_name
    assignments = ", ".join(f"{q(Response._meta.get_field(name).column)} = %s" for name in columns)
    return (
        f"UPDATE {q(Response._meta.db_table)} SET {assignments}, {q('revision')} = {q('revision')} + 1"
        f" WHERE {q('id')} = %s AND {q('revision')} = %s AND {q('completed_at')} IS NULL"
    )


def _update_params(response: Response, values: dict) -> list:
    """Values other than plain ones go through their field's ``get_db_prep_save``."""
    params = [
        value if type(value) in _PLAIN else Response._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in values.items()
    ]
    return [*params, response.pk, response.revision]


def update_response_if_unchanged(response: Response, values: dict) -> bool:
    """Write ``values`` to the response's row if nobody changed it since it
    was read (same ``revision``, not completed), bumping the revision; True
    if written. The ORM's ``filter(...).update(...)`` does the same but
    spends ~0.45 ms compiling it, more than the database spends running it."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        execute_prepared(db, cursor, _update_sql(db.vendor, tuple(values)), _update_params(response, values))
        return cursor.rowcount == 1


@cache
def _insert_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    columns = [f.column for f in _insertable()]
    return (
        f"INSERT INTO {q(Response._meta.db_table)} ({', '.join(map(q, columns))})"
        f" VALUES ({', '.join(['%s'] * len(columns))})"
        f" ON CONFLICT ({q(_column(Response, 'invitation'))}) DO NOTHING"
    )


def _insertable() -> list[Field]:
    return [f for f in Response._meta.concrete_fields if not f.primary_key and not f.generated]


def _insert_params(response: Response) -> list:
    """Values prepared as ``Model.save`` would (``pre_save`` for the automatic
    timestamps, ``get_db_prep_save``)."""
    return [f.get_db_prep_save(f.pre_save(response, True), connection) for f in _insertable()]


def insert_response(response: Response) -> bool:
    """Insert the invitation's first response row unless it has one already
    (another tab got there first: then nothing is written); True if inserted."""
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), _insert_params(response))
        return cursor.rowcount == 1


@dataclass(frozen=True)
class Advance:
    """An invitation's status move: to ``status`` if it is in one of
    ``from_statuses`` (statuses only go forward), setting ``fields`` too,
    with its ``InvitationEvent``."""

    status: str
    from_statuses: tuple[str, ...]
    fields: tuple[tuple[str, object], ...] = ()


def _advance_sql(advance: Advance, ids: str) -> tuple[str, str]:
    """The UPDATE of the invitations in ``ids`` (SQL: ``%s`` or a subquery)
    and the head of the INSERT of their events."""
    q = connection.ops.quote_name
    assignments = "".join(
        f", {q(Invitation._meta.get_field(name).column)} = %s" for name, _ in advance.fields
    )
    update = (
        f"UPDATE {q(Invitation._meta.db_table)} SET {q('status')} = %s{assignments}"
        f" WHERE {q('id')} IN ({ids}) AND {q('status')} IN ({', '.join(['%s'] * len(advance.from_statuses))})"
    )
    event = (
        f"INSERT INTO {q(InvitationEvent._meta.db_table)}"
        f" ({q(_column(InvitationEvent, 'invitation'))}, {q('status')}, {q('at')}, {q('detail')})"
    )
    return update, event


def _moved_events(advance: Advance, ids: str) -> list[str]:
    """PostgreSQL: the WITH parts that move the invitations in ``ids`` and log
    their events. Parameters: status, fields, from_statuses, then the
    event's status and time (``_advance_params``)."""
    update, event = _advance_sql(advance, ids)
    return [f"moved AS ({update} RETURNING id)", f"logged AS ({event} SELECT id, %s, %s, '' FROM moved)"]


def _advance_params(advance: Advance) -> tuple[list, list]:
    """The UPDATE's parameters before the ids (status, fields) and the
    event's (status, time)."""
    fields = [
        Invitation._meta.get_field(name).get_db_prep_save(value, connection) for name, value in advance.fields
    ]
    now = InvitationEvent._meta.get_field("at").get_db_prep_save(timezone.now(), connection)
    return [advance.status, *fields], [advance.status, now]


def _moved(invitation: Invitation, advance: Advance) -> None:
    invitation.status = advance.status
    for name, value in advance.fields:
        setattr(invitation, name, value)


def advance_invitation(invitation: Invitation, advance: Advance) -> bool:
    """Move the invitation as ``advance`` says; True if moved. One statement
    on PostgreSQL (``WITH moved AS (UPDATE …) INSERT …``: atomic by itself,
    one round trip), a transaction elsewhere. What ``filter().update()``
    plus ``objects.create()`` would do, without compiling both."""
    db = connections[DEFAULT_DB_ALIAS]
    head, event = _advance_params(advance)
    update_params = [*head, invitation.pk, *advance.from_statuses]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            parts = _moved_events(advance, "%s")
            cursor.execute(f"WITH {', '.join(parts)} SELECT count(*) FROM moved", [*update_params, *event])
            moved = cursor.fetchone()[0] == 1
        else:
            update, insert = _advance_sql(advance, "%s")
            with transaction.atomic(using=db.alias):
                cursor.execute(update, update_params)
                moved = cursor.rowcount == 1
                if moved:
                    cursor.execute(f"{insert} VALUES (%s, %s, %s, '')", [invitation.pk, *event])
    if moved:
        _moved(invitation, advance)
    return moved


def save_page_row(
    invitation: Invitation,
    response: Response | None,
    values: dict,
    *,
    new: Response | None = None,
    advance: Advance | None = None,
    private_email: str | None = None,
) -> bool:
    """A page's save, all or nothing; True if written, False if the row was
    made or changed by another request since it was read (nothing written).

    The row: ``new`` inserted (the first save; not if the invitation has one
    already) or ``values`` written to ``response`` if its revision is
    unchanged. With it, if written: the invitation's status move and the
    graduate's private e-mail (item 20). On PostgreSQL that is one statement
    (data-modifying ``WITH``), elsewhere a transaction: under load every
    round trip to the database costs ~0.4 ms of CPU between the web process,
    PostgreSQL and the scheduler, more than the statement itself
    (docs/benchmarks.md), and a transaction is three of them more.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if new is None and advance is None and private_email is None:
        return update_response_if_unchanged(response, values)  # a page in the middle: prepared
    if db.vendor != "postgresql":
        with transaction.atomic(using=db.alias):
            written = (
                insert_response(new) if new is not None else update_response_if_unchanged(response, values)
            )
            if written and advance is not None:
                advance_invitation(invitation, advance)
            if written and private_email is not None:
                Graduate.objects.filter(pk=invitation.graduate_id).update(private_email=private_email)
    else:
        q = db.ops.quote_name
        if new is not None:
            write, params = _insert_sql(db.vendor), _insert_params(new)
        else:
            write, params = _update_sql(db.vendor, tuple(values)), _update_params(response, values)
        parts = [f"written AS ({write} RETURNING {q(_column(Response, 'invitation'))})"]
        written_ids = f"SELECT {q(_column(Response, 'invitation'))} FROM written"
        if advance is not None:
            head, event = _advance_params(advance)
            parts += _moved_events(advance, written_ids)
            params += [*head, *advance.from_statuses, *event]
        if private_email is not None:
            parts.append(
                f"emailed AS (UPDATE {q(Graduate._meta.db_table)} SET {q('private_email')} = %s"
                f" WHERE {q('id')} = %s AND EXISTS (SELECT 1 FROM written))"
            )
            params += [private_email, invitation.graduate_id]
        moved = "(SELECT count(*) FROM moved)" if advance is not None else "0"
        with db.cursor() as cursor:
            cursor.execute(f"WITH {', '.join(parts)} SELECT (SELECT count(*) FROM written), {moved}", params)
            written_count, moved_count = cursor.fetchone()
        written = written_count == 1
        if moved_count:
            _moved(invitation, advance)
    if written and private_email is not None:
        invitation.graduate.private_email = private_email
    return written
