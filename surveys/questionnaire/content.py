"""The questionnaire's reviewed content: every item's wording in Dutch and
English, the answer options, and which page each item is on.

Why it is written this way
--------------------------
* This is the text a reviewer signs off. Question texts are kept in Dutch
  (B1) and English side by side, not in .po files: the instrument is
  versioned (``VERSION`` is stored on every response) and a wording change is
  a change of the instrument, reviewed here. Everything else — the types
  (``schema``), who sees which item (``conditions``), the route
  (``routing``) and the stored columns (``columns``) — is machinery that a
  wording change never touches.
* Answer options are built from the stored codes (``choices``) by
  ``_options``, which fails at import if a code has no wording.
* One topic per page; an item only depends on items of earlier pages.

Item numbers follow the table in ``shared/spec/questionnaire.md``.
"""

from alumni.reference import ISCO_MAJOR_NL

from .choices import (
    Activity,
    Benefit,
    ChooseAgain,
    Contract,
    DiplomaNeeded,
    FieldMatch,
    JobRoute,
    LevelMatch,
    MissedSkill,
    NetworkPurpose,
    NewDiploma,
    Relatedness,
    SelfEmploymentReason,
    StudyLevel,
    WageBand,
)
from .conditions import (
    at_t1,
    at_t3,
    is_self_employed,
    is_studying,
    is_working,
    not_working,
    several_activities,
)
from .schema import (
    EMAIL,
    LONGTEXT,
    MULTI,
    NUMBER,
    SCALE,
    SELECT,
    SINGLE,
    TEXT,
    YESNO,
    Item,
    Page,
    Question,
    Text,
    t,
)

VERSION = "2026.1"  # stored on every response; a new wording is a new version


def _options(choices, texts: dict) -> tuple[tuple[str, Text], ...]:
    """Pair every stored code with its wording; fails loudly if one is missing."""
    return tuple((code, texts[code]) for code in choices.values)


YES_NO = (("yes", t("Ja", "Yes")), ("no", t("Nee", "No")))
AGREE = tuple(
    (str(n), text)
    for n, text in enumerate(
        [
            t("Helemaal oneens", "Strongly disagree"),
            t("Oneens", "Disagree"),
            t("Niet eens, niet oneens", "Neither agree nor disagree"),
            t("Eens", "Agree"),
            t("Helemaal eens", "Strongly agree"),
        ],
        start=1,
    )
)
PREPARED = tuple(
    (str(n), text)
    for n, text in enumerate(
        [
            t("Heel slecht", "Very poorly"),
            t("Slecht", "Poorly"),
            t("Niet goed, niet slecht", "Neither well nor poorly"),
            t("Goed", "Well"),
            t("Heel goed", "Very well"),
        ],
        start=1,
    )
)

ACTIVITY_TEXT = {
    Activity.EMPLOYEE: t("Betaald werk in loondienst (bij een werkgever)", "A paid job as an employee"),
    Activity.AGENCY: t("Uitzendwerk of oproepwerk", "Agency work or on-call work"),
    Activity.ZZP: t(
        "Zelfstandig zonder personeel (zzp, freelance)", "Self-employed without staff (freelance)"
    ),
    Activity.BUSINESS: t("Een eigen bedrijf met personeel", "My own business with staff"),
    Activity.BBL: t("Werken en leren in een bbl-baan", "A work-study job (BBL)"),
    Activity.STUDYING: t(
        "Een opleiding volgen (mbo, Associate degree, hbo, wo of iets anders)",
        "Studying (mbo, Associate degree, hbo, university or other)",
    ),
    Activity.UNPAID: t(
        "Onbetaald werk, stage of vrijwilligerswerk", "Unpaid work, an internship or volunteering"
    ),
    Activity.CARING: t("Zorgen voor mijn gezin of familie", "Caring for my family"),
    Activity.UNEMPLOYED: t("Ik heb geen werk en ik zoek werk", "Unemployed and looking for work"),
    Activity.ILL: t("Ziek, of ik kan niet werken", "Ill or unable to work"),
    Activity.GAP_YEAR: t("Een tussenjaar of reizen", "A gap year or travelling"),
    Activity.OTHER: t("Iets anders", "Something else"),
}

