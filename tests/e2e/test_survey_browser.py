"""The questionnaire in a phone-sized Chromium: four graduates fill in the whole
T1 survey, one stops halfway and resumes on another device, one switches to
English, one double-clicks "Submit". Every page visited is checked with
axe-core (no serious or critical violations) and for horizontal scrolling at
360 px; only the routed questions may appear, and the stored answers must
match what was typed."""

import pytest
from django.db.models import Count

from surveys.models import Invitation, InvitationEvent, Response
from tests.factories import people
from tests.helpers.browser import PHONE, add_axe

pytestmark = pytest.mark.browser
S = Invitation.Status


class Survey:
    """One tab on the survey, with the checks every page gets."""

    def __init__(self, page, base_url: str, invitation):
        self.page, self.base_url, self.invitation = page, base_url, invitation
        self.screens = 0
        self.checked: list[str] = []

    @property
    def slug(self) -> str:
        parts = self.page.url.split("/s/", 1)[1].strip("/").split("/")
        return parts[1] if len(parts) > 1 else ""

    def open(self, path: str = ""):
        self.page.goto(f"{self.base_url}/s/{self.invitation.token}/{path}")
        self.screens += 1
        return self

    def questions(self) -> set[str]:
        names = self.page.eval_on_selector_all("form [name]", "els => els.map(e => e.name)")
        return set(names) - {"go"}

    def fill(self, answers: dict):
        for name, value in answers.items():
            for one in value if isinstance(value, list) else [value]:
                field = self.page.locator(f'[name="{name}"]').first
                kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
                if kind in ("checkbox", "radio"):
                    self.page.locator(f'[name="{name}"][value="{one}"]').check()
                elif kind == "select":
                    self.page.select_option(f'[name="{name}"]', one)
                else:
                    self.page.fill(f'[name="{name}"]', str(one))

    def press(self, which: str = "next"):
        with self.page.expect_navigation():
            self.page.click(f'button[value="{which}"]')
        self.screens += 1

    def check_page(self):
        """axe-core: no serious or critical violations; no sideways scrolling on a phone."""
        add_axe(self.page)
        violations = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                 .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"""
        )
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{self.page.url}: {bad}"
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{self.page.url} scrolls sideways ({width}px)"
        self.checked.append(self.slug or "link")


def walk(survey: Survey, plan: dict) -> list[str]:
    """Answer page after page; ``plan`` is slug -> (expected question names, answers)."""
    visited = []
    while survey.slug:
        slug = survey.slug
        assert slug in plan, f"page {slug!r} is not on this graduate's route"
        expected, answers = plan[slug]
        assert survey.questions() == expected, slug
        survey.check_page()
        survey.fill(answers)
        visited.append(slug)
        survey.press("next")
    return visited


EMPLOYEE_T1 = {
    "nu": ({"activity"}, {"activity": ["employee"]}),
    "werk": (
        {"hours_per_week", "contract", "wage_band"},
        {"hours_per_week": 38, "contract": "temp_prospect", "wage_band": "2500"},
    ),
    "functie": (
        {"job_title", "job_tasks", "occupation_group"},
        {
            "job_title": "Zelfstandig werkend kok",
            "job_tasks": "Koken, inkopen en plannen",
            "occupation_group": "5",
        },
    ),
    "werkgever": (
        {"branch", "employer_name", "workplace", "job_route"},
        {
            "branch": "I",
            "employer_name": "Hotel De Gouden Leeuw",
            "workplace": "1012 AB",
            "job_route": "internship",
        },
    ),
    "aansluiting": (
        {"level_match", "field_match", "diploma_needed"},
        {"level_match": "same", "field_match": "own", "diploma_needed": "level_field"},
    ),
    "inkomen": ({"benefit"}, {"benefit": "none"}),
    "terugblik": (
        {"meaningful", "fits_plans", "uses_learning", "preparation"},
        {"meaningful": "4", "fits_plans": "5", "uses_learning": "4", "preparation": "4"},
    ),
    "opleiding": ({"missed", "choose_again"}, {"missed": ["digital", "english"], "choose_again": "yes"}),
    "contact": (
        {"recontact_consent", "private_email", "network"},
        {
            "recontact_consent": "yes",
            "private_email": "sanne.prive@example.com",
            "network": ["guest_lessons", "mentoring"],
        },
    ),
}
EMPLOYEE_STORED = {
    "activity_employee": True,
    "activity_zzp": False,
    "main_activity": "employee",
    "hours_per_week": 38,
    "contract": "temp_prospect",
    "wage_band": "2500",
    "self_employment_reason": "",
    "job_title": "Zelfstandig werkend kok",
    "job_tasks": "Koken, inkopen en plannen",
    "occupation_group_id": "5",
    "branch_id": "I",
    "employer_name": "Hotel De Gouden Leeuw",
    "workplace": "1012 AB",
    "workplace_postcode": "1012",
    "job_route": "internship",
    "level_match": "same",
    "field_match": "own",
    "diploma_needed": "level_field",
    "study_level": "",
    "looked_for_work": None,
    "available_for_work": None,
    "benefit": "none",
    "meaningful": 4,
    "fits_plans": 5,
    "uses_learning": 4,
    "preparation": 4,
    "missed_digital": True,
    "missed_english": True,
    "missed_none": False,
    "choose_again": "yes",
    "recontact_consent": True,
    "network_guest_lessons": True,
    "network_mentoring": True,
    "network_employer_contacts": False,
    "working": True,
    "works_12h": True,
    "works_full_time": True,
    "language": "nl",
}

ZZP_NECESSITY_T1 = {
    "nu": ({"activity"}, {"activity": ["zzp"]}),
    "werk": (
        {"hours_per_week", "contract", "wage_band"},
        {"hours_per_week": 24, "contract": "zzp", "wage_band": "declined"},
    ),
    "zelfstandig": ({"self_employment_reason"}, {"self_employment_reason": "necessity"}),
    "functie": (
        {"job_title", "job_tasks", "occupation_group"},
        {"job_title": "Schilder", "occupation_group": "7"},
    ),
    "werkgever": (
        {"branch", "employer_name", "workplace", "job_route"},
        {"branch": "F", "workplace": "Zaandam", "job_route": "own_business"},
    ),
    "aansluiting": (
        {"level_match", "field_match", "diploma_needed"},
        {"level_match": "same", "field_match": "own", "diploma_needed": "advantage"},
    ),
    "inkomen": ({"benefit"}, {"benefit": "declined"}),
    "terugblik": (
        {"meaningful", "fits_plans", "uses_learning", "preparation"},
        {"meaningful": "3", "preparation": "2"},
    ),
    "opleiding": ({"missed", "choose_again"}, {"missed": ["entrepreneurial"], "choose_again": "maybe"}),
    "contact": ({"recontact_consent", "private_email", "network"}, {"recontact_consent": "no"}),
}
ZZP_STORED = {
    "activity_zzp": True,
    "main_activity": "zzp",
    "contract": "zzp",
    "self_employment_reason": "necessity",
    "hours_per_week": 24,
    "wage_band": "declined",
    "job_title": "Schilder",
    "job_tasks": "",
    "occupation_group_id": "7",
    "branch_id": "F",
    "employer_name": "",
    "workplace": "Zaandam",
    "workplace_postcode": "",
    "job_route": "own_business",
    "diploma_needed": "advantage",
    "benefit": "declined",
    "meaningful": 3,
    "fits_plans": None,
    "preparation": 2,
    "missed_entrepreneurial": True,
    "choose_again": "maybe",
    "recontact_consent": False,
    "network_guest_lessons": False,
    "working": True,
    "works_12h": True,
    "works_full_time": False,
}

STUDENT_T1 = {
    "nu": ({"activity"}, {"activity": ["studying"]}),
    "studie": ({"study_level", "study_related"}, {"study_level": "hbo", "study_related": "related"}),
    "inkomen": (
        {"looked_for_work", "available_for_work", "benefit"},
        {"looked_for_work": "no", "available_for_work": "no", "benefit": "none"},
    ),
    "terugblik": (
        {"meaningful", "fits_plans", "uses_learning", "preparation"},
        {"meaningful": "5", "fits_plans": "5", "uses_learning": "4", "preparation": "5"},
    ),
    "opleiding": ({"missed", "choose_again"}, {"missed": ["none"], "choose_again": "yes"}),
    "contact": (
        {"recontact_consent", "private_email", "network"},
        {"recontact_consent": "yes", "network": ["employer_contacts"]},
    ),
}
STUDENT_STORED = {
    "activity_studying": True,
    "main_activity": "studying",
    "study_level": "hbo",
    "study_related": "related",
    "looked_for_work": False,
    "available_for_work": False,
    "benefit": "none",
    "hours_per_week": None,
    "contract": "",
    "job_title": "",
    "branch_id": None,
    "missed_none": True,
    "network_employer_contacts": True,
    "working": False,
    "works_12h": None,
}

UNEMPLOYED_T1 = {
    "nu": ({"activity"}, {"activity": ["unemployed"]}),
    "inkomen": (
        {"looked_for_work", "available_for_work", "benefit"},
        {"looked_for_work": "yes", "available_for_work": "yes", "benefit": "ww"},
    ),
    "terugblik": (
        {"meaningful", "fits_plans", "uses_learning", "preparation"},
        {"meaningful": "2", "preparation": "3"},
    ),
    "opleiding": ({"missed", "choose_again"}, {"missed": ["knowledge", "dutch"], "choose_again": "no"}),
    "contact": ({"recontact_consent", "private_email", "network"}, {}),
}
UNEMPLOYED_STORED = {
    "activity_unemployed": True,
    "main_activity": "unemployed",
    "looked_for_work": True,
    "available_for_work": True,
    "benefit": "ww",
    "study_level": "",
    "contract": "",
    "missed_knowledge": True,
    "missed_dutch": True,
    "choose_again": "no",
    "recontact_consent": None,
    "working": False,
}


def stored(invitation) -> Response:
    return Response.objects.get(invitation=invitation)


def assert_stored(invitation, expected: dict):
    response = stored(invitation)
    actual = {column: getattr(response, column) for column in expected}
    assert actual == expected
    assert response.completed_at is not None
    invitation.refresh_from_db()
    assert invitation.status == S.COMPLETED


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        pytest.param(EMPLOYEE_T1, EMPLOYEE_STORED, id="employee"),
        pytest.param(ZZP_NECESSITY_T1, ZZP_STORED, id="zzp-out-of-necessity"),
        pytest.param(STUDENT_T1, STUDENT_STORED, id="student"),
        pytest.param(UNEMPLOYED_T1, UNEMPLOYED_STORED, id="unemployed-on-benefits"),
    ],
)
def test_a_graduate_fills_in_the_whole_t1_survey(phone, plan, expected):
    invitation = people.make_invitation("T1", graduate_fields={"private_email": ""})
    survey = Survey(phone.context.new_page(), phone.base_url, invitation).open()
    visited = walk(survey, plan)
    assert visited == list(plan)  # every routed page, in order, and nothing else
    assert "Bedankt!" in survey.page.inner_text("main")
    survey.check_page()
    assert_stored(invitation, expected)
    if plan is EMPLOYEE_T1:
        assert survey.screens <= 12, f"the typical path took {survey.screens} screens"
        invitation.graduate.refresh_from_db()
        assert invitation.graduate.private_email == "sanne.prive@example.com"
    events = list(InvitationEvent.objects.filter(invitation=invitation).values_list("status", flat=True))
    assert events == [S.OPENED, S.PARTIAL, S.COMPLETED]


def test_keyboard_only_and_the_error_summary_takes_the_focus(phone):
    invitation = people.make_invitation("T1")
    survey = Survey(phone.context.new_page(), phone.base_url, invitation).open()
    page = survey.page

    def tab_to(selector: str, limit: int = 40):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"could not reach {selector} with Tab")

    tab_to("#id_activity_0")
    page.keyboard.press("Space")
    tab_to('button[value="next"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert survey.slug == "werk"
    page.fill("#id_hours_per_week", "200")
    with page.expect_navigation():
        page.click('button[value="next"]')
    # autofocus runs with the first rendering update: wait for it (fails after 5 s)
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'error-summary'", timeout=5000
    )
    assert page.title().startswith("Fout: ")
    assert "Vul een heel getal in van 1 tot en met 80." in page.inner_text("#error-summary")
    assert page.get_attribute("#id_hours_per_week", "aria-invalid") == "true"
    survey.check_page()
    page.click("#error-summary a")  # the link goes to the question
    page.wait_for_function("document.activeElement.id === 'id_hours_per_week'", timeout=5000)
    page.fill("#id_hours_per_week", "32")
    survey.press("next")
    assert survey.slug == "functie"
    assert stored(invitation).hours_per_week == 32


def test_stop_halfway_and_resume_on_another_device(phone, browser):
    invitation = people.make_invitation("T1")
    first = Survey(phone.context.new_page(), phone.base_url, invitation).open()
    for slug in ("nu", "werk", "functie"):
        first.fill(EMPLOYEE_T1[slug][1])
        first.press("next")
    assert first.slug == "werkgever"
    phone.context.close()

    phone.context = phone.new_context(browser)  # another phone: no cookies, nothing shared
    second = Survey(phone.context.new_page(), phone.base_url, invitation).open()
    assert second.slug == "werkgever"  # continues where the graduate left off
    assert "Stap 4 van 9" in second.page.inner_text("main")
    second.press("back")
    assert second.slug == "functie"
    assert second.page.input_value("#id_job_title") == "Zelfstandig werkend kok"
    assert second.page.is_checked('[name="occupation_group"][value="5"]')
    rest = {slug: EMPLOYEE_T1[slug] for slug in list(EMPLOYEE_T1)[2:]}
    walk(second, rest)
    assert_stored(invitation, EMPLOYEE_STORED)


def test_switch_to_english_is_remembered(phone):
    invitation = people.make_invitation("T1")
    survey = Survey(phone.context.new_page(), phone.base_url, invitation).open()
    page = survey.page
    assert page.get_attribute("html", "lang") == "nl"
    assert "Wat deed je de afgelopen week?" in page.inner_text("main")
    with page.expect_navigation():
        page.click("text=English")
    assert page.get_attribute("html", "lang") == "en"
    assert "What did you do last week? Choose all that apply." in page.inner_text("main")
    assert page.inner_text('button[value="next"]').strip() == "Next"
    survey.check_page()
    survey.fill({"activity": ["employee", "studying"]})
    survey.press("next")
    assert survey.slug == "belangrijkste"
    assert "Which of these is your main activity now?" in page.inner_text("main")
    options = page.eval_on_selector_all('[name="main_activity"]', "els => els.map(e => e.value)")
    assert options == ["employee", "studying"]  # only the ticked activities
    survey.check_page()
    invitation.graduate.refresh_from_db()
    assert invitation.graduate.preferred_language == "en"  # for the next mails
    assert stored(invitation).language == "en"


def on_the_last_page(phone, activity: str) -> tuple[Invitation, Survey]:
    """A new T1 invitation's survey answered up to its last page (contact/), filled in but not sent."""
    invitation = people.make_invitation("T1")
    survey = Survey(phone.context.new_page(), phone.base_url, invitation).open()
    survey.fill({"activity": [activity]})
    survey.press("next")
    survey.open("contact/")
    survey.fill({"network": ["mentoring"]})
    return invitation, survey


