"""Spreadsheet import/export of roadmaps and targets (admin, CSV and XLSX).

Columns are declared explicitly and related records are named by slug (a target by its
id), so a file exported here can be edited and imported back. Every row is validated as
the model would validate it, plus the tracker's own rules with messages a person can act
on (a national roadmap needs a country, a target year is not before its base year, …); a
file with any bad row imports nothing (``leadit.spreadsheets``).

Lookups of sectors, instruments, regions and roadmaps are made once per file, not once per
row, and rows are matched on their import id in one query (``CachedInstanceLoader``): a
10,000-row file imports in seconds (see docs/performance.md).
"""

import copy
import datetime
import functools
import html
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, router, transaction
from django.db.models import CharField, TextField
from django.utils import timezone
from django.utils.safestring import SafeString
from django_countries import countries
from import_export import fields, resources
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import RowResult
from import_export.widgets import (
    CharWidget,
    DateWidget,
    DecimalWidget,
    IntegerWidget,
    ManyToManyWidget,
)
from psycopg import sql as psycopg_sql

from leadit.cache import invalidate
from leadit.home import HOME_CACHE_NAMESPACE
from leadit.spreadsheets import (
    PortalResourceMixin,
    StrictForeignKeyWidget,
    StrictManyToManyWidget,
    StyleFreeDiff,
)

from .models import CountryGroup, PolicyInstrument, Roadmap, Sector, Target

NEEDS_COUNTRY = {Roadmap.Scope.NATIONAL, Roadmap.Scope.COMPANY}


# --- Widgets -------------------------------------------------------------------------------


class CountryCodeWidget(CharWidget):
    """ISO 3166-1 alpha-2 codes, case-insensitive on import (``se`` is Sweden); an unknown
    code is the row's error."""

    def clean(self, value, row=None, **kwargs):
        code = (super().clean(value, row=row, **kwargs) or "").strip().upper()
        if code and code not in _country_codes():
            raise ValueError(
                f"Unknown country code “{code}”: use the two-letter ISO 3166-1 code, e.g. SE."
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "code", value) or ""


@functools.cache
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries)


class WholeNumberWidget(IntegerWidget):
    """A whole number; anything else (``12x``, ``12.5``) is the row's error."""

    message = "“{}” is not a whole number."

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).strip()
        if not text.isdigit():
            raise ValueError(self.message.format(text))
        return int(text)


class YearWidget(WholeNumberWidget):
    message = "“{}” is not a year: write it as four digits, e.g. 2030."


class IsoDateWidget(DateWidget):
    """A date; 2025-03-01 is read without ``strptime`` (which consults the locale on every
    call), anything else as import-export reads dates."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        return super().clean(value, row=row, **kwargs)


class StrictDecimalWidget(DecimalWidget):
    """A number; text that is not one is the row's error rather than a crash."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except (InvalidOperation, ValueError):
            raise ValueError(f"“{value}” is not a number.") from None

    def render(self, value, obj=None, **kwargs):
        # Plain numbers without trailing zeros (``55`` rather than ``55.000``).
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return super().render(value, obj=obj, **kwargs)


