"""Store checked rows: an upsert on (institution, student number).

The diff against what is stored is computed in pandas, inside the same
transaction that writes, while the institution row is locked, so two uploads
for one institution cannot interleave and the counts (new, updated, unchanged)
are exact. PostgreSQL gets the rows by ``COPY`` (new rows straight into the
table, changed rows through a temporary table and one ``UPDATE … FROM``);
other databases use ``bulk_create``/``bulk_update``.

Blank optional cells never erase a stored value: a re-upload without a private
e-mail keeps the one the graduate gave in the survey.

A row for a graduate this institution erased (``alumni.privacy``) is skipped
with a warning: the source system still lists them, but they asked to be
forgotten, so they are neither created again nor invited again.
"""

import io
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection, transaction
from django.utils import timezone

from ..models import Cohort, ErasedStudent, Graduate, Institution, Location
from ..privacy.tombstones import erased_student_numbers
from .validation import CheckedTable

# Graduate fields an upload may set, in table order.
FIELDS = [
    "student_number",
    "first_name",
    "name_prefix",
    "last_name",
    "email",
    "private_email",
    "programme_id",
    "diploma_date",
    "cohort_id",
    "level",
    "pathway",
    "location_id",
    "gender",
    "birth_year",
]
COMPARED = FIELDS[1:]
BLANK_KEEPS_STORED = {
    "name_prefix",
    "email",
    "private_email",
    "level",
    "pathway",
    "location_id",
    "gender",
    "birth_year",
}


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    new_locations: int = 0
    erased: int = 0  # rows skipped: the graduate was erased
    warnings: list[dict] = field(default_factory=list)  # found while writing (lost zeros, erased)


def upsert(checked: CheckedTable, institution: Institution, upload=None, *, dry_run=False) -> Counts:
    """Write the valid rows of ``checked``; with ``dry_run``, only count."""
    incoming = checked.valid
    if incoming.empty:
        return Counts()
    with transaction.atomic():
        Institution.objects.select_for_update().filter(pk=institution.pk).first()
        incoming = incoming.copy()
        counts = Counts()
        incoming["location_id"], counts.new_locations = _resolve_locations(
            incoming["location"], institution, upload, dry_run
        )
        incoming["cohort_id"] = _resolve_cohorts(incoming["school_year"], institution, dry_run)
        merged, new, changed, counts.warnings = _diff(incoming, institution)
        merged, new, changed, erased = _skip_erased(merged, new, changed, institution)
        counts.erased = len(erased)
        counts.warnings += erased
        counts.new, counts.updated = int(new.sum()), int(changed.sum())
        counts.unchanged = len(merged) - counts.new - counts.updated
        if not dry_run:
            now = timezone.now()
            rows_new = merged.loc[new, FIELDS]
            rows_changed = merged.loc[changed, ["id", *COMPARED]]
            if connection.vendor == "postgresql":
                _copy_new(rows_new, institution, upload, now)
                _copy_updates(rows_changed, upload, now)
            else:
                _bulk_new(rows_new, institution, upload)
                _bulk_updates(rows_changed, upload)
        if dry_run:
            transaction.set_rollback(True)
    return counts


def _resolve_locations(values: pd.Series, institution, upload, dry_run):
    known = {}
    for loc in Location.objects.filter(institution=institution):
        known[loc.name.lower()] = loc.pk
        if loc.code:
            known[loc.code.lower()] = loc.pk
    created = 0
    for value in sorted(set(values.unique()) - {""}):
        if value.lower() in known:
            continue
        created += 1
        if dry_run:
            known[value.lower()] = -created
            continue
        is_code = len(value) == 6 and value[:4].upper() == institution.brin and value[4:].isdigit()
        loc = Location.objects.create(
            institution=institution,
            name=value,
            code=value.upper() if is_code else "",
            created_by_upload=upload,
        )
        known[value.lower()] = loc.pk
    ids = values.str.lower().map(known)
    return ids.astype("Int64"), created


def _resolve_cohorts(years: pd.Series, institution, dry_run) -> pd.Series:
    mapping = {}
    for year in sorted(int(y) for y in years.unique()):
        if dry_run:
            found = Cohort.objects.filter(institution=institution, school_year=year).first()
            mapping[year] = found.pk if found else -year
        else:
            mapping[year] = Cohort.objects.get_or_create(institution=institution, school_year=year)[0].pk
    return years.map(mapping).astype("int64")


