"""The institution admin's graduate pages: find a graduate, see their contact
data and invitations (never their answers), correct an address and mail the
invitation again, the addresses to fix, and erasure.

Who: only users who administer the graduate's institution (or platform
admins) — ``alumni.selectors.administered_institutions``. Anyone else signed
in gets 403 on the lists and 404 on a graduate (an id of another institution
is "not found", so ids reveal nothing). Every page and download of personal
data is written to the audit log, with filters and counts, never names.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audit.services import Action, record, record_about
from config.downloads import attachment
from surveys.lifecycle import Resend
from surveys.models import Invitation

from ..privacy.erasure import ErasureRefused, erase_graduate
from ..selectors import administered_institutions
from . import history, selectors, services
from .export import to_fix_csv
from .forms import EmailCorrectionForm, EraseForm, GraduateFilterForm

PER_PAGE = 50
TO_FIX_PER_PAGE = 100


def _require_admin(request):
    if not administered_institutions(request.user).exists():
        raise PermissionDenied(_("Only an institution's admins can see its graduates."))


def _graduate_or_404(request, pk):
    graduate = selectors.graduate_or_none(request.user, pk)
    if graduate is None:
        raise Http404(_("No such graduate."))
    return graduate


@login_required
def graduate_list(request):
    _require_admin(request)
    waves = selectors.waves()
    form = GraduateFilterForm(
        request.GET or None, choices=selectors.filter_choices(request.user), waves=waves
    )
    graduates = selectors.graduates_for(request.user)
    sort = "name"
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            graduates = selectors.search(graduates, data["q"])
        for name in ("institution", "programme", "cohort", "location"):
            if data.get(name):
                graduates = graduates.filter(**{name: data[name]})
        for wave, name in form.wave_fields:
            if data.get(name):
                graduates = selectors.filter_by_wave_status(graduates, wave, data[name])
        sort = data["sort"] or sort
    total = graduates.count()
    page = Paginator(
        selectors.with_wave_status(selectors.sorted_by(graduates, sort), waves), PER_PAGE
    ).get_page(request.GET.get("page"))
    record(
        Action.VIEW,
        "graduate_list",
        request=request,  # audit.services keeps the path without the search words
        institution=_single_institution(request, form),
        details={
            "filters": form.used_filters(),
            "search": bool(form.is_bound and form.is_valid() and form.cleaned_data["q"]),
            "count": total,
            "page": page.number,
            "shown": len(page.object_list),
        },
    )
    for graduate in page.object_list:
        graduate.badges = [
            dict(history.badge(getattr(graduate, f"status_{wave.code}")), wave=wave.code) for wave in waves
        ]
    return render(
        request,
        "alumni/graduates/list.html",
        {
            "form": form,
            "page": page,
            "total": total,
            "waves": waves,
            "counts": selectors.status_counts(graduates, waves, total),
            "query": _query_without_page(request),
            "headers": _headers(request, sort, waves),
        },
    )


def _query_without_page(request, **changes) -> str:
    """The list's GET parameters for a link to another page or order of it."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query[name] = value  # replaces (QueryDict.update would add a second value)
    return query.urlencode()


def _headers(request, sort, waves):
    """The table's column headers; name, student number and diploma date sort
    (a second click on the sorted column reverses it)."""
    current, descending = sort.lstrip("-"), sort.startswith("-")
    headers = []
    wide = "d-none d-md-table-cell"  # a phone shows the name (number below it) and statuses
    columns = [
        ("name", _("Name"), ""),
        ("student_number", _("Student number"), "d-none d-sm-table-cell"),
        (None, _("Programme"), wide),
        (None, _("Cohort"), wide),
        (None, _("Location"), wide),
        ("diploma_date", _("Diploma date"), wide),
    ]
    for key, label, css in columns:
        header = {"label": label, "url": "", "active": key == current, "descending": descending, "css": css}
        if key:
            header["url"] = "?" + _query_without_page(
                request, sort=f"-{key}" if key == current and not descending else key
            )
        headers.append(header)
    headers += [{"label": wave.code, "url": ""} for wave in waves]
    return headers


def _single_institution(request, form):
    """The institution the entry is about: the filtered one, or the user's only one."""
    if form.is_bound and form.is_valid() and form.cleaned_data.get("institution"):
        return form.cleaned_data["institution"]
    return _only(list(administered_institutions(request.user).values_list("pk", flat=True)[:2]))


def _only(institutions):
    """The user's institution when they administer one only (else None: the entry names none)."""
    return institutions[0] if len(institutions) == 1 else None


def _invitations(graduate):
    invitations = selectors.invitations_of(graduate)
    for invitation in invitations:
        invitation.badge = history.badge(invitation.status)
        invitation.history_lines = [history.describe(event) for event in invitation.history]
        invitation.mail_lines = [history.describe_mail(email) for email in invitation.mails]
        invitation.can_resend = history.can_resend(invitation)
    return invitations


def _graduate_page(request, graduate, form, status=200, **details):
    """The graduate's page with the address form; a view of personal data, so audited."""
    invitations = _invitations(graduate)
    record_about(
        Action.VIEW, "graduate_page", graduate, request=request, invitations=len(invitations), **details
    )
    return render(
        request,
        "alumni/graduates/detail.html",
        {"graduate": graduate, "invitations": invitations, "form": form},
        status=status,
    )