BENEFIT_TEXT = {
    Benefit.NONE: t("Nee, ik krijg geen uitkering", "No, I get no benefit"),
    Benefit.WW: t("Ja, WW (werkloosheidsuitkering)", "Yes, unemployment benefit (WW)"),
    Benefit.BIJSTAND: t("Ja, bijstand (Participatiewet)", "Yes, social assistance (bijstand)"),
    Benefit.DISABILITY: t(
        "Ja, Wajong, WIA of Ziektewet", "Yes, disability or sickness benefit (Wajong, WIA, ZW)"
    ),
    Benefit.OTHER: t("Ja, een andere uitkering", "Yes, another benefit"),
    Benefit.DECLINED: t("Zeg ik liever niet", "I would rather not say"),
}

CONTRACT_TEXT = {
    Contract.PERMANENT: t("Vast contract", "Permanent contract"),
    Contract.TEMPORARY_PROSPECT: t(
        "Tijdelijk contract, met kans op een vast contract",
        "Temporary, with the prospect of a permanent contract",
    ),
    Contract.TEMPORARY: t("Tijdelijk contract", "Temporary contract"),
    Contract.AGENCY: t("Uitzendcontract", "Agency contract"),
    Contract.ON_CALL: t("Oproepcontract of nulurencontract", "On-call or zero-hours contract"),
    Contract.BBL: t("Bbl-contract (leren en werken)", "BBL contract (work-study)"),
    Contract.ZZP: t("Zzp: zelfstandig zonder personeel", "Self-employed without staff (zzp)"),
    Contract.OWNER: t("Eigen bedrijf (directeur-eigenaar)", "Own business (director-owner)"),
}

REASON_TEXT = {
    SelfEmploymentReason.OWN_CHOICE: t("Omdat ik dat zelf wilde", "Because I wanted to"),
    SelfEmploymentReason.BOTH: t("Allebei", "Both"),
    SelfEmploymentReason.NECESSITY: t(
        "Omdat ik geen goede baan in loondienst kon vinden", "Because I found no suitable job as an employee"
    ),
    SelfEmploymentReason.CLIENT_REQUIRED: t(
        "Omdat de opdrachtgever dat wilde", "Because the client required it"
    ),
}

# ISCO-08 major groups: Dutch from the reference data (alumni.reference), English
# in the same plain style. Armed forces (0) last, as in most questionnaires.
ISCO_EN = {
    "1": "Manager or team leader",
    "2": "Professional (degree level), for example designer, lawyer, IT specialist",
    "3": "Technician or associate professional, for example bookkeeper, graphic designer, nurse",
    "4": "Clerical or support worker, for example secretary, receptionist",
    "5": "Service and sales, for example shop, hospitality, care, security",
    "6": "Agriculture, horticulture, forestry and fishing",
    "7": "Craft and construction, for example carpenter, electrician, mechanic",
    "8": "Machine operator, assembler or driver",
    "9": "Simple work, for example cleaning, warehouse, delivery",
    "0": "Armed forces",
}
OCCUPATION_OPTIONS = tuple((code, t(ISCO_MAJOR_NL[code], ISCO_EN[code])) for code in "1234567890")

