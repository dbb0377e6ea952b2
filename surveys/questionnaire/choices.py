"""Stored answer codes of the questionnaire.

These codes are what reports group and count on, so they never change
meaning within an instrument version: add a code rather than reuse one. The
labels are short analyst labels (English msgids, translated by the project's
.po files); the wording a graduate reads lives in ``content``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.TextChoices):
    EMPLOYEE = "employee", _("paid job as employee")
    AGENCY = "agency", _("agency or on-call work")
    ZZP = "zzp", _("self-employed without staff (zzp)")
    BUSINESS = "business", _("own business with staff")
    BBL = "bbl", _("BBL work-study job")
    STUDYING = "studying", _("studying")
    UNPAID = "unpaid", _("unpaid work, internship or volunteering")
    CARING = "caring", _("caring for family")
    UNEMPLOYED = "unemployed", _("unemployed and looking for work")
    ILL = "ill", _("ill or unable to work")
    GAP_YEAR = "gap_year", _("gap year or travel")
    OTHER = "other", _("other")


# Paid work in the sense of reporting.md's "working" indicator.
PAID_WORK = frozenset({Activity.EMPLOYEE, Activity.AGENCY, Activity.ZZP, Activity.BUSINESS, Activity.BBL})
SELF_EMPLOYED_ACTIVITIES = frozenset({Activity.ZZP, Activity.BUSINESS})


class Benefit(models.TextChoices):
    NONE = "none", _("none")
    WW = "ww", _("unemployment benefit (WW)")
    BIJSTAND = "bijstand", _("social assistance (bijstand)")
    DISABILITY = "disability", _("disability (Wajong/WIA/ZW)")
    OTHER = "other", _("other benefit")
    DECLINED = "declined", _("rather not say")


class Contract(models.TextChoices):
    PERMANENT = "permanent", _("permanent")
    TEMPORARY_PROSPECT = "temp_prospect", _("temporary with prospect of permanent")
    TEMPORARY = "temporary", _("temporary")
    AGENCY = "agency", _("agency")
    ON_CALL = "on_call", _("on-call / zero-hours")
    BBL = "bbl", _("BBL contract")
    ZZP = "zzp", _("self-employed without staff (zzp)")
    OWNER = "owner", _("director-owner / own business")


SELF_EMPLOYED_CONTRACTS = frozenset({Contract.ZZP, Contract.OWNER})


class SelfEmploymentReason(models.TextChoices):
    OWN_CHOICE = "own_choice", _("my own choice")
    BOTH = "both", _("both")
    NECESSITY = "necessity", _("out of necessity")
    CLIENT_REQUIRED = "client_required", _("the client required it")


class LevelMatch(models.TextChoices):
    HIGHER = "higher", _("higher than my mbo level")
    SAME = "same", _("my level")
    LOWER = "lower", _("lower")
    NONE = "none", _("no particular level")


class FieldMatch(models.TextChoices):
    OWN = "own", _("my own field")
    RELATED = "related", _("a related field")
    OTHER = "other", _("another field")
    ANY = "any", _("any field")


class DiplomaNeeded(models.TextChoices):
    LEVEL_AND_FIELD = "level_field", _("level and field required")
    LEVEL = "level", _("level required")
    FIELD = "field", _("field required")
    ADVANTAGE = "advantage", _("not required but an advantage")
    NOT_REQUIRED = "not_required", _("not required")
    DONT_KNOW = "dont_know", _("don't know")


class JobRoute(models.TextChoices):
    INTERNSHIP = "internship", _("internship (BPV) company")
    SCHOOL = "school", _("via school / teacher")
    VACANCY = "vacancy", _("vacancy site or agency")
    NETWORK = "network", _("own network")
    OWN_BUSINESS = "own_business", _("started own business")
    OTHER = "other", _("other")


class StudyLevel(models.TextChoices):
    MBO = "mbo", _("mbo (higher level)")
    AD = "ad", _("Associate degree")
    HBO = "hbo", _("hbo bachelor")
    WO = "wo", _("wo (university)")
    OTHER = "other", _("other")


class Relatedness(models.TextChoices):
    RELATED = "related", _("related")
    PARTLY = "partly", _("partly related")
    NOT = "not", _("not related")


class ChooseAgain(models.TextChoices):
    YES = "yes", _("yes")
    MAYBE = "maybe", _("maybe")
    NO = "no", _("no")


class WageBand(models.TextChoices):
    """Gross monthly wage in bands of €500. The codes are the band's lower
    bound, zero-padded, so they sort in wage order (a median band is the
    middle code after excluding ``declined``)."""

    UNDER_500 = "0000", _("under €500")
    FROM_500 = "0500", _("€500–€999")
    FROM_1000 = "1000", _("€1,000–€1,499")
    FROM_1500 = "1500", _("€1,500–€1,999")
    FROM_2000 = "2000", _("€2,000–€2,499")
    FROM_2500 = "2500", _("€2,500–€2,999")
    FROM_3000 = "3000", _("€3,000–€3,499")
    FROM_3500 = "3500", _("€3,500–€3,999")
    FROM_4000 = "4000", _("€4,000 or more")
    DECLINED = "declined", _("rather not say")


class NewDiploma(models.TextChoices):
    NONE = "none", _("no new diploma")
    MBO = "mbo", _("mbo (higher level)")
    AD = "ad", _("Associate degree")
    HBO = "hbo", _("hbo bachelor")
    WO = "wo", _("wo (university)")
    OTHER = "other", _("other")


class MissedSkill(models.TextChoices):
    KNOWLEDGE = "knowledge", _("professional knowledge")
    SOCIAL = "social", _("social-professional skills")
    ENTREPRENEURIAL = "entrepreneurial", _("entrepreneurial skills")
    DIGITAL = "digital", _("digital skills")
    DUTCH = "dutch", _("Dutch")
    ENGLISH = "english", _("English")
    NONE = "none", _("none")


class NetworkPurpose(models.TextChoices):
    GUEST_LESSONS = "guest_lessons", _("guest lessons")
    MENTORING = "mentoring", _("mentoring students")
    EMPLOYER_CONTACTS = "employer_contacts", _("contacts with employers")
