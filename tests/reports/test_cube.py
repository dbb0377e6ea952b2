"""The report cube is never stale (reports.cube).

Every kind of change a report depends on is made after the cube was built,
by the paths the product and scripts use (ORM save, ``QuerySet.update``,
cascading delete, raw SQL); then the report must match the independent
pandas computation of test_indicators again, and the cube must equal a
recomputation from the source tables.
"""

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from alumni.models import Graduate, Programme
from reports.cube import recount, refresh, triggers
from reports.cube.definition import cube_definition
from reports.cube.models import CubeCell, CubeDirty, CubeState
from reports.filters import DIMENSIONS, Filters
from reports.indicators import INDICATORS, RESPONSE_INDICATORS
from reports.models import Region
from reports.report import ALL_WAVES, build_report
from reports.scoping import all_institutions_access
from reports.tasks import refresh_cube as refresh_task
from surveys.models import Invitation, Response
from tests.factories.datasets import make_dataset_in_region
from tests.helpers.indicator_oracle import (
    BRIN,
    check_table,
    expected_counts,
    expected_invitations,
    open_thresholds,
    raw_responses,
)


@pytest.fixture
def dataset(db, settings):
    open_thresholds(settings)
    return make_dataset_in_region()


def cube_contents() -> dict[tuple, list[int]]:
    cells = {}
    for cell in CubeCell.objects.all():
        key = (
            cell.institution_id,
            cell.programme_id,
            cell.cohort_id,
            cell.wave_id,
            cell.pathway,
            cell.location_id,
        )
        assert key not in cells, "one row per cell"
        cells[key] = cell.counts
    return cells


def assert_report_is_right():
    """Dashboard figures = independent pandas; cube = recomputation from the sources."""
    everything = Filters(wave=ALL_WAVES)  # the oracle counts both waves
    report = build_report(all_institutions_access(BRIN), everything, ("programme",), transitions=False)
    tables = {t["key"]: t for t in report.as_json()["tables"]}
    for key, want in {**expected_counts(raw_responses()), **expected_invitations()}.items():
        check_table(tables[key], want, hidden_allowed=False)
    assert not CubeDirty.objects.exists()
    assert cube_contents() == recount.cell_counts(cube_definition())
    return tables


def a_completed_response(**extra) -> Response:
    return (
        Response.objects.filter(
            completed_at__isnull=False,
            invitation__graduate__institution__brin=BRIN,
            **extra,
        )
        .order_by("pk")
        .first()
    )


def test_the_report_follows_every_kind_of_change(dataset):
    before = assert_report_is_right()
    # an answer changed by QuerySet.update (no signals, no auto_now)
    response = a_completed_response(main_activity="employee")
    Response.objects.filter(pk=response.pk).update(main_activity="studying", study_level="hbo")
    after = assert_report_is_right()
    assert after["activity"]["rows"][-1] != before["activity"]["rows"][-1]
    # a partial response completed through the ORM
    partial = Response.objects.filter(
        completed_at__isnull=True, invitation__graduate__institution__brin=BRIN
    ).first()
    partial.completed_at = timezone.now()
    partial.main_activity = "unemployed"
    partial.save()
    assert_report_is_right()
    # an invitation bounced, one un-sent (reach and response rate)
    bounced = Invitation.objects.filter(graduate__institution__brin=BRIN, status="sent").first()
    Invitation.objects.filter(pk=bounced.pk).update(status="bounced")
    assert_report_is_right()
    # a graduate moved to another programme (cells of both programmes change)
    graduate = a_completed_response().invitation.graduate
    other = Programme.objects.exclude(pk=graduate.programme_id).filter(
        pk__in=[p.pk for p in dataset.programmes]
    )[0]
    Graduate.objects.filter(pk=graduate.pk).update(programme=other)
    assert_report_is_right()
    # a graduate deleted (invitations first: Invitation.graduate is PROTECT; responses cascade)
    graduate = a_completed_response().invitation.graduate
    Invitation.objects.filter(graduate=graduate).delete()
    graduate.delete()
    assert_report_is_right()
    # a response deleted in raw SQL
    victim = a_completed_response()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM surveys_response WHERE id = %s", [victim.pk])
    assert_report_is_right()


def test_reference_data_needs_no_refresh(dataset):
    """Names, groups and crebo codes are joined at read time, not stored in the cube."""
    tables = assert_report_is_right()
    labels = [row["label"] for row in tables["activity"]["rows"]]
    programme = dataset.programmes[2]
    Programme.objects.filter(pk=programme.pk).update(name="Hernoemde opleiding")
    assert not CubeDirty.objects.exists()
    tables = assert_report_is_right()
    renamed = [row["label"] for row in tables["activity"]["rows"]]
    assert f"{programme.crebo} Hernoemde opleiding" in renamed
    assert len(renamed) == len(labels)


def test_a_new_region_rebuilds_the_cube(dataset):
    assert_report_is_right()
    built = CubeState.objects.get(pk=1).built_at
    Region.objects.create(name="Regio Twee", postcode_ranges="2000-2099").institutions.add(
        dataset.institutions[1]
    )
    assert refresh.cube_is_fresh(cube_definition()) is False
    assert_report_is_right()
    assert CubeState.objects.get(pk=1).built_at > built


