"""The graduate's own page behind the personal link: s/<token>/mijn-gegevens/.

What is stored about them and why, how long; correct their private e-mail
address; opt out (the existing opt-out page); have their data erased.

**Erasure is carried out at once** after a confirmation step on the page, by
``alumni.privacy.erasure.erase_graduate`` (``at_own_request``): the AVG
(art. 17) asks for it without undue delay, the graduate is the data subject
and the token proves it is them, so no admin is asked. README's privacy
section says the same.

The link is opened as the survey opens it (``views._open_link``): an unknown
token is the survey's 404 page and counts as a guess, an erased one is "no
longer available", ``?lang=`` switches the language for good. Unlike the
survey, the page opens in every state of the invitation (closed, completed,
opted out): the right to see and erase one's data does not end with a wave.
No CSRF token, as on the survey pages: the secret token is the credential.
"""

import functools

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..questionnaire.texts import ui
from . import own_records
from .own_data_texts import all_texts, text
from .views import _Link, _open_link

_NOTICES = ("email_saved", "email_removed", "email_unchanged")


class OwnEmailForm(forms.Form):
    """The private address, or empty to remove it; messages in the active language."""

    private_email = forms.EmailField(required=False, max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        invalid = ui("invalid_email")
        self.fields["private_email"].error_messages = {
            "invalid": invalid,
            "null_characters_not_allowed": invalid,
            "max_length": ui("too_long").format(n=254),
        }

    def clean_private_email(self) -> str:
        address = self.cleaned_data["private_email"]
        if "@" not in address:
            return address
        local, domain = address.rsplit("@", 1)
        return f"{local}@{domain.lower()}"  # as the cohort upload stores it


def _day(value) -> str:
    return date_format(value, "j F Y") if value else ""


def _wave_label(months: int, language: str) -> str:
    if months >= 12 and months % 12 == 0:
        return text("wave_years", language, n=months // 12)
    return text("wave_months", language, n=months)


def _stored_rows(graduate, language: str) -> list[tuple[str, str]]:
    """(label, value) for every personal field on file, in the page's language;
    the optional ones only when the school sent them."""
    unknown = text("unknown", language)
    programme = graduate.programme
    level = graduate.level or programme.level
    rows = [
        ("name", graduate.full_name),
        ("student_number", "" if graduate.student_number.startswith("erased-") else graduate.student_number),
        ("institution", graduate.institution.name),
        ("location", graduate.location.name if graduate.location else ""),
        ("programme", f"{programme.name} ({programme.crebo}, {text('level', language, level=level)})"),
        ("pathway", graduate.pathway),
        ("diploma_date", _day(graduate.diploma_date)),
        ("birth_year", str(graduate.birth_year or "")),
        ("gender", text(f"gender_{graduate.gender}", language) if graduate.gender else ""),
        ("school_email", graduate.email),
        ("private_email", graduate.private_email),
        ("language", text(f"language_{graduate.preferred_language or 'nl'}", language)),
    ]
    optional = {"location", "pathway", "birth_year", "gender"}  # not in every school's file
    return [(text(key, language), value or unknown) for key, value in rows if value or key not in optional]


def _invitation_rows(data: own_records.OwnData, language: str) -> list[dict]:
    rows = []
    for line in data.lines:
        details = []
        if line.sent_on:
            details.append(text("sent_on", language, day=_day(line.sent_on)))
        if line.closes_on and line.status not in ("completed", "expired", "opted_out", "bounced"):
            details.append(text("closes_on", language, day=_day(line.closes_on)))
        if line.planned_on:
            details.append(text("planned_on", language, day=_day(line.planned_on)))
        rows.append(
            {
                "wave": _wave_label(line.months_after_diploma, language),
                "status": text(f"status_{line.status}", language),
                "details": details,
            }
        )
    return rows


def _context(link: _Link, form: OwnEmailForm, notice: str = "") -> dict:
    language = link.language
    data = own_records.own_data(link.invitation.graduate_id)
    graduate = data.graduate
    other = "en" if language == "nl" else "nl"
    errors = [
        ("id_private_email", text("email_label", language), e) for e in form.errors.get("private_email", [])
    ]
    return {
        "t": all_texts(language),
        "token": link.invitation.token,
        "institution_name": graduate.institution.name,
        "why": text("why", language, institution=graduate.institution.name),
        "stored": _stored_rows(graduate, language),
        "contact_removed": (
            text("contact_removed", language, day=_day(graduate.contact_removed_at.date()))
            if graduate.contact_removed_at
            else ""
        ),
        "invitations": _invitation_rows(data, language),
        "network_member": data.network_member,
        "retention": text("retention_text", language, days=settings.PRIVACY_CONTACT_GRACE_DAYS),
        "opted_out": text("opted_out_on", language, day=_day(graduate.opted_out_at.date()))
        if graduate.opted_out_at
        else "",
        "form": form,
        "errors": errors,
        "notice": text(notice, language) if notice in _NOTICES else "",
        "other_language": other,
        "other_language_name": "English" if other == "en" else "Nederlands",
    }


def _behind_the_link(view):
    """A page of the graduate's own behind the personal link: never cached, no
    CSRF token (the token is the credential), GET or POST; the link opened as
    the survey opens it (``views._open_link``), and ``view(request, link, token)``
    called only when it is one."""

    @never_cache
    @csrf_exempt
    @require_http_methods(["GET", "HEAD", "POST"])
    @functools.wraps(view)
    def opened(request, token):
        link = _open_link(request, token)
        if not isinstance(link, _Link):
            return link
        return view(request, link, token)

    return opened


@_behind_the_link
def own_data(request, link: _Link, token):
    """The page itself; a POST corrects the private address and redirects back."""
    graduate = link.invitation.graduate
    if request.method != "POST":
        form = OwnEmailForm(initial={"private_email": graduate.private_email})
        return render(request, "surveys/own_data.html", _context(link, form, request.GET.get("done", "")))
    form = OwnEmailForm(data=request.POST)
    if not form.is_valid():
        return render(request, "surveys/own_data.html", _context(link, form))
    change = own_records.change_own_email(
        graduate, form.cleaned_data["private_email"], request=own_records.AuditedRequest(request, token)
    )
    notice = "email_removed" if change.removed else "email_saved" if change.changed else "email_unchanged"
    return redirect(f"{reverse('surveys:own_data', args=[token])}?done={notice}#email")


@_behind_the_link
def own_data_erase(request, link: _Link, token):
    """Erasure: a GET asks to confirm, the POST erases at once and says what happened."""
    language = link.language
    context = {
        "t": all_texts(language),
        "token": token,
        "institution_name": link.invitation.graduate.institution.name,
    }
    if request.method != "POST":
        return render(request, "surveys/own_data_erase.html", context)
    graduate = link.invitation.graduate
    summary = own_records.erase_at_own_request(graduate, request=own_records.AuditedRequest(request, token))
    if summary is None:
        context["refused"] = text("refused_text", language, institution=context["institution_name"])
        return render(request, "surveys/own_data_erased.html", context, status=409)
    return render(request, "surveys/own_data_erased.html", context)
