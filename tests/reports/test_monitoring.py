"""Response monitoring: per programme per day, from the invitation history."""

import datetime

import pytest
from django.utils import timezone

from alumni.models import Membership
from surveys.models import Invitation
from tests.factories.datasets import make_dataset, make_events

DAY = timezone.make_aware(datetime.datetime(2025, 3, 3, 12, 0))


@pytest.fixture
def data(db):
    data = make_dataset(sizes=[12, 6], seed=3)
    programme = data.programmes[1]
    invitations = list(
        Invitation.objects.filter(
            graduate__institution__brin="99XA", graduate__programme=programme, wave__code="T1"
        )
    )[:6]
    make_events(invitations[:6], {"sent": 0, "opened": 1}, DAY)
    make_events(invitations[:4], {"partial": 1, "completed": 2}, DAY)
    make_events(invitations[4:5], {"bounced": 0}, DAY)
    make_events(invitations[5:6], {"opted_out": 2}, DAY)
    return data


def test_counts_per_programme_per_day(data, client, django_user_model):
    from alumni.models import Institution

    admin = django_user_model.objects.create_user("adm", "adm@example.org", "a-long-password-1")
    Membership.objects.create(user=admin, institution=Institution.objects.get(brin="99XA"), role="admin")
    client.force_login(admin)
    page = client.get("/reports/i/99XA/monitoring/?wave=T1")
    assert page.status_code == 200
    rows = {(day.isoformat(), programme): counts for day, programme, counts in page.context["rows"]}
    label = "Groep Test-opleiding"  # the first two crebo codes are one programme group
    # statuses: sent, opened, partial, completed, bounced, opted_out
    assert rows[("2025-03-03", label)] == [6, 0, 0, 0, 1, 0]
    assert rows[("2025-03-04", label)] == [0, 6, 4, 0, 0, 0]
    assert rows[("2025-03-05", label)] == [0, 0, 0, 4, 0, 1]
    csv = client.get("/reports/i/99XA/monitoring/?wave=T1&format=csv").content.decode()
    assert csv.startswith("\ufeff") and ";" in csv.splitlines()[0]
    assert "Voornaam" not in page.content.decode()  # no graduate is shown


def test_career_office_may_not_monitor(data, client, django_user_model):
    from alumni.models import Institution

    user = django_user_model.objects.create_user("co", "co@example.org", "a-long-password-1")
    Membership.objects.create(
        user=user, institution=Institution.objects.get(brin="99XA"), role="career_office"
    )
    client.force_login(user)
    assert client.get("/reports/i/99XA/monitoring/").status_code == 403
