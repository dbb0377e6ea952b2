"""The institution admin's wave page: invitations per programme and status, and the extra reminder."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alumni.selectors import administered_institutions

from . import planning, selectors
from .models import Invitation, Wave


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
    queued = planning.queue_extra_reminder(institution=institution, wave=wave)
    if queued:
        messages.success(request, _("%(n)s reminders queued; they go out within minutes.") % {"n": queued})
    else:
        messages.info(request, _("Nobody to remind: everyone has answered, or was already mailed today."))
    return redirect("surveys:wave_overview")
