"""The monthly needs digests sent: one row per person and month, written by the digest
task before its e-mail goes. Read here, never written."""

from django.contrib import admin

from ..models import NeedsDigestSent


@admin.register(NeedsDigestSent)
class NeedsDigestSentAdmin(admin.ModelAdmin):
    list_display = ["month", "user", "request_count", "sent_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    date_hierarchy = "month"
    readonly_fields = ["user", "month", "request_count", "sent_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
