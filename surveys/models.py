"""Waves, invitations and the outbox of survey e-mail.

Guarantees live in the database, not only in code:
- one invitation per graduate per wave (unique constraint);
- one outbox message per invitation and purpose (unique constraint), so a
  dispatcher that runs twice, or a task delivered twice, cannot queue a mail twice;
- a message is claimed (queued -> sending) by a conditional UPDATE before it
  is handed to SMTP and marked sent right after, so two workers never send the
  same message. See ``services.send_queued`` for what a killed worker can cost.
"""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from alumni.models import Graduate


def new_token() -> str:
    """256 bits from the OS CSPRNG, URL-safe; says nothing about its owner."""
    return secrets.token_urlsafe(32)


class Wave(models.Model):
    """A follow-up moment: T1 (3 months) or T3 (3 years) after the diploma.

    Every number is editable in the admin, so a platform admin changes the
    schedule without a deploy.
    """

    code = models.CharField(max_length=4, unique=True)
    name = models.CharField(max_length=100)
    months_after_diploma = models.PositiveSmallIntegerField()
    invitation_window_days = models.PositiveSmallIntegerField(
        default=60,
        help_text=_("A graduate uploaded after the due date is still invited up to this many days after it."),
    )
    reminder_days = models.JSONField(
        default=list, help_text=_("Days after the invitation to send reminders, e.g. [7, 14].")
    )
    closing_days = models.PositiveSmallIntegerField(
        default=42, help_text=_("The survey link closes this many days after the invitation.")
    )
    send_rate_per_minute = models.PositiveIntegerField(
        default=600, help_text=_("At most this many e-mails per minute (provider limits).")
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["months_after_diploma"]
        verbose_name = _("wave")

    def __str__(self):
        return f"{self.code} – {self.name}"


class Invitation(models.Model):
    """One graduate x one wave: the token, where it stands, and when."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        REMINDED = "reminded", _("reminded")
        OPENED = "opened", _("opened")
        PARTIAL = "partial", _("partly answered")
        COMPLETED = "completed", _("completed")
        BOUNCED = "bounced", _("bounced")
        OPTED_OUT = "opted_out", _("opted out")
        EXPIRED = "expired", _("expired")
        NOT_INVITED = "not_invited", _("not invited (past the window)")

    # Statuses in which a graduate may still get mail for this wave.
    MAILABLE = (Status.PENDING, Status.SENT, Status.REMINDED, Status.OPENED, Status.PARTIAL)
    # Statuses in which the link may still be answered.
    ANSWERABLE = (Status.SENT, Status.REMINDED, Status.OPENED, Status.PARTIAL)

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="invitations")
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_on = models.DateField(null=True, blank=True, help_text=_("Schedule day of the first mail."))
    sent_at = models.DateTimeField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_mailed_on = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        constraints = [
            models.UniqueConstraint(fields=["graduate", "wave"], name="invitation_one_per_wave"),
        ]
        indexes = [models.Index(fields=["wave", "status"])]

    def __str__(self):
        return f"{self.wave.code} {self.graduate}"


class InvitationEvent(models.Model):
    """The status history of an invitation (append-only)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=Invitation.Status.choices)
    at = models.DateTimeField(auto_now_add=True)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class OutboundEmail(models.Model):
    """One e-mail to send, unique per invitation and purpose.

    ``purpose`` is ``invitation``, ``reminder-1``, ``reminder-2``, ``extra-YYYY-MM-DD``
    (an admin's extra reminder, at most one a day) or ``invitation-alt`` (T3:
    the other address after a bounce).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed (permanent)")
        CANCELLED = "cancelled", _("cancelled")

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="emails")
    purpose = models.CharField(max_length=24)
    to_address = models.EmailField(max_length=254)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    schedule_day = models.DateField(help_text=_("The day the rules acted on (see --today)."))
    queued_at = models.DateTimeField(auto_now_add=True)
    not_before = models.DateTimeField(null=True, blank=True, help_text=_("Back-off after a temporary error."))
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("outbound e-mail")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "purpose"], name="outbound_one_per_purpose"),
        ]
        indexes = [models.Index(fields=["state", "not_before"]), models.Index(fields=["claim"])]

    def __str__(self):
        return f"{self.purpose} → {self.invitation_id} ({self.state})"
