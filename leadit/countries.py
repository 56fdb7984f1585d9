"""Country codes as every app reads them: ISO 3166-1 alpha-2, any case, blanks trimmed.

One place so that a filter, an import and a selector agree on what "se", " SE " or "XX"
mean (Sweden, Sweden, nothing)."""

from __future__ import annotations

from django_countries import countries


def normalise_country_code(value: object) -> str:
    """``value`` trimmed and upper-cased ("" for None); not checked against ISO 3166-1."""
    return str(value or "").strip().upper()


def country_code_clean(value: object) -> str | None:
    """The ISO 3166-1 alpha-2 code ``value`` names (any case), or None if it names none."""
    code = normalise_country_code(value)
    if len(code) == 2 and code.isalpha() and code in countries:
        return code
    return None


def country_name(code: str) -> str:
    """The country's English name, or the code itself when ISO 3166-1 has no such code."""
    return str(countries.name(code)) or code
