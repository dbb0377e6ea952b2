"""The graduate's side of the link (the questionnaire, opt-out) and the admin's wave page."""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from alumni.selectors import administered_institutions

from . import ratelimit, responses, selectors, services
from .models import Invitation, Wave
from .questionnaire import instrument as ins
from .questionnaire.forms import PageForm, blank_html
from .questionnaire.texts import pick


def _activate_language(request, invitation):
    language = request.GET.get("lang") or (invitation.graduate.preferred_language if invitation else None)
    if language in ("nl", "en"):
        translation.activate(language)
        request.LANGUAGE_CODE = language


@csrf_exempt  # the token in the URL is the credential; RFC 8058 one-click POSTs carry no CSRF token
def opt_out(request, token):
    ip = ratelimit.client_ip(request)  # the same guessing limit as the survey link (see ratelimit)
    if ratelimit.is_blocked(ip):
        _activate_language(request, None)
        return _message_page(
            request, "limited_title", "limited_text", status=429, headers={"Retry-After": "900"}
        )
    invitation = selectors.invitation_by_token(token)
    _activate_language(request, invitation)
    if invitation is None:
        ratelimit.record_miss(ip)
        return render(request, "surveys/link_unknown.html", status=404)
    if request.method == "POST":
        services.opt_out(invitation)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return render(request, "surveys/opted_out.html", {"invitation": invitation}, status=200)
        return render(request, "surveys/opted_out.html", {"invitation": invitation})
    return render(request, "surveys/opt_out_confirm.html", {"invitation": invitation})


@login_required
def wave_overview(request):
    institutions = administered_institutions(request.user)
    waves = Wave.objects.all()
    blocks = []
    for institution in institutions:
        for wave in waves:
            table, statuses = selectors.wave_status_table(institution, wave)
            blocks.append({"institution": institution, "wave": wave, "rows": table, "statuses": statuses})
    labels = dict(Invitation.Status.choices)
    return render(
        request,
        "surveys/wave_overview.html",
        {"blocks": blocks, "status_labels": labels, "today": timezone.localdate()},
    )


@login_required
@require_POST
def extra_reminder(request, brin, wave_code):
    institution = get_object_or_404(administered_institutions(request.user), brin=brin)
    wave = get_object_or_404(Wave, code=wave_code)
    if not wave.is_active:
        raise Http404
    queued = services.queue_extra_reminder(institution=institution, wave=wave)
    if queued:
        messages.success(request, _("%(n)s reminders queued; they go out within minutes.") % {"n": queued})
    else:
        messages.info(request, _("Nobody to remind: everyone has answered, or was already mailed today."))
    return redirect("surveys:wave_overview")


# --- The questionnaire behind the personal link -------------------------------------
#
# Thin views: the link's state and the answers come from ``responses``, the
# questions and the routing from ``questionnaire``. Every page has its own URL
# (s/<token>/<page>/); a POST saves and redirects (so a reload never posts
# twice), and opening the link itself continues where the graduate left off.
#
# No CSRF token: the credential is the secret token in the URL, not a cookie,
# so a forged cross-site POST would already need the secret (as for opt_out).
# That also keeps the pages free of cookies for a graduate who blocks them.

