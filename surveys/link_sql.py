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

The prepared statement is used only outside a transaction (the survey views
read before they write): if a connection pooler has discarded it, the failed
``EXECUTE`` poisons nothing and is re-prepared once. Inside a transaction
(tests, callers that hold locks) the same SQL is sent plainly.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.backends.signals import connection_created
from django.db.models import Field, Model, signals
from django.db.models.base import ModelState
from django.dispatch import receiver
from django.utils import timezone

from alumni.models import Graduate, Institution

from .models import Invitation, InvitationEvent, Response, Wave

_STATEMENT = "alumni_survey_link"
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


@cache
def _sql(vendor: str) -> tuple[str, str]:
    """The SELECT with a ``%s`` placeholder and with ``$1`` (for PREPARE)."""
    q = connection.ops.quote_name
    columns = ", ".join(f"{part.alias}.{q(field.column)}" for part in _PARTS for field in part.fields)
    table = {part.alias: q(part.model._meta.db_table) for part in _PARTS}
    sql = (
        f"SELECT {columns} FROM {table['i']} i"
        f" INNER JOIN {table['w']} w ON w.{q('id')} = i.{q(_column(Invitation, 'wave'))}"
        f" INNER JOIN {table['g']} g ON g.{q('id')} = i.{q(_column(Invitation, 'graduate'))}"
        f" INNER JOIN {table['n']} n ON n.{q('id')} = g.{q(_column(Graduate, 'institution'))}"
        f" LEFT OUTER JOIN {table['r']} r ON r.{q(_column(Response, 'invitation'))} = i.{q('id')}"
        f" WHERE i.{q(_column(Invitation, 'token'))} = "
    )
    return sql + "%s", sql + "$1"


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
    connection.survey_link_prepared = False


def _fetch(db, token: str) -> Sequence | None:
    plain, numbered = _sql(db.vendor)
    with db.cursor() as cursor:
        if db.vendor != "postgresql" or db.in_atomic_block:
            cursor.execute(plain, [token])
            return cursor.fetchone()
        for attempt in (1, 2):
            if not getattr(db, "survey_link_prepared", False):
                cursor.execute(f"PREPARE {_STATEMENT} (text) AS {numbered}")
                db.survey_link_prepared = True
            try:
                cursor.execute(f"EXECUTE {_STATEMENT} (%s)", [token])
                return cursor.fetchone()
            except DatabaseError as error:
                if getattr(error.__cause__, "pgcode", None) != _NO_SUCH_STATEMENT or attempt == 2:
                    raise
                db.survey_link_prepared = False  # discarded by a pooler (DISCARD ALL): prepare again
    return None  # pragma: no cover - the loop returns or raises


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation behind ``token`` with ``wave``, ``graduate``,
    ``graduate.institution`` and ``response`` (or its absence) loaded."""
    db = connections[DEFAULT_DB_ALIAS]  # once: the proxy ``connection`` costs a lookup per use
    row = _fetch(db, token)
    if row is None:
        return None
    values = list(row)
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


def update_response_if_unchanged(response: Response, values: dict) -> bool:
    """Write ``values`` to the response's row if nobody changed it since it
    was read (same ``revision``, not completed), bumping the revision; True
    if written. The ORM's ``filter(...).update(...)`` does the same but
    spends ~0.45 ms compiling it, more than the database spends running it;
    values other than plain ones go through their field's ``get_db_prep_save``."""
    params = [
        value if type(value) in _PLAIN else Response._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in values.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _update_sql(connection.vendor, tuple(values)), [*params, response.pk, response.revision]
        )
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


def insert_response(response: Response) -> bool:
    """Insert the invitation's first response row unless it has one already
    (another tab got there first: then nothing is written); True if inserted.
    Values are prepared as ``Model.save`` would (``pre_save`` for the
    automatic timestamps, ``get_db_prep_save``)."""
    params = [f.get_db_prep_save(f.pre_save(response, True), connection) for f in _insertable()]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), params)
        return cursor.rowcount == 1


@cache
def _advance_sql(vendor: str, fields: tuple[str, ...], from_count: int) -> tuple[str, str]:
    q = connection.ops.quote_name
    assignments = "".join(f", {q(Invitation._meta.get_field(name).column)} = %s" for name in fields)
    update = (
        f"UPDATE {q(Invitation._meta.db_table)} SET {q('status')} = %s{assignments}"
        f" WHERE {q('id')} = %s AND {q('status')} IN ({', '.join(['%s'] * from_count)})"
    )
    event = InvitationEvent._meta
    insert = (
        f"INSERT INTO {q(event.db_table)} ({q(_column(InvitationEvent, 'invitation'))}, {q('status')},"
        f" {q('at')}, {q('detail')}) VALUES (%s, %s, %s, '')"
    )
    return update, insert


def advance_invitation(invitation: Invitation, status: str, from_statuses, **fields) -> bool:
    """Move the invitation to ``status`` if it is in one of ``from_statuses``
    (statuses only go forward), with its ``InvitationEvent``; True if moved.
    Call it inside a transaction. What ``filter().update()`` plus
    ``objects.create()`` would do, without compiling both on every request."""
    update, insert = _advance_sql(connection.vendor, tuple(fields), len(from_statuses))
    prepared = [
        Invitation._meta.get_field(name).get_db_prep_save(value, connection) for name, value in fields.items()
    ]
    now = InvitationEvent._meta.get_field("at").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(update, [status, *prepared, invitation.pk, *from_statuses])
        if cursor.rowcount != 1:
            return False
        cursor.execute(insert, [invitation.pk, status, now])
    invitation.status = status
    for name, value in fields.items():
        setattr(invitation, name, value)
    return True
