"""Waves, invitations and the outbox of survey e-mail.

Guarantees live in the database, not only in code:
- one invitation per graduate per wave (unique constraint);
- one outbox message per invitation and purpose (unique constraint), so a
  dispatcher that runs twice, or a task delivered twice, cannot queue a mail twice;
- a message is claimed (queued -> sending) by a conditional UPDATE before it
  is handed to SMTP and marked sent right after, so two workers never send the
  same message. See ``surveys.sending`` for what a killed worker can cost.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from alumni.models import Graduate, OccupationGroup, SbiSection

from .questionnaire import choices as answer


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
    # Statuses in which the link has been mailed and may still be answered.
    ANSWERABLE = (Status.SENT, Status.REMINDED, Status.OPENED, Status.PARTIAL)
    # Statuses in which the survey behind the link opens. PENDING too: a link
    # is only known from its e-mail, and a mail handed to SMTP moments before
    # its row was marked sent is still a mail the graduate has.
    LINK_OPEN = (Status.PENDING, *ANSWERABLE)
    # Each status an invitation can move to, and the statuses it may move from.
    # Statuses only go forward; ``surveys.lifecycle`` makes every move, guarded
    # by this table, and writes its event. The one way back is the admin's
    # resend after correcting a bounced address (``lifecycle.resend``): to
    # pending when the link never reached the graduate (a new first mail), to
    # reminded when it did (a mail like a reminder, to the new address).
    MOVES_FROM = {
        Status.PENDING: (Status.BOUNCED,),
        Status.SENT: (Status.PENDING,),
        Status.REMINDED: (Status.SENT, Status.REMINDED, Status.BOUNCED),
        Status.OPENED: (Status.SENT, Status.REMINDED),
        Status.PARTIAL: (Status.PENDING, Status.SENT, Status.REMINDED, Status.OPENED),
        Status.COMPLETED: LINK_OPEN,
        Status.BOUNCED: MAILABLE,
        Status.OPTED_OUT: MAILABLE,
        Status.EXPIRED: MAILABLE,
    }

    # PROTECT: deleting a graduate must never take their answers with it
    # silently (the report figures would change); erase them instead
    # (alumni.privacy.erasure), which keeps the coded answers.
    graduate = models.ForeignKey(Graduate, on_delete=models.PROTECT, related_name="invitations")
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
    """The status history of an invitation (append-only; written only by ``surveys.lifecycle``)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=Invitation.Status.choices)
    at = models.DateTimeField(auto_now_add=True)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.invitation_id}: {self.status} at {self.at:%Y-%m-%d %H:%M}"


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
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text=_("A claim the sending worker stopped renewing ends here.")
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("outbound e-mail")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "purpose"], name="outbound_one_per_purpose"),
        ]
        indexes = [
            models.Index(fields=["state", "not_before"]),
            models.Index(fields=["claim"]),
            # The queue in claim order, without the (many) rows already sent:
            # keeps claiming a batch O(batch) however long the history grows.
            models.Index(fields=["id"], condition=models.Q(state="queued"), name="outbound_queue"),
        ]

    def __str__(self):
        return f"{self.purpose} → {self.invitation_id} ({self.state})"


# --- The answers -------------------------------------------------------------------