def test_double_click_on_submit_stores_one_response(phone):
    invitation, survey = on_the_last_page(phone, "unemployed")
    posts = []
    survey.page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    survey.page.dblclick('button[value="next"]')  # the second click cancels the first navigation
    # The thank-you page: after the redirect of the POST that completed, or as the answer to a
    # second POST that arrived when the survey was complete already (then at the page's own URL).
    survey.page.wait_for_selector("text=Bedankt!")
    assert f"/s/{invitation.token}/" in survey.page.url
    assert posts  # Chromium sends one or two POSTs, depending on timing
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert InvitationEvent.objects.filter(invitation=invitation, status=S.COMPLETED).count() == 1


def test_two_submits_at_the_same_moment_store_one_response(phone):
    """What a double click can send, made certain: the page posts its form twice at once."""
    invitation, survey = on_the_last_page(phone, "employee")
    statuses = survey.page.evaluate(
        """async () => {
             const form = document.querySelector('form');
             const post = () => { const data = new FormData(form); data.append('go', 'next');
                                  return fetch(form.action || location.href, {method: 'POST', body: data}); };
             const answers = await Promise.all([post(), post()]);
             return answers.map(a => a.status);
           }"""
    )
    assert statuses == [200, 200]  # both end on the thank-you page (after the redirect)
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert stored(invitation).completed_at is not None
    assert InvitationEvent.objects.filter(invitation=invitation, status=S.COMPLETED).count() == 1


