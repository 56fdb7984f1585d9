"""What every filtered public list says about its filters: the ones in use, each with the
link that removes it, and the ones ignored, each with why. One implementation for the
member directory, the publication archive, the roadmap list, the project list and the
country list.

Every filter lives in the query string so that a filtered list can be shared. A value the
list does not know (``?kind=planet``) fails that filter's validation; the filter is then
left out (django-filter filters only with ``cleaned_data``) and the page says so.

API
---
``ListFilterSet`` (a django-filter ``FilterSet``; ``leadit.facets.FacetedFilterSet``
builds on it). Class attributes a list may set:

- ``COUNTRY_PARAMETERS`` (``("country",)``): ISO codes, read in any case and trimmed
  (``leadit.countries.normalise_country_code``: ``?country=se`` is Sweden);
- ``LOWER_CASE_PARAMETERS`` (``()``): slugs and choices, read in any case and trimmed;
- ``SEARCH_PARAMETER`` (``"q"``): the free-text search, shown in quotes;
- ``NOT_LISTED`` (``()``): parameters never listed as filters in use (``sort``).

Methods:

- ``active() -> list[ActiveFilter]``: ``(name, label, value)`` of each filter in use with a
  valid value, in ``Meta.fields`` order; ``value`` as the page shows it (a country's name,
  a choice's label, the search in quotes). Hooks: ``applied_value(name)`` (the value a
  filter is applied with) and ``describe(name, value) -> (label, shown)``.
- ``ignored() -> list[IgnoredFilter]``: ``(name, label, given, why)`` of each filter whose
  value is unknown or malformed; ``why`` completes "Label: “given” …" ("is not one of the
  choices", "is not a year from 2019 to 2100", …). Hook: ``why_ignored(name)``.
- ``selected(name) -> str``: the value chosen for a facet (slug, code, choice, year) or "".

Filters: ``SlugChoiceFilter`` (an object named by its slug) and ``YearFilter`` (a year
between its ``min_value`` and ``max_value``; ignored with "is not a year from … to …").

For pages without a ``FilterSet``: ``read_choice_filters(data, filters)`` gives the same
``ActiveFilter``/``IgnoredFilter`` for plain ``(name, label, choices)`` filters.

For views: ``filter_context(request, filterset, reasons=...)`` is the context every list
template reads (``query``, ``active_filters`` with their ``remove_url``,
``ignored_filters``, ``clear_url``); ``active_filter_links(active, remove_url)`` builds
``active_filters`` alone; ``list_url_without(request, *names)`` and
``query_without(query, *names)`` are the links that remove filters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import django_filters
from django import forms
from django.http import HttpRequest, QueryDict

from .countries import country_name, normalise_country_code

# Never part of a list's address as a filter: the page (a filter removed shows the first
# page) and a download's format.
NOT_FILTERS = ("page", "format")
UNKNOWN_CHOICE = "is not one of the choices"


class ActiveFilter(NamedTuple):
    name: str  # the query-string parameter: removing it removes the filter
    label: str
    value: str  # as the page shows it


class IgnoredFilter(NamedTuple):
    name: str
    label: str
    given: str
    why: str


def query_without(query: QueryDict, *names: str) -> str:
    """``query`` without ``names``, as ``?…``, or "" when nothing is left."""
    query = query.copy()
    for name in names:
        query.pop(name, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def list_url_without(request: HttpRequest, *names: str) -> str:
    """The list as it is, without the filters ``names``: the link that removes them."""
    return query_without(request.GET, *names, *NOT_FILTERS) or request.path


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """An object of ``queryset`` named by its slug (``?sector=steel``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.Filter):
    """A year, between the filter's ``min_value`` and ``max_value``."""

    field_class = forms.IntegerField


