"""Saving answers page by page: typed columns, statuses, once-only completion."""

import datetime
import threading

import pytest
from django.db import connection

from surveys import lifecycle
from surveys import questionnaire as ins
from surveys.link import answers
from surveys.link.tokens import invitation_for_link
from surveys.models import Invitation, InvitationEvent, Response
from tests.factories import people

S = Invitation.Status


def save(invitation, page, language="nl", finish=True, **cleaned):
    return answers.save_page(
        invitation=invitation, page_slug=page, cleaned=cleaned, language=language, finish=finish
    )


@pytest.fixture
def invitation(db):
    return people.make_invitation(graduate_fields={"private_email": ""})


def test_first_save_creates_the_response_with_the_instrument_version(invitation):
    saved = save(invitation, "nu", activity=["employee"])
    response = Response.objects.get(invitation=invitation)
    assert response.instrument_version == ins.VERSION
    assert response.activity_employee and not response.activity_studying
    assert response.main_activity == "employee"
    assert response.current_page == saved.next_page == "werk"
    assert response.last_saved_page == "nu"
    assert response.completed_at is None


def test_answers_are_stored_in_typed_columns(invitation):
    save(invitation, "nu", activity=["employee"])
    save(invitation, "werk", hours_per_week=36, contract="temp_prospect", wage_band="2000")
    save(invitation, "functie", job_title="Kok", job_tasks="Koken", occupation_group="5")
    save(
        invitation,
        "werkgever",
        branch="I",
        employer_name="Hotel De Gouden Leeuw",
        workplace="1012 AB",
        job_route="internship",
    )
    save(invitation, "aansluiting", level_match="same", field_match="own", diploma_needed="level_field")
    save(invitation, "inkomen", benefit="none")
    save(invitation, "terugblik", meaningful=4, fits_plans=5, uses_learning=3, preparation=4)
    save(invitation, "opleiding", missed=["digital", "english"], choose_again="yes")
    saved = save(
        invitation,
        "contact",
        recontact_consent=True,
        private_email="sanne@example.com",
        network=["mentoring"],
    )
    assert saved.completed
    r = Response.objects.get(invitation=invitation)
    assert (r.hours_per_week, r.contract, r.wage_band) == (36, "temp_prospect", "2000")
    assert r.job_title == "Kok"
    assert r.occupation_group_id == "5" and r.branch_id == "I"
    assert r.employer_name == "Hotel De Gouden Leeuw"
    assert (r.workplace, r.workplace_postcode) == ("1012 AB", "1012")
    assert (r.level_match, r.field_match, r.diploma_needed, r.job_route) == (
        "same",
        "own",
        "level_field",
        "internship",
    )
    assert r.benefit == "none" and r.looked_for_work is None
    assert (r.meaningful, r.fits_plans, r.uses_learning, r.preparation) == (4, 5, 3, 4)
    assert r.missed_digital and r.missed_english and not r.missed_none
    assert r.choose_again == "yes" and r.recontact_consent is True
    assert r.network_mentoring and not r.network_guest_lessons and not r.network_employer_contacts
    assert (r.working, r.works_12h, r.works_full_time) == (True, True, True)
    invitation.graduate.refresh_from_db()
    assert invitation.graduate.private_email == "sanne@example.com"


def test_generated_columns_follow_the_cbs_and_full_time_thresholds(invitation):
    save(invitation, "nu", activity=["studying", "agency"])
    save(invitation, "belangrijkste", main_activity="studying")
    save(invitation, "werk", hours_per_week=11)
    r = Response.objects.get(invitation=invitation)
    assert (r.working, r.works_12h, r.works_full_time) == (False, False, False)
    save(invitation, "belangrijkste", main_activity="agency")
    save(invitation, "werk", hours_per_week=20)
    r.refresh_from_db()
    assert (r.working, r.works_12h, r.works_full_time) == (True, True, False)


def test_a_private_address_is_kept_only_with_consent(invitation):
    save(invitation, "nu", activity=["unemployed"])
    save(invitation, "contact", finish=False, recontact_consent=False, private_email="nee@example.com")
    invitation.graduate.refresh_from_db()
    assert invitation.graduate.private_email == ""


def test_statuses_move_opened_partial_completed_with_events(invitation):
    lifecycle.open_link(invitation)
    save(invitation, "nu", activity=["unemployed"])
    save(invitation, "inkomen", looked_for_work=True)
    invitation.refresh_from_db()
    assert invitation.status == S.PARTIAL
    save(invitation, "contact")
    invitation.refresh_from_db()
    assert invitation.status == S.COMPLETED and invitation.completed_at
    events = list(InvitationEvent.objects.filter(invitation=invitation).values_list("status", flat=True))
    assert events == [S.OPENED, S.PARTIAL, S.COMPLETED]


def test_completing_twice_stores_one_response_and_one_event(invitation):
    save(invitation, "nu", activity=["employee"])
    first = save(invitation, "contact", network=["mentoring"])
    second = save(invitation, "contact", network=["guest_lessons"])
    assert first.completed and not first.already_completed
    assert second.completed and second.already_completed
    assert Response.objects.filter(invitation=invitation).count() == 1
    r = Response.objects.get(invitation=invitation)
    assert r.network_mentoring and not r.network_guest_lessons  # the late post changed nothing
    assert InvitationEvent.objects.filter(invitation=invitation, status=S.COMPLETED).count() == 1
    assert answers.complete(invitation) is False


