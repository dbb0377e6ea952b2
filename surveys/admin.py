from django.contrib import admin

from .models import Invitation, InvitationEvent, OutboundEmail, Wave


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "months_after_diploma",
        "invitation_window_days",
        "reminder_days",
        "closing_days",
        "send_rate_per_minute",
        "is_active",
    )
    list_editable = ("is_active",)


class EventInline(admin.TabularInline):
    model = InvitationEvent
    extra = 0
    readonly_fields = ("status", "at", "detail")
    can_delete = False


class EmailInline(admin.TabularInline):
    model = OutboundEmail
    extra = 0
    fields = ("purpose", "to_address", "state", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    can_delete = False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("graduate", "wave", "status", "due_on", "sent_on", "closes_on", "reminders_sent")
    list_filter = ("wave", "status", "graduate__institution")
    search_fields = ("graduate__student_number", "graduate__last_name")
    raw_id_fields = ("graduate",)
    # The status and its dates move only through surveys.lifecycle (with their events).
    readonly_fields = (
        "token",
        "status",
        "sent_on",
        "sent_at",
        "closes_on",
        "reminders_sent",
        "last_mailed_on",
        "opened_at",
        "completed_at",
        "bounced_at",
    )
    inlines = [EmailInline, EventInline]
    list_select_related = ("graduate__institution", "wave")
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        # Deleting an invitation would take its answers with it and move the
        # report figures silently; a graduate who must go is erased instead
        # (the graduate admin's action, alumni.privacy.erasure).
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = (
        "invitation",
        "purpose",
        "to_address",
        "state",
        "attempts",
        "queued_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("state", "purpose")
    search_fields = ("to_address",)
    raw_id_fields = ("invitation",)
    show_full_result_count = False
