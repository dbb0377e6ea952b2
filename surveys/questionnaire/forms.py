"""One crispy form per questionnaire page, built from the instrument.

A page's form holds only the items routed to this graduate (``Page.items_shown``
with the answers so far) in the language of the page. Every question is
optional except the activities (item 1); errors are written for a B1 reader
and listed in an error summary above the form (see ``survey_page.html``).
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from crispy_forms.utils import render_crispy_form
from django import forms

from .. import questionnaire as ins
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


# Built form fields, per process: (language, question, options shown) -> field.
_FIELDS: dict[tuple, forms.Field] = {}


def _field_copy(q: ins.Question, a: ins.Answers, language: str) -> forms.Field:
    """A fresh copy of the question's field, built once per process.

    Building a field (choices normalised, widget made, messages looked up)
    is most of the cost of a posted page; a field only depends on the
    question, the language and (item 2) the activities ticked. Each form
    gets its own shallow copy with its own widget and attributes — what a
    form may change while it renders — sharing only read-only parts.
    """
    key = (language, q.name, tuple(sorted(ins.activities(a))) if q.name == "main_activity" else ())
    prototype = _FIELDS.get(key)
    if prototype is None:
        prototype = _FIELDS[key] = _field(q, a, language)
    field = _shallow_copy(prototype)
    field.widget = _shallow_copy(prototype.widget)
    field.widget.attrs = dict(prototype.widget.attrs)
    return field


def _shallow_copy(obj):
    """``copy.copy`` for plain objects, without its pickle-protocol detour."""
    clone = object.__new__(type(obj))
    clone.__dict__.update(obj.__dict__)
    return clone


# Rendered HTML of pages shown without any answer yet, per process (see PageForm.html).
_BLANK_HTML: dict[tuple, str] = {}
_BLANK_HTML_MAX = 512


class PageForm(forms.Form):
    """The routed questions of one page; ``cleaned_data`` is typed for
    ``instrument.columns_from_cleaned`` (lists for checkboxes, bool, int, str)."""

    def __init__(
        self, page: ins.Page, answers: ins.Answers, language: str, *, private_email: str = "", **kwargs
    ):
        super().__init__(**kwargs)
        self.page, self.answers, self.language = page, answers, language
        self.exclusive: dict[str, str] = {}
        layout = []
        for item in page.items_shown(answers):
            names = []
            for q in item.questions:
                self.fields[q.name] = _field_copy(q, answers, language)
                self.initial[q.name] = _initial_value(q, answers, private_email)
                if q.exclusive:
                    self.exclusive[q.name] = q.exclusive
                names.append(q.name)
            layout.append(Fieldset(pick(item.lead, language), *names) if item.lead else Layout(*names))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*layout)

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
        """The form rendered by crispy; a blank page's HTML comes from
        ``blank_html`` (rendered once per process)."""
        key = None if self.is_bound else blank_key(self.page, self.answers, self.language, self.initial)
        if key is not None:
            cached = _BLANK_HTML.get(key)
            if cached is not None:
                return cached
        rendered = render_crispy_form(self)
        if key is not None:
            if len(_BLANK_HTML) >= _BLANK_HTML_MAX:
                _BLANK_HTML.clear()
            _BLANK_HTML[key] = rendered
        return rendered


def _initial_value(q: ins.Question, answers: ins.Answers, private_email: str):
    """What a question shows filled in: the stored answer; for item 20 the address on file."""
    return private_email if q.kind == ins.EMAIL else ins.value_for_form(q, answers)


def _initial(page: ins.Page, answers: ins.Answers, private_email: str) -> dict:
    return {
        q.name: _initial_value(q, answers, private_email)
        for item in page.items_shown(answers)
        for q in item.questions
    }


def blank_key(page: ins.Page, answers: ins.Answers, language: str, initial: dict) -> tuple | None:
    """What a page shown with nothing filled in depends on, or None if something is filled in.

    Such a page looks the same for every graduate with the same questions in
    the same language, and that is most page views; only the options of
    item 2 (main activity) depend on earlier answers (the activities ticked).
    """
    if any(value not in (None, "", []) for value in initial.values()):
        return None
    ticked = tuple(sorted(ins.activities(answers))) if "main_activity" in initial else ()
    return (language, page.slug, tuple(initial), ticked)


def blank_html(page: ins.Page, answers: ins.Answers, language: str, *, private_email: str = "") -> str | None:
    """The page's HTML if it is blank and was rendered before in this
    process, without building the form (fields and their choices are most of
    a blank page view's cost); else None."""
    key = blank_key(page, answers, language, _initial(page, answers, private_email))
    return _BLANK_HTML.get(key) if key is not None else None
