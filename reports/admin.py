from django.contrib import admin

from .models import Region, RegionalAnalyst


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "postcode_ranges"]
    filter_horizontal = ["institutions"]


@admin.register(RegionalAnalyst)
class RegionalAnalystAdmin(admin.ModelAdmin):
    """Creating or deleting an analyst is a role change: audit.signals logs it."""

    list_display = ["user", "region"]