def _diff(incoming: pd.DataFrame, institution):
    stored = pd.DataFrame.from_records(
        Graduate.objects.filter(institution=institution).values_list("id", *FIELDS),
        columns=["id", *FIELDS],
    )
    stored["student_number"] = stored["student_number"].astype(incoming["student_number"].dtype)

    def merge(rows):
        return rows.merge(
            stored, on="student_number", how="left", suffixes=("", "_stored"), validate="one_to_one"
        )

    merged = merge(incoming)
    new = merged["id"].isna()
    warnings = []
    if new.any() and not stored.empty:  # only then can a number have lost its zeros
        incoming, warnings = _match_lost_zeros(incoming, stored, unknown=new.to_numpy())
        if warnings:
            merged = merge(incoming)
            new = merged["id"].isna()
    changed = pd.Series(False, index=merged.index)
    for name in COMPARED:
        ours, theirs = _typed(merged[name], name), _typed(merged[f"{name}_stored"], name)
        if name in BLANK_KEEPS_STORED:
            keep = ~new & _blank(ours)
            ours = ours.mask(keep, theirs)
        merged[name] = ours
        same = (ours == theirs).fillna(False) | (_blank(ours) & _blank(theirs))
        changed |= ~new & ~same.astype(bool)
    merged["id"] = merged["id"].astype("Int64")
    return merged, new, changed, warnings


def _skip_erased(merged: pd.DataFrame, new: pd.Series, changed: pd.Series, institution):
    """Drop the new rows whose student number belongs to an erased graduate.

    Only new rows can be: an erased graduate's stored number was replaced by a
    placeholder, so their row never matches a stored one. Without any erasure
    at this institution (the usual case) this is one indexed query.
    """
    if not new.any() or not ErasedStudent.objects.filter(institution=institution).exists():
        return merged, new, changed, []
    numbers = merged.loc[new, "student_number"]
    erased = erased_student_numbers(institution, numbers.unique())
    if not erased:
        return merged, new, changed, []
    skip = new & merged["student_number"].isin(erased)
    warnings = [
        {"code": "erased_student", "row": int(row), "column": None, "value": number, "params": {}}
        for row, number in zip(merged.loc[skip, "row"], merged.loc[skip, "student_number"], strict=True)
    ]
    keep = ~skip
    return merged[keep], new[keep], changed[keep], warnings


def _match_lost_zeros(incoming: pd.DataFrame, stored: pd.DataFrame, *, unknown):
    """Give a row the stored student number it lost its leading zeros from.

    Excel turns ``0104515`` into ``104515`` when a "rows to fix" file is opened
    and saved; without this the corrected row would become a second graduate
    with a second invitation. A row is matched only when its number is not
    stored as written, exactly one stored graduate not already in the file has
    the same number without leading zeros, and that graduate has the same name
    or the same e-mail address. The stored number is kept; the row is named in
    a warning.
    """
    numbers = incoming["student_number"]
    free = stored[~stored["student_number"].isin(numbers)]
    key = free["student_number"].str.lstrip("0")
    free = free[(key != "") & ~key.duplicated(keep=False)].assign(_key=key)
    rows = incoming.loc[
        unknown, ["student_number", "first_name", "last_name", "email", "private_email", "row"]
    ]
    rows = rows.assign(_key=rows["student_number"].str.lstrip("0"), _label=rows.index)
    pairs = rows.merge(free, on="_key", suffixes=("", "_stored"))
    if pairs.empty:
        return incoming, []

    def same(a, b):
        a, b = pairs[a].fillna("").str.lower(), pairs[b].fillna("").str.lower()
        return (a != "") & (a == b)

    by_name = same("first_name", "first_name_stored") & same("last_name", "last_name_stored")
    by_email = (
        same("email", "email_stored")
        | same("private_email", "private_email_stored")
        | same("email", "private_email_stored")
        | same("private_email", "email_stored")
    )
    pairs = pairs[by_name | by_email].drop_duplicates("student_number_stored", keep="first")
    if pairs.empty:
        return incoming, []
    incoming = incoming.copy()
    incoming.loc[pairs["_label"].to_numpy(), "student_number"] = pairs["student_number_stored"].to_numpy()
    warnings = [
        {
            "code": "leading_zeros_name" if named else "leading_zeros_email",
            "row": int(pair.row),
            "column": None,
            "value": pair.student_number,
            "params": {"stored": pair.student_number_stored},
        }
        for pair, named in zip(pairs.itertuples(index=False), by_name[pairs.index], strict=True)
    ]
    return incoming, warnings


INTEGER_FIELDS = ("programme_id", "cohort_id", "level", "location_id", "birth_year")


def _typed(series: pd.Series, name: str) -> pd.Series:
    """One type per field whether the value came from the file or the database
    (a merge turns a stored integer column with gaps into floats)."""
    if name in INTEGER_FIELDS:
        return pd.to_numeric(series).astype("Int64")
    if name == "diploma_date":
        return pd.to_datetime(series)
    return series.astype("string").fillna("")


