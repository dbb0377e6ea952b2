from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    Cohort,
    EducationDomain,
    Graduate,
    Institution,
    Location,
    Membership,
    OccupationGroup,
    Programme,
    ProgrammeGroup,
    SbiSection,
    Upload,
)
from .privacy.erasure import ErasureRefused, erase_graduate


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    fields = ("code", "name")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    filter_horizontal = ("programmes",)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("brin", "name", "consent_to_be_named")
    list_filter = ("consent_to_be_named",)
    search_fields = ("brin", "name")
    inlines = [LocationInline, MembershipInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "institution")
    list_filter = ("institution",)
    search_fields = ("name", "code")


@admin.register(ProgrammeGroup)
class ProgrammeGroupAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    list_display = ("name", "codes")

    @admin.display(description="crebo codes")
    def codes(self, obj):
        return ", ".join(p.crebo for p in obj.programmes.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("programmes")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("crebo", "name", "level", "domain", "group", "source")
    list_filter = ("level", "source", "domain")
    search_fields = ("crebo", "name", "dossier_name", "dossier_crebo")
    autocomplete_fields = ("group",)
    list_select_related = ("domain", "group")


@admin.register(EducationDomain)
class EducationDomainAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(SbiSection)
class SbiSectionAdmin(admin.ModelAdmin):
    list_display = ("code", "title_nl", "title_en", "divisions")


@admin.register(OccupationGroup)
class OccupationGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "level", "title_en", "title_nl")
    list_filter = ("level",)
    search_fields = ("code", "title_en", "title_nl")


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("institution", "label")
    list_filter = ("institution", "school_year")


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept in the audit log, so never the graduate's name, e-mail address or student number "
            "(for example: request by e-mail, ticket 2291)."
        ),
    )


class ErasedFilter(admin.SimpleListFilter):
    title = _("erased")
    parameter_name = "erased"

    def lookups(self, request, model_admin):
        return [("yes", _("erased")), ("no", _("not erased"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(erased_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(erased_at__isnull=True)
        return queryset


@admin.register(Graduate)
class GraduateAdmin(admin.ModelAdmin):
    """No delete: it would take the graduate's invitations and answers with it
    (Invitation.graduate is PROTECT, so it would fail anyway). "Erase selected
    graduates" asks for a reason and erases instead (alumni.privacy.erasure)."""

    list_display = (
        "student_number",
        "last_name",
        "first_name",
        "institution",
        "programme",
        "diploma_date",
        "pathway",
        "erased_at",
    )
    list_filter = (ErasedFilter, "institution", "cohort__school_year", "pathway", "level", "location")
    search_fields = ("student_number", "last_name", "email", "private_email", "programme__crebo")
    list_select_related = ("institution", "programme")
    raw_id_fields = ("programme", "cohort", "location", "last_upload")
    readonly_fields = ("erased_at", "contact_removed_at")
    date_hierarchy = "diploma_date"
    show_full_result_count = False
    actions = ["erase_selected"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.erased_at is not None:
            return False  # nothing of the person is left to edit, and nothing may come back
        return super().has_change_permission(request, obj)

    @admin.action(description=_("Erase selected graduates"), permissions=["change"])
    def erase_selected(self, request, queryset):
        """Step 1 shows the graduates and asks for a reason; step 2 (POST with
        ``confirm``) erases each in its own transaction, each with an audit entry."""
        queryset = queryset.filter(erased_at__isnull=True).select_related("institution", "programme")
        form = EraseForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            erased, refused = 0, []
            for graduate in queryset:
                try:
                    erase_graduate(
                        graduate, reason=form.cleaned_data["reason"], user=request.user, request=request
                    )
                    erased += 1
                except ErasureRefused as error:
                    refused.append(str(error))
            if erased:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d graduate erased. Their coded answers were kept; report figures are unchanged.",
                        "%(count)d graduates erased. Their coded answers were kept; report figures are unchanged.",
                        erased,
                    )
                    % {"count": erased},
                    messages.SUCCESS,
                )
            for message in sorted(set(refused)):
                self.message_user(request, message, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase graduates"),
            "opts": self.model._meta,
            "graduates": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/alumni/graduate/erase_selected.html", context)


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = (
        "uploaded_at",
        "institution",
        "file_name",
        "status",
        "rows_new",
        "rows_updated",
        "rows_unchanged",
        "rows_rejected",
        "uploaded_by",
    )
    list_filter = ("status", "institution", "via")
    search_fields = ("file_name", "file_sha256")
    readonly_fields = [f.name for f in Upload._meta.fields]
    date_hierarchy = "uploaded_at"

    def has_add_permission(self, request):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "institution", "role")
    list_filter = ("role", "institution")
    search_fields = ("user__username", "user__email", "institution__brin")
    autocomplete_fields = ("user", "institution")
    filter_horizontal = ("programmes",)
