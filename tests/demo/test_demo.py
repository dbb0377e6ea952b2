"""`make run` demo: the dashboards have answers to show, and loading twice changes nothing."""

import pytest
from django.core.management import call_command

from surveys.models import Response


@pytest.mark.django_db
def test_demo_answers_fill_the_dashboards(admin_client):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    completed = Response.objects.filter(completed_at__isnull=False).count()
    assert completed > 100
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Response.objects.filter(completed_at__isnull=False).count() == completed
    page = admin_client.get("/reports/i/99DA/")
    assert page.status_code == 200 and b"report-chart" in page.content
