"""Reads for the institution admin's graduate pages.

Everything starts from :func:`graduates_for`, which only holds graduates of
institutions the user administers (``alumni.selectors.administered_institutions``):
a graduate of another institution is simply not found (404), whatever id is
typed. Nothing here reads a survey answer: the pages show contact data and
the invitations' status and history only.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from surveys.models import Invitation, InvitationEvent, OutboundEmail, Wave

from ..models import Cohort, Graduate, Location, Programme
from ..selectors import administered_institutions

S = Invitation.Status
NO_INVITATION = "none"  # filter value: no invitation for that wave (yet)
# What the list can be sorted by (the ``sort`` parameter; "-" before it for descending).
SORTS = {
    "name": ("last_name", "first_name", "pk"),
    "student_number": ("student_number", "pk"),
    "diploma_date": ("diploma_date", "last_name", "pk"),
}
# Where an address needs a look: the invitation did not reach the graduate, or they said no.
TO_FIX = (S.BOUNCED, S.OPTED_OUT)


def graduates_for(user) -> QuerySet[Graduate]:
    """Graduates the user may see, erased ones left out (nothing is left to show)."""
    return Graduate.objects.filter(
        institution__in=administered_institutions(user), erased_at__isnull=True
    ).select_related("institution", "programme", "cohort", "location")


def waves() -> list[Wave]:
    return list(Wave.objects.order_by("months_after_diploma", "code"))


@dataclass
class Choices:
    """What the list's filters offer: only what the user's institutions have."""

    institutions: QuerySet
    programmes: QuerySet
    cohorts: QuerySet
    locations: QuerySet


def filter_choices(user) -> Choices:
    institutions = administered_institutions(user)
    used = Graduate.objects.filter(institution__in=institutions, programme_id=OuterRef("pk"))
    return Choices(
        institutions=institutions.order_by("name"),
        programmes=Programme.objects.filter(Exists(used)).order_by("name", "crebo"),
        cohorts=Cohort.objects.filter(institution__in=institutions).order_by("-school_year", "institution"),
        locations=Location.objects.filter(institution__in=institutions).order_by("name"),
    )


def search(graduates: QuerySet, text: str) -> QuerySet:
    """Every word must occur in a name, the student number or an e-mail address
    (school or private), case-insensitively: "jan vries" finds Jan de Vries."""
    for word in text.split()[:8]:
        graduates = graduates.filter(
            Q(first_name__icontains=word)
            | Q(name_prefix__icontains=word)
            | Q(last_name__icontains=word)
            | Q(student_number__icontains=word)
            | Q(email__icontains=word)
            | Q(private_email__icontains=word)
        )
    return graduates


def with_wave_status(graduates: QuerySet, wave_list: list[Wave]) -> QuerySet:
    """Each graduate with ``status_<wave code>``: their invitation's status in that wave, or None."""
    annotations = {
        f"status_{wave.code}": Subquery(
            Invitation.objects.filter(graduate=OuterRef("pk"), wave=wave).values("status")[:1]
        )
        for wave in wave_list
    }
    return graduates.annotate(**annotations)


def filter_by_wave_status(graduates: QuerySet, wave: Wave, status: str) -> QuerySet:
    invitations = Invitation.objects.filter(graduate=OuterRef("pk"), wave=wave)
    if status == NO_INVITATION:
        return graduates.filter(~Exists(invitations))
    return graduates.filter(Exists(invitations.filter(status=status)))


def sorted_by(graduates: QuerySet, sort: str) -> QuerySet:
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"), SORTS["name"])
    return graduates.order_by(*(f"-{f}" if descending else f for f in fields))


def status_counts(graduates: QuerySet, wave_list: list[Wave], total: int) -> list[dict]:
    """Per wave, how many of these graduates are in each status (one query per
    wave), with "no invitation" as what is left of ``total``."""
    counts = []
    for wave in wave_list:
        rows = dict(
            Invitation.objects.filter(wave=wave, graduate__in=graduates.order_by().values("pk"))
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        invited = sum(rows.values())
        counts.append(
            {
                "wave": wave,
                "statuses": [(S(status).label, rows[status]) for status in S.values if rows.get(status)],
                "not_invited": total - invited,
            }
        )
    return counts


# --- one graduate ------------------------------------------------------------------


def graduate_or_none(user, pk: int) -> Graduate | None:
    """The graduate if the user may see them, erased or not (the page then says so)."""
    return (
        Graduate.objects.filter(institution__in=administered_institutions(user), pk=pk)
        .select_related("institution", "programme", "cohort", "location")
        .first()
    )


def invitations_of(graduate: Graduate) -> list[Invitation]:
    """The graduate's invitations, oldest wave first, each with ``history``
    (its events) and ``mails`` (its outbox rows: address, state, error) —
    never its answers."""
    invitations = list(
        Invitation.objects.filter(graduate=graduate)
        .select_related("wave")
        .defer("token")
        .order_by("wave__months_after_diploma")
    )
    events: dict[int, list] = {}
    for event in InvitationEvent.objects.filter(invitation__in=invitations).order_by("at", "pk"):
        events.setdefault(event.invitation_id, []).append(event)
    mails: dict[int, list] = {}
    for email in OutboundEmail.objects.filter(invitation__in=invitations).order_by("queued_at", "pk"):
        mails.setdefault(email.invitation_id, []).append(email)
    for invitation in invitations:
        invitation.history = events.get(invitation.pk, [])
        invitation.mails = mails.get(invitation.pk, [])
    return invitations


# --- addresses to fix --------------------------------------------------------------


def to_fix(user, *, wave: Wave | None = None, institution=None) -> QuerySet[Invitation]:
    """Invitations that bounced or whose graduate opted out, with the address
    the last failed mail went to and its error (``failed_address``,
    ``failed_error``), newest first."""
    invitations = Invitation.objects.filter(
        graduate__in=graduates_for(user).order_by().values("pk"), status__in=TO_FIX
    )
    if wave is not None:
        invitations = invitations.filter(wave=wave)
    if institution is not None:
        invitations = invitations.filter(graduate__institution=institution)
    failed = OutboundEmail.objects.filter(
        invitation=OuterRef("pk"), state=OutboundEmail.State.FAILED
    ).order_by("-pk")
    return (
        invitations.select_related("wave", "graduate__institution", "graduate__programme")
        .defer("token")
        .annotate(
            failed_address=Subquery(failed.values("to_address")[:1]),
            failed_error=Subquery(failed.values("last_error")[:1]),
        )
        .order_by(F("bounced_at").desc(nulls_last=True), "graduate__last_name", "pk")
    )
