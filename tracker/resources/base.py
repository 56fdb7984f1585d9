"""What the tracker's imports share: lookups primed once per file, the tracker's rules
reported per field, and bulk writes with history (``TrackerModelResource``)."""

import copy
import functools
import html

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, TextField
from django.utils.safestring import SafeString
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import RowResult
from import_export.widgets import ManyToManyWidget

from leadit.cache import invalidate
from leadit.home import HOME_CACHE_NAMESPACE
from leadit.spreadsheets import (
    CountryCodeWidget,
    PortalModelResource,
    StyleFreeDiff,
    errors_raised_by,
    raise_errors,
)

from .history import BulkHistoryWriter
from .widgets import CachedForeignKeyWidget, CachedManyToManyWidget


@functools.cache
def _text_fields(model) -> tuple[str, ...]:
    return tuple(
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, (CharField, TextField)) and not field.null
    )


class TolerantCachedInstanceLoader(CachedInstanceLoader):
    """``CachedInstanceLoader`` (one query for every row's record) that leaves a malformed
    import id to be the row's error instead of failing the whole file."""

    def __init__(self, resource, dataset=None):
        self.resource, self.dataset = resource, dataset
        self.pk_field = resource.fields[resource.get_import_id_fields()[0]]
        self.all_instances = {}
        if dataset.dict and self.pk_field.column_name in dataset.dict[0]:
            ids = {self._clean(row) for row in dataset.dict} - {None}
            queryset = self.get_queryset().filter(**{f"{self.pk_field.attribute}__in": ids})
            self.all_instances = {self.pk_field.get_value(obj): obj for obj in queryset}

    def _clean(self, row):
        try:
            return self.pk_field.clean(row)
        except ValueError:
            return None

    def get_instance(self, row):
        return self.all_instances.get(self._clean(row))


class PendingManyToManyDiff(StyleFreeDiff):
    """The import preview's diff of a changed record, showing the many-to-many values the
    row will write (bulk writes happen after the row is read, so the record itself does not
    have them yet)."""

    @classmethod
    def _read_field_values(cls, resource, instance):
        pending = getattr(instance, "_import_m2m", {}) if instance is not None else {}
        values = []
        for field in resource.get_import_fields():
            if field.attribute in pending:
                widget = field.widget
                values.append(
                    widget.separator.join(
                        str(getattr(obj, widget.field)) for obj in pending[field.attribute]
                    )
                )
            else:
                values.append(field.export(instance))
        return values


