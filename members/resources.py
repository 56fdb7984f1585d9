"""Spreadsheet import/export of members and contacts (admin, CSV and XLSX).

Columns are declared explicitly; rows are matched on natural keys (a member's slug, a
contact's member and e-mail), so a file exported here can be edited and imported back.
Every row is validated as the model would validate it, and a file with any bad row
imports nothing (``leadit.spreadsheets``).
"""

from import_export import fields, resources
from import_export.widgets import CharWidget

from leadit.spreadsheets import PortalResourceMixin, StrictForeignKeyWidget, StrictManyToManyWidget
from tracker.models import Sector

from .models import Contact, Member


class CountryCodeWidget(CharWidget):
    """ISO 3166-1 alpha-2 codes, case-insensitive on import (``se`` is Sweden)."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row=row, **kwargs).strip().upper()

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "code", value) or ""


class LowercaseWidget(CharWidget):
    """E-mail addresses are compared and stored lower-case."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row=row, **kwargs).strip().lower()


class MemberResource(PortalResourceMixin, resources.ModelResource):
    country = fields.Field(attribute="country", column_name="country", widget=CountryCodeWidget())
    sectors = fields.Field(
        attribute="sectors",
        column_name="sectors",
        widget=StrictManyToManyWidget(Sector, field="slug", separator=","),
        m2m_add=False,
    )

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
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("sectors")


class ContactResource(PortalResourceMixin, resources.ModelResource):
    member = fields.Field(
        attribute="member", column_name="member", widget=StrictForeignKeyWidget(Member, "slug")
    )
    email = fields.Field(attribute="email", column_name="email", widget=LowercaseWidget())

    class Meta:
        model = Contact
        fields = ("member", "name", "email", "role_title", "is_primary", "receives_newsletter")
        export_order = fields
        import_id_fields = ("member", "email")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("member")
