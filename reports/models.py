"""Who may compare institutions: regions and their analysts.

A regional analyst is not a member of one institution (``alumni.Membership``
is per institution and grants access to that institution's graduates), so the
role is modelled here: a :class:`Region` is a set of institutions plus the
postcode ranges that make "working in the region", and a
:class:`RegionalAnalyst` links a user to a region. The analyst sees that
region's cross-institution views and nothing else (see ``reports.scoping``).

The report cube's tables live with the rest of the cube, in
``reports/cube/models.py``; they are imported here, where Django looks for
the app's models. Exports and views of personal data are logged in the
audit log (``audit.services.record``), which replaced this app's ExportLog.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from alumni.models import Institution

from .cube.models import CubeCell, CubeDirty, CubeState  # noqa: F401  (registers them with the app)

_RANGE = re.compile(r"^\s*([1-9][0-9]{3})\s*(?:-\s*([1-9][0-9]{3})\s*)?$")


def parse_postcode_ranges(text: str) -> list[tuple[str, str]]:
    """``"1000-1109, 1380"`` -> ``[("1000", "1109"), ("1380", "1380")]``; raises ValueError."""
    ranges = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = _RANGE.match(part)
        if not match:
            raise ValueError(f"not a postcode range: {part!r}")
        low, high = match.group(1), match.group(2) or match.group(1)
        if high < low:
            raise ValueError(f"range runs backwards: {part!r}")
        ranges.append((low, high))
    return ranges


def _validate_ranges(text: str) -> None:
    try:
        parse_postcode_ranges(text)
    except ValueError as error:
        raise ValidationError(str(error)) from error


class Region(models.Model):
    """A region (e.g. a municipality's MBO agenda): institutions and postcode ranges."""

    name = models.CharField(max_length=100, unique=True)
    institutions = models.ManyToManyField(Institution, related_name="regions", blank=True)
    postcode_ranges = models.CharField(
        max_length=500,
        blank=True,
        validators=[_validate_ranges],
        help_text=_("4-digit postcode ranges of the region, e.g. 1000-1109, 1380-1384."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")

    def __str__(self):
        return self.name

    @property
    def ranges(self) -> list[tuple[str, str]]:
        return parse_postcode_ranges(self.postcode_ranges)


class RegionalAnalyst(models.Model):
    """A user who may see a region's cross-institution views (aggregates only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="analyst_of")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="analysts")

    class Meta:
        verbose_name = _("regional analyst")
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="regional_analyst_unique")]

    def __str__(self):
        return f"{self.user} – {self.region}"