class TrackerModelResource(PortalModelResource):
    """Lookups primed once per file, the tracker's rules reported per field, and bulk
    writes with history.

    Rows are read and validated one by one (per-row errors as before); the records are then
    written in batches: ``bulk_create``/``bulk_update``, their many-to-many rows, and one
    history record each (with its many-to-many snapshot), as ``save()`` plus
    ``simple_history`` would leave them, but in a handful of queries per batch instead of
    about thirty per row. A file with any bad row writes nothing at all (and stops writing
    batches as soon as one row fails).

    Validation is the model's ``full_clean`` on every field, without the parts that would
    ask the database once per row: uniqueness of the import id (rows were matched on it in
    one query, duplicates within the file are caught by ``AllOrNothingImportMixin``), the
    existence of foreign keys the widgets have just looked up, and the check constraints,
    which ``rule_errors`` checks in Python with readable messages. A constraint added to the
    model later and not mirrored there still holds: the database refuses the batch and the
    whole file is rolled back.
    """

    HISTORY_CHANGE_REASON = "Spreadsheet import"
    # The admin's preview shows the values of the first rows of new records (a table of
    # 10,000 rows helps nobody and costs a tenth of the import's time); every row is
    # validated and imported all the same.
    PREVIEW_ROWS = 1000

    class Meta:
        instance_loader_class = TolerantCachedInstanceLoader
        use_bulk = True
        batch_size = 1000

    def rule_errors(self, instance) -> dict[str, str]:
        return {}

    def get_diff_class(self):
        return PendingManyToManyDiff

    def get_import_fields(self):
        # Asked several times per row; the answer does not change during an import.
        if getattr(self, "_import_fields", None) is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._failed = False
        self._pending: dict[str, object] = {}
        headers = set(dataset.headers or [])
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, CachedManyToManyWidget):
                widget.prime()
            elif isinstance(widget, CachedForeignKeyWidget):
                column = field.column_name
                widget.prime(dataset[column] if column in headers else [])
                if widget.model is self._meta.model:
                    widget.pending = self._pending

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Options switched per row below; a copy, so other imports are not affected.
        self._meta = copy.copy(self._meta)

    def import_row(self, row, instance_loader, **kwargs):
        # A new record's preview is simply its values: no copy of the blank record and no
        # field-by-field diff against it (a third of the time of a large file).
        try:
            new = self.get_instance(instance_loader, row) is None
        except Exception:  # the row's own import reports it
            new = False
        self._meta.skip_diff = new
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.errors or row_result.validation_error:
            self._failed = True  # nothing will be kept: stop writing
        elif (
            new
            and row_result.import_type == RowResult.IMPORT_TYPE_NEW
            and kwargs.get("row_number", 0) <= self.PREVIEW_ROWS
        ):
            row_result.diff = [
                SafeString(f"<ins>{html.escape(value)}</ins>") if value else ""
                for value in (
                    str(row.get(field.column_name) or "").strip()
                    for field in self.get_import_fields()
                )
            ]
        return row_result

    def import_instance(self, instance, row, **kwargs):
        errors = errors_raised_by(super().import_instance, instance, row, **kwargs)
        # An empty spreadsheet cell is None; a text column stores it as "" (import-export
        # does so for CharField only, not for TextField such as a summary).
        for attname in _text_fields(instance._meta.model):
            if getattr(instance, attname) is None:
                setattr(instance, attname, "")
        # Many-to-many values are written with the record, in bulk (see _write).
        instance._import_m2m = {}
        for field in self.get_import_fields():
            if (
                isinstance(field.widget, ManyToManyWidget)
                and field.column_name in row
                and field.attribute not in errors  # a bad value is reported already
            ):
                instance._import_m2m[field.attribute] = field.clean(row)
        for field, message in self.rule_errors(instance).items():
            # One message per field: a bad value already reported wins over a rule on it.
            errors.setdefault(field, [ValidationError(message, code="invalid")])
        raise_errors(errors)

    def _not_validated_again(self) -> list[str]:
        """Fields full_clean leaves alone: those the widgets checked already (related
        records looked up, country codes) and those no column sets (the id, timestamps)."""
        if getattr(self, "_skip_clean", None) is None:
            imported = {field.attribute for field in self.get_import_fields()}
            self._skip_clean = [
                field.attribute
                for field in self.get_import_fields()
                if isinstance(field.widget, (CachedForeignKeyWidget, CountryCodeWidget))
            ] + [
                field.name
                for field in self._meta.model._meta.concrete_fields
                if field.name not in imported
            ]
        return self._skip_clean

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *self._not_validated_again()],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        raise_errors(errors)

    # --- Bulk writes -----------------------------------------------------------------------

    def save_instance(self, instance, is_create, row, **kwargs):
        # A row that names a record created by an earlier row of this file (a roadmap's
        # successor) needs that record's id: write the waiting batch first.
        for field in instance._meta.concrete_fields:
            if field.is_relation and field.many_to_one:
                related = field.get_cached_value(instance, None)
                if related is not None and related.pk is None:
                    self._write_batch(self.create_instances, created=True)
                    self.create_instances.clear()
                    setattr(instance, field.name, related)  # takes the new id
                    break
        super().save_instance(instance, is_create, row, **kwargs)
        if is_create:
            key = self.fields[self.get_import_id_fields()[0]]
            value = str(key.get_value(instance) or "")
            if value:
                self._pending[value] = instance

    def _may_write(self, using_transactions, dry_run) -> bool:
        return (using_transactions or not dry_run) and not self._failed

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        try:
            if self.create_instances and self._may_write(using_transactions, dry_run):
                self._write_batch(self.create_instances, created=True)
        except Exception as exc:  # reported like import-export's own bulk errors
            self.handle_import_error(result, exc, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        try:
            if self.update_instances and self._may_write(using_transactions, dry_run):
                self._write_batch(self.update_instances, created=False)
        except Exception as exc:
            self.handle_import_error(result, exc, raise_errors)
        finally:
            self.update_instances.clear()

    def _write_batch(self, objs: list, *, created: bool) -> None:
        if not objs or self._failed:
            return
        writer = BulkHistoryWriter(self._meta.model, change_reason=self.HISTORY_CHANGE_REASON)
        if created:
            writer.create(objs)
        else:
            names = {field.attribute for field in self.get_import_fields()}
            writer.update(
                objs,
                [
                    f.name
                    for f in self._meta.model._meta.concrete_fields
                    if f.name in names and not f.primary_key
                ],
            )
        # Bulk writes send no per-row signals: the home page counts tracker data too.
        transaction.on_commit(lambda: invalidate("tracker", HOME_CACHE_NAMESPACE))