def _scale(verbose_name):
    return models.PositiveSmallIntegerField(
        verbose_name, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


def _choice(verbose_name, choices, max_length=16):
    return models.CharField(verbose_name, max_length=max_length, choices=choices.choices, blank=True)


class Response(models.Model):
    """The answers of one invitation: one row, one typed column per question.

    Why one row: reports group and count responses by programme, institution
    and any answer, so every answer is a column of its own (a boolean per
    option of a multi-select, a code for a single choice, a number for hours
    and scales) — no row per answer, no JSON to unpack. Item numbers refer to
    ``shared/spec/questionnaire.md``; routing and wording are in
    ``surveys/questionnaire/`` (content, conditions), writes in ``surveys/link/answers.py``.

    One invitation has at most one response: the one-to-one key is a unique
    constraint in the database, so a double submit, the back button or two
    open tabs cannot make a second one. Empty means "not answered, or not
    asked": ``""`` for codes and text, NULL for numbers, yes/no, the scales and
    the lists, ``False`` for the options of a multi-select.
    Answers to questions that left the route (an earlier answer changed) are
    cleared when a page is saved, so they are never counted.
    """

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    instrument_version = models.CharField(max_length=10)
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="nl")
    current_page = models.CharField(max_length=20, help_text=_("Where the graduate continues."))
    last_saved_page = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_("Goes up with every save; a save that read an older revision starts again."),
    )

    # 1 Activities (all that apply) and 2 the main one (derived when only one is ticked).
    activity_employee = models.BooleanField(_("paid job as employee"), default=False)
    activity_agency = models.BooleanField(_("agency or on-call work"), default=False)
    activity_zzp = models.BooleanField(_("self-employed without staff (zzp)"), default=False)
    activity_business = models.BooleanField(_("own business with staff"), default=False)
    activity_bbl = models.BooleanField(_("BBL work-study job"), default=False)
    activity_studying = models.BooleanField(_("studying"), default=False)
    activity_unpaid = models.BooleanField(_("unpaid work, internship or volunteering"), default=False)
    activity_caring = models.BooleanField(_("caring for family"), default=False)
    activity_unemployed = models.BooleanField(_("unemployed and looking for work"), default=False)
    activity_ill = models.BooleanField(_("ill or unable to work"), default=False)
    activity_gap_year = models.BooleanField(_("gap year or travel"), default=False)
    activity_other = models.BooleanField(_("other activity"), default=False)
    main_activity = _choice(_("main activity"), answer.Activity)
    # 3 Hours (working); the CBS and QILT thresholds as stored columns.
    hours_per_week = models.PositiveSmallIntegerField(
        _("usual hours per week"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(80)],
    )
    # 4 Not working: looked for work, available (ILO).
    looked_for_work = models.BooleanField(_("looked for work in the last 4 weeks"), null=True, blank=True)
    available_for_work = models.BooleanField(_("could start within 2 weeks"), null=True, blank=True)
    # 5 Benefits.
    benefit = _choice(_("benefit"), answer.Benefit)
    # 6 Contract, 7 voluntariness of self-employment.
    contract = _choice(_("contract"), answer.Contract)
    self_employment_reason = _choice(_("reason for self-employment"), answer.SelfEmploymentReason)
    # 8 Job function (free text as given + occupation group).
    job_title = models.CharField(_("job title (as given)"), max_length=200, blank=True)
    job_tasks = models.TextField(_("main tasks (as given)"), max_length=1000, blank=True)
    occupation_group = models.ForeignKey(
        OccupationGroup,
        verbose_name=_("occupation group (ISCO-08 major group)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
    )
    # 9 Employer: branch, name as given, workplace.
    branch = models.ForeignKey(
        SbiSection,
        verbose_name=_("branch (SBI section)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer_name = models.CharField(_("employer (as given)"), max_length=200, blank=True)
    workplace = models.CharField(
        _("workplace: municipality or postcode (as given)"), max_length=100, blank=True
    )
    workplace_postcode = models.CharField(_("workplace postcode (4 digits)"), max_length=4, blank=True)
    # 10–13 Match with the programme, route to the job.
    level_match = _choice(_("level match"), answer.LevelMatch)
    field_match = _choice(_("field match"), answer.FieldMatch)
    diploma_needed = _choice(_("diploma needed"), answer.DiplomaNeeded)
    job_route = _choice(_("route to the job"), answer.JobRoute)
    # 14 Further study.
    study_level = _choice(_("further study: level"), answer.StudyLevel)
    study_related = _choice(_("further study: related to the programme"), answer.Relatedness)
    # 15 Statements, 16 preparation (1–5).
    meaningful = _scale(_("my activity is meaningful (1–5)"))
    fits_plans = _scale(_("it fits my future plans (1–5)"))
    uses_learning = _scale(_("I use what I learned (1–5)"))
    preparation = _scale(_("preparation by the programme (1–5)"))
    # 17 Skills missed (all that apply), 18 choose again.
    missed_knowledge = models.BooleanField(_("missed: professional knowledge"), default=False)
    missed_social = models.BooleanField(_("missed: social-professional skills"), default=False)
    missed_entrepreneurial = models.BooleanField(_("missed: entrepreneurial skills"), default=False)
    missed_digital = models.BooleanField(_("missed: digital skills"), default=False)
    missed_dutch = models.BooleanField(_("missed: Dutch"), default=False)
    missed_english = models.BooleanField(_("missed: English"), default=False)
    missed_none = models.BooleanField(_("missed: nothing"), default=False)
    choose_again = _choice(_("would choose the same programme again"), answer.ChooseAgain)
    # 19 Wage band (codes sort in wage order; "declined" = rather not say).
    wage_band = _choice(_("gross monthly wage band"), answer.WageBand)
    # 20 T1: recontact consent (the address itself goes to Graduate.private_email).
    recontact_consent = models.BooleanField(_("may be asked again at T3"), null=True, blank=True)
    # 21 Alumni network, per purpose.
    network_guest_lessons = models.BooleanField(_("alumni network: guest lessons"), default=False)
    network_mentoring = models.BooleanField(_("alumni network: mentoring"), default=False)
    network_employer_contacts = models.BooleanField(_("alumni network: employer contacts"), default=False)
    # 22 T3: career since the diploma.
    career_employers = models.PositiveSmallIntegerField(
        _("employers since the diploma"), null=True, blank=True
    )
    career_months_unemployed = models.PositiveSmallIntegerField(
        _("months unemployed in total"), null=True, blank=True
    )
    career_months_to_first_job = models.PositiveSmallIntegerField(
        _("months until the first job"), null=True, blank=True
    )
    career_new_diploma = _choice(_("new diploma since"), answer.NewDiploma)

    # Derived by the database from the columns above (reporting.md's "working").
    working = models.GeneratedField(
        expression=Case(
            When(main_activity__in=sorted(answer.PAID_WORK), then=Value(True)), default=Value(False)
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("working (main activity is paid work)"),
    )
    works_12h = models.GeneratedField(
        expression=Case(
            When(hours_per_week__gte=12, then=Value(True)),
            When(hours_per_week__isnull=False, then=Value(False)),
            default=None,
        ),
        output_field=models.BooleanField(null=True),
        db_persist=True,
        verbose_name=_("works 12 hours a week or more (CBS)"),
    )
    works_full_time = models.GeneratedField(
        expression=Case(
            When(hours_per_week__gte=35, then=Value(True)),
            When(hours_per_week__isnull=False, then=Value(False)),
            default=None,
        ),
        output_field=models.BooleanField(null=True),
        db_persist=True,
        verbose_name=_("works 35 hours a week or more (full-time)"),
    )

    class Meta:
        verbose_name = _("response")
        indexes = [models.Index(fields=["completed_at"])]

    def __str__(self):
        return f"response to invitation {self.invitation_id}"
