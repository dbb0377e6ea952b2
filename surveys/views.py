"""The graduate's side of the link (opt-out) and the admin's wave page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from alumni.selectors import administered_institutions

from . import selectors, services
from .models import Invitation, Wave


def _activate_language(request, invitation):
    language = request.GET.get("lang") or (invitation.graduate.preferred_language if invitation else None)
    if language in ("nl", "en"):
        translation.activate(language)
        request.LANGUAGE_CODE = language


@csrf_exempt  # the token in the URL is the credential; RFC 8058 one-click POSTs carry no CSRF token
def opt_out(request, token):
    invitation = selectors.invitation_by_token(token)
    _activate_language(request, invitation)
    if invitation is None:
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


def survey(request, token):
    """The personal survey link. (The questionnaire itself replaces this page.)"""
    invitation = selectors.invitation_by_token(token)
    _activate_language(request, invitation)
    if invitation is None:
        return render(request, "surveys/link_unknown.html", status=404)
    services.record_open(invitation)
    return render(request, "surveys/survey_placeholder.html", {"invitation": invitation})
