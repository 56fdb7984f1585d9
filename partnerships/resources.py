"""Spreadsheet import/export of partnerships, institutions, currency rates, requests,
offers and pipeline projects (admin, CSV and XLSX).

Columns are declared explicitly; rows are matched on natural keys where there is one (a
partnership's country, an institution's or a project's slug, a rate's currency and day)
and on ``id`` otherwise (a request, an offer: an empty ``id`` is a new row). Every row is
validated as the model would validate it and as the forms do (a known currency, no
negative or absurd amount); its US-dollar amounts are computed at the secretariat's rate
of the day. A file with any bad row imports nothing (``leadit.spreadsheets``).
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from import_export.widgets import CharWidget, DecimalWidget

from leadit.spreadsheets import (
    CountryCodeWidget,
    PortalModelResource,
    StrictForeignKeyWidget,
    column,
    errors_raised_by,
    raise_errors,
    slugs_column,
)
from members.models import Member
from tracker.models import CountryGroup, Sector, Technology

from .models import (
    CurrencyRate,
    PartnerInstitution,
    Partnership,
    PipelineProject,
    SupportCommitment,
    SupportOffer,
    SupportRequest,
)
from .services.amounts import amounts_apply

# Each amount and the field that keeps it in US dollars, per model with money.
USD_FIELDS: dict[type, dict[str, str]] = {
    SupportRequest: {"amount": "amount_usd"},
    SupportOffer: {"amount_min": "amount_min_usd", "amount_max": "amount_max_usd"},
    SupportCommitment: {"amount": "amount_usd"},
    PipelineProject: {"capex": "capex_usd", "financing_gap": "financing_gap_usd"},
}


def amounts_set(instance, *, on: date | None = None) -> None:
    """Check ``instance``'s currency and amounts and set their US-dollar values at the rate
    of ``on`` (today), as every service does; a ValidationError by field otherwise."""
    amounts_apply(
        instance,
        fields=USD_FIELDS[type(instance)],
        currency=instance.currency,
        on=on or timezone.localdate(),
    )


def usd_column(name: str):
    """A US-dollar amount: exported, never read from a file (computed from the amount and
    the currency at the secretariat's rate)."""
    return column(name, DecimalWidget(), readonly=True)


class UpperCaseForeignKeyWidget(StrictForeignKeyWidget):
    """A partnership named by its country code, in any case (``in`` is India's)."""

    def clean(self, value, row=None, **kwargs):
        return super().clean((value or "").strip().upper() or None, row=row, **kwargs)


class MoneyResource(PortalModelResource):
    """A resource of a model with amounts: currency checked, USD computed."""

    def import_instance(self, instance, row, **kwargs):
        errors = errors_raised_by(super().import_instance, instance, row, **kwargs)
        for field, field_errors in errors_raised_by(amounts_set, instance).items():
            errors.setdefault(field, []).extend(field_errors)
        raise_errors(errors)


class CurrencyRateResource(PortalModelResource):
    currency = column("currency", CharWidget())

    class Meta:
        model = CurrencyRate
        fields = ("currency", "as_of", "usd_per_unit", "source")
        export_order = fields
        import_id_fields = ("currency", "as_of")

    def before_import_row(self, row, **kwargs):
        if row.get("currency"):
            row["currency"] = str(row["currency"]).strip().upper()
        super().before_import_row(row, **kwargs)


class PartnerInstitutionResource(PortalModelResource):
    country = column("country", CountryCodeWidget())

    class Meta:
        model = PartnerInstitution
        fields = ("slug", "name", "kind", "country", "website", "is_demo")
        export_order = fields
        import_id_fields = ("slug",)


class PartnershipResource(PortalModelResource):
    country = column("country", CountryCodeWidget())
    lead_members = slugs_column("lead_members", Member)
    supporting_members = slugs_column("supporting_members", Member)

    class Meta:
        model = Partnership
        fields = (
            "country", "name", "stage", "stage_since", "lead_members", "supporting_members",
            "summary", "is_demo",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("country",)

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("lead_members", "supporting_members")


class SupportRequestResource(MoneyResource):
    partnership = column("partnership", UpperCaseForeignKeyWidget(Partnership, "country"))
    requesting_member = column("requesting_member", StrictForeignKeyWidget(Member, "slug"))
    sectors = slugs_column("sectors", Sector)
    amount_usd = usd_column("amount_usd")

    class Meta:
        model = SupportRequest
        fields = (
            "id", "partnership", "requesting_member", "title", "sectors", "kind",
            "description", "amount", "currency", "amount_usd", "priority", "status",
            "visibility", "is_demo",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("id",)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("partnership", "requesting_member").prefetch_related(
            "sectors"
        )


class SupportOfferResource(MoneyResource):
    member = column("member", StrictForeignKeyWidget(Member, "slug"))
    institution = column("institution", StrictForeignKeyWidget(PartnerInstitution, "slug"))
    sectors = slugs_column("sectors", Sector)
    eligible_groups = slugs_column("eligible_groups", CountryGroup)
    amount_min_usd = usd_column("amount_min_usd")
    amount_max_usd = usd_column("amount_max_usd")

    class Meta:
        model = SupportOffer
        fields = (
            "id", "member", "institution", "title", "kind", "instrument", "sectors",
            "description", "open_to_all_countries", "eligible_groups", "amount_min",
            "amount_max", "currency", "amount_min_usd", "amount_max_usd", "opens_on",
            "closes_on", "contact_name", "contact_email", "visibility", "is_demo",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("id",)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("member", "institution").prefetch_related(
            "sectors", "eligible_groups"
        )


class PipelineProjectResource(MoneyResource):
    partnership = column("partnership", UpperCaseForeignKeyWidget(Partnership, "country"))
    sector = column("sector", StrictForeignKeyWidget(Sector, "slug"))
    technologies = slugs_column("technologies", Technology)
    capex_usd = usd_column("capex_usd")
    financing_gap_usd = usd_column("financing_gap_usd")

    class Meta:
        model = PipelineProject
        fields = (
            "slug", "partnership", "name", "sector", "technologies", "sponsor", "location",
            "description", "capex", "financing_gap", "currency", "capex_usd",
            "financing_gap_usd", "abatement_t_per_year", "stage", "stage_since",
            "visibility", "is_demo",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("slug",)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("partnership", "sector").prefetch_related("technologies")
