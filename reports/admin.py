from django.contrib import admin

from .models import ExportLog, Region, RegionalAnalyst


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "postcode_ranges"]
    filter_horizontal = ["institutions"]


@admin.register(RegionalAnalyst)
class RegionalAnalystAdmin(admin.ModelAdmin):
    list_display = ["user", "region"]


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """Read-only: a log nobody can edit."""

    list_display = ["at", "user", "kind", "institution", "detail"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