class ListFilterSet(django_filters.FilterSet):
    """A list page's filters, able to say which are in use and which were ignored, and why."""

    COUNTRY_PARAMETERS: tuple[str, ...] = ("country",)
    LOWER_CASE_PARAMETERS: tuple[str, ...] = ()
    SEARCH_PARAMETER = "q"
    NOT_LISTED: tuple[str, ...] = ()

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy() if isinstance(data, QueryDict) else dict(data)
            for name in self.COUNTRY_PARAMETERS:
                if data.get(name):
                    data[name] = normalise_country_code(data[name])
            for name in self.LOWER_CASE_PARAMETERS:
                if data.get(name):
                    data[name] = data[name].strip().lower()
        super().__init__(data, *args, **kwargs)

    def applied_value(self, name: str) -> Any:
        """The valid value the filter ``name`` is applied with (None or "" if none)."""
        return self.form.cleaned_data.get(name)

    def selected(self, name: str) -> str:
        """The value chosen for the facet ``name`` (a slug, code, choice or year), or ""."""
        self.errors  # noqa: B018 - validates the form, as ``qs`` does
        value = self.form.cleaned_data.get(name)
        if value in (None, ""):
            return ""
        return str(getattr(value, "slug", value))

    def describe(self, name: str, value: Any) -> tuple[str, str]:
        """``(label, value shown)`` of the filter ``name`` in use with ``value``."""
        label = str(self.filters[name].label)
        if name in self.COUNTRY_PARAMETERS:
            return label, country_name(value)
        if name == self.SEARCH_PARAMETER:
            return label, f"“{value}”"
        filter_ = self.filters[name]
        # A model choice (a sector, a region) is shown as the object names itself.
        if isinstance(filter_, django_filters.ChoiceFilter) and not isinstance(
            filter_, django_filters.ModelChoiceFilter
        ):
            return label, str(dict(self.form.fields[name].choices)[value])
        return label, str(value)

    def active(self) -> list[ActiveFilter]:
        """Each filter in use with a valid value, as the page lists it."""
        self.errors  # noqa: B018
        shown = []
        for name in self.Meta.fields:
            value = self.applied_value(name)
            if value in (None, "") or name in self.NOT_LISTED:
                continue
            shown.append(ActiveFilter(name, *self.describe(name, value)))
        return shown

    def why_ignored(self, name: str) -> str:
        """Why the value given for ``name`` is not applied (it failed validation)."""
        filter_ = self.filters[name]
        if isinstance(filter_, YearFilter):
            return (
                f"is not a year from {filter_.extra['min_value']} to {filter_.extra['max_value']}"
            )
        if name == self.SEARCH_PARAMETER:
            codes = {error.code for error in self.errors.as_data()[name]}
            if "max_length" in codes:
                return f"is longer than {filter_.extra['max_length']} characters"
            return "contains characters that cannot be searched for"
        return UNKNOWN_CHOICE

    def ignored(self) -> list[IgnoredFilter]:
        """Each filter whose value is unknown or malformed; the list is shown without it."""
        return [
            IgnoredFilter(
                name, str(self.filters[name].label), self.data.get(name, ""), self.why_ignored(name)
            )
            for name in self.Meta.fields
            if name in self.errors
        ]


class ChoiceFilterReading(NamedTuple):
    chosen: dict[str, str]  # {parameter: value} of the filters applied
    active: list[ActiveFilter]
    ignored: list[IgnoredFilter]


def read_choice_filters(
    data: Mapping[str, str], filters: Iterable[tuple[str, str, Sequence[tuple[str, str]]]]
) -> ChoiceFilterReading:
    """The filters ``(parameter, label, choices)`` of a list without a ``FilterSet``, as
    given in ``data``: a value among the choices is applied, any other is ignored."""
    chosen, active, ignored = {}, [], []
    for name, label, choices in filters:
        value = (data.get(name) or "").strip()
        if not value:
            continue
        names = dict(choices)
        if value in names:
            chosen[name] = value
            active.append(ActiveFilter(name, label, str(names[value])))
        else:
            ignored.append(IgnoredFilter(name, label, value, UNKNOWN_CHOICE))
    return ChoiceFilterReading(chosen, active, ignored)


def active_filter_links(
    active: Iterable[tuple[str, str, str]], remove_url: Callable[[str], str]
) -> list[dict[str, str]]:
    """``active_filters`` of a list template: each filter in use with the link removing it."""
    return [
        {"label": label, "value": value, "remove_url": remove_url(name)}
        for name, label, value in active
    ]


def filter_context(request: HttpRequest, filterset: ListFilterSet, *, reasons: bool) -> dict:
    """What every filtered list's template reads about its filters. ``ignored_filters`` are
    ``(name, label, given, why)``, or ``(name, label, given)`` (``reasons=False``) for the
    pages that give one reason for all."""
    ignored = filterset.ignored()
    return {
        "query": filterset.form.cleaned_data.get(filterset.SEARCH_PARAMETER, ""),
        "active_filters": active_filter_links(
            filterset.active(), lambda name: list_url_without(request, name)
        ),
        "ignored_filters": ignored if reasons else [note[:3] for note in ignored],
        "clear_url": request.path,
    }
