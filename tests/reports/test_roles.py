"""Who sees what: every report URL per role (platform.md, reports.scoping)."""

import pytest
from django.urls import reverse

from alumni.models import Membership
from audit.models import AuditEntry
from reports.models import Region, RegionalAnalyst
from surveys.models import Response
from tests.factories.datasets import make_dataset

A, B = "99XA", "99XB"


@pytest.fixture
def data(db):
    return make_dataset(sizes=[14, 8, 3])


def user(django_user_model, name, brin=None, role=None, data=None, programmes=()):
    u = django_user_model.objects.create_user(name, f"{name}@example.org", "a-long-password-1")
    if brin:
        inst = next(i for i in data.institutions if i.brin == brin)
        m = Membership.objects.create(user=u, institution=inst, role=role)
        m.programmes.set(programmes)
    return u


def institution_urls(brin, programme):
    return [
        reverse("reports:institution", args=[brin]),
        reverse("reports:institution", args=[brin]) + "?format=json",
        reverse("reports:institution_export", args=[brin, "csv"]),
        reverse("reports:institution_export", args=[brin, "xlsx"]),
        reverse("reports:programme_summary", args=[brin, programme]),
        reverse("reports:monitoring", args=[brin]),
        reverse("reports:network", args=[brin]),
        reverse("reports:network", args=[brin]) + "?format=csv",
    ]


INSTITUTION_URL_NAMES = ["institution", "institution_export", "programme_summary", "monitoring", "network"]


def test_every_institution_url_is_covered():
    from reports.urls import urlpatterns

    names = {p.name for p in urlpatterns if "brin" in p.pattern.regex.pattern}
    assert names == set(INSTITUTION_URL_NAMES)


@pytest.mark.parametrize("index", range(8))
def test_career_office_of_a_gets_404_on_every_report_of_b(data, client, django_user_model, index):
    client.force_login(user(django_user_model, "co-a", A, Membership.Role.CAREER_OFFICE, data))
    url = institution_urls(B, data.programmes[2].crebo)[index]
    assert client.get(url).status_code in (403, 404), url


def test_career_office_sees_own_reports_but_not_monitoring_or_raw_rows(data, client, django_user_model):
    client.force_login(user(django_user_model, "co-a", A, Membership.Role.CAREER_OFFICE, data))
    assert client.get(reverse("reports:institution", args=[A])).status_code == 200
    assert client.get(reverse("reports:institution_export", args=[A, "csv"])).status_code == 200
    assert client.get(reverse("reports:monitoring", args=[A])).status_code == 403
    assert client.get(reverse("reports:raw_export")).status_code == 403
    assert client.get(reverse("reports:cross")).status_code == 403


def test_career_office_restricted_to_programmes(data, client, django_user_model):
    allowed = data.programmes[2]
    client.force_login(
        user(django_user_model, "co-a", A, Membership.Role.CAREER_OFFICE, data, programmes=[allowed])
    )
    payload = client.get(reverse("reports:institution", args=[A]) + "?format=json").json()
    labels = {r["label"] for t in payload["tables"] if t["key"] == "working" for r in t["rows"]}
    assert labels == {f"{allowed.crebo} {allowed.name}", "Totaal"}
    other = data.programmes[0].crebo
    assert client.get(reverse("reports:programme_summary", args=[A, other])).status_code == 404


def test_institution_admin_sees_monitoring_of_own_institution_only(data, client, django_user_model):
    client.force_login(user(django_user_model, "adm-a", A, Membership.Role.ADMIN, data))
    assert client.get(reverse("reports:monitoring", args=[A])).status_code == 200
    assert client.get(reverse("reports:monitoring", args=[B])).status_code == 404


def test_regional_analyst_sees_only_cross_institution_views(data, client, django_user_model):
    region = Region.objects.create(name="Regio", postcode_ranges="1000-1099")
    region.institutions.set(data.institutions)
    other = Region.objects.create(name="Elders")
    analyst = user(django_user_model, "analyst")
    RegionalAnalyst.objects.create(user=analyst, region=region)
    client.force_login(analyst)
    assert client.get(reverse("reports:cross") + f"?region={region.pk}").status_code == 200
    assert (
        client.get(reverse("reports:cross_export", args=["csv"]) + f"?region={region.pk}").status_code == 200
    )
    assert client.get(reverse("reports:cross") + f"?region={other.pk}").status_code == 403
    for url in institution_urls(A, data.programmes[2].crebo):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("reports:raw_export")).status_code == 403


def test_no_report_page_shows_an_individual_answer(data, admin_client):
    secrets = list(Response.objects.exclude(job_title="").values_list("job_title", "employer_name")[:50])
    assert secrets
    pages = [
        *institution_urls(A, data.programmes[2].crebo)[:5],
        reverse("reports:cross") + "?by=institution&by=programme",
        reverse("reports:cross_export", args=["csv"]),
    ]
    for url in pages:
        body = admin_client.get(url).content.decode("utf-8", errors="replace")
        assert "geheim" not in body, url  # every job title / employer in the data set contains it
    raw = b"".join(admin_client.get(reverse("reports:raw_export")).streaming_content).decode()
    assert "geheim" not in raw and "@" not in raw  # anonymised rows: no free text, no addresses


def test_alumni_network_list_is_own_institution_only_and_logged(data, client, django_user_model):
    career = user(django_user_model, "co-a", A, Membership.Role.CAREER_OFFICE, data)
    client.force_login(career)
    page = client.get(reverse("reports:network", args=[A]))
    assert page.status_code == 200
    expected = Response.objects.filter(
        invitation__graduate__institution__brin=A, network_guest_lessons=True
    ).values_list("invitation__graduate__private_email", flat=True)
    body = page.content.decode()
    assert all(email in body for email in expected)
    assert "@" in body
    assert client.get(reverse("reports:network", args=[A]) + "?format=csv").status_code == 200
    assert client.get(reverse("reports:network", args=[B])).status_code == 404
    institution_a = next(i for i in data.institutions if i.brin == A)
    logs = list(
        AuditEntry.objects.filter(actor_id=career.pk, what__startswith="network").values_list(
            "action", "what", "institution_id"
        )
    )
    assert sorted(logs) == [
        ("export", "network_csv", institution_a.pk),
        ("view", "network_list", institution_a.pk),
    ]
    assert "geheim" not in body


def test_raw_export_is_logged(data, admin_client):
    response = admin_client.get(reverse("reports:raw_export"))
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert len(rows) == 1 + Response.objects.filter(completed_at__isnull=False).count()
    assert AuditEntry.objects.filter(action="export", what="raw_responses").count() == 1


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("reports:institution", args=[A])).status_code == 302
