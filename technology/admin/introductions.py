"""Introductions, for the secretariat to follow: who asked whom about what, where each one
stands, and its full history. They are made and answered on the portal's pages (by the
introduction services, which e-mail each step), so here they are read, not edited."""

from django.contrib import admin

from ..models import Introduction
from .common import PortalAdmin


@admin.register(Introduction)
class IntroductionAdmin(PortalAdmin):
    list_display = ["created_at", "requester", "subject", "other_side", "status", "answered_at",
                    "requested_by"]  # fmt: skip
    list_filter = ["status", "created_at", "answered_at"]
    list_select_related = [
        "requester_member",
        "requester_partnership",
        "solution__member",
        "solution__institution",
        "need__partnership",
        "requested_by",
    ]
    search_fields = ["message", "answer_note", "requester_member__name",
                     "requester_partnership__name", "solution__name", "need__title",
                     "requested_by__email"]  # fmt: skip
    date_hierarchy = "created_at"
    fields = ["requester_member", "requester_partnership", "requested_by", "solution", "need",
              "message", "status", "answered_by", "answered_at", "answer_note", "created_at",
              "updated_at"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="asked by")
    def requester(self, introduction):
        return introduction.requester

    @admin.display(description="about")
    def subject(self, introduction):
        return introduction.subject

    @admin.display(description="other side")
    def other_side(self, introduction):
        return introduction.other_side

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