class CachedForeignKeyWidget(StrictForeignKeyWidget):
    """``StrictForeignKeyWidget`` that looks the file's values up in one query
    (:meth:`prime`), asking the database only for a value it has not seen (a record
    created by an earlier row of the same file)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cache: dict[str, object] = {}
        # Records of the same model created by earlier rows of the file and not written
        # yet (bulk writes), by their import id; set by the resource.
        self.pending: dict[str, object] = {}

    @staticmethod
    def _key(value) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a spreadsheet's 12.0 is the id 12
        return str(value).strip() if value is not None else ""

    def prime(self, values) -> None:
        wanted = {key for key in map(self._key, values) if key}
        if self.field in ("pk", "id"):
            wanted = {key for key in wanted if key.isdigit()}
        self._cache = {
            str(getattr(obj, self.field)): obj
            for obj in self.get_queryset(None, None).filter(**{f"{self.field}__in": wanted})
        }

    def clean(self, value, row=None, **kwargs):
        key = self._key(value)
        if not key:
            return None
        if key in self._cache:
            return self._cache[key]
        if key in self.pending:
            return self.pending[key]
        obj = super().clean(key, row=row, **kwargs)
        self._cache[key] = obj
        return obj


class CachedManyToManyWidget(StrictManyToManyWidget):
    """``StrictManyToManyWidget`` over a small table (sectors, instruments) read once per
    file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cache: dict[str, object] | None = None

    def prime(self) -> None:
        self._cache = {str(getattr(obj, self.field)): obj for obj in self.model.objects.all()}
        self._memo = {}

    def clean(self, value, row=None, **kwargs):
        if self._cache is None:
            self.prime()
        if not value:
            return []
        if value in self._memo:  # the same cell is cleaned more than once per row
            return list(self._memo[value])
        self._memo[value] = self._clean(value)
        return list(self._memo[value])

    def _clean(self, value) -> list:
        wanted = [part.strip() for part in str(value).split(self.separator) if part.strip()]
        if unknown := sorted({item for item in wanted if item not in self._cache}):
            names = ", ".join(f"“{item}”" for item in unknown)
            raise ValueError(
                f"Unknown {self.model._meta.verbose_name_plural} ({self.field}): {names}."
            )
        return list({item: self._cache[item] for item in wanted}.values())

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(str(getattr(item, self.field)) for item in value.all())


# --- Rules shared with the admin -------------------------------------------------------------


def roadmap_rule_errors(roadmap: Roadmap) -> dict[str, str]:
    """The tracker's rules for a roadmap that fields alone do not express, by field."""
    errors = {}
    if roadmap.scope in NEEDS_COUNTRY and not roadmap.country:
        errors["country"] = f"A {roadmap.get_scope_display().lower()} roadmap needs a country."
    if roadmap.scope == Roadmap.Scope.REGIONAL and roadmap.region_id is None:
        errors["region"] = "A regional roadmap needs a region (a country group's slug)."
    successor = roadmap.superseded_by
    if successor is not None and (
        successor is roadmap or (roadmap.pk and successor.pk == roadmap.pk)
    ):
        errors["superseded_by"] = "A roadmap cannot be superseded by itself."
    return errors


def target_rule_errors(target: Target) -> dict[str, str]:
    """The tracker's rules for a target that fields alone do not express, by field."""
    errors = {}
    # An inline on a roadmap's page sets the (maybe unsaved) roadmap before its id exists.
    if target.roadmap_id is None and target.roadmap is None and not target.country:
        errors["country"] = "A target needs a roadmap or a country."
    if (
        isinstance(target.base_year, int)
        and isinstance(target.target_year, int)
        and target.target_year < target.base_year
    ):
        errors["target_year"] = (
            f"The target year {target.target_year} is before the base year {target.base_year}."
        )
    if error := end_target_error(target, target.end_target):
        errors["end_target"] = error
    return errors


def end_target_error(target: Target, end: Target | None) -> str | None:
    """Why ``end`` cannot be the end target of ``target`` (an interim target), or None.

    The end target belongs to the same roadmap (or, for a target without a roadmap, to the
    same country), is itself an end target (no chains), and is not earlier.
    """
    if end is None:
        return None
    if target.pk and end.pk == target.pk:
        return "A target cannot be its own end target."
    if end.end_target_id is not None:
        return f"Target {end.pk} is itself an interim target: pick the end target it leads to."
    if target.roadmap_id is not None:
        if end.roadmap_id != target.roadmap_id:
            return f"Target {end.pk} belongs to another roadmap."
    elif end.roadmap_id is not None or end.country != target.country:
        return f"Target {end.pk} is not a target of the same country without a roadmap."
    if isinstance(target.target_year, int) and end.target_year < target.target_year:
        return (
            f"The end target's year {end.target_year} is before this target's year "
            f"{target.target_year}."
        )
    return None


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


