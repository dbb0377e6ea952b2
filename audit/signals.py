"""Audit receivers for what happens outside one view: logins and role changes.

Connected in :meth:`audit.apps.AuditConfig.ready`.

Logins come with their request (Django's auth signals pass it), so the entry
has the address. Role changes come as model signals, which carry no request:
the actor and address are taken from :func:`audit.middleware.current_request`,
i.e. whoever made the change in the Django admin (or any other view). A
change made outside a request — ``createsuperuser``, the shell, a management
command, a data migration — cannot name its actor: the entry is written with
an empty actor and address and ``"via": "no request"`` in its details, so it
still shows *that* and *what* changed.

What counts as a role change (platform.md, "Who uses it"): an institution
membership created, changed or deleted, or its programmes changed (they
narrow a career office's view); a regional analyst created, changed or
deleted; a user's ``is_superuser``, ``is_staff`` or ``is_active`` changed
(or a user created as staff or superuser); a user's groups or permissions
changed. Entries name users by id (the target and ``user_id``), never by
name or address.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from alumni.models import Membership, Programme
from reports.models import RegionalAnalyst

from .middleware import current_request
from .services import Action, record

USER_FLAGS = ("is_superuser", "is_staff", "is_active")
MEMBERSHIP_FIELDS = ("user_id", "institution_id", "role")
ANALYST_FIELDS = ("user_id", "region_id")


def connect() -> None:
    User = get_user_model()
    user_logged_in.connect(logged_in, dispatch_uid="audit_login")
    user_login_failed.connect(login_failed, dispatch_uid="audit_login_failed")
    user_logged_out.connect(logged_out, dispatch_uid="audit_logout")

    pre_save.connect(remember_user_flags, sender=User, dispatch_uid="audit_user_pre")
    post_save.connect(user_saved, sender=User, dispatch_uid="audit_user_post")
    post_delete.connect(user_deleted, sender=User, dispatch_uid="audit_user_delete")
    m2m_changed.connect(user_groups_changed, sender=User.groups.through, dispatch_uid="audit_user_groups")
    m2m_changed.connect(
        user_permissions_changed, sender=User.user_permissions.through, dispatch_uid="audit_user_perms"
    )

    pre_save.connect(remember_membership, sender=Membership, dispatch_uid="audit_membership_pre")
    post_save.connect(membership_saved, sender=Membership, dispatch_uid="audit_membership_post")
    post_delete.connect(membership_deleted, sender=Membership, dispatch_uid="audit_membership_delete")
    m2m_changed.connect(
        membership_programmes_changed,
        sender=Membership.programmes.through,
        dispatch_uid="audit_membership_programmes",
    )

    pre_save.connect(remember_analyst, sender=RegionalAnalyst, dispatch_uid="audit_analyst_pre")
    post_save.connect(analyst_saved, sender=RegionalAnalyst, dispatch_uid="audit_analyst_post")
    post_delete.connect(analyst_deleted, sender=RegionalAnalyst, dispatch_uid="audit_analyst_delete")


# --- Logins -------------------------------------------------------------------


def logged_in(sender, request, user, **kwargs):
    record(Action.LOGIN, "login", request=request, user=user, target=user)


def login_failed(sender, credentials, request=None, **kwargs):
    """The username tried is kept (it tells a typo from an attack on one
    account); the password never reaches this signal (Django masks it).
    ``locked_out``: django-axes locked the client out with this attempt, or
    refused it because it already was."""
    username = str(credentials.get(get_user_model().USERNAME_FIELD, "") or "")[:150]
    details = {"username": username}
    if getattr(request, "axes_locked_out", False):
        details["locked_out"] = True
    record(Action.LOGIN_FAILED, "login", request=request, user=None, details=details)


def logged_out(sender, request, user, **kwargs):
    record(Action.LOGOUT, "logout", request=request, user=user, target=user)


# --- Role changes ---------------------------------------------------------------


def _role_change(what: str, target, *, institution=None, details: dict) -> None:
    request = current_request()
    if request is None:
        details = {**details, "via": "no request"}
    record(Action.ROLE_CHANGE, what, request=request, target=target, institution=institution, details=details)


def _before(instance, fields):
    """The stored values of ``fields`` before this save (one query, only for an update)."""
    if instance.pk is None or instance._state.adding:
        return None
    return type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()


def _changes(before: dict | None, instance, fields) -> dict:
    if before is None:
        return {}
    return {f: [before[f], getattr(instance, f)] for f in fields if before[f] != getattr(instance, f)}


def remember_user_flags(sender, instance, raw=False, update_fields=None, **kwargs):
    # A login saves last_login only: no query for that.
    if raw or (update_fields is not None and not set(update_fields) & set(USER_FLAGS)):
        instance._audit_before = None
        return
    instance._audit_before = _before(instance, USER_FLAGS)


def user_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        flags = {f: getattr(instance, f) for f in ("is_superuser", "is_staff") if getattr(instance, f)}
        if flags:
            _role_change("user_created", instance, details={"user_id": instance.pk, **flags})
        return
    changes = _changes(getattr(instance, "_audit_before", None), instance, USER_FLAGS)
    if changes:
        _role_change("user_flags_changed", instance, details={"user_id": instance.pk, **changes})


def user_deleted(sender, instance, **kwargs):
    """A deleted user loses every role (their memberships are logged as they cascade)."""
    flags = {f: getattr(instance, f) for f in USER_FLAGS}
    _role_change("user_deleted", instance, details={"user_id": instance.pk, **flags})


def _m2m_pks(action, instance, pk_set, field: str):
    """The related pks an m2m signal added or removed (``clear`` reads them first)."""
    if action == "pre_clear":
        instance._audit_cleared = set(getattr(instance, field).values_list("pk", flat=True))
        return None
    if action == "post_clear":
        return getattr(instance, "_audit_cleared", set())
    if action in ("post_add", "post_remove"):
        return set(pk_set or ())
    return None


def user_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    _user_m2m_changed("user_groups_changed", "groups", instance, action, reverse, pk_set)


def user_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    _user_m2m_changed("user_permissions_changed", "user_permissions", instance, action, reverse, pk_set)


def _user_m2m_changed(what, field, instance, action, reverse, pk_set):
    if reverse:  # group.user_set.add(user): the pks are users'
        users, related = (pk_set or set()), [instance.pk]
        if action in ("pre_clear", "post_clear") or not users:
            return
        for user in get_user_model()._base_manager.filter(pk__in=users):
            _role_change(what, user, details={"user_id": user.pk, _verb(action): related})
        return
    pks = _m2m_pks(action, instance, pk_set, field)
    if pks:
        _role_change(what, instance, details={"user_id": instance.pk, _verb(action): sorted(pks)})


def _verb(action: str) -> str:
    return "added" if action == "post_add" else "removed"


def remember_membership(sender, instance, raw=False, **kwargs):
    instance._audit_before = None if raw else _before(instance, MEMBERSHIP_FIELDS)


def _role_saved(kind: str, instance, created: bool, fields, details: dict, institution=None) -> None:
    """A role record (membership, regional analyst) created, or changed in ``fields``:
    ``<kind>_created`` or ``<kind>_changed`` with what changed."""
    if created:
        _role_change(f"{kind}_created", instance, institution=institution, details=details)
        return
    changes = _changes(getattr(instance, "_audit_before", None), instance, fields)
    if changes:
        _role_change(
            f"{kind}_changed", instance, institution=institution, details={**details, "changed": changes}
        )


def membership_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    details = {"user_id": instance.user_id, "role": instance.role}
    _role_saved("membership", instance, created, MEMBERSHIP_FIELDS, details, instance.institution_id)


def membership_deleted(sender, instance, **kwargs):
    _role_change(
        "membership_deleted",
        instance,
        institution=instance.institution_id,
        details={"user_id": instance.user_id, "role": instance.role},
    )


def membership_programmes_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Which programmes a career office membership is narrowed to (by crebo)."""
    if reverse:  # programme.membership_set.add(membership)
        if action in ("pre_clear", "post_clear") or not pk_set:
            return
        crebos = [instance.crebo]
        for membership in Membership.objects.filter(pk__in=pk_set):
            _membership_programmes(membership, action, crebos)
        return
    pks = _m2m_pks(action, instance, pk_set, "programmes")
    if pks:
        crebos = sorted(Programme.objects.filter(pk__in=pks).values_list("crebo", flat=True))
        _membership_programmes(instance, action, crebos)


def _membership_programmes(membership, action, crebos):
    _role_change(
        "membership_programmes_changed",
        membership,
        institution=membership.institution_id,
        details={"user_id": membership.user_id, "role": membership.role, _verb(action): crebos},
    )


def remember_analyst(sender, instance, raw=False, **kwargs):
    instance._audit_before = None if raw else _before(instance, ANALYST_FIELDS)


def analyst_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    details = {"user_id": instance.user_id, "region_id": instance.region_id}
    _role_saved("regional_analyst", instance, created, ANALYST_FIELDS, details)


def analyst_deleted(sender, instance, **kwargs):
    _role_change(
        "regional_analyst_deleted",
        instance,
        details={"user_id": instance.user_id, "region_id": instance.region_id},
    )
