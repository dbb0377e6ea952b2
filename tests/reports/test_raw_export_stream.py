"""The streamed raw export: complete, and safe to abandon half-way."""

import threading

import pytest
from django.db import connection

from alumni.models import Institution
from reports import exports
from reports.filters import Filters, Scope
from reports.selectors.personal_data import raw_rows
from surveys.models import Response
from tests.factories.datasets import make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    make_dataset(sizes=[14, 8, 3])
    scope = Scope(list(Institution.objects.values_list("pk", flat=True)))
    return raw_rows(scope, Filters())


def test_every_completed_response_is_one_line(rows):
    text = "".join(exports.raw_rows_csv(rows))
    lines = text.split("\r\n")
    assert lines[-1] == ""  # CRLF after every row, none left over
    assert len(lines) - 2 == Response.objects.filter(completed_at__isnull=False).count()


def test_abandoning_the_stream_ends_the_copy_and_frees_the_connection(rows):
    stream = exports.raw_rows_csv(rows, chunk_size=10)
    next(stream)  # the header
    next(stream, None)  # some data, or the end on a small set
    stream.close()  # the client went away
    assert not [t for t in threading.enumerate() if t.name == "raw-export-copy"]
    with connection.cursor() as cursor:  # still usable, in the same transaction
        cursor.execute("SELECT count(*) FROM surveys_response")
        assert cursor.fetchone()[0] == Response.objects.count()
