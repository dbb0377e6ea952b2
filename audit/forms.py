"""The filters of the audit log page (all optional; GET, so a filtered view is a link)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alumni.models import Institution

from .models import AuditEntry


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("all actions")), *AuditEntry.Action.choices]
    )
    actor = forms.CharField(label=_("User (name contains)"), required=False, max_length=150)
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        required=False,
        queryset=Institution.objects.order_by("brin"),
        empty_label=_("all institutions"),
    )
    what = forms.CharField(label=_("What (contains)"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To (inclusive)"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].label_from_instance = lambda i: f"{i.brin} {i.name}"
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date lies before the start date."))
        return data

    def filters(self) -> dict:
        """The filters that were filled in, as stored in the export's audit entry."""
        out = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            out[name] = value.pk if isinstance(value, Institution) else str(value)
        return out
