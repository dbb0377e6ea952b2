"""The instrument as data: every item of questionnaire.md is there, in both
languages, on one page, with a stored column; routing as pure functions."""

import pytest

from surveys import questionnaire as ins
from surveys.models import Response
from surveys.questionnaire import choices

EMPLOYEE = {"activity_employee": True}
ZZP = {"activity_zzp": True}
STUDENT = {"activity_studying": True}
UNEMPLOYED = {"activity_unemployed": True}


def answers(values=None, variant=ins.T1, **more) -> ins.Answers:
    return ins.Answers({**(values or {}), **more}, variant)


def slugs(a: ins.Answers) -> list[str]:
    return [page.slug for page in ins.route(a)]


# --- the instrument is complete -------------------------------------------------------


def test_every_item_of_the_spec_is_on_exactly_one_page():
    assert sorted(ins.ITEMS) == list(range(1, 23))
    on_pages = [item.number for page in ins.PAGES for item in page.items]
    assert sorted(on_pages) == list(range(1, 23))


def test_every_text_exists_in_dutch_and_english():
    def check(text, where):
        assert set(text) == {"nl", "en"}, where
        assert all(text[lang].strip() for lang in ("nl", "en")), where

    for page in ins.PAGES:
        check(page.title, page.slug)
    for item in ins.ITEMS.values():
        if item.lead:
            check(item.lead, item.key)
        for q in item.questions:
            check(q.text, q.name)
            if q.help:
                check(q.help, q.name)
            for code, text in q.options:
                check(text, f"{q.name}={code}")


def test_every_stored_code_of_a_choice_list_has_wording():
    """Options are built from the TextChoices, so no stored code lacks a text."""
    by_name = {q.name: q for q in ins.all_questions()}
    for name, choice_class in [
        ("activity", choices.Activity),
        ("benefit", choices.Benefit),
        ("contract", choices.Contract),
        ("self_employment_reason", choices.SelfEmploymentReason),
        ("level_match", choices.LevelMatch),
        ("field_match", choices.FieldMatch),
        ("diploma_needed", choices.DiplomaNeeded),
        ("job_route", choices.JobRoute),
        ("study_level", choices.StudyLevel),
        ("study_related", choices.Relatedness),
        ("missed", choices.MissedSkill),
        ("choose_again", choices.ChooseAgain),
        ("wage_band", choices.WageBand),
        ("network", choices.NetworkPurpose),
        ("career_new_diploma", choices.NewDiploma),
    ]:
        assert [code for code, _t in by_name[name].options] == list(choice_class.values), name


def test_answer_options_follow_the_spec():
    by_name = {q.name: q for q in ins.all_questions()}
    assert len(by_name["activity"].options) == 12
    assert len(by_name["contract"].options) == 8
    assert len(by_name["missed"].options) == 7
    assert [c for c, _t in by_name["wage_band"].options][-2:] == ["4000", "declined"]
    assert sorted(c for c, _t in by_name["wage_band"].options if c != "declined") == [
        f"{n:04d}" for n in range(0, 4001, 500)
    ]
    assert "declined" in [c for c, _t in by_name["benefit"].options]  # "zeg ik liever niet"
    assert [c for c, _t in by_name["meaningful"].options] == ["1", "2", "3", "4", "5"]
    assert (by_name["hours_per_week"].min_value, by_name["hours_per_week"].max_value) == (1, 80)
    assert [q.name for q in ins.all_questions() if q.required] == ["activity"]  # only item 1 is required


@pytest.mark.django_db
def test_occupation_and_branch_lists_are_the_reference_tables():
    from alumni.models import OccupationGroup, SbiSection

    by_name = {q.name: q for q in ins.all_questions()}
    isco = {code for code, _t in by_name["occupation_group"].options}
    assert isco == set(OccupationGroup.objects.filter(level=1).values_list("code", flat=True))
    for code, text in by_name["occupation_group"].options:
        assert text["nl"] == OccupationGroup.objects.get(code=code).title_nl
    assert {code for code, _t in by_name["branch"].options} == set(
        SbiSection.objects.values_list("code", flat=True)
    )


