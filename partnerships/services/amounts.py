"""Amounts written by a service: checked (negative, absurd, unknown currency) and stored
with their US-dollar value at the secretariat's rate of the day (partnerships/money.py)."""

from datetime import date

from django.core.exceptions import ValidationError

from ..money import clean_amount, clean_currency, to_usd


def amounts_apply(obj, *, fields: dict[str, str], currency: str, on: date) -> None:
    """Set ``obj``'s amounts and currency, and each amount's USD twin (``fields``: amount
    field → its USD field) at the rate of ``on``; the rate used goes to ``usd_rate``."""
    errors = {}
    try:
        currency = clean_currency(currency)
    except ValidationError as exc:
        errors["currency"] = exc.messages
    for field in fields:
        try:
            clean_amount(getattr(obj, field), label=obj._meta.get_field(field).verbose_name)
        except ValidationError as exc:
            errors[field] = exc.messages
    has_amount = any(getattr(obj, field) is not None for field in fields)
    if has_amount and not currency and "currency" not in errors:
        errors["currency"] = ["Give the currency of the amount."]
    if errors:
        raise ValidationError(errors)
    obj.currency = currency if has_amount else ""
    obj.usd_rate = None
    for field, usd_field in fields.items():
        converted = to_usd(getattr(obj, field), obj.currency, on)
        setattr(obj, usd_field, converted.usd)
        obj.usd_rate = obj.usd_rate or converted.rate
