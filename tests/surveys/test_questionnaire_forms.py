"""The page forms: routed fields only, typed cleaning, B1 errors, and their HTML."""

from crispy_forms.utils import render_crispy_form

from surveys import questionnaire as ins
from surveys.questionnaire.forms import PageForm

EMPLOYEE = ins.Answers({"activity_employee": True}, ins.T1)


def form(slug, answers=EMPLOYEE, language="nl", **kwargs):
    return PageForm(ins.PAGE_BY_SLUG[slug], answers, language, **kwargs)


def test_a_page_form_has_the_routed_questions_only():
    assert list(form("inkomen").fields) == ["benefit"]
    unemployed = ins.Answers({"activity_unemployed": True}, ins.T1)
    assert list(form("inkomen", unemployed).fields) == ["looked_for_work", "available_for_work", "benefit"]
    assert list(form("contact", ins.Answers({}, ins.T3)).fields) == ["network"]


def test_cleaned_data_is_typed():
    f = form("terugblik", data={"meaningful": "4", "preparation": ""})
    assert f.is_valid()
    assert f.cleaned_data["meaningful"] == 4 and f.cleaned_data["preparation"] is None
    f = form("inkomen", ins.Answers({"activity_unemployed": True}, ins.T1), data={"looked_for_work": "no"})
    assert (
        f.is_valid()
        and f.cleaned_data["looked_for_work"] is False
        and f.cleaned_data["available_for_work"] is None
    )
    f = form("werk", data={"hours_per_week": "38"})
    assert f.is_valid() and f.cleaned_data["hours_per_week"] == 38


def test_errors_in_plain_dutch_and_english():
    assert form("werk", data={"hours_per_week": "0"}).errors["hours_per_week"] == [
        "Vul een heel getal in van 1 tot en met 80."
    ]
    assert form("werk", language="en", data={"hours_per_week": "81"}).errors["hours_per_week"] == [
        "Enter a whole number from 1 to 80."
    ]
    assert form("nu", ins.Answers({}, ins.T1), data={}).errors["activity"] == ["Kies minstens één antwoord."]
    assert "e-mailadres" in form("contact", data={"private_email": "nope"}).errors["private_email"][0]


def test_main_activity_offers_only_the_ticked_activities():
    several = ins.Answers({"activity_zzp": True, "activity_studying": True}, ins.T1)
    f = form("belangrijkste", several)
    assert [code for code, _label in f.fields["main_activity"].choices] == ["zzp", "studying"]
    assert not form("belangrijkste", several, data={"main_activity": "employee"}).is_valid()


def test_error_links_point_at_the_input_or_the_first_option():
    f = form("werk", data={"hours_per_week": "x", "contract": "nonsense"})
    f.is_valid()
    anchors = [anchor for anchor, _label, _message in f.error_links()]
    assert anchors == ["id_hours_per_week", "id_contract_0"]


def test_html_is_the_crispy_rendering_of_the_form_in_its_language():
    rendered = form("werk").html()
    assert rendered == render_crispy_form(form("werk"))
    assert form("werk", language="en").html() != rendered


def test_pages_show_the_answers_errors_and_options_of_this_graduate():
    answered = ins.Answers({"activity_employee": True, "hours_per_week": 38}, ins.T1)
    assert 'value="38"' in form("werk", answered).html()
    bound = form("werk", data={"hours_per_week": "x"})
    assert not bound.is_valid() and "is-invalid" in bound.html()
    email = form("contact", private_email="me@example.com").html()
    assert "me@example.com" in email
    # the main-activity page differs with the activities ticked
    one = form("belangrijkste", ins.Answers({"activity_zzp": True, "activity_studying": True}, ins.T1)).html()
    two = form("belangrijkste", ins.Answers({"activity_bbl": True, "activity_studying": True}, ins.T1)).html()
    assert one != two and 'value="bbl"' in two and 'value="bbl"' not in one


def test_each_form_has_its_own_fields():
    """A form that changes its field or widget (as rendering may) must not
    change the next graduate's form."""
    first, second = form("werk"), form("werk")
    a, b = first.fields["hours_per_week"], second.fields["hours_per_week"]
    assert a is not b and a.widget is not b.widget and a.widget.attrs is not b.widget.attrs
    a.widget.attrs["class"] = "changed"
    a.required = True
    assert "changed" not in form("werk").fields["hours_per_week"].widget.attrs.values()
    assert form("werk").fields["hours_per_week"].required is False
    assert form("werk", language="en").fields["hours_per_week"].label != b.label  # per language
