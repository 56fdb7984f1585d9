"""Staff's admin of newsletter subscribers and of deliveries (one per issue and subscriber).

Subscribers come from the public form (double opt-in) and from member contacts; staff can
search them, export them as CSV and unsubscribe them. Deliveries are a read-only record of
each send; the one thing staff can do with them is send the ``unconfirmed`` ones (a worker
stopped mid-message, so they may already have arrived) again — only on explicit request.
"""

import csv
import io
from datetime import UTC

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone

from leadit.spreadsheets import escape_formula

from ..models import Delivery, Subscriber
from ..sending import deliveries_resend_unconfirmed
from ..subscriptions import subscribers_unsubscribe


class _YesNoFilter(admin.SimpleListFilter):
    field = ""

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(**{f"{self.field}__isnull": False})
        if self.value() == "no":
            return queryset.filter(**{f"{self.field}__isnull": True})
        return queryset


class ConfirmedFilter(_YesNoFilter):
    title = "confirmed"
    parameter_name = "confirmed"
    field = "confirmed_at"


class UnsubscribedFilter(_YesNoFilter):
    title = "unsubscribed"
    parameter_name = "unsubscribed"
    field = "unsubscribed_at"


def _when(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else ""


EXPORT_COLUMNS = [
    "E-mail",
    "Name",
    "Source",
    "Member",
    "Signed up (UTC)",
    "Confirmed (UTC)",
    "Unsubscribed (UTC)",
]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "source", "status", "confirmed_at", "unsubscribed_at"]
    list_filter = ["source", ConfirmedFilter, UnsubscribedFilter]
    list_select_related = ["contact__member"]
    search_fields = ["email", "name", "contact__member__name"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "source",
        "contact",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "unsubscribe_token",
    ]
    fields = ["email", "name", *readonly_fields]
    actions = ["unsubscribe", "export_csv"]

    def has_add_permission(self, request):
        # Addresses join through the public form (double opt-in) or as member contacts.
        return False

    @admin.display(description="Status")
    def status(self, subscriber: Subscriber) -> str:
        if subscriber.unsubscribed_at:
            return "Unsubscribed"
        if subscriber.confirmed_at:
            return "Receives the newsletter"
        return "Waiting for confirmation"

    @admin.action(description="Unsubscribe the selected subscribers", permissions=["change"])
    def unsubscribe(self, request, queryset):
        changed = subscribers_unsubscribe(subscribers=queryset, user=request.user)
        self.message_user(request, f"{changed} subscriber(s) unsubscribed.", messages.SUCCESS)

    @admin.action(description="Export the selected subscribers as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        for s in queryset.select_related("contact__member").order_by("email"):
            member = s.contact.member.name if s.contact_id else ""
            writer.writerow(
                [
                    escape_formula(s.email),
                    escape_formula(s.name),
                    s.get_source_display(),
                    escape_formula(member),
                    _when(s.created_at),
                    _when(s.confirmed_at),
                    _when(s.unsubscribed_at),
                ]
            )
        response = HttpResponse(
            "\ufeff".encode() + out.getvalue().encode(), content_type="text/csv; charset=utf-8"
        )
        filename = f"newsletter-subscribers-{timezone.now():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "issue", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "issue"]
    list_select_related = ["subscriber", "issue"]
    search_fields = ["subscriber__email"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["resend_unconfirmed"]

    def has_add_permission(self, request):
        return False  # written by the send, one per issue and subscriber

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who got what

    @admin.display(description="Server's reply or error")
    def short_error(self, delivery: Delivery) -> str:
        return delivery.last_error[:120]

    @admin.action(
        description="Send the selected interrupted (unconfirmed) deliveries again",
        permissions=["change"],
    )
    def resend_unconfirmed(self, request, queryset):
        count = deliveries_resend_unconfirmed(deliveries=queryset, user=request.user)
        if not count:
            self.message_user(
                request,
                "None of the selected deliveries is interrupted (unconfirmed): nothing sent.",
                messages.WARNING,
            )
            return
        self.message_user(
            request,
            f"{count} delivery(ies) queued to be sent again. Their subscribers may get the "
            "issue twice if the interrupted copy did arrive.",
            messages.SUCCESS,
        )