def test_two_tabs_and_the_back_button_store_one_response(phone):
    invitation = people.make_invitation("T1")
    one = Survey(phone.context.new_page(), phone.base_url, invitation).open()
    one.fill({"activity": ["employee"]})
    one.press("next")
    two = Survey(phone.context.new_page(), phone.base_url, invitation).open("contact/")
    one.open("contact/")
    one.fill({"network": ["mentoring"]})
    two.fill({"network": ["guest_lessons"]})
    one.press("next")
    two.press("next")
    assert "Bedankt!" in one.page.inner_text("main") and "Bedankt!" in two.page.inner_text("main")
    one.page.go_back()  # back to the filled-in last page, and submit it again
    one.page.wait_for_load_state()
    assert "Bedankt!" in one.page.inner_text("main")
    counts = Response.objects.filter(invitation=invitation).aggregate(n=Count("pk"))
    assert counts["n"] == 1
    response = stored(invitation)
    assert response.network_mentoring and not response.network_guest_lessons  # the first submit counts
    assert InvitationEvent.objects.filter(invitation=invitation, status=S.COMPLETED).count() == 1


def test_every_link_state_page_is_friendly_and_accessible(phone):
    page = phone.context.new_page()
    cases = [
        ("/s/" + "n" * 43 + "/", 404, "Deze link werkt niet"),
        (f"/s/{people.make_invitation(status=S.EXPIRED).token}/", 410, "De vragenlijst is gesloten"),
        (f"/s/{people.make_invitation(status=S.BOUNCED).token}/", 410, "Deze vragenlijst is niet open"),
        (f"/s/{people.make_invitation(status=S.OPTED_OUT).token}/", 410, "Je hebt je afgemeld"),
        (f"/s/{people.make_invitation(status=S.COMPLETED).token}/", 200, "Bedankt!"),
    ]
    for path, status, text in cases:
        response = page.goto(phone.base_url + path)
        assert response.status == status, path
        assert text in page.inner_text("main")
        Survey(page, phone.base_url, None).check_page()