def test_a_page_saved_after_completion_changes_nothing(invitation):
    save(invitation, "nu", activity=["employee"])
    save(invitation, "contact")
    saved = save(invitation, "nu", activity=["studying"])
    assert saved.already_completed
    assert Response.objects.get(invitation=invitation).activity_employee


def test_the_last_page_does_not_complete_before_the_first_question(invitation):
    saved = save(invitation, "contact", network=["mentoring"])
    assert not saved.completed and saved.next_page == "nu"
    assert Response.objects.get(invitation=invitation).completed_at is None


def test_going_back_from_the_last_page_does_not_complete(invitation):
    save(invitation, "nu", activity=["employee"])
    saved = save(invitation, "contact", finish=False, network=["mentoring"])
    assert not saved.completed and saved.previous_page == "opleiding"


def test_changing_activities_clears_answers_that_no_longer_apply(invitation):
    save(invitation, "nu", activity=["employee"])
    save(invitation, "werk", hours_per_week=38, contract="permanent")
    save(invitation, "functie", job_title="Monteur")
    save(invitation, "nu", activity=["studying"])
    r = Response.objects.get(invitation=invitation)
    assert (r.hours_per_week, r.contract, r.job_title, r.main_activity) == (None, "", "", "studying")


def test_two_tabs_on_different_pages_keep_both_answers(invitation):
    save(invitation, "nu", activity=["employee"])
    save(invitation, "werk", hours_per_week=38)
    save(invitation, "terugblik", meaningful=5)
    r = Response.objects.get(invitation=invitation)
    assert (r.hours_per_week, r.meaningful) == (38, 5)


def test_resume_page_is_the_page_after_the_last_saved(invitation):
    assert answers.resume_page(invitation) is ins.FIRST_PAGE
    save(invitation, "nu", activity=["zzp"])
    save(invitation, "werk", contract="zzp")
    fresh = invitation_for_link(invitation.token)
    assert answers.resume_page(fresh).slug == "zelfstandig"


def test_set_language_is_remembered_for_the_next_mails(invitation):
    answers.set_language(invitation.graduate, "en")
    invitation.graduate.refresh_from_db()
    assert invitation.graduate.preferred_language == "en"


@pytest.mark.parametrize(
    ("status", "closes_in_days", "wave_active", "state"),
    [
        (S.SENT, 10, True, answers.LinkState.OPEN),
        (S.PENDING, 10, True, answers.LinkState.OPEN),
        (S.PARTIAL, 0, True, answers.LinkState.OPEN),
        (S.PARTIAL, -1, True, answers.LinkState.EXPIRED),
        (S.EXPIRED, 10, True, answers.LinkState.EXPIRED),
        (S.SENT, 10, False, answers.LinkState.CLOSED),
        (S.BOUNCED, 10, True, answers.LinkState.CLOSED),
        (S.NOT_INVITED, 10, True, answers.LinkState.CLOSED),
        (S.OPTED_OUT, 10, True, answers.LinkState.OPTED_OUT),
        (S.COMPLETED, -5, False, answers.LinkState.COMPLETED),
    ],
)
def test_link_state(db, status, closes_in_days, wave_active, state):
    inv = people.make_invitation(status=status)
    inv.closes_on = datetime.date.today() + datetime.timedelta(days=closes_in_days)
    inv.wave.is_active = wave_active
    assert answers.link_state(inv, today=datetime.date.today()) == state


def at_the_same_moment(invitation, page, count=4, **cleaned):
    """``count`` requests save ``page`` at once, each on its own connection and
    its own read of the invitation; returns (results, errors)."""
    results, errors, barrier = [], [], threading.Barrier(count)

    def submit():
        try:
            barrier.wait()
            fresh = Invitation.objects.select_related("wave", "graduate").get(pk=invitation.pk)
            results.append(save(fresh, page, **cleaned))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_final_submits_complete_once():
    """Four requests submit the last page at the same moment (a double click,
    two tabs). PostgreSQL: row locks; SQLite: one writer at a time."""
    from alumni.reference import load_reference_data

    load_reference_data()
    inv = people.make_invitation()
    save(inv, "nu", activity=["employee"])
    results, errors = at_the_same_moment(inv, "contact", network=["mentoring"])
    assert errors == [] and len(results) == 4
    assert sum(1 for r in results if r.completed and not r.already_completed) == 1
    assert Response.objects.filter(invitation=inv).count() == 1
    assert InvitationEvent.objects.filter(invitation=inv, status=S.COMPLETED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_saves_create_one_response():
    """Four tabs save the first page at the same moment: one row, no error."""
    from alumni.reference import load_reference_data

    load_reference_data()
    inv = people.make_invitation()
    results, errors = at_the_same_moment(inv, "nu", activity=["employee"])
    assert errors == [] and len(results) == 4
    assert Response.objects.filter(invitation=inv).count() == 1
