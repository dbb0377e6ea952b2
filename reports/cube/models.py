"""The report cube's tables: the cells, the state row, the dirty marks (see ``reports.cube``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from alumni.models import Institution


class CubeCell(models.Model):
    """Counts of one cell: institution x programme x cohort x wave x pathway x location.

    ``counts`` is a list of integers aligned with :attr:`CubeState.columns`
    (``n:responses``, ``n:invitations`` and one ``indicator:category`` per
    category). Why a list and not a column per category: the categories come
    partly from reference data and configuration (SBI sections, occupation
    groups, regions), so a new category is a rebuild, not a migration.

    The keys are plain ids without foreign-key constraints: a cell must never
    stop anyone deleting a location or a cohort. Rows of deleted things are
    marked dirty by the triggers and replaced before the next read.
    """

    institution = models.ForeignKey(
        Institution, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    programme = models.ForeignKey(
        "alumni.Programme", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    cohort = models.ForeignKey(
        "alumni.Cohort", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    wave = models.ForeignKey(
        "surveys.Wave", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    pathway = models.CharField(max_length=3, blank=True)
    location = models.ForeignKey(
        "alumni.Location", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    counts = models.JSONField()

    class Meta:
        verbose_name = _("report cube cell")
        indexes = [models.Index(fields=["cohort", "wave", "programme"], name="reports_cube_slice")]

    def __str__(self):
        return f"cell {self.institution_id}/{self.programme_id}/{self.cohort_id}/{self.wave_id}"


class CubeState(models.Model):
    """The one row that says what the cube holds: which columns, built under which definitions.

    Refreshes lock this row first (``UPDATE``), which serialises them on
    PostgreSQL and SQLite alike.
    """

    fingerprint = models.CharField(max_length=64, blank=True)
    columns = models.JSONField(default=list)
    built_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report cube state")

    def __str__(self):
        return f"cube {self.fingerprint[:8]} refreshed {self.refreshed_at}"


class CubeDirty(models.Model):
    """A slice (cohort x programme x wave) whose cells must be recomputed before the next read.

    Written only by database triggers on responses, invitations and
    graduates (``reports.cube.triggers``), in the same transaction as the change.
    ``NULL`` means "every value": a NULL wave is every wave of the cohort and
    programme, a NULL cohort or programme the whole cube (e.g. a TRUNCATE).
    """

    id = models.BigAutoField(primary_key=True)
    cohort_id = models.IntegerField(null=True)
    programme_id = models.IntegerField(null=True)
    wave_id = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("report cube dirty slice")

    def __str__(self):
        return f"dirty {self.cohort_id}/{self.programme_id}/{self.wave_id}"
