"""Amounts in a stated currency, and in US dollars at the rate the secretariat keeps.

An amount is converted at the latest :class:`CurrencyRate` on or before its day; the rate
used is stored with the amount so that a page can say "USD at the rate of 2026-10-01". A
currency the secretariat keeps no rate for is refused with a clear message rather than
guessed: "unknown currency" and "no rate yet" are the same problem for the reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from .models import AMOUNT_CEILING, CurrencyRate

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Converted:
    usd: Decimal | None
    rate: CurrencyRate | None


def known_currencies() -> list[str]:
    """The currencies the secretariat keeps a USD rate for, plus USD itself."""
    codes = set(CurrencyRate.objects.values_list("currency", flat=True).distinct())
    return sorted(codes | {"USD"})


def clean_currency(value: str | None) -> str:
    """``value`` as an upper-case ISO 4217 code the portal can convert, or a
    ValidationError that names the ones it can."""
    code = (value or "").strip().upper()
    if not code:
        return ""
    if code == "USD" or CurrencyRate.objects.filter(currency=code).exists():
        return code
    raise ValidationError(
        "Unknown currency “%(code)s”: use one of %(known)s (the secretariat keeps their "
        "US dollar rates; ask it to add another).",
        code="unknown_currency",
        params={"code": code[:10], "known": ", ".join(known_currencies())},
    )


def clean_amount(value: Decimal | None, *, label: str = "The amount") -> Decimal | None:
    """Refuse negative and absurd amounts (over a trillion: a typing error here)."""
    if value is None:
        return None
    if value < 0:
        raise ValidationError(f"{label} cannot be negative.", code="negative_amount")
    if value >= AMOUNT_CEILING:
        raise ValidationError(
            f"{label} is over a trillion: check the number of zeros.", code="absurd_amount"
        )
    return value


def rate_for(currency: str, on: date) -> CurrencyRate | None:
    """The latest rate for ``currency`` on or before ``on`` (falling back to the earliest
    one kept, for amounts dated before the first rate); None for USD."""
    if not currency or currency == "USD":
        return None
    rates = CurrencyRate.objects.filter(currency=currency)
    return rates.filter(as_of__lte=on).order_by("-as_of").first() or rates.order_by("as_of").first()


def to_usd(amount: Decimal | None, currency: str, on: date) -> Converted:
    """``amount`` of ``currency`` in US dollars on ``on``, with the rate used."""
    if amount is None or not currency:
        return Converted(None, None)
    if currency == "USD":
        return Converted(amount, None)
    rate = rate_for(currency, on)
    if rate is None:
        return Converted(None, None)
    usd = (amount * rate.usd_per_unit).quantize(CENT, rounding=ROUND_HALF_UP)
    return Converted(usd, rate)