# SBI 2008 sections (alumni.SbiSection) in plain words, with examples.
SBI_PLAIN = {
    "A": t("Landbouw, tuinbouw, bosbouw of visserij", "Agriculture, horticulture, forestry or fishing"),
    "B": t("Mijnbouw, winning van olie, gas of zand", "Mining, extraction of oil, gas or sand"),
    "C": t(
        "Industrie: fabriek of productie (bijvoorbeeld voeding, metaal, machines)",
        "Manufacturing: a factory or production (for example food, metal, machines)",
    ),
    "D": t("Energie: stroom en gas", "Energy: electricity and gas"),
    "E": t("Water, afval en recycling", "Water, waste and recycling"),
    "F": t(
        "Bouw (bijvoorbeeld aannemer, installatiebedrijf)", "Construction (for example builder, installer)"
    ),
    "G": t("Winkel, groothandel of autobedrijf", "Shop, wholesale or car dealer and garage"),
    "H": t(
        "Vervoer en opslag (bijvoorbeeld transport, logistiek, post)",
        "Transport and storage (for example logistics, post)",
    ),
    "I": t("Horeca: hotel, restaurant of café", "Hotel, restaurant or café"),
    "J": t("ICT, media en communicatie", "IT, media and communication"),
    "K": t("Bank of verzekeraar", "Bank or insurance"),
    "L": t(
        "Huizen en gebouwen: verhuur en verkoop (bijvoorbeeld makelaar)",
        "Real estate: renting and selling (for example estate agent)",
    ),
    "M": t(
        "Advies en onderzoek (bijvoorbeeld accountant, advocaat, ingenieursbureau)",
        "Consultancy and research (for example accountant, lawyer, engineering firm)",
    ),
    "N": t(
        "Zakelijke diensten (bijvoorbeeld uitzendbureau, schoonmaak, beveiliging)",
        "Business services (for example temp agency, cleaning, security)",
    ),
    "O": t(
        "Overheid (bijvoorbeeld gemeente, politie, defensie)",
        "Government (for example municipality, police, defence)",
    ),
    "P": t("Onderwijs", "Education"),
    "Q": t(
        "Zorg en welzijn (bijvoorbeeld ziekenhuis, thuiszorg, kinderopvang)",
        "Health and social care (for example hospital, home care, childcare)",
    ),
    "R": t("Cultuur, sport en recreatie", "Culture, sports and recreation"),
    "S": t(
        "Andere diensten (bijvoorbeeld kapper, schoonheidssalon, vereniging)",
        "Other services (for example hairdresser, beauty salon, association)",
    ),
    "T": t(
        "Bij mensen thuis (bijvoorbeeld huishoudelijke hulp)", "In people's homes (for example domestic help)"
    ),
    "U": t("Internationale organisatie of ambassade", "International organisation or embassy"),
}
BRANCH_OPTIONS = tuple(SBI_PLAIN.items())