def test_every_page_of_the_t3_survey_is_accessible(phone):
    """The pages the four T1 graduates did not see: main activity, studies,
    self-employment (via the contract) and the T3 career page."""
    invitation = people.make_invitation("T3")
    survey = Survey(phone.context.new_page(), phone.base_url, invitation).open()
    plan = {
        "nu": ({"activity"}, {"activity": ["employee", "studying"]}),
        "belangrijkste": ({"main_activity"}, {"main_activity": "employee"}),
        "werk": ({"hours_per_week", "contract", "wage_band"}, {"contract": "owner", "hours_per_week": 40}),
        "zelfstandig": ({"self_employment_reason"}, {"self_employment_reason": "own_choice"}),
        "functie": ({"job_title", "job_tasks", "occupation_group"}, {}),
        "werkgever": ({"branch", "employer_name", "workplace", "job_route"}, {}),
        "aansluiting": ({"level_match", "field_match", "diploma_needed"}, {}),
        "studie": ({"study_level", "study_related"}, {"study_level": "ad", "study_related": "partly"}),
        "inkomen": ({"benefit"}, {}),
        "terugblik": ({"meaningful", "fits_plans", "uses_learning", "preparation"}, {}),
        "opleiding": ({"missed", "choose_again"}, {}),
        "loopbaan": (
            {
                "career_employers",
                "career_months_unemployed",
                "career_months_to_first_job",
                "career_new_diploma",
            },
            {
                "career_employers": 3,
                "career_months_unemployed": 4,
                "career_months_to_first_job": 2,
                "career_new_diploma": "ad",
            },
        ),
        "contact": ({"network"}, {"network": ["employer_contacts"]}),
    }
    assert walk(survey, plan) == list(plan)
    response = stored(invitation)
    assert (response.career_employers, response.career_months_unemployed, response.career_new_diploma) == (
        3,
        4,
        "ad",
    )
    assert (response.main_activity, response.contract, response.self_employment_reason) == (
        "employee",
        "owner",
        "own_choice",
    )
    assert response.recontact_consent is None  # item 20 is T1 only
