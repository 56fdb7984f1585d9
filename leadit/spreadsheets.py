"""Spreadsheet import/export done safely, for every app's ``resources.py``.

* Export never hands a spreadsheet a formula: a text cell that starts with ``= + - @``, a
  tab or a carriage return gets a leading apostrophe (OWASP "CSV injection"). Import takes
  that apostrophe off again, so an exported file imports back unchanged.
* Import is all-or-nothing: one bad row (a validation error or any other error) rolls back
  every row, also on the admin's confirm step, and two rows with the same import key are an
  error on the second row instead of a silent update of the first.
* The import preview's diff carries no ``style=`` attributes, which the portal's
  Content-Security-Policy would block.
* A blank cell is blank in the preview (its diff and the table of rows with errors), never
  "None" (an empty XLSX cell reads as ``None``).
* A country code is read as ``leadit.countries`` reads it everywhere, and an unknown one is
  the row's error (``CountryCodeWidget``).
* Resources declare their columns explicitly with :func:`column` and :func:`slugs_column`
  and derive from :class:`PortalModelResource`, which carries the habits every import
  shares (each row validated as the model would validate it, unchanged rows reported).
"""

import csv

from diff_match_patch import diff_match_patch
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from import_export import fields, resources
from import_export.admin import ImportExportMixin
from import_export.resources import Diff
from import_export.widgets import CharWidget, ForeignKeyWidget, ManyToManyWidget, Widget

from .countries import country_code_clean, normalise_country_code

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """``value`` with a leading apostrophe if a spreadsheet could read it as a formula.

    Anything that is not a string (numbers, dates, ``None``) is returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def shown(value) -> str:
    """A cell as the import preview shows it: a blank cell (``None``) is blank."""
    return "" if value is None else str(value)


def unescape_formula(value):
    """The inverse of :func:`escape_formula`, for cells read back from a file."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def errors_raised_by(call, *args, **kwargs) -> dict[str, list[ValidationError]]:
    """The errors by field that ``call(*args, **kwargs)`` raises as a ``ValidationError``
    ({} if it raises none), so that a resource can add its own before raising them all."""
    try:
        call(*args, **kwargs)
    except ValidationError as exc:
        return exc.update_error_dict({})
    return {}


def raise_errors(errors: dict) -> None:
    """Raise the row's errors collected by field, if there are any."""
    if errors:
        raise ValidationError(errors)


class CountryCodeWidget(CharWidget):
    """ISO 3166-1 alpha-2 codes, case-insensitive on import (``se`` is Sweden); an unknown
    code is the row's error."""

    def clean(self, value, row=None, **kwargs):
        code = normalise_country_code(super().clean(value, row=row, **kwargs))
        if code and country_code_clean(code) is None:
            raise ValueError(
                f"Unknown country code “{code}”: use the two-letter ISO 3166-1 code, e.g. SE."
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "code", value) or ""