LEVEL_TEXT = {
    LevelMatch.HIGHER: t("Een hoger niveau dan mijn mbo-opleiding", "A higher level than my mbo programme"),
    LevelMatch.SAME: t("Mijn eigen niveau", "My own level"),
    LevelMatch.LOWER: t("Een lager niveau", "A lower level"),
    LevelMatch.NONE: t("Geen bepaald niveau", "No particular level"),
}
FIELD_TEXT = {
    FieldMatch.OWN: t("Mijn eigen vak", "My own field"),
    FieldMatch.RELATED: t("Een vak dat erop lijkt", "A related field"),
    FieldMatch.OTHER: t("Een ander vak", "Another field"),
    FieldMatch.ANY: t("Elk vak is goed", "Any field"),
}
DIPLOMA_TEXT = {
    DiplomaNeeded.LEVEL_AND_FIELD: t("Ja, dit niveau én deze richting", "Yes, this level and this field"),
    DiplomaNeeded.LEVEL: t("Ja, dit niveau", "Yes, this level"),
    DiplomaNeeded.FIELD: t("Ja, deze richting", "Yes, this field"),
    DiplomaNeeded.ADVANTAGE: t("Niet nodig, maar het hielp wel", "Not required, but it was an advantage"),
    DiplomaNeeded.NOT_REQUIRED: t("Niet nodig", "Not required"),
    DiplomaNeeded.DONT_KNOW: t("Weet ik niet", "I don't know"),
}
ROUTE_TEXT = {
    JobRoute.INTERNSHIP: t("Bij het bedrijf van mijn stage (bpv)", "At the company of my internship (BPV)"),
    JobRoute.SCHOOL: t("Via school of een docent", "Through school or a teacher"),
    JobRoute.VACANCY: t("Via een vacaturesite of uitzendbureau", "Through a job site or an agency"),
    JobRoute.NETWORK: t("Via mensen die ik ken", "Through people I know"),
    JobRoute.OWN_BUSINESS: t("Ik ben mijn eigen bedrijf begonnen", "I started my own business"),
    JobRoute.OTHER: t("Op een andere manier", "Some other way"),
}
STUDY_TEXT = {
    StudyLevel.MBO: t("Mbo, op een hoger niveau", "mbo, at a higher level"),
    StudyLevel.AD: t("Associate degree", "Associate degree"),
    StudyLevel.HBO: t("Hbo-bachelor", "hbo bachelor"),
    StudyLevel.WO: t("Universiteit (wo)", "University (wo)"),
    StudyLevel.OTHER: t("Iets anders", "Something else"),
}
RELATED_TEXT = {
    Relatedness.RELATED: t("Ja", "Yes"),
    Relatedness.PARTLY: t("Een beetje", "Partly"),
    Relatedness.NOT: t("Nee", "No"),
}
MISSED_TEXT = {
    MissedSkill.KNOWLEDGE: t("Kennis van mijn vak", "Knowledge of my trade"),
    MissedSkill.SOCIAL: t(
        "Werkhouding (klantgericht, zelfstandig werken, professioneel gedrag)",
        "Work attitude (customer focus, working independently, professional conduct)",
    ),
    MissedSkill.ENTREPRENEURIAL: t(
        "Ondernemen (klanten vinden, prijzen bepalen, jezelf laten zien)",
        "Entrepreneurship (finding clients, pricing, promoting yourself)",
    ),
    MissedSkill.DIGITAL: t("Digitale vaardigheden", "Digital skills"),
    MissedSkill.DUTCH: t("Nederlands", "Dutch"),
    MissedSkill.ENGLISH: t("Engels", "English"),
    MissedSkill.NONE: t("Niets, ik heb niets gemist", "Nothing, I missed nothing"),
}
AGAIN_TEXT = {
    ChooseAgain.YES: t("Ja", "Yes"),
    ChooseAgain.MAYBE: t("Misschien", "Maybe"),
    ChooseAgain.NO: t("Nee", "No"),
}
WAGE_TEXT = {
    WageBand.UNDER_500: t("Minder dan € 500", "Less than €500"),
    WageBand.FROM_500: t("€ 500 tot € 1.000", "€500 to €1,000"),
    WageBand.FROM_1000: t("€ 1.000 tot € 1.500", "€1,000 to €1,500"),
    WageBand.FROM_1500: t("€ 1.500 tot € 2.000", "€1,500 to €2,000"),
    WageBand.FROM_2000: t("€ 2.000 tot € 2.500", "€2,000 to €2,500"),
    WageBand.FROM_2500: t("€ 2.500 tot € 3.000", "€2,500 to €3,000"),
    WageBand.FROM_3000: t("€ 3.000 tot € 3.500", "€3,000 to €3,500"),
    WageBand.FROM_3500: t("€ 3.500 tot € 4.000", "€3,500 to €4,000"),
    WageBand.FROM_4000: t("€ 4.000 of meer", "€4,000 or more"),
    WageBand.DECLINED: t("Zeg ik liever niet", "I would rather not say"),
}
NETWORK_TEXT = {
    NetworkPurpose.GUEST_LESSONS: t("Een gastles geven", "Giving a guest lesson"),
    NetworkPurpose.MENTORING: t("Studenten begeleiden als mentor", "Mentoring students"),
    NetworkPurpose.EMPLOYER_CONTACTS: t(
        "Contact met werkgevers (bijvoorbeeld voor stages of vacatures)",
        "Contacts with employers (for example for internships or vacancies)",
    ),
}
NEW_DIPLOMA_TEXT = {
    NewDiploma.NONE: t("Nee", "No"),
    NewDiploma.MBO: t("Ja, mbo op een hoger niveau", "Yes, mbo at a higher level"),
    NewDiploma.AD: t("Ja, Associate degree", "Yes, an Associate degree"),
    NewDiploma.HBO: t("Ja, hbo-bachelor", "Yes, an hbo bachelor"),
    NewDiploma.WO: t("Ja, universiteit (wo)", "Yes, university (wo)"),
    NewDiploma.OTHER: t("Ja, iets anders", "Yes, something else"),
}

OPTIONAL = t("Mag je overslaan.", "You may skip this.")