def _blank(series: pd.Series) -> pd.Series:
    blank = series.isna()
    if series.dtype == "string":
        blank |= series == ""
    return blank.astype(bool)


def _null(value):
    return None if value is None or value is pd.NA or value != value else value


# --- PostgreSQL: COPY --------------------------------------------------------


COPY_CHUNK_ROWS = 25_000
# Text columns are never NULL: there a cell reading \N is text, not COPY's NULL marker.
TEXT_FIELDS = frozenset(
    name
    for name in FIELDS
    if Graduate._meta.get_field(name.removesuffix("_id")).get_internal_type() == "CharField"
)


def _copy_options(columns) -> str:
    text = ", ".join(c for c in columns if c in TEXT_FIELDS)
    return f"FORMAT csv, NULL '\\N', FORCE_NOT_NULL ({text})"


def _copy(cursor, sql: str, frame: pd.DataFrame) -> None:
    """COPY a frame in chunks, so memory stays flat for a 500,000-row file.

    Each chunk is serialised by Arrow's CSV writer: the columns already live in
    Arrow (pandas' string columns) and its writer is C++ throughout, where
    ``DataFrame.to_csv`` formats cell by cell in Python and was the largest
    share of the import's own CPU time. It quotes every string, so an empty or
    ``\\N`` text is text, never COPY's NULL."""
    options = pa_csv.WriteOptions(include_header=False, null_string="\\N")
    for start in range(0, len(frame), COPY_CHUNK_ROWS):
        table = pa.Table.from_pandas(frame.iloc[start : start + COPY_CHUNK_ROWS], preserve_index=False)
        for position, column in enumerate(table.schema):
            if pa.types.is_timestamp(column.type):  # the date columns, as dates (no time of day)
                table = table.set_column(position, column.name, table.column(position).cast(pa.date32()))
        buffer = pa.BufferOutputStream()
        pa_csv.write_csv(table, buffer, options)
        cursor.copy_expert(sql, io.BytesIO(buffer.getvalue()))


def _copy_new(rows: pd.DataFrame, institution, upload, now):
    if rows.empty:
        return
    table = rows.copy()
    table["institution_id"] = institution.pk
    table["last_upload_id"] = upload.pk if upload else None
    table["preferred_language"] = "nl"
    table["created_at"] = now.isoformat()
    table["updated_at"] = now.isoformat()
    columns = list(table.columns)
    with connection.cursor() as cursor:
        _copy(
            cursor,
            f"COPY {Graduate._meta.db_table} ({', '.join(columns)}) FROM STDIN WITH ({_copy_options(columns)})",
            table,
        )


def _copy_updates(rows: pd.DataFrame, upload, now):
    if rows.empty:
        return
    table = Graduate._meta.db_table
    assignments = ", ".join(f"{c} = t.{c}" for c in COMPARED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE graduate_changes ON COMMIT DROP AS "
            f"SELECT id, {', '.join(COMPARED)} FROM {table} WITH NO DATA"
        )
        _copy(cursor, f"COPY graduate_changes FROM STDIN WITH ({_copy_options(rows.columns)})", rows)
        cursor.execute(
            f"UPDATE {table} g SET {assignments}, last_upload_id = %s, updated_at = %s "
            "FROM graduate_changes t WHERE g.id = t.id",
            [upload.pk if upload else None, now],
        )
        cursor.execute("DROP TABLE graduate_changes")


# --- other databases: the ORM in batches --------------------------------------


def _bulk_new(rows: pd.DataFrame, institution, upload):
    objects = [
        Graduate(
            institution=institution,
            last_upload=upload,
            **{name: _null(value) for name, value in zip(FIELDS, record, strict=True)},
        )
        for record in rows.itertuples(index=False)
    ]
    for obj in objects:
        for name in ("name_prefix", "email", "private_email", "pathway", "gender"):
            if getattr(obj, name) is None:
                setattr(obj, name, "")
    Graduate.objects.bulk_create(objects, batch_size=2000)


def _bulk_updates(rows: pd.DataFrame, upload):
    now = timezone.now()
    objects = []
    for record in rows.itertuples(index=False):
        values = dict(zip(["id", *COMPARED], record, strict=True))
        obj = Graduate(pk=int(values.pop("id")), last_upload=upload, updated_at=now)
        for name, value in values.items():
            value = _null(value)
            if value is None and name in ("name_prefix", "email", "private_email", "pathway", "gender"):
                value = ""
            setattr(obj, name, value)
        objects.append(obj)
    Graduate.objects.bulk_update(objects, [*COMPARED, "last_upload", "updated_at"], batch_size=1000)
