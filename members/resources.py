"""Spreadsheet import/export of members and contacts (admin, CSV and XLSX).

Columns are declared explicitly; rows are matched on natural keys (a member's slug, a
contact's member and e-mail), so a file exported here can be edited and imported back.
Every row is validated as the model would validate it, and a file with any bad row
imports nothing (``leadit.spreadsheets``).
"""

from import_export.widgets import CharWidget

from leadit.spreadsheets import (
    CountryCodeWidget,
    PortalModelResource,
    StrictForeignKeyWidget,
    column,
    slugs_column,
)
from tracker.models import Sector

from .models import Contact, Member


class LowercaseWidget(CharWidget):
    """E-mail addresses are compared and stored lower-case."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row=row, **kwargs).strip().lower()


class MemberResource(PortalModelResource):
    country = column("country", CountryCodeWidget())
    sectors = slugs_column("sectors", Sector)

    class Meta:
        model = Member
        fields = (
            "slug",
            "name",
            "kind",
            "country",
            "economy_group",
            "sectors",
            "status",
            "joined_on",
            "website",
            "description",
            "contact_details_public",
        )
        export_order = fields
        import_id_fields = ("slug",)

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("sectors")


class ContactResource(PortalModelResource):
    member = column("member", StrictForeignKeyWidget(Member, "slug"))
    email = column("email", LowercaseWidget())

    class Meta:
        model = Contact
        fields = ("member", "name", "email", "role_title", "is_primary", "receives_newsletter")
        export_order = fields
        import_id_fields = ("member", "email")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("member")
