"""The words around the questions (buttons, link pages, errors), in Dutch and English.

Kept beside the instrument rather than in .po files so the graduate's pages
are complete in both languages without a compile step; Dutch at B1 level.
Templates read them with ``{% ui "key" %}`` (``surveys.templatetags.survey_ui``)
in the language the view activated.
"""

from django.utils import translation

UI = {
    "survey_title": ("Vragenlijst voor oud-studenten", "Graduate survey"),
    "next": ("Volgende", "Next"),
    "back": ("Vorige", "Back"),
    "submit": ("Versturen", "Submit"),
    "step": ("Stap {n} van {total}", "Step {n} of {total}"),
    "progress": ("Voortgang", "Progress"),
    "choose": ("Kies…", "Choose…"),
    "language_switch_label": ("Taal", "Language"),
    "error_title": (
        "Er ging iets mis. Kijk naar deze vragen:",
        "There is a problem. Please check these questions:",
    ),
    "error_prefix": ("Fout: ", "Error: "),
    "intro": (
        "Je hebt je diploma gehaald. Gefeliciteerd! We willen graag weten wat je nu doet. "
        "Het invullen duurt ongeveer 5 minuten. Alleen de eerste vraag is verplicht.",
        "You have your diploma. Congratulations! We would like to know what you are doing now. "
        "It takes about 5 minutes. Only the first question is required.",
    ),
    "saved_note": (
        "Je antwoorden worden bij elke stap bewaard. Je kunt stoppen en later verder gaan met dezelfde link.",
        "Your answers are saved at every step. You can stop and continue later with the same link.",
    ),
    "last_page_note": (
        "Dit is de laatste stap. Met 'Versturen' stuur je je antwoorden op.",
        "This is the last step. 'Submit' sends your answers.",
    ),
    "done_title": ("Bedankt!", "Thank you!"),
    "done_text": (
        "Je antwoorden zijn verstuurd. Je helpt de school daarmee om de opleidingen beter te maken.",
        "Your answers have been sent. You are helping the school to improve its programmes.",
    ),
    "done_again": (
        "Je hoeft verder niets te doen. Je kunt deze pagina sluiten.",
        "There is nothing else you need to do. You can close this page.",
    ),
    "unknown_title": ("Deze link werkt niet", "This link does not work"),
    "unknown_text": (
        "We kunnen geen vragenlijst vinden bij deze link. Kijk of je de hele link uit de e-mail hebt gebruikt.",
        "We could not find a survey for this link. Check that you used the whole link from the e-mail.",
    ),
    "expired_title": ("De vragenlijst is gesloten", "The survey has closed"),
    "expired_text": (
        "De tijd om deze vragenlijst in te vullen is voorbij. Bedankt voor je interesse.",
        "The time to fill in this survey has passed. Thank you for your interest.",
    ),
    "closed_title": ("Deze vragenlijst is niet open", "This survey is not open"),
    "closed_text": (
        "Je kunt deze vragenlijst niet (meer) invullen. Heb je vragen? Neem dan contact op met je school.",
        "You cannot fill in this survey (any more). Any questions? Please contact your school.",
    ),
    "opted_out_text": (
        "Je hebt je afgemeld. Je krijgt van ons geen e-mail meer over deze vragenlijst.",
        "You have unsubscribed. You will not get any more e-mail about this survey from us.",
    ),
    "erased_title": ("Deze link werkt niet meer", "This link is no longer available"),
    "erased_text": (
        "Je gegevens zijn op jouw verzoek of door de school gewist. Daarom kun je deze vragenlijst "
        "niet meer openen. Heb je vragen? Neem dan contact op met je school.",
        "Your data has been erased, at your request or by the school. That is why this survey can "
        "no longer be opened. Any questions? Please contact your school.",
    ),
    "required_activity": ("Kies minstens één antwoord.", "Choose at least one answer."),
    "invalid_choice": ("Kies een van de antwoorden.", "Choose one of the answers."),
    "number_range": (
        "Vul een heel getal in van {min} tot en met {max}.",
        "Enter a whole number from {min} to {max}.",
    ),
    "too_long": (
        "Dit antwoord is te lang: gebruik niet meer dan {n} tekens.",
        "This answer is too long: use at most {n} characters.",
    ),
    "invalid_email": (
        "Vul een goed e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.",
        "Enter a valid e-mail address, for example name@example.com.",
    ),
    "exclusive": (
        "Je kunt '{none}' niet samen met andere antwoorden kiezen.",
        "You cannot choose '{none}' together with other answers.",
    ),
    "limited_title": ("Te veel pogingen", "Too many attempts"),
    "limited_text": (
        "Er zijn vanaf jouw internetverbinding te veel links geprobeerd die niet werken. "
        "Wacht een kwartier en probeer het dan opnieuw.",
        "Too many links that do not work were tried from your internet connection. "
        "Please wait a quarter of an hour and try again.",
    ),
}


def ui(key: str, language: str | None = None) -> str:
    nl, en = UI[key]
    return en if (language or translation.get_language() or "nl").startswith("en") else nl


def pick(text, language: str | None = None) -> str:
    """One language out of an instrument text ({"nl": …, "en": …})."""
    language = (language or translation.get_language() or "nl")[:2]
    return text.get(language) or text["nl"]