ITEMS: dict[int, Item] = {
    item.number: item
    for item in [
        Item(
            1,
            "activities",
            (
                Question(
                    "activity",
                    MULTI,
                    t(
                        "Wat deed je de afgelopen week? Kies alles wat past.",
                        "What did you do last week? Choose all that apply.",
                    ),
                    _options(Activity, ACTIVITY_TEXT),
                    required=True,
                ),
            ),
        ),
        Item(
            2,
            "main_activity",
            (
                Question(
                    "main_activity",
                    SINGLE,
                    t("Wat is nu je belangrijkste bezigheid?", "Which of these is your main activity now?"),
                    _options(Activity, ACTIVITY_TEXT),  # narrowed to the ticked ones by the form
                ),
            ),
            shown=several_activities,
        ),
        Item(
            3,
            "hours",
            (
                Question(
                    "hours_per_week",
                    NUMBER,
                    t("Hoeveel uur per week werk je meestal?", "How many hours a week do you usually work?"),
                    help=t("Tel al je betaalde werk bij elkaar op.", "Add up all your paid work."),
                    min_value=1,
                    max_value=80,
                ),
            ),
            shown=is_working,
        ),
        Item(
            4,
            "looking",
            (
                Question(
                    "looked_for_work",
                    YESNO,
                    t(
                        "Heb je de afgelopen 4 weken werk gezocht?",
                        "Have you looked for work in the last 4 weeks?",
                    ),
                    YES_NO,
                ),
                Question(
                    "available_for_work",
                    YESNO,
                    t(
                        "Als je nu een baan vindt: kun je dan binnen 2 weken beginnen?",
                        "If you found a job now, could you start within 2 weeks?",
                    ),
                    YES_NO,
                ),
            ),
            shown=not_working,
        ),
        Item(
            5,
            "benefit",
            (
                Question(
                    "benefit",
                    SINGLE,
                    t("Krijg je nu een uitkering?", "Do you get a benefit (uitkering) now?"),
                    _options(Benefit, BENEFIT_TEXT),
                ),
            ),
        ),
        Item(
            6,
            "contract",
            (
                Question(
                    "contract",
                    SINGLE,
                    t(
                        "Wat voor contract heb je? Heb je meer banen? Kies dan je belangrijkste baan.",
                        "What kind of contract do you have? If you have more than one job, choose your main job.",
                    ),
                    _options(Contract, CONTRACT_TEXT),
                ),
            ),
            shown=is_working,
        ),
        Item(
            7,
            "self_employment_reason",
            (
                Question(
                    "self_employment_reason",
                    SINGLE,
                    t(
                        "Werk je vooral als zelfstandige omdat je dat zelf wilde, of omdat je geen goede baan in loondienst vond?",
                        "Do you work as self-employed mainly because you wanted to, or because you found no suitable job as an employee?",
                    ),
                    _options(SelfEmploymentReason, REASON_TEXT),
                ),
            ),
            shown=is_self_employed,
        ),
        Item(
            8,
            "job",
            (
                Question(
                    "job_title",
                    TEXT,
                    t("Wat is je functie?", "What is your job title?"),
                    help=t(
                        "Bijvoorbeeld: verzorgende IG, monteur, kok.",
                        "For example: care assistant, mechanic, cook.",
                    ),
                    max_length=200,
                ),
                Question(
                    "job_tasks",
                    LONGTEXT,
                    t("Wat zijn je belangrijkste taken?", "What are your main tasks?"),
                    help=OPTIONAL,
                    max_length=1000,
                ),
                Question(
                    "occupation_group",
                    SINGLE,
                    t("Welke groep past het best bij je werk?", "Which group fits your work best?"),
                    OCCUPATION_OPTIONS,
                    column="occupation_group_id",
                ),
            ),
            shown=is_working,
        ),
        Item(
            9,
            "employer",
            (
                Question(
                    "branch",
                    SELECT,
                    t(
                        "Wat doet het bedrijf of de organisatie waar je werkt?",
                        "What does the company or organisation you work for do?",
                    ),
                    BRANCH_OPTIONS,
                    help=t(
                        "Werk je als zelfstandige? Kies dan wat je eigen bedrijf doet.",
                        "Self-employed? Choose what your own business does.",
                    ),
                    column="branch_id",
                ),
                Question(
                    "employer_name",
                    TEXT,
                    t(
                        "Hoe heet het bedrijf of de organisatie?",
                        "What is the name of the company or organisation?",
                    ),
                    help=OPTIONAL,
                    max_length=200,
                    autocomplete="organization",
                ),
                Question(
                    "workplace",
                    TEXT,
                    t("Waar werk je?", "Where do you work?"),
                    help=t(
                        "De gemeente, of de 4 cijfers van de postcode. Bijvoorbeeld: Amsterdam of 1012.",
                        "The municipality, or the 4 digits of the postcode. For example: Amsterdam or 1012.",
                    ),
                    max_length=100,
                ),
            ),
            shown=is_working,
        ),
        Item(
            10,
            "level_match",
            (
                Question(
                    "level_match",
                    SINGLE,
                    t(
                        "Welk opleidingsniveau past het best bij je werk?",
                        "Which level of education fits your work best?",
                    ),
                    _options(LevelMatch, LEVEL_TEXT),
                ),
            ),
            shown=is_working,
        ),
        Item(
            11,
            "field_match",
            (
                Question(
                    "field_match",
                    SINGLE,
                    t("Welk vak (richting) past het best bij je werk?", "Which field fits your work best?"),
                    _options(FieldMatch, FIELD_TEXT),
                ),
            ),
            shown=is_working,
        ),
        Item(
            12,
            "diploma_needed",
            (
                Question(
                    "diploma_needed",
                    SINGLE,
                    t(
                        "Had je je mbo-diploma nodig om dit werk te krijgen?",
                        "Did you need your mbo diploma to get this job?",
                    ),
                    _options(DiplomaNeeded, DIPLOMA_TEXT),
                ),
            ),
            shown=is_working,
        ),
        Item(
            13,
            "job_route",
            (
                Question(
                    "job_route",
                    SINGLE,
                    t("Hoe heb je dit werk gevonden?", "How did you find this job?"),
                    _options(JobRoute, ROUTE_TEXT),
                ),
            ),
            shown=is_working,
        ),
        Item(
            14,
            "study",
            (
                Question(
                    "study_level",
                    SINGLE,
                    t("Welke opleiding volg je nu?", "What are you studying now?"),
                    _options(StudyLevel, STUDY_TEXT),
                ),
                Question(
                    "study_related",
                    SINGLE,
                    t("Lijkt die opleiding op je mbo-opleiding?", "Is it related to your mbo programme?"),
                    _options(Relatedness, RELATED_TEXT),
                ),
            ),
            shown=is_studying,
        ),
        Item(
            15,
            "statements",
            (
                Question(
                    "meaningful",
                    SCALE,
                    t("Wat ik nu doe, vind ik zinvol.", "What I do now is meaningful."),
                    AGREE,
                ),
                Question(
                    "fits_plans",
                    SCALE,
                    t(
                        "Wat ik nu doe, past bij mijn plannen voor later.",
                        "What I do now fits my future plans.",
                    ),
                    AGREE,
                ),
                Question(
                    "uses_learning",
                    SCALE,
                    t(
                        "Ik gebruik wat ik in mijn opleiding heb geleerd.",
                        "I use what I learned in my programme.",
                    ),
                    AGREE,
                ),
            ),
            lead=t("Hoe eens ben je het met deze zinnen?", "How much do you agree with these statements?"),
        ),
        Item(
            16,
            "preparation",
            (
                Question(
                    "preparation",
                    SCALE,
                    t(
                        "Hoe goed heeft je opleiding je voorbereid op je werk of studie van nu?",
                        "How well did your programme prepare you for your current work or study?",
                    ),
                    PREPARED,
                ),
            ),
        ),
        Item(
            17,
            "skills_missed",
            (
                Question(
                    "missed",
                    MULTI,
                    t(
                        "Wat heb je gemist in je opleiding? Kies alles wat past.",
                        "What did you miss in your programme? Choose all that apply.",
                    ),
                    _options(MissedSkill, MISSED_TEXT),
                    exclusive=MissedSkill.NONE,
                ),
            ),
        ),
        Item(
            18,
            "choose_again",
            (
                Question(
                    "choose_again",
                    SINGLE,
                    t(
                        "Zou je dezelfde opleiding opnieuw kiezen?",
                        "Would you choose the same programme again?",
                    ),
                    _options(ChooseAgain, AGAIN_TEXT),
                ),
            ),
        ),
        Item(
            19,
            "wage",
            (
                Question(
                    "wage_band",
                    SELECT,
                    t("Hoeveel verdien je bruto per maand?", "What is your gross monthly wage?"),
                    _options(WageBand, WAGE_TEXT),
                    help=t(
                        "Bruto is voordat er belasting af gaat. Tel al je betaalde werk bij elkaar op. Mag je overslaan.",
                        "Gross is before tax. Add up all your paid work. You may skip this.",
                    ),
                ),
            ),
            shown=is_working,
        ),
        Item(
            20,
            "recontact",
            (
                Question(
                    "recontact_consent",
                    YESNO,
                    t(
                        "Mogen we je over 3 jaar nog een keer een paar vragen sturen?",
                        "May we send you a few questions again in 3 years?",
                    ),
                    YES_NO,
                ),
                Question(
                    "private_email",
                    EMAIL,
                    t(
                        "Je eigen e-mailadres (niet van school)",
                        "Your own e-mail address (not your school address)",
                    ),
                    help=t(
                        "Je school-e-mail werkt straks misschien niet meer. We gebruiken dit adres alleen voor deze vragenlijst.",
                        "Your school address may stop working. We only use this address for this survey.",
                    ),
                    max_length=254,
                    autocomplete="email",
                ),
            ),
            shown=at_t1,
        ),
        Item(
            21,
            "network",
            (
                Question(
                    "network",
                    MULTI,
                    t(
                        "Mag school contact met je opnemen voor het netwerk van oud-studenten? Kies waarvoor.",
                        "May the school contact you for its alumni network? Choose what for.",
                    ),
                    _options(NetworkPurpose, NETWORK_TEXT),
                    help=t("Kies niets als je dat niet wilt.", "Choose nothing if you do not want this."),
                ),
            ),
        ),
        Item(
            22,
            "career",
            (
                Question(
                    "career_employers",
                    NUMBER,
                    t(
                        "Bij hoeveel werkgevers heb je gewerkt sinds je diploma?",
                        "How many employers have you worked for since your diploma?",
                    ),
                    help=t(
                        "Als zelfstandige telt je eigen bedrijf als 1.",
                        "If self-employed, your own business counts as 1.",
                    ),
                    min_value=0,
                    max_value=50,
                ),
                Question(
                    "career_months_unemployed",
                    NUMBER,
                    t(
                        "Hoeveel maanden was je in totaal werkloos sinds je diploma?",
                        "How many months in total have you been unemployed since your diploma?",
                    ),
                    min_value=0,
                    max_value=120,
                ),
                Question(
                    "career_months_to_first_job",
                    NUMBER,
                    t(
                        "Hoeveel maanden na je diploma begon je eerste baan?",
                        "How many months after your diploma did your first job start?",
                    ),
                    help=t("Nog geen baan gehad? Sla deze vraag over.", "No job yet? Skip this question."),
                    min_value=0,
                    max_value=120,
                ),
                Question(
                    "career_new_diploma",
                    SINGLE,
                    t(
                        "Heb je sinds je mbo-diploma een nieuw diploma gehaald?",
                        "Have you gained a new diploma since your mbo diploma?",
                    ),
                    _options(NewDiploma, NEW_DIPLOMA_TEXT),
                ),
            ),
            shown=at_t3,
        ),
    ]
}


