"""The one place that decides who may see which report (platform.md, "Who uses it").

Every report view, export and the ``export_report`` command asks this module
for an :class:`Access` and aggregates only inside it; nothing else in the app
checks roles. The rules:

* **platform admin** (superuser): every institution's own views, every
  cross-institution view, the raw anonymised export.
* **institution admin** (Membership ADMIN): their institution's reports,
  response monitoring and alumni-network list.
* **career office** (Membership CAREER_OFFICE): their institution's reports,
  restricted to the membership's programmes when it names any, and the
  alumni-network list of those programmes. No monitoring, no row data.
* **regional analyst** (``reports.RegionalAnalyst``): cross-institution views
  of their regions only; never an institution's own view.

An institution the user may not see is a 404 (its existence is not
confirmed); a page of a visible institution that the role does not include
(e.g. monitoring for a career office) is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from alumni.models import Institution, Membership

from .disclosure.rules import Thresholds
from .filters import Scope
from .models import Region

OWN_REPORT, MONITORING, NETWORK = "report", "monitoring", "network"


def thresholds() -> Thresholds:
    """The disclosure thresholds from settings (``REPORTS_*``)."""
    return Thresholds(
        min_group_within=settings.REPORTS_MIN_GROUP_WITHIN,
        min_group_cross=settings.REPORTS_MIN_GROUP_CROSS,
        min_count=settings.REPORTS_MIN_COUNT,
        rounding_base=settings.REPORTS_ROUNDING_BASE,
    )


@dataclass(frozen=True)
class Access:
    """What one request may aggregate, and under which rules."""

    scope: Scope
    cross_institution: bool
    thresholds: Thresholds
    institution: Institution | None = None
    region: Region | None = None
    consented: frozenset[str] = field(default_factory=frozenset)  # BRINs that may be named
    institution_names: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        if self.institution is not None:
            return str(self.institution)
        return self.region.name if self.region is not None else "Alle instellingen"

    def name_of(self, brin: str) -> str:
        """Display name of a row label: a consented institution's name, or the label as is (the pool)."""
        return self.institution_names.get(brin, brin)


def _memberships(user, institution: Institution):
    return Membership.objects.filter(user=user, institution=institution)


def _linked_to(user, model, path: str):
    """Rows of ``model`` the user is linked to through ``path`` (a platform
    admin: all; an anonymous user: none)."""
    if not user.is_authenticated:
        return model.objects.none()
    if user.is_superuser:
        return model.objects.all()
    return model.objects.filter(**{path: user}).distinct()


def reportable_institutions(user):
    """Institutions whose own reports the user may open (for the index page)."""
    return _linked_to(user, Institution, "memberships__user")


def analyst_regions(user):
    return _linked_to(user, Region, "analysts__user")


def institution_access(user, brin: str, purpose: str = OWN_REPORT) -> Access:
    """Access to one institution's own views, or Http404 / PermissionDenied."""
    if not user.is_authenticated:
        raise Http404
    institution = Institution.objects.filter(brin=brin).first()
    if institution is None:
        raise Http404
    rules = thresholds()
    if user.is_superuser:
        return Access(Scope([institution.pk]), False, rules, institution=institution)
    roles = {m.role: m for m in _memberships(user, institution).prefetch_related("programmes")}
    if not roles:
        raise Http404
    if purpose == MONITORING and Membership.Role.ADMIN not in roles:
        raise PermissionDenied
    if Membership.Role.ADMIN in roles:
        return Access(Scope([institution.pk]), False, rules, institution=institution)
    programmes = [p.pk for p in roles[Membership.Role.CAREER_OFFICE].programmes.all()]
    return Access(Scope([institution.pk], programmes or None), False, rules, institution=institution)


def cross_access(user, region_id: int | None = None) -> Access:
    """Access to a cross-institution view: a region (analysts), or all (platform admins)."""
    if not user.is_authenticated:
        raise Http404
    regions = analyst_regions(user)
    if region_id is not None:
        region = regions.filter(pk=region_id).first()
        if region is None:
            raise Http404 if user.is_superuser else PermissionDenied
        institutions = list(region.institutions.all())
    elif user.is_superuser:
        region, institutions = None, list(Institution.objects.all())
    else:
        region = None
        institutions = list(Institution.objects.filter(regions__in=regions).distinct())
        if not regions.exists():
            raise PermissionDenied
    return _cross(institutions, region)


def all_institutions_access(brin: str | None = None) -> Access:
    """For the export command (run by an operator): one institution, or the cross view of all."""
    if brin is None:
        return _cross(list(Institution.objects.all()), None)
    institution = Institution.objects.filter(brin=brin).first()
    if institution is None:
        raise Institution.DoesNotExist(f"no institution with BRIN {brin}")
    return Access(Scope([institution.pk]), False, thresholds(), institution=institution)


def _cross(institutions: list[Institution], region: Region | None) -> Access:
    consented = frozenset(i.brin for i in institutions if i.consent_to_be_named)
    names = {i.brin: i.name for i in institutions if i.consent_to_be_named}
    return Access(
        Scope([i.pk for i in institutions]),
        True,
        thresholds(),
        region=region,
        consented=consented,
        institution_names=names,
    )


def may_export_raw(user) -> bool:
    """Anonymised response rows are for platform analysts only (logged)."""
    return bool(user.is_authenticated and user.is_superuser)


def may_monitor(user, institution) -> bool:
    """Response monitoring: the institution's admins and platform admins."""
    if institution is None or not user.is_authenticated:
        return False
    return user.is_superuser or _memberships(user, institution).filter(role=Membership.Role.ADMIN).exists()
