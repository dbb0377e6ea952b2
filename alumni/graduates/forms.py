"""Forms of the graduate pages: the list's filters, the e-mail correction, the erasure."""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import Invitation

from .selectors import NO_INVITATION, SORTS

S = Invitation.Status
SORT_CHOICES = [
    ("name", _("Name")),
    ("-name", _("Name (Z–A)")),
    ("student_number", _("Student number")),
    ("-student_number", _("Student number (high–low)")),
    ("-diploma_date", _("Diploma date (newest first)")),
    ("diploma_date", _("Diploma date (oldest first)")),
]
assert {value.lstrip("-") for value, _label in SORT_CHOICES} <= set(SORTS)


class GraduateFilterForm(forms.Form):
    """The list's GET parameters. Unknown or stale values (a programme of
    another institution typed into the URL) are simply invalid and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, student number or e-mail")}),
    )
    institution = forms.ModelChoiceField(queryset=None, required=False, label=_("Institution"))
    programme = forms.ModelChoiceField(queryset=None, required=False, label=_("Programme"))
    cohort = forms.ModelChoiceField(queryset=None, required=False, label=_("Cohort"))
    location = forms.ModelChoiceField(queryset=None, required=False, label=_("Location"))
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label=_("Sort by"))

    def __init__(self, data, *, choices, waves):
        super().__init__(data)
        self.several_institutions = choices.institutions.count() > 1
        self.fields["institution"].queryset = choices.institutions
        self.fields["programme"].queryset = choices.programmes
        self.fields["cohort"].queryset = choices.cohorts
        if not self.several_institutions:  # the BRIN says nothing when there is one institution
            self.fields["cohort"].label_from_instance = lambda cohort: cohort.label
        self.fields["location"].queryset = choices.locations
        if not self.several_institutions:
            del self.fields["institution"]
        status_choices = [("", _("all")), (NO_INVITATION, _("no invitation (yet)")), *list(S.choices)]
        self.wave_fields = []
        for wave in waves:
            name = f"status_{wave.code}"
            self.fields[name] = forms.ChoiceField(
                choices=status_choices, required=False, label=_("Status %(wave)s") % {"wave": wave.code}
            )
            self.wave_fields.append((wave, name))
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def used_filters(self) -> dict:
        """The filters in use, for the audit log: ids and codes, never the search text."""
        if not self.is_bound or not self.is_valid():
            return {}
        used = {}
        for name, value in self.cleaned_data.items():
            if name in ("q", "sort") or value in (None, ""):
                continue
            used[name] = getattr(value, "pk", value)
        return used


class EmailCorrectionForm(forms.Form):
    email = forms.EmailField(label=_("School e-mail"), required=False, max_length=254)
    private_email = forms.EmailField(label=_("Private e-mail"), required=False, max_length=254)
    resend = forms.BooleanField(
        label=_("Send the invitation again to the corrected address"),
        required=False,
        initial=True,
        help_text=_(
            "Only for invitations that bounced. At most one e-mail per invitation per day; "
            "an invitation that can still be answered has its own button below."
        ),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("private_email"):
            raise forms.ValidationError(
                _("Keep at least one e-mail address: without one the graduate cannot be invited.")
            )
        return data


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the erasure"),
        min_length=5,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: request by the graduate by e-mail of 2 December. Do not write names "
            "or e-mail addresses here; the reason is kept in the audit log."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        required=True,
    )
