"""The audit log: who did what to which personal data, when and from where.

Append-only. The application cannot change or delete an entry: ``save`` on
an existing row, ``delete`` and the queryset's ``update``/``delete`` raise,
and on PostgreSQL a trigger refuses UPDATE and DELETE on the table for every
client (migration 0002), so not even a raw query can rewrite history.

An entry names people by id, never by name or address: the actor (a user of
the platform) by id and username at the time, the target by its model and
primary key. So erasing a graduate leaves nothing personal about them here,
while the entry still says that their data was viewed, exported or erased.
No foreign keys either: deleting a user or an institution must not touch
(and so must not be refused by) the log.
"""

import json

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """An attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries cannot be changed")

    def delete(self):
        raise AppendOnly("audit entries cannot be deleted")

    _raw_delete = delete


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        VIEW = "view", _("view of personal data")
        EXPORT = "export", _("export")
        UPLOAD = "upload", _("upload")
        IMPORT = "import", _("import")
        CHANGE = "change", _("change of personal data")
        ERASURE = "erasure", _("erasure")
        RETENTION = "retention", _("retention run")
        ROLE_CHANGE = "role_change", _("role change")
        API_KEY_CHANGE = "api_key_change", _("API key change")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    # Who: a user's id and username as they were (no FK, see the docstring);
    # empty for the system (a beat task, a command without a user).
    actor_id = models.IntegerField(null=True, blank=True, db_index=True)
    actor = models.CharField(max_length=150, blank=True)
    # What: a short machine-readable name (e.g. "graduate_page"), the object's
    # model label and pk, and the institution it belongs to.
    what = models.CharField(max_length=100, blank=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    institution_id = models.IntegerField(null=True, blank=True, db_index=True)
    # From where: the client's address and the path, when it came by HTTP.
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor or '-'} {self.action} {self.what}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be deleted")

    @property
    def details_text(self) -> str:
        """The details as one line of JSON, for the page and the admin."""
        return json.dumps(self.details, ensure_ascii=False, sort_keys=True) if self.details else ""

    @property
    def what_label(self):
        """``what`` in words, when audit.labels knows it."""
        from .labels import what_label

        return what_label(self.what)

    @property
    def target_label(self):
        """The target's model in words (``alumni.graduate`` → its verbose name), when known."""
        from .labels import target_label

        return target_label(self.target_type) if self.target_type else None

    @property
    def details_lines(self):
        """The details as (label, value) pairs for the page (audit.labels)."""
        from .labels import details_lines

        return details_lines(self.details)
