"""Deleting imported graduates (a cohort, a test upload) stays as lean as importing them.

``QuerySet.delete()`` loads every graduate first (974 MB for 500,000);
``services.delete_graduates`` deletes a batch of ids at a time, in one
transaction, and refuses as a whole when a graduate has invitations.
"""

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from alumni import services
from alumni.models import Graduate
from tests.factories.cohort_files import graduates, make_csv
from tests.factories.people import make_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(institution, other_institution):
    for inst in (institution, other_institution):
        outcome = services.import_file(institution=inst, data=make_csv(graduates(7)), file_name="c.csv")
        assert outcome.written
    return institution


def test_deletes_every_graduate_of_the_queryset_in_batches(imported, other_institution, monkeypatch):
    monkeypatch.setattr(services, "DELETE_BATCH", 3)
    with CaptureQueriesContext(connection) as queries:
        deleted = services.delete_graduates(Graduate.objects.filter(institution=imported))
    assert deleted == 7
    assert not Graduate.objects.filter(institution=imported).exists()
    assert Graduate.objects.filter(institution=other_institution).count() == 7
    batches = [q for q in queries.captured_queries if q["sql"].startswith('DELETE FROM "alumni_graduate"')]
    assert len(batches) == 3  # 3 + 3 + 1: never all ids at once


def test_a_graduate_with_an_invitation_stops_the_whole_delete(imported, monkeypatch):
    monkeypatch.setattr(services, "DELETE_BATCH", 3)
    last = Graduate.objects.filter(institution=imported).order_by("-pk").first()
    make_invitation(graduate=last)
    with pytest.raises(ProtectedError):
        services.delete_graduates(Graduate.objects.filter(institution=imported))
    assert Graduate.objects.filter(institution=imported).count() == 7  # nothing deleted