class TrackerResourceMixin(PortalResourceMixin):
    """Lookups primed once per file, the tracker's rules reported per field, and bulk
    writes with history.

    Rows are read and validated one by one (per-row errors as before); the records are then
    written in batches: ``bulk_create``/``bulk_update``, their many-to-many rows, and one
    history record each (with its many-to-many snapshot), as ``save()`` plus
    ``simple_history`` would leave them, but in a handful of queries per batch instead of
    about thirty per row. A file with any bad row writes nothing at all (and stops writing
    batches as soon as one row fails). Set ``use_bulk = True`` in the resource's ``Meta``.

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
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
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
        if errors:
            raise ValidationError(errors)

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
        if errors:
            raise ValidationError(errors)

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


_PLAIN = (str, int, float, bool, Decimal, datetime.date, datetime.datetime, type(None))


class BulkHistoryWriter:
    """Writes a batch of records as ``save()`` plus simple_history would leave them: the
    rows, their many-to-many rows, and one history record each with its many-to-many
    snapshot, but in a few statements per batch.

    On PostgreSQL the rows go in with ``COPY`` (ids taken from the tables' sequences
    first), which is what makes a 10,000-row file import in seconds; elsewhere (the
    embedded SQLite default) through the ORM's ``bulk_create``. No ``post_save`` or
    ``m2m_changed`` signals are sent, as with any bulk write: the caller invalidates what
    it must.
    """

    use_copy = True  # switched off in a test to cover the ORM path

    def __init__(self, model, *, change_reason: str):
        self.model = model
        self.history_model = model.history.model
        self.change_reason = change_reason
        self.connection = connections[router.db_for_write(model)]
        self.copy = self.use_copy and self.connection.vendor == "postgresql"

    # The public steps.

    def create(self, objs: list) -> None:
        now = timezone.now()
        for obj in objs:
            for field in self.model._meta.concrete_fields:
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    setattr(obj, field.attname, now)
        if self.copy:
            for obj, pk in zip(objs, self._next_ids(self.model, len(objs)), strict=True):
                obj.pk = pk
            fields = self.model._meta.concrete_fields
            self._copy(self.model, fields, ([self._value(f, obj) for f in fields] for obj in objs))
        else:
            self.model.objects.bulk_create(objs)  # sets their ids
        for obj in objs:
            obj._state.adding, obj._state.db = False, self.connection.alias
        through_rows = self._write_many_to_many(objs, created=True)
        self._write_history(objs, "+", now, through_rows)

    def update(self, objs: list, field_names: list[str]) -> None:
        now = timezone.now()
        for field in self.model._meta.concrete_fields:
            if getattr(field, "auto_now", False):
                for obj in objs:
                    setattr(obj, field.attname, now)
                field_names = [*field_names, field.name]
        if field_names:
            self.model.objects.bulk_update(objs, field_names)
        through_rows = self._write_many_to_many(objs, created=False)
        self._write_history(objs, "~", now, through_rows)

    # Many-to-many rows.

    def _write_many_to_many(self, objs: list, *, created: bool) -> dict[str, list[tuple]]:
        """Replace the many-to-many rows named in the file; return every through row of
        these records, by field, as (id, source id, target id) for the history."""
        rows_by_field = {}
        for m2m in self.model._meta.many_to_many:
            through = m2m.remote_field.through
            source, target = m2m.m2m_column_name(), m2m.m2m_reverse_name()
            changed = [obj for obj in objs if m2m.name in getattr(obj, "_import_m2m", {})]
            if changed and not created:
                through.objects.filter(**{f"{source}__in": [o.pk for o in changed]}).delete()
            pairs = [
                (obj.pk, related.pk) for obj in changed for related in obj._import_m2m[m2m.name]
            ]
            if self.copy:
                ids = self._next_ids(through, len(pairs))
                rows = [(pk, a, b) for pk, (a, b) in zip(ids, pairs, strict=True)]
                columns = [
                    through._meta.pk,
                    through._meta.get_field(m2m.m2m_field_name()),
                    through._meta.get_field(m2m.m2m_reverse_field_name()),
                ]
                self._copy(through, columns, rows)
            else:
                through.objects.bulk_create([through(**{source: a, target: b}) for a, b in pairs])
            if created and self.copy:
                rows_by_field[m2m.name] = rows
            else:
                rows_by_field[m2m.name] = list(
                    through.objects.filter(**{f"{source}__in": [o.pk for o in objs]}).values_list(
                        "pk", source, target
                    )
                )
        return rows_by_field

    # History.

    def _write_history(self, objs: list, history_type: str, now, through_rows: dict) -> None:
        user = self.history_model.get_default_history_user(objs[0])
        user_id = getattr(user, "pk", None)
        if self.copy:
            history_ids = self._next_ids(self.history_model, len(objs))
            own = {field.attname: field for field in self.model._meta.concrete_fields}
            special = {
                "history_date": now,
                "history_change_reason": self.change_reason,
                "history_type": history_type,
                "history_user_id": user_id,
            }
            fields = self.history_model._meta.concrete_fields
            unknown = [
                f.attname
                for f in fields
                if not f.primary_key and f.attname not in own and f.attname not in special
            ]
            if unknown:
                raise ImproperlyConfigured(f"Unexpected history columns: {unknown}")
            rows = []
            for obj, history_id in zip(objs, history_ids, strict=True):
                rows.append(
                    [
                        history_id
                        if f.primary_key
                        else special[f.attname]
                        if f.attname in special
                        else self._value(own[f.attname], obj)
                        for f in fields
                    ]
                )
            self._copy(self.history_model, fields, rows)
            history_of = dict(zip((obj.pk for obj in objs), history_ids, strict=True))
        else:
            created = self.model.history.bulk_history_create(
                objs,
                update=history_type == "~",
                default_user=user,
                default_change_reason=self.change_reason,
                default_date=now,
            )
            history_of = {record.id: record.history_id for record in created}
        for m2m in self.model._meta.many_to_many:
            history_m2m = apps.get_model(
                self.model._meta.app_label, f"{self.history_model.__name__}_{m2m.name}"
            )
            source, target = m2m.m2m_column_name(), m2m.m2m_reverse_name()
            rows = [
                (pk, history_of[a], a, b)
                for pk, a, b in through_rows.get(m2m.name, [])
                if a in history_of
            ]
            if self.copy:
                columns = [
                    history_m2m._meta.get_field(name)
                    for name in (
                        "id",
                        "history",
                        m2m.m2m_field_name(),
                        m2m.m2m_reverse_field_name(),
                    )
                ]
                self._copy(history_m2m, columns, rows)
            else:
                history_m2m.objects.bulk_create(
                    [
                        history_m2m(id=pk, history_id=h, **{source: a, target: b})
                        for pk, h, a, b in rows
                    ]
                )

    # PostgreSQL helpers.

    def _value(self, field, obj):
        value = obj.__dict__.get(field.attname, None)
        if type(value) in _PLAIN:  # what psycopg writes as it is
            return value
        return field.get_db_prep_save(getattr(obj, field.attname), self.connection)

    def _next_ids(self, model, count: int) -> list[int]:
        if not count:
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def _copy(self, model, fields, rows) -> None:
        statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
            psycopg_sql.Identifier(model._meta.db_table),
            psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(f.column) for f in fields),
        )
        with self.connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


# --- Roadmaps ------------------------------------------------------------------------------


class RoadmapResource(TrackerResourceMixin, resources.ModelResource):
    country = fields.Field(attribute="country", column_name="country", widget=CountryCodeWidget())
    region = fields.Field(
        attribute="region",
        column_name="region",
        widget=CachedForeignKeyWidget(CountryGroup, field="slug"),
    )
    superseded_by = fields.Field(
        attribute="superseded_by",
        column_name="superseded_by",
        widget=CachedForeignKeyWidget(Roadmap, field="slug"),
    )
    published_on = fields.Field(
        attribute="published_on", column_name="published_on", widget=IsoDateWidget()
    )
    last_reviewed_on = fields.Field(
        attribute="last_reviewed_on", column_name="last_reviewed_on", widget=IsoDateWidget()
    )
    sectors = fields.Field(
        attribute="sectors",
        column_name="sectors",
        widget=CachedManyToManyWidget(Sector, field="slug", separator=","),
        m2m_add=False,
    )
    instruments = fields.Field(
        attribute="instruments",
        column_name="instruments",
        widget=CachedManyToManyWidget(PolicyInstrument, field="slug", separator=","),
        m2m_add=False,
    )

    class Meta:
        model = Roadmap
        fields = (
            "slug",
            "title",
            "scope",
            "country",
            "region",
            "publisher",
            "published_on",
            "status",
            "superseded_by",
            "sectors",
            "instruments",
            "summary",
            "document_url",
            "language",
            "last_reviewed_on",
            "is_demo",
        )
        export_order = fields
        import_id_fields = ("slug",)
        instance_loader_class = TolerantCachedInstanceLoader
        use_bulk = True
        batch_size = 1000
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def rule_errors(self, instance) -> dict[str, str]:
        return roadmap_rule_errors(instance)

    def get_queryset(self):
        return Roadmap.objects.prefetch_related("sectors", "instruments")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("region", "superseded_by").prefetch_related(
            "sectors", "instruments"
        )


# --- Targets -------------------------------------------------------------------------------


class TargetResource(TrackerResourceMixin, resources.ModelResource):
    id = fields.Field(attribute="id", column_name="id", widget=WholeNumberWidget())
    roadmap = fields.Field(
        attribute="roadmap",
        column_name="roadmap",
        widget=CachedForeignKeyWidget(Roadmap, field="slug"),
    )
    country = fields.Field(attribute="country", column_name="country", widget=CountryCodeWidget())
    sector = fields.Field(
        attribute="sector",
        column_name="sector",
        widget=CachedForeignKeyWidget(Sector, field="slug"),
    )
    base_year = fields.Field(attribute="base_year", column_name="base_year", widget=YearWidget())
    target_year = fields.Field(
        attribute="target_year", column_name="target_year", widget=YearWidget()
    )
    value = fields.Field(attribute="value", column_name="value", widget=StrictDecimalWidget())
    source_year = fields.Field(
        attribute="source_year", column_name="source_year", widget=YearWidget()
    )
    last_reviewed_on = fields.Field(
        attribute="last_reviewed_on", column_name="last_reviewed_on", widget=IsoDateWidget()
    )
    end_target = fields.Field(
        attribute="end_target",
        column_name="end_target",
        widget=CachedForeignKeyWidget(Target, field="pk"),
    )

    class Meta:
        model = Target
        fields = (
            "id",
            "roadmap",
            "country",
            "sector",
            "kind",
            "description",
            "base_year",
            "target_year",
            "value",
            "unit",
            "status",
            "end_target",
            "source_publisher",
            "source_title",
            "source_year",
            "source_url",
            "last_reviewed_on",
        )
        export_order = fields
        import_id_fields = ("id",)
        instance_loader_class = TolerantCachedInstanceLoader
        use_bulk = True
        batch_size = 1000
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # An id names an existing target; a new one leaves it blank (ids are the database's).
        if instance._state.adding and str(row.get("id") or "").strip():
            errors["id"] = [
                ValidationError(
                    f"No target with id {row['id']}: leave the id blank for a new target.",
                    code="invalid",
                )
            ]
            instance.id = None
        if errors:
            raise ValidationError(errors)

    def rule_errors(self, instance) -> dict[str, str]:
        return target_rule_errors(instance)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("roadmap", "sector")
