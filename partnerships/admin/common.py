"""What the partnerships admin pages share: amounts checked and converted to US dollars
as the services do, the demo flag shown in lists."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from leadit.spreadsheets import PortalImportExportMixin

from ..resources import amounts_set

# Web addresses typed without a scheme are taken as https:// (as in the members admin).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class MoneyForm(forms.ModelForm):
    """A record with amounts: an unknown currency, a negative or absurd amount is the
    form's error; the US-dollar values are set at today's rate before saving."""

    def _post_clean(self):
        super()._post_clean()
        try:
            amounts_set(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class PortalAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_URLS


class ImportExportAdmin(PortalImportExportMixin, PortalAdmin):
    formats = [CSV, XLSX]


def demo_column(obj) -> str:
    return "Demo record (invented)" if obj.is_demo else ""


demo_column.short_description = "demo"
demo_column.admin_order_field = "is_demo"


def usd_text(value) -> str:
    return "not recorded" if value is None else f"USD {value:,.0f}"


class ReadOnlyInline(admin.TabularInline):
    """History rows: seen here, made by the services (a stage move, an accepted match)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
