"""The link's one read (surveys/link/tokens.py) and the optimistic save built on it
(surveys/link/answers.py): one query with everything a page needs and nothing
personal, a page in the middle as one UPDATE, and a save that loses a race
falling back to the locked path."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import lifecycle
from surveys.link import answers as responses
from surveys.link.tokens import invitation_for_link
from surveys.models import Invitation, InvitationEvent, Response
from tests.factories import people
from tests.factories.survey_answers import EMPLOYEE_ROUTE, LAST_PAGE

S = Invitation.Status
# What the survey reads of a response: every answer and its own state (the rest is deferred).
SURVEY_FIELDS = [
    f
    for f in Response._meta.concrete_fields
    if f.name not in ("instrument_version", "language", "last_saved_page", "started_at", "updated_at")
    and not f.generated
]


def save(invitation, page, finish=True, **cleaned):
    return responses.save_page(
        invitation=invitation, page_slug=page, cleaned=cleaned, language="nl", finish=finish
    )


@pytest.fixture
def invitation(db):
    return people.make_invitation(
        graduate_fields={"private_email": "oud@example.com", "preferred_language": "en"}
    )


def test_unknown_token_is_none(db):
    assert invitation_for_link("no-such-token-at-all") is None
    assert invitation_for_link("short") is None  # not even a token's shape: no query


def test_same_objects_as_select_related_without_further_queries(invitation):
    save(invitation, "nu", activity=["employee", "studying"], main_activity="employee")
    save(invitation_for_link(invitation.token), "werk", hours_per_week=30, contract="permanent")
    orm = Invitation.objects.select_related("wave", "graduate__institution", "response").get(pk=invitation.pk)

    with CaptureQueriesContext(connection) as queries:
        fast = invitation_for_link(invitation.token)
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
            [getattr(fast.response, f.attname) for f in SURVEY_FIELDS],
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
        [getattr(orm.response, f.attname) for f in SURVEY_FIELDS],
    )
    assert fast.response.hours_per_week == 30 and fast.response.activity_studying is True
    assert fast.response.completed_at is None and fast.response.revision == 1  # inserted as 0


def test_no_response_yet_reads_as_absent(invitation):
    fast = invitation_for_link(invitation.token)
    with CaptureQueriesContext(connection) as queries:
        assert responses.response_of(fast) is None
    assert len(queries) == 0


def test_personal_data_is_not_read_but_still_reachable(invitation):
    """Least privilege: the graduate's name is not in the survey's read; code
    that does need it gets it with a query of its own (deferred field)."""
    fast = invitation_for_link(invitation.token)
    assert "first_name" not in fast.graduate.__dict__
    with CaptureQueriesContext(connection) as queries:
        assert fast.graduate.first_name == invitation.graduate.first_name
    assert len(queries) == 1


def test_a_page_in_the_middle_is_one_update(invitation):
    save(invitation, "nu", activity=["employee"])
    fresh = invitation_for_link(invitation.token)
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
    tab_a = invitation_for_link(invitation.token)
    tab_b = invitation_for_link(invitation.token)
    save(tab_a, "werk", hours_per_week=38, contract="permanent", wage_band="2500")
    with CaptureQueriesContext(connection) as queries:
        saved = save(tab_b, "functie", job_title="Kok", occupation_group="5")
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert any('FROM "surveys_response"' in sql for sql in reads)  # the locked path read it again
    row = Response.objects.get(invitation=invitation)
    assert (row.hours_per_week, row.job_title, row.occupation_group_id) == (38, "Kok", "5")
    assert row.revision == 2 and saved.next_page == "werkgever"


def test_a_first_save_that_loses_the_race_does_not_create_a_second_response(invitation):
    tab_a = invitation_for_link(invitation.token)
    tab_b = invitation_for_link(invitation.token)
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
    stale = invitation_for_link(invitation.token)
    assert responses.complete(invitation)
    saved = save(stale, "nu", activity=["employee"])
    assert saved.already_completed and saved.completed
    row = Response.objects.get(invitation=invitation)
    assert row.activity_unemployed and not row.activity_employee
    assert Invitation.objects.get(pk=invitation.pk).status == S.COMPLETED


def test_instances_behave_as_loaded_by_the_orm(invitation):
    fast = invitation_for_link(invitation.token)
    assert fast == invitation and fast._state.adding is False and fast._state.db == "default"
    fast.graduate.preferred_language = "nl"
    fast.graduate.save(update_fields=["preferred_language"])  # a loaded instance: an UPDATE
    invitation.graduate.refresh_from_db()
    assert invitation.graduate.preferred_language == "nl"


def events(invitation):
    return list(InvitationEvent.objects.filter(invitation=invitation).values_list("status", flat=True))


def test_the_writes_that_go_together_are_written_together(invitation):
    """The first visit (opened), the first save (row + partial) and the last
    page (answers + completed + item 20's address) each write three or four
    tables, each set in one transaction."""
    lifecycle.open_link(invitation_for_link(invitation.token))
    save(invitation_for_link(invitation.token), *EMPLOYEE_ROUTE[0][:1], **EMPLOYEE_ROUTE[0][1])
    for page, answers in EMPLOYEE_ROUTE[1:]:
        save(invitation_for_link(invitation.token), page, **answers)
    saved = save(invitation_for_link(invitation.token), "contact", **LAST_PAGE)
    assert saved.completed
    stored = Invitation.objects.select_related("graduate", "response").get(pk=invitation.pk)
    assert stored.status == S.COMPLETED and stored.opened_at and stored.completed_at
    assert stored.response.completed_at == stored.completed_at and stored.response.network_mentoring
    assert stored.graduate.private_email == "nieuw@example.com"
    assert events(invitation) == [S.OPENED, S.PARTIAL, S.COMPLETED]


def test_a_last_page_on_a_stale_read_moves_nothing_until_it_is_decided_again(invitation):
    """The completion is written only with the row: if another tab saved in
    between, the status move and the address wait for the locked path, which
    completes once."""
    for page, answers in EMPLOYEE_ROUTE:
        save(invitation_for_link(invitation.token), page, **answers)
    stale = invitation_for_link(invitation.token)
    save(invitation_for_link(invitation.token), "contact", finish=False, recontact_consent=False)
    saved = save(stale, "contact", **LAST_PAGE)
    assert saved.completed and not saved.already_completed
    stored = Invitation.objects.select_related("graduate", "response").get(pk=invitation.pk)
    assert stored.status == S.COMPLETED and stored.response.recontact_consent is True
    assert stored.graduate.private_email == "nieuw@example.com"
    assert events(invitation) == [S.PARTIAL, S.COMPLETED]


def test_opening_twice_logs_one_opened_event(invitation):
    first, second = (invitation_for_link(invitation.token) for _ in range(2))
    lifecycle.open_link(first)
    lifecycle.open_link(second)  # read before the first moved it: its move finds "opened" and does nothing
    assert events(invitation) == [S.OPENED] and first.status == S.OPENED
    assert second.status == S.SENT  # not moved by this request


def test_text_comes_back_as_written(invitation):
    """Quotes, backslashes, line breaks, tabs and characters outside the BMP
    come back unchanged."""
    tricky = 'Kok "chef" \\ in\tde keuken\nvan café 🍳 — 100% <b>'
    save(invitation, "nu", activity=["employee"])
    save(invitation_for_link(invitation.token), "werk", hours_per_week=38, contract="permanent")
    save(invitation_for_link(invitation.token), "functie", job_title=tricky, job_tasks=tricky[::-1])
    fast = invitation_for_link(invitation.token)
    assert (fast.response.job_title, fast.response.job_tasks) == (tricky, tricky[::-1])
    assert Response.objects.get(invitation=invitation).job_title == tricky
