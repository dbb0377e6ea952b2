from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Institution


class CohortUploadForm(forms.Form):
    institution = forms.ModelChoiceField(queryset=Institution.objects.none(), label=_("Institution"))
    file = forms.FileField(
        label=_("Cohort file"),
        help_text=_("CSV (; , or tab) or Excel .xlsx, with a header row. See the file format."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    sheet = forms.CharField(
        label=_("Excel sheet"),
        required=False,
        max_length=100,
        help_text=_("Only for .xlsx files; empty = the first sheet."),
    )

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if institutions.count() == 1:
            self.fields["institution"].initial = institutions.first()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Check file")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ALUMNI_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."),
                params={"size": round(upload.size / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)},
            )
        return upload
