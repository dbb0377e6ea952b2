"""Formatting of report cells: a hidden figure is a dash with its public mark, never a number."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

MARK_TEXT = {
    "small_group": "group too small",
    "suppressed": "hidden (disclosure control)",
}


@register.filter
def pct(value):
    if value is None:
        return "–"
    return f"{value * 100:.0f}%".replace(".", ",")


@register.simple_tag
def cell(c):
    """Count, share and 90% interval of one cell, or a dash with the reason."""
    if c["count"] is None:
        title = _(MARK_TEXT.get(c["mark"], "hidden"))
        return format_html(
            '<span class="text-muted" title="{}">–<span class="visually-hidden"> {}</span></span>',
            title,
            title,
        )
    if c["share"] is None:
        return format_html("{}", c["count"])
    weighted = ""
    if c.get("weighted_share") is not None:
        weighted = format_html(
            ' <span class="badge text-bg-light" title="{}">w {}</span>',
            _("weighted"),
            pct(c["weighted_share"]),
        )
    return format_html(
        '{} <span class="small">({})</span><br><span class="small text-muted">{}–{}</span>{}',
        pct(c["share"]),
        c["count"],
        pct(c["ci_low"]),
        pct(c["ci_high"]),
        weighted,
    )


@register.filter
def rowlabel(label):
    if isinstance(label, list):
        return " · ".join(str(x) for x in label)
    return label


@register.filter
def number(value):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return value
