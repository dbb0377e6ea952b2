from django.contrib import admin

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


@admin.register(Graduate)
class GraduateAdmin(admin.ModelAdmin):
    list_display = (
        "student_number",
        "last_name",
        "first_name",
        "institution",
        "programme",
        "diploma_date",
        "pathway",
    )
    list_filter = ("institution", "cohort__school_year", "pathway", "level", "location")
    search_fields = ("student_number", "last_name", "email", "private_email", "programme__crebo")
    list_select_related = ("institution", "programme")
    raw_id_fields = ("programme", "cohort", "location", "last_upload")
    date_hierarchy = "diploma_date"
    show_full_result_count = False


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