def test_every_column_is_a_typed_field_of_response():
    from django.db import models

    fields = {f.attname: f for f in Response._meta.concrete_fields}
    for q in ins.all_questions():
        for column in q.columns:
            field = fields[column]
            expected = {
                ins.MULTI: models.BooleanField,
                ins.YESNO: models.BooleanField,
                ins.SCALE: models.PositiveSmallIntegerField,
                ins.NUMBER: models.PositiveSmallIntegerField,
                ins.TEXT: models.CharField,
                ins.LONGTEXT: models.TextField,
            }.get(q.kind)
            if q.column:
                assert isinstance(field, models.ForeignKey), column
            elif expected:
                assert isinstance(field, expected), column
            else:
                assert isinstance(field, models.CharField) and field.choices, column
            assert field.null == (q.empty() is None), column
    for column in ins.DERIVED_COLUMNS:
        assert column in fields


# --- routing ----------------------------------------------------------------------------


# The employee's route: the typical path the progress indicator assumes.
EMPLOYEE_ROUTE = [
    "nu",
    "werk",
    "functie",
    "werkgever",
    "aansluiting",
    "inkomen",
    "terugblik",
    "opleiding",
    "contact",
]


def test_employee_route_is_the_typical_path_of_at_most_12_screens():
    route = slugs(answers(EMPLOYEE))
    assert route == EMPLOYEE_ROUTE
    assert slugs(ins.typical_answers(ins.T1)) == EMPLOYEE_ROUTE
    assert len(route) + 1 <= 12  # + the thank-you page


def test_zzp_route_asks_voluntariness_and_the_job_questions():
    """The employee's route with the voluntariness page (item 7) after the work page."""
    assert slugs(answers(ZZP)) == ["nu", "werk", "zelfstandig", *EMPLOYEE_ROUTE[2:]]


def test_student_route_skips_the_job_and_asks_about_the_study_and_looking_for_work():
    a = answers(STUDENT)
    assert slugs(a) == ["nu", "studie", "inkomen", "terugblik", "opleiding", "contact"]
    assert [i.number for i in ins.PAGE_BY_SLUG["inkomen"].items_shown(a)] == [4, 5]


def test_unemployed_route():
    a = answers(UNEMPLOYED)
    assert slugs(a) == ["nu", "inkomen", "terugblik", "opleiding", "contact"]
    assert ins.not_working(a) and not ins.is_working(a)


def test_employee_sees_benefits_but_not_the_ilo_questions():
    assert [i.number for i in ins.PAGE_BY_SLUG["inkomen"].items_shown(answers(EMPLOYEE))] == [5]


def test_main_activity_is_asked_only_with_several_activities():
    a = answers(EMPLOYEE, activity_studying=True)
    assert "belangrijkste" in slugs(a)
    assert "belangrijkste" not in slugs(answers(EMPLOYEE))
    # a student with a side job gets the job questions and the study question
    assert {"werk", "functie", "studie"} <= set(slugs(a))


def test_voluntariness_follows_a_self_employed_contract_too():
    assert "zelfstandig" not in slugs(answers(EMPLOYEE))
    assert "zelfstandig" in slugs(answers(EMPLOYEE, contract="zzp"))
    assert "zelfstandig" in slugs(answers(EMPLOYEE, contract="owner"))
    assert "zelfstandig" in slugs(answers({"activity_business": True}))


def test_t1_asks_to_stay_in_touch_and_t3_about_the_career():
    t1, t3 = answers(EMPLOYEE, variant=ins.T1), answers(EMPLOYEE, variant=ins.T3)
    assert [i.number for i in ins.LAST_PAGE.items_shown(t1)] == [20, 21]
    assert [i.number for i in ins.LAST_PAGE.items_shown(t3)] == [21]
    assert "loopbaan" not in slugs(t1)
    assert "loopbaan" in slugs(t3)


def test_before_the_first_answer_only_the_first_page_counts_as_started():
    a = answers()
    assert not ins.has_started(a)
    assert ins.FIRST_PAGE.shown(a) and ins.LAST_PAGE.shown(a)


