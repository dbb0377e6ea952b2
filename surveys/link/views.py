"""The graduate's side of the link: the questionnaire, page by page, and opt-out.

Thin views: the link's state and the answers come from ``answers``, the
questions and the routing from ``surveys.questionnaire``. Every page has its
own URL (s/<token>/<page>/); a POST saves and redirects (so a reload never
posts twice), and opening the link itself continues where the graduate left
off.

No CSRF token: the credential is the secret token in the URL, not a cookie,
so a forged cross-site POST would already need the secret. That also keeps
the pages free of cookies for a graduate who blocks them (the language chosen
before the link is known is the one thing kept in the session).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alumni.privacy.tombstones import is_erased_link
from config.clientip import client_ip

from .. import lifecycle
from .. import questionnaire as ins
from ..models import Invitation
from ..questionnaire.forms import PageForm
from ..questionnaire.texts import pick
from . import answers, ratelimit
from .tokens import invitation_for_link

_SESSION_LANGUAGE = "survey_language"
_STATE_PAGES = {
    answers.LinkState.EXPIRED: ("expired_title", "expired_text", 410),
    answers.LinkState.CLOSED: ("closed_title", "closed_text", 410),
    answers.LinkState.OPTED_OUT: ("closed_title", "opted_out_text", 410),
    answers.LinkState.ERASED: ("erased_title", "erased_text", 410),
}


@dataclass
class _Link:
    invitation: Invitation
    language: str
    state: str


def _use_language(request, language: str) -> str:
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _chosen_language(request) -> str | None:
    chosen = request.GET.get("lang")
    return chosen if chosen in ins.LANGUAGES else None


def _message_page(request, title_key, text_key, *, status=200, invitation=None, headers=None):
    context = {
        "title_key": title_key,
        "text_key": text_key,
        "institution_name": invitation.graduate.institution.name if invitation else "",
    }
    response = render(request, "surveys/link_state.html", context, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _too_many_guesses(request):
    _use_language(request, _chosen_language(request) or request.session.get(_SESSION_LANGUAGE, "nl"))
    headers = {"Retry-After": str(ratelimit.window_seconds())}
    return _message_page(request, "limited_title", "limited_text", status=429, headers=headers)


def _unknown(request, ip: str):
    """An unknown link: counted as a guess, answered with a friendly page."""
    ratelimit.record_miss(ip)
    _use_language(request, _chosen_language(request) or request.session.get(_SESSION_LANGUAGE, "nl"))
    return _message_page(request, "unknown_title", "unknown_text", status=404)


def _erased(request):
    """The link of an erased graduate: "no longer available" (410), not counted
    as a guess; in the language chosen before, as nothing else is known."""
    _use_language(request, _chosen_language(request) or request.session.get(_SESSION_LANGUAGE, "nl"))
    title, text, status = _STATE_PAGES[answers.LinkState.ERASED]
    return _message_page(request, title, text, status=status)


def _open_link(request, token):
    """The invitation behind ``token`` with the page language, or the response
    to send instead: unknown link (404, or 429 for a client over the guessing
    limit), an erased graduate's old link (410, not counted as a guess), or a redirect that drops ``?lang=`` after storing the choice. A
    known link always opens: the limit counts and blocks only misses, so a
    school's computer room or a carrier's shared address is not locked out by
    one mistyped link."""
    invitation = invitation_for_link(token)
    chosen = _chosen_language(request)
    if invitation is None:
        ip = client_ip(request)
        if ratelimit.is_blocked(ip):
            return _too_many_guesses(request)
        if is_erased_link(token):  # after the limit: a scanner over it costs no query
            return _erased(request)
        if chosen:
            request.session[_SESSION_LANGUAGE] = chosen
            return redirect(request.path)
        return _unknown(request, ip)
    if chosen:
        request.session[_SESSION_LANGUAGE] = chosen
        answers.set_language(invitation.graduate, chosen)
        return redirect(request.path)
    language = _use_language(request, invitation.graduate.preferred_language or "nl")
    return _Link(invitation, language, answers.link_state(invitation))


def _state_page(request, link: _Link):
    if link.state == answers.LinkState.COMPLETED:
        return _message_page(request, "done_title", "done_text", invitation=link.invitation)
    title, text, status = _STATE_PAGES[link.state]
    return _message_page(request, title, text, status=status, invitation=link.invitation)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD"])
def survey(request, token):
    """The link in the e-mail: continue where the graduate left off."""
    link = _open_link(request, token)
    if not isinstance(link, _Link):
        return link
    if link.state != answers.LinkState.OPEN:
        return _state_page(request, link)
    lifecycle.open_link(link.invitation)
    return redirect("surveys:survey_page", token=token, page=answers.resume_page(link.invitation).slug)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def survey_page(request, token, page):
    """One page of the questionnaire: show it, or save it and move on."""
    link = _open_link(request, token)
    if not isinstance(link, _Link):
        return link
    if link.state != answers.LinkState.OPEN:
        return _state_page(request, link)
    invitation, language = link.invitation, link.language
    so_far = answers.answers_of(invitation)
    current = ins.PAGE_BY_SLUG.get(page)
    if (
        current is None
        or not current.shown(so_far)
        or (current is not ins.FIRST_PAGE and not ins.has_started(so_far))
    ):
        return redirect("surveys:survey", token=token)  # not (or no longer) on this graduate's route
    lifecycle.open_link(invitation)
    private_email = invitation.graduate.private_email
    if request.method != "POST":
        form = PageForm(current, so_far, language, private_email=private_email)
        return render(request, "surveys/survey_page.html", _page_context(link, current, so_far, form, []))
    form = PageForm(current, so_far, language, data=request.POST, private_email=private_email)
    if not form.is_valid():
        context = _page_context(link, current, so_far, form, form.error_links())
        return render(request, "surveys/survey_page.html", context)
    going_back = request.POST.get("go") == "back"
    saved = answers.save_page(
        invitation=invitation,
        page_slug=current.slug,
        cleaned=form.cleaned_data,
        language=language,
        finish=not going_back,
        answers=so_far,
    )
    if saved.completed:
        return redirect("surveys:survey", token=token)
    target = (saved.previous_page or current.slug) if going_back else saved.next_page
    return redirect("surveys:survey_page", token=token, page=target)


def _page_context(link: _Link, page: ins.Page, so_far: ins.Answers, form: PageForm, errors: Sequence) -> dict:
    on_route = ins.route(so_far if ins.has_started(so_far) else ins.typical_answers(so_far.variant))
    step = on_route.index(page) + 1 if page in on_route else 1
    previous = ins.previous_page(page.slug, so_far)
    other = "en" if link.language == "nl" else "nl"
    return {
        "page_title": pick(page.title, link.language),
        "form_html": form.html(),
        "errors": errors,
        "step": step,
        "total": max(len(on_route), step),
        "is_first": page is ins.FIRST_PAGE,
        "is_last": page is ins.LAST_PAGE,
        "has_previous": previous is not None,
        "institution_name": link.invitation.graduate.institution.name,
        "other_language": other,
        "other_language_name": "English" if other == "en" else "Nederlands",
    }


@csrf_exempt  # the token in the URL is the credential; RFC 8058 one-click POSTs carry no CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request, token):
    """The unsubscribe link of every mail (and its one-click POST)."""
    link = _open_link(request, token)
    if not isinstance(link, _Link):
        return link
    invitation = link.invitation
    if request.method == "POST":
        lifecycle.opt_out(invitation.graduate)
        return render(request, "surveys/opted_out.html", {"invitation": invitation})
    return render(request, "surveys/opt_out_confirm.html", {"invitation": invitation})


@never_cache
@csrf_exempt
def unknown_link(request, rest=""):
    """Any other path under the survey's prefix (a token of the wrong shape, a
    link cut off in the mail): the friendly "this link does not work" page."""
    ip = client_ip(request)
    if ratelimit.is_blocked(ip):
        return _too_many_guesses(request)
    return _unknown(request, ip)
