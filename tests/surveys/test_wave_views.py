"""The institution admin's wave page and the extra-reminder button.

The extra reminder acts on the real date (timezone.localdate()), so these
tests plan and send relative to today.
"""

import datetime

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from alumni.models import Membership
from surveys import lifecycle, planning, sending
from surveys.models import Invitation, OutboundEmail, Wave
from tests.factories.people import emails_of, invitation_of, make_graduate, make_graduates, programme

pytestmark = pytest.mark.django_db

S = Invitation.Status
OVERVIEW = reverse("surveys:wave_overview")


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def today() -> datetime.date:
    return timezone.localdate()


def send_day(day):
    planning.plan(day)
    while sending.send_queued(100).sent:
        pass


def extra_url(institution, code="T1"):
    return reverse("surveys:extra_reminder", args=[institution.brin, code])


def extras_queued(institution=None):
    rows = OutboundEmail.objects.filter(purpose=f"extra-{today().isoformat()}")
    if institution is not None:
        rows = rows.filter(invitation__graduate__institution=institution)
    return rows


@pytest.fixture
def invited_ten_days_ago(institution):
    """Graduates of two programmes, invited (T1) ten days ago and not mailed since."""
    # Diploma ~150 days ago: T1 was due ~60 days ago, inside the 90-day window.
    diploma = today() - days(150)
    first = make_graduates(4, institution, diploma_date=diploma, programme=programme(0))
    second = make_graduates(3, institution, diploma_date=diploma, programme=programme(1))
    send_day(today() - days(10))
    return first, second


@pytest.fixture
def admin_client(client, institution_admin):
    client.force_login(institution_admin)
    return client


@pytest.fixture
def admin_b(db, other_institution, django_user_model):
    user = django_user_model.objects.create_user("admin-b", "admin-b@example.org", "a-long-password-2")
    Membership.objects.create(user=user, institution=other_institution, role=Membership.Role.ADMIN)
    return user


def block_for(response, institution, code):
    (block,) = [
        b
        for b in response.context["blocks"]
        if b["institution"].pk == institution.pk and b["wave"].code == code
    ]
    return block


# --- the overview ---------------------------------------------------------------------------------------------


def test_counts_per_status_per_programme(admin_client, institution, invited_ten_days_ago):
    first, second = invited_ten_days_ago
    Invitation.objects.filter(graduate=first[0]).update(status=S.COMPLETED)
    Invitation.objects.filter(graduate__in=first[1:3]).update(status=S.PARTIAL)
    Invitation.objects.filter(graduate=second[0]).update(status=S.BOUNCED)
    lifecycle.open_link(invitation_of(second[1], "T1"))
    # A late upload past the window counts as not invited.
    make_graduate(institution, diploma_date=today() - days(400), programme=programme(1))
    planning.plan(today())

    response = admin_client.get(OVERVIEW)

    assert response.status_code == 200
    block = block_for(response, institution, "T1")
    rows = {row["crebo"]: row for row in block["rows"]}
    assert set(rows) == {programme(0).crebo, programme(1).crebo}
    one, two = rows[programme(0).crebo], rows[programme(1).crebo]
    assert one["name"] == programme(0).name
    assert {k: v for k, v in one["counts"].items() if v} == {S.COMPLETED: 1, S.PARTIAL: 2, S.SENT: 1}
    assert one["total"] == 4
    assert {k: v for k, v in two["counts"].items() if v} == {
        S.BOUNCED: 1,
        S.OPENED: 1,
        S.SENT: 1,
        S.NOT_INVITED: 1,
    }
    assert two["total"] == 4
    # The cells follow the status columns, every status has one.
    assert block["statuses"] == [s for s, _label in S.choices]
    assert one["cells"] == [one["counts"][s] for s in block["statuses"]]
    # And they are on the page.
    content = response.content.decode()
    assert programme(0).crebo in content and programme(1).name in content
    assert extra_url(institution) in content


def test_a_wave_without_invitations_has_no_rows_and_no_button(
    admin_client, institution, invited_ten_days_ago
):
    response = admin_client.get(OVERVIEW)
    assert block_for(response, institution, "T3")["rows"] == []
    assert extra_url(institution, "T3") not in response.content.decode()


def test_admin_of_a_sees_only_a(admin_client, institution, other_institution, invited_ten_days_ago):
    make_graduates(2, other_institution, diploma_date=today() - days(150), programme=programme(2))
    planning.plan(today())
    assert Invitation.objects.filter(graduate__institution=other_institution).count() == 2

    response = admin_client.get(OVERVIEW)

    assert {b["institution"].pk for b in response.context["blocks"]} == {institution.pk}
    content = response.content.decode()
    assert other_institution.name not in content
    assert programme(2).crebo not in content
    assert extra_url(other_institution) not in content


def test_a_user_without_an_admin_role_sees_no_institution(
    client, institution, django_user_model, invited_ten_days_ago
):
    user = django_user_model.objects.create_user("career", "career@example.org", "a-long-password-3")
    Membership.objects.create(user=user, institution=institution, role=Membership.Role.CAREER_OFFICE)
    client.force_login(user)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert response.context["blocks"] == []
    assert client.post(extra_url(institution)).status_code == 404
    assert not extras_queued().exists()


