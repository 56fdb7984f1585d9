"""The columns' widgets of the tracker's imports: numbers and dates with messages a person
can act on, and related records looked up once per file rather than once per row."""

import datetime
from decimal import Decimal, InvalidOperation

from import_export.widgets import DateWidget, DecimalWidget, IntegerWidget

from leadit.spreadsheets import StrictForeignKeyWidget, StrictManyToManyWidget


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