@login_required
def graduate_detail(request, pk):
    graduate = _graduate_or_404(request, pk)
    if graduate.erased_at is not None:
        return render(request, "alumni/graduates/erased.html", {"graduate": graduate})
    form = EmailCorrectionForm(
        initial={"email": graduate.email, "private_email": graduate.private_email, "resend": True}
    )
    return _graduate_page(request, graduate, form)


@login_required
@require_POST
def graduate_email(request, pk):
    graduate = _graduate_or_404(request, pk)
    if graduate.erased_at is not None:
        return redirect("alumni:graduate_detail", pk=graduate.pk)
    form = EmailCorrectionForm(request.POST)
    if not form.is_valid():  # the page again, with the errors: a view of personal data too
        return _graduate_page(request, graduate, form, status=400, invalid_correction=True)
    outcome = services.correct_emails(
        graduate,
        email=form.cleaned_data["email"],
        private_email=form.cleaned_data["private_email"],
        resend=form.cleaned_data["resend"],
        user=request.user,
        request=request,
    )
    if outcome.changed:
        messages.success(request, _("The e-mail addresses were saved."))
    else:
        messages.info(request, _("The e-mail addresses were already like this; nothing was changed."))
    _report_resends(request, outcome.resent)
    return redirect("alumni:graduate_detail", pk=graduate.pk)


def _report_resends(request, resent):
    queued = resent.get(Resend.QUEUED, 0) + resent.get(Resend.READDRESSED, 0)
    if queued:
        messages.success(
            request,
            ngettext(
                "The invitation will be sent again within a few minutes.",
                "%(count)d invitations will be sent again within a few minutes.",
                queued,
            )
            % {"count": queued},
        )
    if resent.get(Resend.ALREADY_TODAY):
        messages.warning(
            request, _("This invitation was already e-mailed today. You can send it again tomorrow.")
        )
    if resent.get(Resend.CLOSED):
        messages.warning(
            request, _("The survey of this wave has closed for this graduate: nothing was sent.")
        )


@login_required
@require_POST
def invitation_resend(request, pk, invitation_pk):
    graduate = _graduate_or_404(request, pk)
    invitation = get_object_or_404(
        Invitation.objects.select_related("wave"), pk=invitation_pk, graduate=graduate
    )
    invitation.graduate = graduate
    if graduate.erased_at is not None:
        return redirect("alumni:graduate_detail", pk=graduate.pk)
    outcome = services.resend_invitation(invitation, user=request.user, request=request)
    if outcome == Resend.NOT_RESENDABLE:
        messages.warning(request, _("This invitation cannot be sent again (answered, opted out or closed)."))
    _report_resends(request, {outcome: 1})
    return redirect("alumni:graduate_detail", pk=graduate.pk)


@login_required
def graduate_erase(request, pk):
    graduate = _graduate_or_404(request, pk)
    if graduate.erased_at is not None:
        return redirect("alumni:graduate_detail", pk=graduate.pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erase_graduate(graduate, reason=form.cleaned_data["reason"], user=request.user, request=request)
        except ErasureRefused as refusal:  # e.g. the reason quotes the graduate's name
            form.add_error("reason", str(refusal))
        else:
            messages.success(request, _("The graduate's personal data was erased."))
            return redirect("alumni:graduate_detail", pk=graduate.pk)
    return render(
        request,
        "alumni/graduates/erase.html",
        {"graduate": graduate, "form": form, "invitation_count": graduate.invitations.count()},
    )


# --- addresses to fix ---------------------------------------------------------------


def _to_fix_filters(request):
    waves = {wave.code: wave for wave in selectors.waves()}
    wave = waves.get(request.GET.get("wave", ""))
    institutions = {str(i.pk): i for i in administered_institutions(request.user)}
    institution = institutions.get(request.GET.get("institution", ""))
    return waves, wave, institutions, institution


def _record_to_fix(request, action, what, wave, institutions, institution, count):
    """The audit entry of the addresses to fix (page or CSV): the filters and how many rows."""
    filters = {"wave": wave.code if wave else "", "institution": institution.pk if institution else ""}
    record(
        action,
        what,
        request=request,
        institution=institution or _only(list(institutions.values())),
        details={"filters": {k: v for k, v in filters.items() if v}, "count": count},
    )


@login_required
def to_fix(request):
    _require_admin(request)
    waves, wave, institutions, institution = _to_fix_filters(request)
    rows = selectors.to_fix(request.user, wave=wave, institution=institution)
    page = Paginator(rows, TO_FIX_PER_PAGE).get_page(request.GET.get("page"))
    _record_to_fix(
        request, Action.VIEW, "graduates_to_fix", wave, institutions, institution, page.paginator.count
    )
    return render(
        request,
        "alumni/graduates/to_fix.html",
        {
            "page": page,
            "waves": waves.values(),
            "wave": wave,
            "institutions": institutions.values() if len(institutions) > 1 else [],
            "institution": institution,
            "query": _query_without_page(request),
        },
    )


@login_required
def to_fix_download(request):
    _require_admin(request)
    _waves, wave, institutions, institution = _to_fix_filters(request)
    rows = list(selectors.to_fix(request.user, wave=wave, institution=institution))
    _record_to_fix(request, Action.EXPORT, "graduates_to_fix_csv", wave, institutions, institution, len(rows))
    name = f"adressen-herstellen-{wave.code.lower() + '-' if wave else ''}{timezone.localdate():%Y-%m-%d}.csv"
    return attachment(to_fix_csv(rows), name)
