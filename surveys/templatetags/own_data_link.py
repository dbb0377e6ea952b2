"""``{% own_data_footer %}``: the footer of the survey's pages with the link to
the graduate's own page ("Jouw gegevens"), in the active language.

It takes the token from the URL the page answers (``resolver_match``), so the
survey and opt-out views need no change; on a page without a token (an
unknown or erased link) it renders nothing.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from surveys.link.own_data_texts import text

register = template.Library()


@register.simple_tag(takes_context=True)
def own_data_footer(context) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    token = match.kwargs.get("token") if match else None
    if not token or match.url_name == "own_data":
        return ""
    return format_html(
        '<footer class="container survey-container survey-footer py-3 border-top small">'
        '<a href="{}">{}</a></footer>',
        reverse("surveys:own_data", args=[token]),
        text("footer_link"),
    )
