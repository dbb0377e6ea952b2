"""Institutions, their programmes and graduates, and the uploads that fill them.

Reference tables (qualifications, education domains, SBI sections, ISCO groups)
live here too: they are loaded by ``load_reference_data`` and rarely change.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

brin_validator = RegexValidator(
    r"^[0-9]{2}[A-Z]{2}$", _("A BRIN code is two digits and two capitals, e.g. 25PZ.")
)
crebo_validator = RegexValidator(r"^[0-9]{5}$", _("A crebo code has exactly 5 digits."))


class Pathway(models.TextChoices):
    BOL = "BOL", _("BOL (school-based)")
    BBL = "BBL", _("BBL (work-based)")


class Gender(models.TextChoices):
    MALE = "m", _("male")
    FEMALE = "v", _("female")
    OTHER = "x", _("other / unknown")


# --- Reference data ---------------------------------------------------------


class EducationDomain(models.Model):
    """One of the 17 MBO education domains (opleidingsdomeinen)."""

    code = models.CharField(max_length=5, primary_key=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("education domain")
        verbose_name_plural = _("education domains")

    def __str__(self):
        return self.name


class ProgrammeGroup(models.Model):
    """Crebo codes that are one programme over the years (a code changes when
    a qualification is revised), so reports can pool them."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme group")
        verbose_name_plural = _("programme groups")

    def __str__(self):
        return self.name


class Programme(models.Model):
    """A qualification by its crebo code (the code printed on the diploma)."""

    class Source(models.TextChoices):
        HKS_2015 = "hks2015", _("qualification list 2015 (HKS)")
        PRE_2015 = "pre2015", _("qualification list 2014 (pre-HKS)")
        LOCAL = "local", _("added by an institution")

    crebo = models.CharField(max_length=5, unique=True, validators=[crebo_validator])
    name = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    qualification_type = models.CharField(max_length=60, blank=True)
    domain = models.ForeignKey(EducationDomain, null=True, blank=True, on_delete=models.PROTECT)
    dossier_crebo = models.CharField(max_length=5, blank=True)
    dossier_name = models.CharField(max_length=200, blank=True)
    group = models.ForeignKey(
        ProgrammeGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programmes",
        help_text=_("Group codes that are the same programme over the years."),
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    added_by = models.ForeignKey(
        "Institution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Set for a programme an institution added that is not in the lists."),
    )

    class Meta:
        ordering = ["crebo"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self):
        return f"{self.crebo} {self.name} ({self.level})"


class SbiSection(models.Model):
    """An SBI 2008 section (A–U): the branch of an employer in plain words."""

    code = models.CharField(max_length=1, primary_key=True)
    title_nl = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    divisions = models.CharField(max_length=10)

    class Meta:
        ordering = ["code"]
        verbose_name = _("SBI section")
        verbose_name_plural = _("SBI sections")

    def __str__(self):
        return f"{self.code} {self.title_nl}"


class OccupationGroup(models.Model):
    """An ISCO-08 group (levels 1–4). Major groups carry a plain-Dutch title
    for the questionnaire."""

    code = models.CharField(max_length=4, primary_key=True)
    level = models.PositiveSmallIntegerField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    title_en = models.CharField(max_length=255)
    title_nl = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("occupation group (ISCO-08)")
        verbose_name_plural = _("occupation groups (ISCO-08)")

    def __str__(self):
        return f"{self.code} {self.title_nl or self.title_en}"


# --- Institutions -----------------------------------------------------------