def test_next_and_previous_page_follow_the_route():
    a = answers(ZZP)
    assert ins.next_page("nu", a).slug == "werk"
    assert ins.next_page("werk", a).slug == "zelfstandig"
    assert ins.previous_page("functie", a).slug == "zelfstandig"
    assert ins.next_page("contact", a) is None
    assert ins.previous_page("nu", a) is None
    # from a page that just left the route (activities changed to student)
    assert ins.next_page("werk", answers(STUDENT)).slug == "studie"


def test_last_page_is_always_shown():
    for values in (EMPLOYEE, ZZP, STUDENT, UNEMPLOYED, {}):
        for variant in (ins.T1, ins.T3):
            assert ins.route(answers(values, variant))[-1] is ins.LAST_PAGE


# --- columns --------------------------------------------------------------------------


def test_columns_from_cleaned_turn_checkboxes_into_booleans():
    page = ins.PAGE_BY_SLUG["nu"]
    values = ins.columns_from_cleaned(page, answers(), {"activity": ["employee", "studying"]})
    assert values["activity_employee"] is True and values["activity_studying"] is True
    assert values["activity_zzp"] is False
    assert len(values) == 12


def test_columns_from_cleaned_only_store_routed_items():
    page = ins.PAGE_BY_SLUG["inkomen"]
    cleaned = {"looked_for_work": True, "available_for_work": True, "benefit": "none"}
    assert ins.columns_from_cleaned(page, answers(EMPLOYEE), cleaned) == {"benefit": "none"}
    assert ins.columns_from_cleaned(page, answers(UNEMPLOYED), cleaned) == cleaned


def test_skipped_questions_store_empty_values():
    page = ins.PAGE_BY_SLUG["werk"]
    values = ins.columns_from_cleaned(
        page, answers(EMPLOYEE), {"hours_per_week": None, "contract": "", "wage_band": ""}
    )
    assert values == {"hours_per_week": None, "contract": "", "wage_band": ""}


def test_main_activity_is_derived_from_a_single_activity():
    assert ins.settle(answers(), {"activity_zzp": True})["main_activity"] == "zzp"
    assert ins.settle(answers(), {"activity_zzp": True, "activity_studying": True})["main_activity"] == ""
    chosen = answers({"activity_zzp": True, "activity_studying": True, "main_activity": "studying"})
    # the main activity stays while it is still ticked, and goes when it is not
    assert ins.settle(chosen, {"activity_bbl": True})["main_activity"] == "studying"
    assert ins.settle(chosen, {"activity_studying": False, "activity_bbl": True})["main_activity"] == ""


def test_changing_an_earlier_answer_clears_what_left_the_route():
    before = answers(
        EMPLOYEE,
        hours_per_week=38,
        contract="permanent",
        job_title="Kok",
        branch_id="I",
        main_activity="employee",
    )
    settled = ins.settle(before, {"activity_employee": False, "activity_studying": True})
    assert settled["hours_per_week"] is None
    assert settled["contract"] == ""
    assert settled["job_title"] == ""
    assert settled["branch_id"] is None
    assert settled["main_activity"] == "studying"


def test_workplace_postcode_is_derived():
    assert ins.derived_columns(answers(workplace="1012 AB"))["workplace_postcode"] == "1012"
    assert ins.derived_columns(answers(workplace=" 3511"))["workplace_postcode"] == "3511"
    assert ins.derived_columns(answers(workplace="Amsterdam"))["workplace_postcode"] == ""
    assert ins.derived_columns(answers(workplace="0123"))["workplace_postcode"] == ""


def test_stored_answers_come_back_as_form_values():
    by_name = {q.name: q for q in ins.all_questions()}
    a = answers(EMPLOYEE, looked_for_work=False, meaningful=4, branch_id="Q")
    assert ins.value_for_form(by_name["activity"], a) == ["employee"]
    assert ins.value_for_form(by_name["looked_for_work"], a) == "no"
    assert ins.value_for_form(by_name["meaningful"], a) == "4"
    assert ins.value_for_form(by_name["branch"], a) == "Q"
    assert ins.value_for_form(by_name["contract"], a) is None


def test_variant_of_a_wave():
    class W:
        def __init__(self, months):
            self.months_after_diploma = months

    assert ins.variant_of(W(3)) == ins.T1
    assert ins.variant_of(W(36)) == ins.T3
