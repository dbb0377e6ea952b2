"""One form per questionnaire page, built from the questionnaire's content.

A page's form holds only the items routed to this graduate (``Page.items_shown``
with the answers so far) in the language of the page. Every question is
optional except the activities (item 1); errors are written for a B1 reader
and listed in an error summary above the form (see ``survey_page.html``).

Plain Django forms: every form builds its own fields, so nothing a form or
its rendering changes can reach another graduate's page. The HTML is the
survey's own (``rendering``).
"""

from django import forms

from .. import questionnaire as ins
from .rendering import render_form
from .texts import pick, ui


def _field(q: ins.Question, a: ins.Answers, language: str) -> forms.Field:
    label = pick(q.text, language)
    help_text = pick(q.help, language) if q.help else ""
    options = [(code, pick(text, language)) for code, text in q.options]
    if q.name == "main_activity":  # only the activities ticked on the first page
        ticked = ins.activities(a)
        options = [(code, text) for code, text in options if code in ticked]
    messages = {
        "invalid_choice": ui("invalid_choice", language),
        "required": ui("required_activity", language),
    }
    common = {"label": label, "help_text": help_text, "required": q.required, "error_messages": messages}
    if q.kind == ins.MULTI:
        return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
    if q.kind == ins.SINGLE:
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if q.kind == ins.SELECT:
        return forms.ChoiceField(choices=[("", ui("choose", language)), *options], **common)
    if q.kind == ins.YESNO:
        return forms.TypedChoiceField(
            choices=options, coerce=lambda v: v == "yes", empty_value=None, widget=forms.RadioSelect, **common
        )
    if q.kind == ins.SCALE:
        return forms.TypedChoiceField(
            choices=options, coerce=int, empty_value=None, widget=forms.RadioSelect, **common
        )
    if q.kind == ins.NUMBER:
        message = ui("number_range", language).format(min=q.min_value, max=q.max_value)
        common["error_messages"] = {"invalid": message, "min_value": message, "max_value": message}
        return forms.IntegerField(
            min_value=q.min_value,
            max_value=q.max_value,
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "survey-number"}),
            **common,
        )
    too_long = ui("too_long", language).format(n=q.max_length)
    common["error_messages"] = {"max_length": too_long}
    attrs = {"autocomplete": q.autocomplete or "off"}
    if q.kind == ins.EMAIL:
        common["error_messages"]["invalid"] = ui("invalid_email", language)
        return forms.EmailField(max_length=q.max_length, widget=forms.EmailInput(attrs=attrs), **common)
    if q.kind == ins.LONGTEXT:
        return forms.CharField(
            max_length=q.max_length, widget=forms.Textarea(attrs={"rows": 3, **attrs}), **common
        )
    return forms.CharField(max_length=q.max_length, widget=forms.TextInput(attrs=attrs), **common)


class PageForm(forms.Form):
    """The routed questions of one page; ``cleaned_data`` is typed for
    ``columns.columns_from_cleaned`` (lists for checkboxes, bool, int, str)."""

    def __init__(
        self, page: ins.Page, answers: ins.Answers, language: str, *, private_email: str = "", **kwargs
    ):
        super().__init__(**kwargs)
        self.page, self.answers, self.language = page, answers, language
        self.exclusive: dict[str, str] = {}
        self.layout: list[tuple[str, list[str]]] = []  # (lead text, question names) per item shown
        for item in page.items_shown(answers):
            names = []
            for q in item.questions:
                self.fields[q.name] = _field(q, answers, language)
                self.initial[q.name] = _initial_value(q, answers, private_email)
                if q.exclusive:
                    self.exclusive[q.name] = q.exclusive
                names.append(q.name)
            self.layout.append((pick(item.lead, language) if item.lead else "", names))

    def clean(self):
        cleaned = super().clean()
        for name, none_code in self.exclusive.items():
            chosen = cleaned.get(name) or []
            if none_code in chosen and len(chosen) > 1:
                none_text = dict(self.fields[name].choices)[none_code]
                self.add_error(name, ui("exclusive", self.language).format(none=none_text))
        return cleaned

    def error_links(self) -> list[tuple[str, str, str]]:
        """(anchor, question, message) for the error summary; the anchor is the
        input itself, or the first option of a group of radios or checkboxes."""
        links = []
        for name, errors in self.errors.items():
            if name not in self.fields:
                continue
            bound = self[name]
            widget = self.fields[name].widget
            anchor = bound.auto_id + (
                "_0" if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple) else ""
            )
            links.extend((anchor, bound.label, error) for error in errors)
        return links

    def html(self) -> str:
        """The questions as HTML (the page template puts them inside its own <form>)."""
        return render_form(self)


def _initial_value(q: ins.Question, answers: ins.Answers, private_email: str):
    """What a question shows filled in: the stored answer; for item 20 the address on file."""
    return private_email if q.kind == ins.EMAIL else ins.value_for_form(q, answers)
