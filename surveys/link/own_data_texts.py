"""The words of the graduate's own page ("Jouw gegevens"), in Dutch and English.

Kept beside the page, like the questionnaire's words (``surveys.questionnaire.texts``),
so the page is complete in both languages without a compile step; Dutch at
B1 level: short sentences, everyday words, "je". ``{name}`` placeholders are
filled by the view (``str.format``).
"""

from django.utils import translation

TEXTS = {
    "title": ("Jouw gegevens", "Your data"),
    "intro": (
        "Op deze pagina zie je welke gegevens we van je bewaren en waarom. "
        "Je kunt hier ook je e-mailadres veranderen, je afmelden of je gegevens laten wissen.",
        "On this page you can see what data we keep about you and why. "
        "You can also change your e-mail address, unsubscribe or have your data erased here.",
    ),
    "footer_link": ("Jouw gegevens", "Your data"),
    "back_to_survey": ("Naar de vragenlijst", "To the survey"),
    # --- what we keep ---
    "stored_title": ("Wat we van je bewaren", "What we keep about you"),
    "why": (
        "{institution} heeft deze gegevens aan ons gegeven toen je je diploma haalde. "
        "We gebruiken ze alleen om je twee keer een korte vragenlijst te sturen: "
        "3 maanden en 3 jaar na je diploma. Zo weet de school wat oud-studenten gaan doen "
        "en kan zij de opleidingen beter maken.",
        "{institution} gave us this data when you got your diploma. "
        "We only use it to send you a short survey twice: 3 months and 3 years after your diploma. "
        "That way the school knows what former students go on to do, and can improve its programmes.",
    ),
    "name": ("Naam", "Name"),
    "student_number": ("Studentnummer", "Student number"),
    "institution": ("School", "School"),
    "location": ("Locatie", "Location"),
    "programme": ("Opleiding", "Programme"),
    "pathway": ("Leerweg", "Learning pathway"),
    "diploma_date": ("Datum diploma", "Diploma date"),
    "birth_year": ("Geboortejaar", "Year of birth"),
    "gender": ("Geslacht", "Gender"),
    "school_email": ("E-mailadres van school", "School e-mail address"),
    "private_email": ("Privé-e-mailadres", "Private e-mail address"),
    "language": ("Taal van de e-mail", "Language of the e-mail"),
    "unknown": ("(niet bekend)", "(not known)"),
    "level": ("niveau {level}", "level {level}"),
    "gender_m": ("man", "male"),
    "gender_v": ("vrouw", "female"),
    "gender_x": ("anders of onbekend", "other or unknown"),
    "language_nl": ("Nederlands", "Dutch"),
    "language_en": ("Engels", "English"),
    "contact_removed": (
        "Je naam en e-mailadressen hebben we op {day} gewist, omdat de laatste vragenlijst voorbij was.",
        "We removed your name and e-mail addresses on {day}, because the last survey was over.",
    ),
    # --- invitations ---
    "invitations_title": ("Je vragenlijsten", "Your surveys"),
    "wave_months": ("Vragenlijst {n} maanden na je diploma", "Survey {n} months after your diploma"),
    "wave_years": ("Vragenlijst {n} jaar na je diploma", "Survey {n} years after your diploma"),
    "sent_on": ("Verstuurd op {day}", "Sent on {day}"),
    "closes_on": ("Open tot en met {day}", "Open until {day}"),
    "planned_on": ("We sturen deze rond {day}", "We will send it around {day}"),
    "no_invitations": ("Je hebt nog geen vragenlijst gekregen.", "You have not received a survey yet."),
    "status_pending": ("Wordt binnenkort verstuurd", "Will be sent soon"),
    "status_sent": ("Verstuurd", "Sent"),
    "status_reminded": ("Verstuurd, met een herinnering", "Sent, with a reminder"),
    "status_opened": ("Geopend", "Opened"),
    "status_partial": ("Voor een deel ingevuld", "Partly filled in"),
    "status_completed": ("Ingevuld", "Filled in"),
    "status_bounced": (
        "Niet aangekomen: het e-mailadres werkte niet",
        "Not delivered: the e-mail address did not work",
    ),
    "status_opted_out": ("Afgemeld", "Unsubscribed"),
    "status_expired": ("Gesloten", "Closed"),
    "status_not_invited": ("Niet verstuurd", "Not sent"),
    "status_planned": ("Nog niet verstuurd", "Not sent yet"),
    # --- answers and how long ---
    "answers_title": ("Je antwoorden", "Your answers"),
    "answers_text": (
        "Je antwoorden bewaren we. De school ziet ze alleen als cijfers over een groep oud-studenten, "
        "nooit met je naam erbij. Een groep die zo klein is dat iemand je zou kunnen herkennen, "
        "laten we niet zien.",
        "We keep your answers. The school only sees them as figures about a group of former students, "
        "never with your name. We do not show a group so small that someone could recognise you.",
    ),
    "network_text": (
        "Je hebt gezegd dat de school je mag benaderen voor haar alumninetwerk. "
        "Daarom ziet de school je naam, je e-mailadres en waarvoor je benaderd wilt worden. "
        "Je andere antwoorden ziet de school niet.",
        "You said the school may contact you for its alumni network. "
        "That is why the school sees your name, your e-mail address and what you want to be contacted for. "
        "The school does not see your other answers.",
    ),
    "retention_title": ("Hoe lang we je gegevens bewaren", "How long we keep your data"),
    "retention_text": (
        "Je naam en e-mailadressen wissen we {days} dagen nadat de vragenlijst van 3 jaar na je diploma "
        "is gesloten. Je antwoorden en je opleiding blijven daarna bewaard voor de cijfers, "
        "zonder je naam en e-mailadres.",
        "We remove your name and e-mail addresses {days} days after the survey of 3 years after "
        "your diploma has closed. After that we keep your answers and your programme for the figures, "
        "without your name and e-mail address.",
    ),
    "retention_network": (
        "Omdat je in contact wilt blijven (het alumninetwerk), bewaren we je naam en e-mailadres langer: "
        "tot je je afmeldt of je gegevens laat wissen.",
        "Because you want to stay in touch (the alumni network), we keep your name and e-mail address longer: "
        "until you unsubscribe or have your data erased.",
    ),
    # --- change the e-mail address ---
    "email_title": ("Je e-mailadres veranderen", "Change your e-mail address"),
    "email_text": (
        "Je mailbox van school gaat vaak dicht na je diploma. Daarom sturen we e-mail naar je "
        "privé-e-mailadres als we dat hebben. Laat je het vak leeg? Dan sturen we e-mail naar je "
        "adres van school.",
        "Your school mailbox often closes after your diploma. That is why we send e-mail to your "
        "private address when we have one. Leave the box empty? Then we send e-mail to your school address.",
    ),
    "email_label": ("Privé-e-mailadres", "Private e-mail address"),
    "email_save": ("Opslaan", "Save"),
    "email_saved": ("Je e-mailadres is opgeslagen.", "Your e-mail address has been saved."),
    "email_removed": (
        "Je privé-e-mailadres is gewist. We sturen e-mail naar je adres van school.",
        "Your private e-mail address has been removed. We will send e-mail to your school address.",
    ),
    "email_unchanged": ("Er is niets veranderd.", "Nothing has changed."),
    # --- opt out ---
    "opt_out_title": ("Geen e-mail meer", "No more e-mail"),
    "opt_out_text": (
        "Wil je geen e-mail meer van ons? Meld je dan af. Je krijgt dan geen vragenlijsten en "
        "herinneringen meer, ook niet na 3 jaar.",
        "Do you not want any more e-mail from us? Then unsubscribe. You will not get any more surveys "
        "or reminders, not even after 3 years.",
    ),
    "opt_out_button": ("Afmelden", "Unsubscribe"),
    "opted_out_on": (
        "Je hebt je afgemeld op {day}. Je krijgt geen e-mail meer van ons.",
        "You unsubscribed on {day}. You will not get any more e-mail from us.",
    ),
    # --- erasure ---
    "erase_title": ("Je gegevens laten wissen", "Have your data erased"),
    "erase_text": (
        "Je kunt ons vragen om je gegevens te wissen. Dat doen we meteen, zonder dat de school "
        "het eerst moet goedkeuren: het zijn jouw gegevens. Je naam, e-mailadressen, studentnummer "
        "en wat je in je eigen woorden hebt geschreven, zijn dan weg. Je andere antwoorden blijven "
        "bewaard zonder iets wat naar jou leidt, zodat de cijfers blijven kloppen. Je link werkt "
        "daarna niet meer.",
        "You can ask us to erase your data. We do it at once, without the school having to approve "
        "it first: it is your data. Your name, e-mail addresses, student number and what you wrote in "
        "your own words are then gone. Your other answers are kept without anything that leads to you, "
        "so the figures stay correct. Your link no longer works after that.",
    ),
    "erase_button": ("Mijn gegevens wissen", "Erase my data"),
    "confirm_title": ("Weet je het zeker?", "Are you sure?"),
    "confirm_intro": (
        "Als je op de knop drukt, gebeurt dit meteen:",
        "When you press the button, this happens at once:",
    ),
    "confirm_gone_1": (
        "We wissen je naam, je e-mailadressen, je studentnummer en je geboortejaar.",
        "We erase your name, your e-mail addresses, your student number and your year of birth.",
    ),
    "confirm_gone_2": (
        "We wissen wat je in je eigen woorden hebt geschreven, zoals je functie en de naam van je werk.",
        "We erase what you wrote in your own words, such as your job title and the name of your employer.",
    ),
    "confirm_gone_3": (
        "Je krijgt geen e-mail meer van ons, en je link werkt niet meer.",
        "You will not get any more e-mail from us, and your link stops working.",
    ),
    "confirm_kept": (
        "Wat blijft: je andere antwoorden (bijvoorbeeld of je werkt of verder studeert), zonder iets "
        "wat naar jou leidt. Die tellen mee in de cijfers van de school.",
        "What stays: your other answers (for example whether you work or study), without anything that "
        "leads to you. They count in the school's figures.",
    ),
    "confirm_final": ("Je kunt dit niet ongedaan maken.", "You cannot undo this."),
    "confirm_button": ("Ja, wis mijn gegevens", "Yes, erase my data"),
    "confirm_back": ("Nee, terug naar mijn gegevens", "No, back to my data"),
    "erased_title": ("Je gegevens zijn gewist", "Your data has been erased"),
    "erased_text": (
        "We hebben je naam, je e-mailadressen, je studentnummer en je andere persoonlijke gegevens "
        "gewist. Ook wat je in je eigen woorden had geschreven, is weg.",
        "We have erased your name, your e-mail addresses, your student number and your other personal "
        "data. What you wrote in your own words is gone too.",
    ),
    "erased_kept": (
        "Wat blijft: je andere antwoorden, zonder iets wat naar jou leidt. Ook de school kan niet meer "
        "zien dat ze van jou zijn. Ze tellen mee in de cijfers.",
        "What stays: your other answers, without anything that leads to you. The school can no longer "
        "see either that they are yours. They count in the figures.",
    ),
    "erased_link": (
        "Je krijgt geen e-mail meer van ons. Je link werkt vanaf nu niet meer. Je kunt deze pagina sluiten.",
        "You will not get any more e-mail from us. Your link no longer works from now on. "
        "You can close this page.",
    ),
    "refused_title": ("Dit lukte niet", "This did not work"),
    "refused_text": (
        "We konden je gegevens nu niet wissen. Er is niets veranderd. Neem contact op met {institution}: "
        "zij kunnen je gegevens voor je laten wissen.",
        "We could not erase your data just now. Nothing has changed. Please contact {institution}: "
        "they can have your data erased for you.",
    ),
}

LANGUAGES = ("nl", "en")


def text(key: str, language: str | None = None, **fmt) -> str:
    """One text in ``language`` (default: the active one), filled in with ``fmt``."""
    language = language or translation.get_language() or "nl"
    dutch, english = TEXTS[key]
    chosen = english if language.startswith("en") else dutch
    return chosen.format(**fmt) if fmt else chosen


def all_texts(language: str) -> dict[str, str]:
    """Every text without placeholders in ``language``, for a template (``{{ t.title }}``)."""
    return {key: text(key, language) for key, pair in TEXTS.items() if "{" not in pair[0]}
