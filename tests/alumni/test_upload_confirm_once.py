"""The web flow validates a file once: confirming writes the rows checked at upload.

Before, ``confirm_upload`` read and validated the kept file a second time; now
the upload keeps the checked rows (typed, as Parquet) and the confirm writes
exactly those, so what is imported is what the admin saw in the report.
"""

import pytest
from django.core.files.base import ContentFile

from alumni import services
from alumni.models import Graduate, Programme, Upload
from tests.factories.cohort_files import UNKNOWN_CREBO, graduates, make_csv

pytestmark = pytest.mark.django_db


def receive(institution, user, data: bytes) -> Upload:
    return services.receive_upload(institution=institution, user=user, file_name="cohort.csv", data=data)


def test_the_kept_file_is_the_checked_rows_not_the_upload(institution, institution_admin):
    data = make_csv(graduates(3))
    upload = receive(institution, institution_admin, data)
    with upload.file.open("rb") as handle:
        kept = handle.read()
    assert kept.startswith(b"PAR1") and kept != data
    assert upload.file.name.endswith(".parquet")
    services.confirm_upload(upload, import_valid_rows=False)
    upload.refresh_from_db()
    assert not upload.file  # gone once imported
    assert Graduate.objects.filter(institution=institution).count() == 3


def test_confirm_imports_what_the_report_showed_even_if_the_reference_changed(institution, institution_admin):
    """A crebo added between check and confirm does not smuggle in a row the admin saw rejected."""
    rows = graduates(3)
    rows[1]["crebo"] = UNKNOWN_CREBO
    upload = receive(institution, institution_admin, make_csv(rows))
    assert upload.report["preview"]["new"] == 2
    Programme.objects.create(crebo=UNKNOWN_CREBO, name="Nieuw", level=2)
    outcome = services.confirm_upload(upload, import_valid_rows=True)
    assert outcome.written and outcome.counts.new == 2
    upload.refresh_from_db()
    assert (upload.rows_new, upload.rows_rejected) == (2, 1)
    assert [p["code"] for p in upload.report["problems"]] == ["crebo_unknown"]
    assert upload.report["rejected_rows"][0]["crebo"] == UNKNOWN_CREBO


def test_confirm_counts_are_computed_at_write_time(institution, institution_admin):
    """The diff against what is stored is made when writing: an import in
    between turns the previewed "new" rows into "unchanged", never duplicates."""
    data = make_csv(graduates(2))
    upload = receive(institution, institution_admin, data)
    services.import_file(institution=institution, data=data, file_name="same.csv")
    outcome = services.confirm_upload(upload, import_valid_rows=False)
    assert (outcome.counts.new, outcome.counts.unchanged) == (0, 2)
    assert Graduate.objects.filter(institution=institution).count() == 2


def test_an_upload_kept_as_the_original_file_is_checked_again(institution, institution_admin):
    """Uploads received before the rows were kept still confirm."""
    data = make_csv(graduates(2))
    upload = receive(institution, institution_admin, data)
    upload.file.delete(save=False)
    upload.file.save("old.bin", ContentFile(data), save=True)
    outcome = services.confirm_upload(upload, import_valid_rows=False)
    assert outcome.written and outcome.counts.new == 2
