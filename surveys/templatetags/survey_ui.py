"""``{% ui "key" %}``: a page-chrome text of the questionnaire in the active language."""

from django import template

from surveys.questionnaire.texts import ui as ui_text

register = template.Library()


@register.simple_tag
def ui(key, **fmt):
    text = ui_text(key)
    return text.format(**fmt) if fmt else text