_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_SESSION_LANGUAGE = "survey_language"
_STATE_PAGES = {
    responses.LinkState.EXPIRED: ("expired_title", "expired_text", 410),
    responses.LinkState.CLOSED: ("closed_title", "closed_text", 410),
    responses.LinkState.OPTED_OUT: ("closed_title", "opted_out_text", 410),
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


def _open_link(request, token):
    """The invitation behind ``token`` with the page language, or the response
    to send instead: too many guesses (429), unknown link (404), or a redirect
    that drops ``?lang=`` after storing the choice."""
    ip = ratelimit.client_ip(request)
    chosen = request.GET.get("lang")
    if ratelimit.is_blocked(ip):
        _use_language(
            request, chosen if chosen in ("nl", "en") else request.session.get(_SESSION_LANGUAGE, "nl")
        )
        return _message_page(
            request, "limited_title", "limited_text", status=429, headers={"Retry-After": "900"}
        )
    invitation = responses.invitation_for_survey(token) if _TOKEN_SHAPE.match(token) else None
    if chosen in ("nl", "en"):
        request.session[_SESSION_LANGUAGE] = chosen
        if invitation is not None:
            responses.set_language(invitation.graduate, chosen)
        return redirect(request.path)
    if invitation is None:
        ratelimit.record_miss(ip)
        _use_language(request, request.session.get(_SESSION_LANGUAGE, "nl"))
        return _message_page(request, "unknown_title", "unknown_text", status=404)
    language = _use_language(request, invitation.graduate.preferred_language or "nl")
    return _Link(invitation, language, responses.link_state(invitation))


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


def _state_page(request, link: _Link):
    if link.state == responses.LinkState.COMPLETED:
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
    if link.state != responses.LinkState.OPEN:
        return _state_page(request, link)
    responses.record_open(link.invitation)
    return redirect("surveys:survey_page", token=token, page=responses.resume_page(link.invitation).slug)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def survey_page(request, token, page):
    """One page of the questionnaire: show it, or save it and move on."""
    link = _open_link(request, token)
    if not isinstance(link, _Link):
        return link
    if link.state != responses.LinkState.OPEN:
        return _state_page(request, link)
    invitation, language = link.invitation, link.language
    answers = responses.answers_of(invitation)
    current = ins.PAGE_BY_SLUG.get(page)
    if (
        current is None
        or not current.shown(answers)
        or (current is not ins.FIRST_PAGE and not ins.has_started(answers))
    ):
        return redirect("surveys:survey", token=token)  # not (or no longer) on this graduate's route
    responses.record_open(invitation)
    graduate = invitation.graduate
    if request.method == "POST":
        form = PageForm(current, answers, language, data=request.POST, private_email=graduate.private_email)
        if form.is_valid():
            going_back = request.POST.get("go") == "back"
            saved = responses.save_page(
                invitation=invitation,
                page_slug=current.slug,
                cleaned=form.cleaned_data,
                language=language,
                finish=not going_back,
                answers=answers,
            )
            if saved.completed:
                return HttpResponseRedirect(_link_url(token))
            target = (saved.previous_page or current.slug) if going_back else saved.next_page
            return HttpResponseRedirect(_link_url(token, target))
        context = _page_context(link, current, answers, form.html(), form.error_links())
        return render(request, "surveys/survey_page.html", context)
    blank = blank_html(current, answers, language, private_email=graduate.private_email)
    if blank is not None:
        return HttpResponse(_blank_page(request, _page_context(link, current, answers, blank, ())))
    form = PageForm(current, answers, language, private_email=graduate.private_email)
    return render(request, "surveys/survey_page.html", _page_context(link, current, answers, form.html(), []))


@functools.cache
def _link_urls(script_prefix: str) -> tuple[str, str]:
    """The link's and a page's URL with ``{token}`` / ``{page}`` holes, reversed once."""
    link = reverse("surveys:survey", kwargs={"token": "TOKEN"})
    page = reverse("surveys:survey_page", kwargs={"token": "TOKEN", "page": "PAGE"})
    return link.replace("TOKEN", "{token}"), page.replace("TOKEN", "{token}").replace("PAGE", "{page}")


def _link_url(token: str, page: str | None = None) -> str:
    """``reverse`` of the survey's own URLs (after every posted page) without
    its cost; the token has been checked against _TOKEN_SHAPE and slugs are
    the instrument's, so neither needs quoting."""
    link, page_url = _link_urls(get_script_prefix())
    return page_url.format(token=token, page=page) if page else link.format(token=token)


def _page_context(link: _Link, page, answers, form_html: str, errors: Sequence) -> dict:
    on_route = ins.route(answers if ins.has_started(answers) else ins.typical_answers(answers.variant))
    step = on_route.index(page) + 1 if page in on_route else 1
    previous = ins.previous_page(page.slug, answers)
    other = "en" if link.language == "nl" else "nl"
    return {
        "page_title": pick(page.title, link.language),
        "form_html": form_html,
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


# Whole pages shown blank, per process (see _blank_page).
_BLANK_PAGES: dict[tuple, str] = {}
_BLANK_PAGES_MAX = 1024


def _blank_page(request, context: dict) -> str:
    """A page with nothing filled in, rendered once per process per context.

    The page depends on its context alone (the language is in it; there is
    no token, cookie or CSRF field in the HTML), and a blank page's context
    repeats for every graduate of an institution on the same route: keeping
    the HTML skips the template (a third of a page view's CPU under load).
    """
    key = (translation.get_language(), *context.values())
    page = _BLANK_PAGES.get(key)
    if page is None:
        page = render_to_string("surveys/survey_page.html", context, request=request)
        if len(_BLANK_PAGES) >= _BLANK_PAGES_MAX:
            _BLANK_PAGES.clear()
        _BLANK_PAGES[key] = page
    return page