def test_anonymous_is_sent_to_the_login_page(client, institution, invited_ten_days_ago):
    login = reverse("login")
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert response.url.startswith(login) and "next=" in response.url
    response = client.post(extra_url(institution))
    assert response.status_code == 302
    assert response.url.startswith(login)
    assert not extras_queued().exists()


# --- the extra reminder --------------------------------------------------------------------------------------------


def test_extra_reminder_is_queued_once_a_day(admin_client, institution, invited_ten_days_ago, mailoutbox):
    first, second = invited_ten_days_ago
    everyone = [*first, *second]
    Invitation.objects.filter(graduate=first[0]).update(status=S.COMPLETED)
    mailoutbox.clear()

    response = admin_client.post(extra_url(institution), follow=True)

    assert response.redirect_chain == [(OVERVIEW, 302)]
    assert [m.level for m in get_messages(response.wsgi_request)] == [message_levels.SUCCESS]
    assert extras_queued().count() == len(everyone) - 1
    assert not emails_of(first[0]).filter(purpose__startswith="extra").exists()

    # A second click the same day, before and after the mail went out: nothing more.
    response = admin_client.post(extra_url(institution), follow=True)
    assert [m.level for m in get_messages(response.wsgi_request)] == [message_levels.INFO]
    assert extras_queued().count() == len(everyone) - 1
    while sending.send_queued(100).sent:
        pass
    admin_client.post(extra_url(institution))
    assert extras_queued().count() == len(everyone) - 1

    # Where the first mail went: the private address (T1 too prefers it).
    assert sorted(m.to[0] for m in mailoutbox) == sorted(g.private_email for g in everyone[1:])
    for graduate in everyone[1:]:
        assert invitation_of(graduate, "T1").last_mailed_on == today()


def test_no_extra_reminder_for_a_graduate_who_got_a_reminder_today(admin_client, institution, mailoutbox):
    diploma = today() - days(150)
    reminded_today = make_graduate(institution, diploma_date=diploma)
    send_day(today() - days(7))  # invited a week ago ...
    waiting = make_graduate(institution, diploma_date=diploma)
    send_day(today() - days(3))  # ... and this one three days ago (a late upload)
    send_day(today())  # the first one's automatic reminder goes out today
    assert emails_of(reminded_today).get(purpose="reminder-1").state == OutboundEmail.State.SENT
    mailoutbox.clear()

    admin_client.post(extra_url(institution))

    assert list(extras_queued().values_list("invitation__graduate", flat=True)) == [waiting.pk]
    while sending.send_queued(100).sent:
        pass
    assert [m.to for m in mailoutbox] == [[waiting.private_email]]


def test_no_extra_reminder_for_opted_out_bounced_expired_or_completed(
    admin_client, institution, invited_ten_days_ago
):
    first, second = invited_ten_days_ago
    lifecycle.opt_out(first[0])
    Invitation.objects.filter(graduate=first[1]).update(status=S.BOUNCED)
    Invitation.objects.filter(graduate=first[2]).update(status=S.COMPLETED)
    Invitation.objects.filter(graduate=first[3]).update(status=S.EXPIRED)
    Invitation.objects.filter(graduate=second[0]).update(closes_on=today() - days(1))

    admin_client.post(extra_url(institution))

    assert sorted(extras_queued().values_list("invitation__graduate", flat=True)) == sorted(
        g.pk for g in second[1:]
    )


def test_admin_of_a_cannot_post_bs_extra_reminder(client, institution, other_institution, admin_b):
    diploma = today() - days(150)
    make_graduates(2, institution, diploma_date=diploma)
    make_graduates(2, other_institution, diploma_date=diploma)
    send_day(today() - days(10))

    client.force_login(admin_b)
    assert client.post(extra_url(institution)).status_code == 404
    assert not extras_queued().exists()
    # Their own institution works, and touches only their own graduates.
    assert client.post(extra_url(other_institution)).status_code == 302
    assert extras_queued().count() == 2
    assert extras_queued(other_institution).count() == 2


def test_extra_reminder_for_an_unknown_or_inactive_wave_is_404(
    admin_client, institution, invited_ten_days_ago
):
    assert (
        admin_client.post(reverse("surveys:extra_reminder", args=[institution.brin, "T9"])).status_code == 404
    )
    Wave.objects.filter(code="T1").update(is_active=False)
    assert admin_client.post(extra_url(institution)).status_code == 404
    assert not extras_queued().exists()


def test_extra_reminder_only_by_post(admin_client, institution, invited_ten_days_ago):
    assert admin_client.get(extra_url(institution)).status_code == 405
    assert not extras_queued().exists()


def test_extra_reminder_needs_the_csrf_token(client, institution_admin, institution, invited_ten_days_ago):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(institution_admin)
    assert strict.post(extra_url(institution)).status_code == 403
    assert not extras_queued().exists()
