"""The page forms: routed fields only, typed cleaning, B1 errors, and their HTML."""

import re

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


def test_html_labels_every_question_and_ties_help_and_errors_to_it():
    f = form("werk", data={"hours_per_week": "x", "contract": "nonsense"})
    f.is_valid()
    html = f.html()
    # a single input has a label; a group of options is a fieldset with a legend
    assert '<label for="id_hours_per_week" class="form-label">Hoeveel uur' in html
    assert (
        '<fieldset aria-describedby="id_contract_error"><legend class="form-label fs-6">Wat voor contract'
        in html
    )
    for n in range(len(f.fields["contract"].choices)):
        assert f'id="id_contract_{n}" aria-invalid="true"> <label for="id_contract_{n}"' in html
    number = re.search(r"<input [^>]*name=\"hours_per_week\"[^>]*>", html).group(0)
    assert 'aria-describedby="id_hours_per_week_helptext id_hours_per_week_error"' in number
    assert 'aria-invalid="true"' in number and 'value="x"' in number
    assert 'id="id_hours_per_week_error"' in html and 'id="id_hours_per_week_helptext"' in html
    # every id the error summary links to exists
    for anchor, _label, _message in f.error_links():
        assert f'id="{anchor}"' in html
    assert form("werk", language="en").html() != form("werk").html()


def test_html_escapes_what_the_graduate_typed():
    answered = ins.Answers({"activity_employee": True, "job_title": '"><script>alert(1)</script>'}, ins.T1)
    html = form("functie", answered).html()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_html_marks_the_stored_choices():
    answered = ins.Answers(
        {"activity_employee": True, "activity_studying": True, "contract": "zzp", "wage_band": "2500"}, ins.T1
    )
    assert 'name="activity" value="studying" id="id_activity_5" checked>' in form("nu", answered).html()
    html = form("werk", answered).html()
    assert 'value="zzp" id="id_contract_6" checked>' in html
    assert '<option value="2500" selected>' in html and html.count(" selected>") == 1


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
