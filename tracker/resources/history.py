"""Bulk writes that keep simple_history's records, for the tracker's imports."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.utils import timezone
from psycopg import sql as psycopg_sql

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