class StrictForeignKeyWidget(ForeignKeyWidget):
    """A foreign key by a natural column (``ForeignKeyWidget(Member, "slug")``) whose unknown
    values are the row's validation error rather than a crash."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                f"No {self.model._meta.verbose_name} with {self.field} “{value}”."
            ) from None


class StrictManyToManyWidget(ManyToManyWidget):
    """Like ``ManyToManyWidget``, but an unknown value is an error instead of being dropped."""

    def clean(self, value, row=None, **kwargs):
        related = super().clean(value, row=row, **kwargs)
        if not value or isinstance(value, (int, float)):
            return related
        wanted = {part.strip() for part in str(value).split(self.separator) if part.strip()}
        found = {str(getattr(obj, self.field)) for obj in related}
        if unknown := sorted(wanted - found):
            names = ", ".join(f"“{item}”" for item in unknown)
            raise ValueError(
                f"Unknown {self.model._meta.verbose_name_plural} ({self.field}): {names}."
            )
        return related


def column(name: str, widget: Widget, **kwargs) -> fields.Field:
    """The spreadsheet column ``name`` for the model field of the same name."""
    return fields.Field(attribute=name, column_name=name, widget=widget, **kwargs)


def slugs_column(name: str, model, widget_class: type | None = None) -> fields.Field:
    """A many-to-many column naming the related records by slug, comma-separated; the
    file's list replaces the record's (``m2m_add=False``)."""
    widget = (widget_class or StrictManyToManyWidget)(model, field="slug", separator=",")
    return column(name, widget, m2m_add=False)


class EscapeFormulaeMixin:
    """For ``import_export`` resources: escape formulae on export, unescape on import."""

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            row[column] = unescape_formula(value)
        super().before_import_row(row, **kwargs)


class StyleFreeDiff(Diff):
    """The import preview's diff as ``<ins>``/``<del>`` without inline styles
    (import-export's own uses diff-match-patch's ``style=`` attributes)."""

    def as_html(self):
        dmp = diff_match_patch()
        cells = []
        for left, right in zip(self.left, self.right, strict=False):
            if left != right and self.new:
                left = ""
            diff = dmp.diff_main(shown(left), shown(right))
            dmp.diff_cleanupSemantic(diff)
            html = []
            for op, text in diff:
                text = escape(text).replace("\n", "&para;<br>")
                if op == dmp.DIFF_INSERT:
                    html.append(f"<ins>{text}</ins>")
                elif op == dmp.DIFF_DELETE:
                    html.append(f"<del>{text}</del>")
                else:
                    html.append(f"<span>{text}</span>")
            cells.append(mark_safe("".join(html)))  # noqa: S308 - every piece escaped above
        return cells


class AllOrNothingImportMixin:
    """For ``import_export`` resources: nothing is written unless every row is good."""

    def get_diff_class(self):
        return StyleFreeDiff

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        # import-export keeps the good rows of a file with invalid rows unless told
        # otherwise; the admin's confirm step does not tell it.
        result = super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )
        # The preview lists rows with errors cell by cell as read from the file (an empty
        # XLSX cell is None): show blank cells blank. Only the report changes, not the data.
        for row in result.invalid_rows:
            row.values = tuple("" if value is None else value for value in row.values)
        for _number, errors in result.row_errors():
            for error in errors:
                if isinstance(error.row, dict):
                    error.row = {k: "" if v is None else v for k, v in error.row.items()}
        return result

    def before_import(self, dataset, **kwargs):
        self._seen_import_keys = {}
        super().before_import(dataset, **kwargs)

    def _import_key(self, row):
        columns = [self.fields[name].column_name for name in self.get_import_id_fields()]
        if not all(column in row for column in columns):
            return None, None
        key = tuple(str(row[column] or "").strip().lower() for column in columns)
        return key, columns

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        key, columns = self._import_key(row)
        if key is None or not any(key):
            return
        seen = getattr(self, "_seen_import_keys", None)
        if seen is None:
            seen = self._seen_import_keys = {}
        number = kwargs.get("row_number")
        if key in seen:
            described = ", ".join(f"{column} “{row[column]}”" for column in columns)
            raise ValidationError(
                {
                    self.fields[self.get_import_id_fields()[0]].attribute: (
                        f"Duplicate: {described} is also in row {seen[key]} of this file."
                    )
                }
            )
        seen[key] = number

    def get_instance(self, instance_loader, row):
        # An unknown foreign key in an import id column (say a contact's member) is
        # reported as that row's validation error by import_instance(), not here.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def import_instance(self, instance, row, **kwargs):
        # import-export checks many-to-many columns only after saving, where a bad value
        # is a crash, not a row error: check them here with the other columns.
        errors = errors_raised_by(super().import_instance, instance, row, **kwargs)
        for field in self.get_import_fields():
            if isinstance(field.widget, ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as exc:
                    errors[field.attribute] = [ValidationError(str(exc), code="invalid")]
        raise_errors(errors)


class PortalResourceMixin(EscapeFormulaeMixin, AllOrNothingImportMixin):
    """Everything above; put it before ``ModelResource`` in the bases."""


class PortalModelResource(PortalResourceMixin, resources.ModelResource):
    """A ``ModelResource`` with everything above and the options every portal import
    shares; a resource's own ``Meta`` adds its model, columns and import id."""

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class PortalImportExportMixin(ImportExportMixin):
    """For ``ModelAdmin``: import-export whose confirm step never reports a rolled-back
    import as a success (the data can change between the dry run and the confirm)."""

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                "Nothing was imported: some rows have errors. Upload the file again to see them.",
                messages.ERROR,
            )
            info = self.get_model_info()
            return HttpResponseRedirect(
                reverse("admin:{}_{}_import".format(*info), current_app=self.admin_site.name)
            )
        return super().process_result(result, request)


def csv_download(name: str, *, dated: bool = True):
    """A CSV attachment ``<name>-<YYYY-MM-DD>.csv`` (today) and a ``csv.writer`` onto it:
    every "download exactly what you filtered" view starts the same way."""
    filename = f"{name}-{timezone.now():%Y-%m-%d}.csv" if dated else f"{name}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)