def _page(slug: str, title: Text, *numbers: int) -> Page:
    return Page(slug, title, tuple(ITEMS[n] for n in numbers))


# One topic per page. The typical path (an employee at T1) is 9 pages.
PAGES: tuple[Page, ...] = (
    _page("nu", t("Wat doe je nu?", "What are you doing now?"), 1),
    _page("belangrijkste", t("Je belangrijkste bezigheid", "Your main activity"), 2),
    _page("werk", t("Je werk", "Your work"), 3, 6, 19),
    _page("zelfstandig", t("Werken als zelfstandige", "Working as self-employed"), 7),
    _page("functie", t("Je functie", "Your job"), 8),
    _page("werkgever", t("Waar je werkt", "Where you work"), 9, 13),
    _page(
        "aansluiting", t("Past je werk bij je opleiding?", "Does your work match your programme?"), 10, 11, 12
    ),
    _page("studie", t("Je opleiding nu", "Your studies now"), 14),
    _page("inkomen", t("Werk zoeken en uitkering", "Looking for work and benefits"), 4, 5),
    _page("terugblik", t("Je opleiding en nu", "Your programme and now"), 15, 16),
    _page("opleiding", t("Terugkijken op je opleiding", "Looking back on your programme"), 17, 18),
    _page("loopbaan", t("Je loopbaan sinds je diploma", "Your career since your diploma"), 22),
    _page("contact", t("Contact houden", "Staying in touch"), 20, 21),
)
