"""A page form as HTML: the survey's own Bootstrap 5 markup, one shape per kind of question.

Why not crispy-forms (which renders every staff form): a survey page is the
platform's most requested page, and rendering its radio buttons and
checkboxes option by option through Django's widget templates cost more than
the rest of the request together — the survey missed its throughput target
with it (docs/benchmarks.md, bench/survey). The markup here is the same
Bootstrap markup crispy wrote, built with ``format_html`` (every value
escaped):

* a group of radio buttons or checkboxes is a ``fieldset`` whose ``legend`` is
  the question; a single input has a ``label``;
* help and error texts are tied to the question with ``aria-describedby``,
  errors also with ``aria-invalid``; the error summary links to the input, or
  to a group's first option (``PageForm.error_links``);
* an item with a lead text (item 15's statements) is a fieldset around its
  questions.
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

_CHOICE_GROUPS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def render_form(form) -> SafeString:
    """The form's questions, item by item (``form.layout``: (lead, names) pairs)."""
    parts = []
    for lead, names in form.layout:
        questions = mark_safe("".join(_question(form[name]) for name in names))  # noqa: S308 (built escaped)
        if lead:
            parts.append(format_html("<fieldset><legend>{}</legend>{}</fieldset>", lead, questions))
        else:
            parts.append(questions)
    return mark_safe("".join(parts))  # noqa: S308 (every part built by format_html)


def _question(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, _CHOICE_GROUPS):
        return _choice_group(
            field, "checkbox" if isinstance(widget, forms.CheckboxSelectMultiple) else "radio"
        )
    return _single_input(field)


def _described_by(field: forms.BoundField) -> list[str]:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return ids


def _texts(field: forms.BoundField) -> SafeString:
    """The error messages and the help text below a question."""
    html = ""
    if field.errors:
        messages = format_html_join(
            "",
            '<span id="error_{}_{}"><strong>{}</strong></span>',
            ((n, field.auto_id, error) for n, error in enumerate(field.errors, start=1)),
        )
        html += format_html(
            '<div id="{}_error" class="invalid-feedback d-block">{}</div>', field.auto_id, messages
        )
    if field.help_text:
        html += format_html(
            '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text
        )
    return mark_safe(html)  # noqa: S308 (built by format_html)


def _label_text(field: forms.BoundField) -> SafeString:
    if field.field.required:
        return format_html('{}<span class="asteriskField">*</span>', field.label)
    return format_html("{}", field.label)


def _choice_group(field: forms.BoundField, kind: str) -> str:
    value = field.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    invalid = field.errors
    options = format_html_join(
        "",
        '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" value="{}" id="{}_{}"{}{}>'
        ' <label for="{}_{}" class="form-check-label">{}</label></div>',
        (
            (
                kind,
                " is-invalid" if invalid else "",
                field.html_name,
                code,
                field.auto_id,
                n,
                mark_safe(' aria-invalid="true"') if invalid else "",
                mark_safe(" checked") if str(code) in chosen else "",
                field.auto_id,
                n,
                text,
            )
            for n, (code, text) in enumerate(field.field.choices)
        ),
    )
    described = _described_by(field)
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset{}><legend class="form-label fs-6{}">{}</legend>'
        "<div>{}</div>{}</fieldset></div>",
        field.auto_id,
        format_html(' aria-describedby="{}"', " ".join(described)) if described else "",
        " requiredField" if field.field.required else "",
        _label_text(field),
        options,
        _texts(field),
    )


def _single_input(field: forms.BoundField) -> str:
    widget = field.field.widget
    invalid = bool(field.errors)
    attrs = {"class": ("form-select" if isinstance(widget, forms.Select) else "form-control")}
    if "class" in widget.attrs:
        attrs["class"] = f"{widget.attrs['class']} {attrs['class']}"
    if invalid:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
    described = _described_by(field)
    if described:
        attrs["aria-describedby"] = " ".join(described)
    control = _select(field, attrs) if isinstance(widget, forms.Select) else field.as_widget(attrs=attrs)
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">{}</label> {}{}</div>',
        field.auto_id,
        field.auto_id,
        " requiredField" if field.field.required else "",
        _label_text(field),
        control,
        _texts(field),
    )


def _select(field: forms.BoundField, attrs: dict) -> SafeString:
    """A drop-down list; written out, as its options are many (the SBI sections)."""
    value = "" if field.value() is None else str(field.value())
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (code, mark_safe(" selected") if str(code) == value else "", text)
            for code, text in field.field.choices
        ),
    )
    return format_html(
        '<select name="{}" id="{}"{}>{}</select>',
        field.html_name,
        field.auto_id,
        format_html_join("", ' {}="{}"', attrs.items()),
        options,
    )
