"""The survey's hot-path SQL (surveys/link_sql.py) and the optimistic save built on it:
the same objects as the ORM, no hidden queries, prepared statements that survive
a pooler, and a save that loses a race falling back to the locked path."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import link_sql, responses
from surveys.models import Invitation, InvitationEvent, Response
from tests.e2e import builders

S = Invitation.Status


def save(invitation, page, finish=True, **cleaned):
    return responses.save_page(
        invitation=invitation, page_slug=page, cleaned=cleaned, language="nl", finish=finish
    )


@pytest.fixture
def invitation(db):
    return builders.invitation(
        graduate_fields={"private_email": "oud@example.com", "preferred_language": "en"}
    )


def test_unknown_token_is_none(db):
    assert link_sql.invitation_by_token("no-such-token-at-all") is None


def test_same_objects_as_select_related_without_further_queries(invitation):
    save(invitation, "nu", activity=["employee", "studying"], main_activity="employee")
    save(link_sql.invitation_by_token(invitation.token), "werk", hours_per_week=30, contract="permanent")
    orm = Invitation.objects.select_related("wave", "graduate__institution", "response").get(pk=invitation.pk)

    with CaptureQueriesContext(connection) as queries:
        fast = link_sql.invitation_by_token(invitation.token)
        seen = (
            fast.status,
            fast.closes_on,
            fast.wave.code,
            fast.wave.is_active,
            fast.wave.months_after_diploma,
            fast.graduate.preferred_language,
            fast.graduate.private_email,
            fast.graduate.institution.name,
            fast.response.invitation is fast,
            [getattr(fast.response, f.attname) for f in Response._meta.concrete_fields],
        )
    assert len(queries) == 1  # the relations and every answer come with the one read

    assert seen == (
        orm.status,
        orm.closes_on,
        orm.wave.code,
        orm.wave.is_active,
        orm.wave.months_after_diploma,
        "en",
        "oud@example.com",
        orm.graduate.institution.name,
        True,
        [getattr(orm.response, f.attname) for f in Response._meta.concrete_fields],
    )
    assert fast.response.hours_per_week == 30 and fast.response.activity_studying is True
    assert fast.response.completed_at is None and fast.response.revision == 1  # inserted as 0


def test_no_response_yet_reads_as_absent(invitation):
    fast = link_sql.invitation_by_token(invitation.token)
    with CaptureQueriesContext(connection) as queries:
        assert responses.response_of(fast) is None
    assert len(queries) == 0


def test_personal_data_is_not_read_but_still_reachable(invitation):
    """Least privilege: the graduate's name is not in the survey's read; code
    that does need it gets it with a query of its own (deferred field)."""
    fast = link_sql.invitation_by_token(invitation.token)
    assert "first_name" not in fast.graduate.__dict__
    with CaptureQueriesContext(connection) as queries:
        assert fast.graduate.first_name == invitation.graduate.first_name
    assert len(queries) == 1


@pytest.mark.django_db(transaction=True)
def test_prepared_statement_is_made_again_after_a_pooler_discards_it(on_postgres):
    if not on_postgres:
        pytest.skip("prepared statements are PostgreSQL's; SQLite runs the plain query")
    from alumni.reference import load_reference_data

    load_reference_data()  # a transactional test starts from an empty database
    invitation = builders.invitation()
    assert link_sql.invitation_by_token(invitation.token).pk == invitation.pk
    assert connection.survey_link_prepared is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [link_sql._STATEMENT])
        assert cursor.fetchone()[0] == 1
        cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does
    assert link_sql.invitation_by_token(invitation.token).pk == invitation.pk
    connection.close()  # a new session: the flag is reset by connection_created
    assert link_sql.invitation_by_token(invitation.token).pk == invitation.pk
    assert connection.survey_link_prepared is True


def test_a_page_in_the_middle_is_one_update(invitation):
    save(invitation, "nu", activity=["employee"])
    fresh = link_sql.invitation_by_token(invitation.token)
    with CaptureQueriesContext(connection) as queries:
        saved = save(fresh, "werk", hours_per_week=38, contract="permanent", wage_band="2500")
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1 and statements[0].startswith("UPDATE")
    assert saved.next_page == "functie"
    row = Response.objects.get(invitation=invitation)
    assert (row.hours_per_week, row.contract, row.current_page, row.revision) == (
        38,
        "permanent",
        "functie",
        1,
    )


def test_a_save_on_a_stale_read_decides_again_under_the_lock(invitation):
    """Two tabs: both read revision 0; the first saves; the second's
    conditional update finds revision 1, writes nothing, and the locked path
    re-reads and applies its page on top of the first tab's answers."""
    save(invitation, "nu", activity=["employee"])
    tab_a = link_sql.invitation_by_token(invitation.token)
    tab_b = link_sql.invitation_by_token(invitation.token)
    save(tab_a, "werk", hours_per_week=38, contract="permanent", wage_band="2500")
    with CaptureQueriesContext(connection) as queries:
        saved = save(tab_b, "functie", job_title="Kok", occupation_group="5")
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert any('FROM "surveys_response"' in sql for sql in reads)  # the locked path read it again
    row = Response.objects.get(invitation=invitation)
    assert (row.hours_per_week, row.job_title, row.occupation_group_id) == (38, "Kok", "5")
    assert row.revision == 2 and saved.next_page == "werkgever"


def test_a_first_save_that_loses_the_race_does_not_create_a_second_response(invitation):
    tab_a = link_sql.invitation_by_token(invitation.token)
    tab_b = link_sql.invitation_by_token(invitation.token)
    save(tab_a, "nu", activity=["employee"])
    save(tab_b, "nu", activity=["studying"])  # its INSERT meets the row tab A made
    rows = Response.objects.filter(invitation=invitation)
    assert rows.count() == 1
    assert rows.get().activity_studying and not rows.get().activity_employee  # the later page wins
    assert list(InvitationEvent.objects.filter(invitation=invitation).values_list("status", flat=True)) == [
        S.PARTIAL
    ]


def test_completing_on_a_stale_read_after_completion_stores_nothing(invitation):
    for page, answers in [
        ("nu", {"activity": ["unemployed"]}),
    ]:
        save(invitation, page, **answers)
    stale = link_sql.invitation_by_token(invitation.token)
    assert responses.complete(invitation)
    saved = save(stale, "nu", activity=["employee"])
    assert saved.already_completed and saved.completed
    row = Response.objects.get(invitation=invitation)
    assert row.activity_unemployed and not row.activity_employee
    assert Invitation.objects.get(pk=invitation.pk).status == S.COMPLETED


def test_instances_behave_as_loaded_by_the_orm(invitation):
    fast = link_sql.invitation_by_token(invitation.token)
    assert fast == invitation and fast._state.adding is False and fast._state.db == "default"
    fast.graduate.preferred_language = "nl"
    fast.graduate.save(update_fields=["preferred_language"])  # a loaded instance: an UPDATE
    invitation.graduate.refresh_from_db()
    assert invitation.graduate.preferred_language == "nl"


def test_receivers_of_model_signals_are_not_skipped(invitation):
    from django.db.models.signals import post_init

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(type(instance).__name__)

    post_init.connect(receiver, sender=Invitation)
    try:
        link_sql.invitation_by_token(invitation.token)
    finally:
        post_init.disconnect(receiver, sender=Invitation)
    assert seen == ["Invitation"]
