"""Logins and role changes are recorded by audit.signals: who, what, when, from where."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from alumni.models import Membership
from audit.models import AuditEntry
from reports.models import Region, RegionalAnalyst
from tests.factories import people
from tests.factories.people import CLIENT_IP as IP
from tests.factories.people import PASSWORD

pytestmark = pytest.mark.django_db


def only(**filters) -> AuditEntry:
    """The one entry matching ``filters`` (fails on none or several)."""
    (entry,) = AuditEntry.objects.filter(**filters)
    return entry


# --- Logins ---------------------------------------------------------------------


def test_a_successful_login_names_the_user_and_the_address(web, django_user_model):
    user = django_user_model.objects.create_user("beheerder", "b@example.org", PASSWORD)
    response = web.post(reverse("login"), {"username": "beheerder", "password": PASSWORD})
    assert response.status_code == 302
    entry = only(action="login")
    assert (entry.actor_id, entry.actor, entry.what) == (user.pk, "beheerder", "login")
    assert (entry.ip, entry.path) == (IP, reverse("login"))
    assert (entry.target_type, entry.target_id) == ("auth.user", str(user.pk))
    assert not AuditEntry.objects.filter(action="login_failed").exists()


def test_a_failed_login_keeps_the_username_tried_and_never_the_password(web, django_user_model):
    django_user_model.objects.create_user("beheerder", "b@example.org", PASSWORD)
    response = web.post(reverse("login"), {"username": "beheerder", "password": "wrong-password-9"})
    assert response.status_code == 200  # the form again
    entry = only(action="login_failed")
    assert (entry.actor_id, entry.actor, entry.what, entry.ip) == (None, "", "login", IP)
    assert entry.details == {"username": "beheerder"}
    assert "wrong-password-9" not in str(AuditEntry.objects.values().get())
    assert not AuditEntry.objects.filter(action="login").exists()


def test_the_attempt_that_locks_out_and_those_after_it_say_so(web, settings, django_user_model):
    django_user_model.objects.create_user("beheerder", "b@example.org", PASSWORD)
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        web.post(reverse("login"), {"username": "beheerder", "password": "wrong-password-9"})
    failed = list(AuditEntry.objects.filter(action="login_failed").order_by("id"))
    assert len(failed) == settings.AXES_FAILURE_LIMIT + 1
    # The attempt that reaches the limit locks out; the one after is refused as locked out.
    locked = [e.details.get("locked_out", False) for e in failed]
    assert locked == [False] * (settings.AXES_FAILURE_LIMIT - 1) + [True, True]


def test_logout_is_recorded(web, django_user_model):
    user = django_user_model.objects.create_user("beheerder", "b@example.org", PASSWORD)
    web.post(reverse("login"), {"username": "beheerder", "password": PASSWORD})
    web.post(reverse("logout"))
    entry = only(action="logout")
    assert (entry.actor_id, entry.ip) == (user.pk, IP)


# --- Role changes in the Django admin (the actor is known) ------------------------


@pytest.fixture
def admin_web(web, platform_admin):
    web.force_login(platform_admin)
    return web


def test_membership_created_changed_and_deleted_in_the_admin(
    admin_web, platform_admin, institution, django_user_model
):
    member = django_user_model.objects.create_user("loopbaan", "l@example.org", PASSWORD)
    add = admin_web.post(
        reverse("admin:alumni_membership_add"),
        {"user": member.pk, "institution": institution.pk, "role": Membership.Role.CAREER_OFFICE},
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    membership = Membership.objects.get(user=member)
    created = only(what="membership_created")
    assert (created.action, created.actor_id, created.actor, created.ip) == (
        "role_change",
        platform_admin.pk,
        "platform",
        IP,
    )
    assert (created.target_type, created.target_id) == ("alumni.membership", str(membership.pk))
    assert created.institution_id == institution.pk
    assert created.details == {"user_id": member.pk, "role": "career_office"}

    change = admin_web.post(
        reverse("admin:alumni_membership_change", args=[membership.pk]),
        {"user": member.pk, "institution": institution.pk, "role": Membership.Role.ADMIN},
    )
    assert change.status_code == 302
    changed = only(what="membership_changed")
    assert (changed.actor_id, changed.ip, changed.institution_id) == (platform_admin.pk, IP, institution.pk)
    assert changed.details == {
        "user_id": member.pk,
        "role": "admin",
        "changed": {"role": ["career_office", "admin"]},
    }

    delete = admin_web.post(reverse("admin:alumni_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert delete.status_code == 302
    deleted = only(what="membership_deleted")
    assert (deleted.actor_id, deleted.institution_id, deleted.target_id) == (
        platform_admin.pk,
        institution.pk,
        str(membership.pk),
    )
    assert deleted.details == {"user_id": member.pk, "role": "admin"}


def test_saving_a_membership_unchanged_records_nothing(admin_web, institution, django_user_model):
    member = django_user_model.objects.create_user("loopbaan", "l@example.org", PASSWORD)
    membership = Membership.objects.create(user=member, institution=institution, role="admin")
    before = AuditEntry.objects.count()
    admin_web.post(
        reverse("admin:alumni_membership_change", args=[membership.pk]),
        {"user": member.pk, "institution": institution.pk, "role": "admin"},
    )
    assert AuditEntry.objects.count() == before


def test_a_membership_narrowed_to_programmes_in_the_admin(
    admin_web, platform_admin, institution, django_user_model
):
    member = django_user_model.objects.create_user("loopbaan", "l@example.org", PASSWORD)
    membership = Membership.objects.create(user=member, institution=institution, role="career_office")
    first, second = people.programme(0), people.programme(1)
    url = reverse("admin:alumni_membership_change", args=[membership.pk])
    fields = {"user": member.pk, "institution": institution.pk, "role": "career_office"}
    admin_web.post(url, {**fields, "programmes": [first.pk, second.pk]})
    added = only(what="membership_programmes_changed")
    assert (added.actor_id, added.ip, added.institution_id) == (platform_admin.pk, IP, institution.pk)
    assert added.details == {
        "user_id": member.pk,
        "role": "career_office",
        "added": sorted([first.crebo, second.crebo]),
    }
    admin_web.post(url, {**fields, "programmes": [second.pk]})
    removed = AuditEntry.objects.filter(what="membership_programmes_changed").order_by("-id").first()
    assert removed.details["removed"] == [first.crebo]
    assert AuditEntry.objects.filter(what="membership_programmes_changed").count() == 2


def test_programmes_cleared_in_code_are_recorded_without_an_actor(institution, django_user_model):
    member = django_user_model.objects.create_user("loopbaan", "l@example.org", PASSWORD)
    membership = Membership.objects.create(user=member, institution=institution, role="career_office")
    membership.programmes.set([people.programme(0)])
    membership.programmes.clear()
    entries = list(AuditEntry.objects.filter(what="membership_programmes_changed").order_by("id"))
    assert [e.details.get("added") or e.details.get("removed") for e in entries] == [
        [people.programme(0).crebo]
    ] * 2
    assert {(e.actor_id, e.ip, e.details["via"]) for e in entries} == {(None, None, "no request")}


def test_a_user_made_staff_and_superuser_in_the_admin(admin_web, platform_admin, django_user_model):
    user = django_user_model.objects.create_user("nieuw", "n@example.org", PASSWORD)
    response = admin_web.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": "nieuw",
            "email": "n@example.org",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-12-01",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-12-01",
            "initial-date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = only(what="user_flags_changed")
    assert (entry.action, entry.actor_id, entry.ip) == ("role_change", platform_admin.pk, IP)
    assert (entry.target_type, entry.target_id) == ("auth.user", str(user.pk))
    assert entry.details == {"user_id": user.pk, "is_staff": [False, True], "is_superuser": [False, True]}


def test_a_deactivated_user_and_changed_groups_and_permissions(django_user_model):
    user = django_user_model.objects.create_user("nieuw", "n@example.org", PASSWORD)
    user.is_active = False
    user.save()
    group = Group.objects.create(name="Beheer")
    user.groups.add(group)
    permission = Permission.objects.get(codename="view_membership")
    user.user_permissions.add(permission)
    assert only(what="user_flags_changed").details == {
        "user_id": user.pk,
        "is_active": [True, False],
        "via": "no request",
    }
    assert only(what="user_groups_changed").details["added"] == [group.pk]
    assert only(what="user_permissions_changed").details["added"] == [permission.pk]


def test_a_login_saves_last_login_without_a_role_change(web, django_user_model):
    django_user_model.objects.create_user("beheerder", "b@example.org", PASSWORD)
    web.post(reverse("login"), {"username": "beheerder", "password": PASSWORD})
    assert not AuditEntry.objects.filter(action="role_change").exists()


def test_a_superuser_created_from_the_command_line_is_recorded_without_an_actor(django_user_model):
    user = django_user_model.objects.create_superuser("root", "r@example.org", PASSWORD)
    entry = only(what="user_created")
    assert (entry.actor_id, entry.ip, entry.target_id) == (None, None, str(user.pk))
    assert entry.details == {"user_id": user.pk, "is_superuser": True, "is_staff": True, "via": "no request"}
    django_user_model.objects.create_user("gewoon", "g@example.org", PASSWORD)
    assert AuditEntry.objects.filter(what="user_created").count() == 1  # a plain user is no role change


def test_a_regional_analyst_added_and_removed_in_the_admin(admin_web, platform_admin, django_user_model):
    analyst = django_user_model.objects.create_user("analist", "a@example.org", PASSWORD)
    region = Region.objects.create(name="Regio Noord")
    response = admin_web.post(
        reverse("admin:reports_regionalanalyst_add"), {"user": analyst.pk, "region": region.pk}
    )
    assert response.status_code == 302
    link = RegionalAnalyst.objects.get()
    created = only(what="regional_analyst_created")
    assert (created.actor_id, created.ip, created.target_type, created.target_id) == (
        platform_admin.pk,
        IP,
        "reports.regionalanalyst",
        str(link.pk),
    )
    assert created.details == {"user_id": analyst.pk, "region_id": region.pk}
    admin_web.post(reverse("admin:reports_regionalanalyst_delete", args=[link.pk]), {"post": "yes"})
    deleted = only(what="regional_analyst_deleted")
    assert (deleted.actor_id, deleted.details) == (
        platform_admin.pk,
        {"user_id": analyst.pk, "region_id": region.pk},
    )


def test_deleting_a_user_records_the_user_and_each_membership(institution, django_user_model):
    member = django_user_model.objects.create_user("loopbaan", "l@example.org", PASSWORD)
    membership = Membership.objects.create(user=member, institution=institution, role="admin")
    member_pk, membership_pk = member.pk, membership.pk
    member.delete()
    assert only(what="user_deleted").target_id == str(member_pk)
    assert only(what="membership_deleted").target_id == str(membership_pk)