def test_partial_answers_mark_nothing(dataset):
    """Saving pages of an unfinished survey does not cost a refresh."""
    assert_report_is_right()
    partial = Response.objects.filter(completed_at__isnull=True).first()
    partial.choose_again = "no"
    partial.save()
    assert not CubeDirty.objects.exists()


def test_missing_triggers_are_reinstalled_and_the_cube_rebuilt(dataset):
    """SQLite drops a table's triggers when a migration rebuilds it."""
    assert_report_is_right()
    with connection.cursor() as cursor:
        name = f"{triggers.TRIGGER_PREFIX}surveys_response_update"
        on_table = " ON surveys_response" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER {name}{on_table}")
    response = a_completed_response(main_activity="employee")
    Response.objects.filter(pk=response.pk).update(main_activity="caring")  # not recorded
    assert not CubeDirty.objects.exists()
    assert refresh.cube_is_fresh(cube_definition()) is False
    assert_report_is_right()
    assert triggers.installed_triggers() == triggers.expected_triggers(connection.vendor)


def test_a_change_made_during_a_refresh_is_not_lost(dataset, monkeypatch):
    """Only the marks read at the start of a refresh are consumed."""
    assert_report_is_right()
    first = a_completed_response(main_activity="employee")
    Response.objects.filter(pk=first.pk).update(main_activity="ill")
    real = recount.cell_counts
    late = a_completed_response(main_activity="employee")

    def counts_then_another_change(definition, slices=None):
        result = real(definition, slices)
        Response.objects.filter(pk=late.pk).update(main_activity="ill")  # after the recount
        return result

    monkeypatch.setattr(recount, "cell_counts", counts_then_another_change)
    refresh.refresh_cube()
    monkeypatch.undo()
    assert CubeDirty.objects.exists()  # the late change's mark is still there
    assert_report_is_right()


def test_the_beat_task_refreshes_and_then_has_nothing_to_do(dataset):
    Response.objects.filter(pk=a_completed_response().pk).update(choose_again="no")
    assert "report cube:" in refresh_task()
    assert refresh_task() == "report cube: fresh"
    assert cube_contents() == recount.cell_counts(cube_definition())


def test_the_triggers_watch_every_column_a_count_depends_on(dataset):
    """The invitation and graduate triggers fire on a fixed list of columns;
    an indicator reading another column would go stale."""

    def paths(q):
        for child in q.children:
            if isinstance(child, Q):
                yield from paths(child)
            else:
                yield child[0].split("__")

    graduate_fields = {field.removesuffix("_id") for field in triggers.GRADUATE_COLUMNS}
    for indicator in RESPONSE_INDICATORS:
        for category in indicator.categories:
            for path in paths(category.when):
                if path[0] == "response":
                    assert path[1] == "completed_at"  # response triggers: any completed change
                else:
                    assert path[0] in {c.removesuffix("_id") for c in triggers.INVITATION_COLUMNS}, path
    regions = cube_definition()  # with the region indicator: the dataset has a region
    for indicator in (*INDICATORS, *regions.response_indicators):
        for category in indicator.categories:
            for path in paths(category.when):
                if path[0] == "invitation":
                    assert path[1] == "graduate" and path[2].removesuffix("_id") in graduate_fields, path
    for dimension in DIMENSIONS.values():
        head = dimension.path.split("__")[0]
        assert head == "wave" or head in graduate_fields, dimension


def test_cohort_filter_reads_the_cube(dataset):
    """Filters and breakdowns other than programme work on the cube's keys."""
    report = build_report(
        all_institutions_access(BRIN), Filters(cohorts=(2021,), wave="T1"), ("location", "pathway")
    )
    df = raw_responses(wave="T1")
    graduates = Graduate.objects.filter(cohort__school_year=2021, institution__brin=BRIN)
    df = df[df["graduate"].isin(set(graduates.values_list("pk", flat=True)))]
    total = report.by_key()["activity"].rows()[-1]["n"]
    assert total == int((df["main_activity"] != "").sum())


def test_one_changed_answer_recomputes_one_slice(dataset):
    assert_report_is_right()
    cells = CubeCell.objects.count()
    response = a_completed_response(main_activity="employee")
    Response.objects.filter(pk=response.pk).update(main_activity="gap_year")
    result = refresh.refresh_cube()
    assert not result.full and result.slices == 1
    assert 1 <= result.cells < cells
    assert cube_contents() == recount.cell_counts(cube_definition())


def test_a_survey_answered_through_the_link_is_counted(dataset):
    """A survey answered through the link's own code (surveys/link: the first
    visit, the first save, the completion): the triggers see those writes too."""
    from surveys import lifecycle
    from surveys.link import answers as link_answers
    from surveys.link.tokens import invitation_for_link
    from tests.factories.survey_answers import EMPLOYEE_ROUTE, LAST_PAGE

    assert_report_is_right()
    invitation = Invitation.objects.filter(
        graduate__institution__brin=BRIN, wave__code="T1", status="sent", response__isnull=True
    ).first()
    lifecycle.open_link(invitation_for_link(invitation.token))
    for page, answers in [*EMPLOYEE_ROUTE, ("contact", LAST_PAGE)]:
        saved = link_answers.save_page(
            invitation=invitation_for_link(invitation.token),
            page_slug=page,
            cleaned=answers,
            language="nl",
        )
    assert saved.completed
    assert Invitation.objects.get(pk=invitation.pk).status == "completed"
    assert_report_is_right()
