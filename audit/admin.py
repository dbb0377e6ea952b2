"""The audit log in the Django admin: to read, never to write.

No add, change or delete permission for anyone (superusers included), so
the admin offers no form and no bulk delete; the model and, on PostgreSQL,
a trigger refuse changes anyway. Filtering and the CSV export for platform
admins live at /audit/ (audit.views).
"""

from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "what", "target_type", "target_id", "institution_id", "ip"]
    list_filter = ["action", "at"]
    search_fields = ["actor", "what", "target_id", "ip"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