class Institution(models.Model):
    brin = models.CharField(_("BRIN code"), max_length=4, unique=True, validators=[brin_validator])
    name = models.CharField(max_length=200)
    consent_to_be_named = models.BooleanField(
        _("consents to be named in cross-institution views"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self):
        return f"{self.name} ({self.brin})"


class Location(models.Model):
    """A vestiging. Created by hand or on first use in an upload."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="locations")
    code = models.CharField(max_length=6, blank=True, help_text=_("e.g. 25PZ46"))
    name = models.CharField(max_length=200)
    created_by_upload = models.ForeignKey(
        "Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["institution", "name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint("institution", Lower("name"), name="location_unique_name"),
        ]

    def __str__(self):
        return self.name if not self.code else f"{self.name} ({self.code})"


class Membership(models.Model):
    """What a user may do for one institution. Least privilege: a user with no
    membership sees nothing of any institution."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("institution admin")
        CAREER_OFFICE = "career_office", _("career office")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    programmes = models.ManyToManyField(
        Programme,
        blank=True,
        help_text=_("Career office only: restrict to these programmes (empty = all)."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "institution", "role"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.institution.brin}"


# --- Graduates -------------------------------------------------------------


def school_year_of(day: datetime.date) -> int:
    """The school year (starting 1 August) a date falls in, by its first year."""
    return day.year if day.month >= 8 else day.year - 1


class Cohort(models.Model):
    """The graduates of one institution whose diploma falls in one school year."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="cohorts")
    school_year = models.PositiveSmallIntegerField(
        help_text=_("First year of the school year: 2024 is 2024–2025.")
    )

    class Meta:
        ordering = ["institution", "-school_year"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(fields=["institution", "school_year"], name="cohort_unique_year")
        ]

    def __str__(self):
        return f"{self.institution.brin} {self.label}"

    @property
    def label(self):
        return f"{self.school_year}-{self.school_year + 1}"


class Graduate(models.Model):
    """One graduate of one programme at one institution.

    Keyed on (institution, student number): re-uploads update, never duplicate.
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="graduates")
    student_number = models.CharField(max_length=40)
    first_name = models.CharField(max_length=100)
    name_prefix = models.CharField(max_length=40, blank=True)
    last_name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254, blank=True)
    private_email = models.EmailField(max_length=254, blank=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT)
    diploma_date = models.DateField()
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="graduates")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    pathway = models.CharField(max_length=3, choices=Pathway.choices, blank=True)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL)
    gender = models.CharField(max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    preferred_language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="nl")
    opted_out_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set when the graduate opted out: no mail, ever.")
    )
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when the graduate's personal data was erased (alumni.privacy.erasure)."),
    )
    contact_removed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when retention removed the contact data (alumni.privacy.retention)."),
    )
    last_upload = models.ForeignKey(
        "Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution", "student_number"]
        verbose_name = _("graduate")
        verbose_name_plural = _("graduates")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "student_number"],
                name="graduate_unique_student_number",
            )
        ]
        indexes = [models.Index(fields=["diploma_date"])]

    def __str__(self):
        return f"{self.student_number} ({self.institution.brin})"

    @property
    def full_name(self):
        return " ".join(p for p in (self.first_name, self.name_prefix, self.last_name) if p)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class ErasedStudent(models.Model):
    """A tombstone: this institution erased a graduate with this student number.

    Why: a later upload of the same school file must not bring the graduate
    back or invite them again. ``key`` is a keyed hash (HMAC-SHA256 with
    ``PRIVACY_HMAC_KEY``) of the institution and the normalised student
    number, so the row says nothing about anyone to a reader without the key,
    and nothing links it to the anonymised answers (see ``alumni.privacy``).
    """

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    erased_on = models.DateField()

    class Meta:
        verbose_name = _("erased student (tombstone)")
        verbose_name_plural = _("erased students (tombstones)")
        constraints = [
            models.UniqueConstraint(fields=["institution", "key"], name="erased_student_unique"),
        ]

    def __str__(self):
        return f"erased {self.key[:8]}… ({self.erased_on})"


class ErasedLink(models.Model):
    """A survey link that belonged to an erased graduate (a keyed hash of its token).

    The invitation itself gets a new random token at erasure, so the old link
    leads to no answers; this row only lets the old link show a friendly
    "no longer available" page (410) instead of "this link does not work".
    """

    key = models.CharField(max_length=64, unique=True)
    erased_on = models.DateField()

    class Meta:
        verbose_name = _("erased survey link")
        verbose_name_plural = _("erased survey links")

    def __str__(self):
        return f"erased link {self.key[:8]}… ({self.erased_on})"


class Upload(models.Model):
    """One cohort file and what became of it. The file itself is deleted as
    soon as it has been imported or abandoned; hash and report stay."""

    class Status(models.TextChoices):
        VALIDATED = "validated", _("checked, waiting for confirmation")
        REJECTED = "rejected", _("rejected")
        IMPORTED = "imported", _("imported")
        DISCARDED = "discarded", _("discarded")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveBigIntegerField(default=0)
    file = models.FileField(upload_to="uploads/%Y/%m/", blank=True)
    sheet_name = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    via = models.CharField(max_length=10, default="web")  # web | command
    import_valid_rows = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_new = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    report = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Problems, warnings, ignored columns and new locations."),
    )

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self):
        return f"{self.file_name} ({self.institution.brin}, {self.uploaded_at:%Y-%m-%d})"
