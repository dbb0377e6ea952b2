"""The audit log as a CSV download, streamed (the log only grows).

Machine-readable on purpose: the column names are Dutch, but every cell holds
the value as stored — the action and ``what`` codes, the object as model
label and id, the time in ISO 8601, ``details`` as one line of JSON — so a
script or a spreadsheet can filter, count and compare exports over time
without depending on the page's wording (audit.labels), which may change.
"""

import io
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from alumni.csvfiles import BOM, formula_safe, writer

from .selectors import institution_codes


def header() -> list[str]:
    return [
        _("time"),
        _("action"),
        _("user"),
        _("user id"),
        _("what"),
        _("object type"),
        _("object id"),
        _("institution"),
        _("IP address"),
        _("path"),
        _("details"),
    ]


def entries_csv(queryset, chunk: int = 2000) -> Iterator[str]:
    """BOM and header, then the entries in pieces of ``chunk`` rows; every cell
    formula-safe (a username or path is whatever someone typed)."""
    buffer = io.StringIO()
    rows = writer(buffer)
    buffer.write(BOM)
    rows.writerow([formula_safe(h) for h in header()])
    batch = []
    for entry in queryset.iterator(chunk_size=chunk):
        batch.append(entry)
        if len(batch) >= chunk:
            _write(rows, batch)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            batch = []
    _write(rows, batch)
    yield buffer.getvalue()


def _write(rows, batch) -> None:
    codes = institution_codes(e.institution_id for e in batch)
    for e in batch:
        rows.writerow(
            formula_safe(v)
            for v in (
                timezone.localtime(e.at).isoformat(timespec="seconds"),
                e.action,
                e.actor,
                e.actor_id,
                e.what,
                e.target_type,
                e.target_id,
                codes.get(e.institution_id, e.institution_id),
                e.ip,
                e.path,
                e.details_text,
            )
        )
