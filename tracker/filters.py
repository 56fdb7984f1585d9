"""The filters of the roadmap list (``/tracker/?sector=steel&scope=national&g20=1``), also
used by its downloads (``/tracker/export.csv`` with the same query string).

Every filter lives in the query string so that a filtered list can be shared. A value the
tracker does not know (``?scope=planet``) or a malformed year (``?target_from=abc``) fails
that filter's validation; the filter is then left out (django-filter filters only with
``cleaned_data``) and the page says so (``RoadmapFilter.ignored``).

Country groups: ``region`` takes a region (``CountryGroup`` of kind region), ``group`` any
group, kept as data or derived (``leadit-members``, registered by the members app in
``tracker.groups``); ``g20=1`` is short for ``group=g20``. A roadmap is in a group when its
region is that group or its country is one of the group's countries.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django_countries import countries

from leadit.facets import FacetedFilterSet
from leadit.filtering import ActiveFilter, SlugChoiceFilter, YearFilter

from .groups import derived_groups
from .models import YEAR_VALIDATORS, CountryGroup, CountryGroupMembership, Roadmap, Sector, Target

G20_SLUG = "g20"
SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+")
FIRST_YEAR = YEAR_VALIDATORS[0].limit_value
LAST_YEAR = YEAR_VALIDATORS[1].limit_value

SORT_CHOICES = [
    ("title", "Title (A–Z)"),
    ("-published_on", "Newest published first"),
    ("published_on", "Oldest published first"),
    ("-updated_at", "Recently updated first"),
    ("country", "Country or region (A–Z)"),
]
DEFAULT_SORT = "title"


def _country_choices():
    return list(countries)


def _country_name_order():
    """Country name, or the region's name for roadmaps without a country: ISO codes do not
    sort like names (CH is Switzerland, CN China)."""
    names = Case(
        *(When(country=code, then=Value(name)) for code, name in countries),
        default=Value(""),
    )
    return Coalesce(NullIf(names, Value("")), F("region__name"))


SORT_ORDERINGS = {
    "title": [F("title").asc(), "pk"],
    "-published_on": [F("published_on").desc(nulls_last=True), "title", "pk"],
    "published_on": [F("published_on").asc(nulls_last=True), "title", "pk"],
    "-updated_at": [F("updated_at").desc(), "pk"],
    "country": [_country_name_order().asc(nulls_last=True), "title", "pk"],
}


def sector_filter(*, field_name: str = "sectors", distinct: bool = True) -> SlugChoiceFilter:
    """``?sector=steel``: the sector named by its slug, on every list that has sectors."""
    return SlugChoiceFilter(
        label="Sector", field_name=field_name, queryset=Sector.objects.all(), distinct=distinct
    )


def in_group(*, slug: str, countries_of_derived: set[str] | None = None) -> Q:
    """Roadmaps in the group ``slug``: their region is it, or their country is one of its
    countries. For a derived group, pass its countries."""
    if countries_of_derived is not None:
        return Q(country__in=countries_of_derived)
    members = CountryGroupMembership.objects.filter(group__slug=slug).values("country")
    return Q(region__slug=slug) | Q(country__in=members)


def _derived(slug: str):
    return next((group for group in derived_groups() if group.slug == slug), None)


class GroupSlugField(forms.CharField):
    """The slug of a country group, kept as data or derived; anything else is an error."""

    def validate(self, value):
        super().validate(value)
        if not value:
            return
        # Not a slug (say with a NUL byte, which PostgreSQL refuses): no such group.
        if not SLUG_RE.fullmatch(value) or (
            _derived(value) is None and not CountryGroup.objects.filter(slug=value).exists()
        ):
            raise ValidationError("Unknown group.", code="invalid_choice")


class GroupFilter(django_filters.CharFilter):
    field_class = GroupSlugField


class OnFlagField(forms.CharField):
    """``1``/``true``/``yes``/``on`` is True, ``0``/``false``/``no``/``off`` or nothing is
    None (the filter is off); anything else is an error."""

    def to_python(self, value):
        value = super().to_python(value).strip().lower()
        if value in ("", "0", "false", "no", "off"):
            return None
        if value in ("1", "true", "yes", "on"):
            return True
        raise ValidationError("Not a yes/no value.", code="invalid")

    def validate(self, value):
        if value and not CountryGroup.objects.filter(slug=G20_SLUG).exists():
            raise ValidationError("There is no G20 group.", code="invalid_choice")


class FlagFilter(django_filters.Filter):
    field_class = OnFlagField


class RoadmapFilter(FacetedFilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200, strip=True)
    sector = sector_filter(distinct=False)
    scope = django_filters.ChoiceFilter(label="Scope", choices=Roadmap.Scope.choices)
    status = django_filters.ChoiceFilter(label="Status", choices=Roadmap.Status.choices)
    region = SlugChoiceFilter(
        label="Region",
        queryset=CountryGroup.objects.filter(kind=CountryGroup.Kind.REGION),
        method="filter_region",
    )
    group = GroupFilter(label="Country group", method="filter_group", max_length=100)
    g20 = FlagFilter(label="G20", method="filter_g20")
    country = django_filters.ChoiceFilter(label="Country", choices=_country_choices)
    target_from = YearFilter(
        label="Target year from", min_value=FIRST_YEAR, max_value=LAST_YEAR, method="keep"
    )
    target_to = YearFilter(
        label="Target year to", min_value=FIRST_YEAR, max_value=LAST_YEAR, method="keep"
    )
    sort = django_filters.ChoiceFilter(label="Sort by", choices=SORT_CHOICES, method="keep")

    class Meta:
        model = Roadmap
        fields = [
            "q",
            "sector",
            "scope",
            "status",
            "region",
            "group",
            "g20",
            "country",
            "target_from",
            "target_to",
            "sort",
        ]

    # Filters applied together, not one by one: a roadmap is in the year range when ONE of
    # its targets is (not one target after the start and another before the end).
    TARGET_RANGE = ("target_from", "target_to")
    # Filters that are the same facet: g20=1 is group=g20.
    SAME_FACET = {"group": ("group", "g20"), "g20": ("group", "g20")}

    # Slugs and choices are read in any case too (?scope=National).
    LOWER_CASE_PARAMETERS = ("sector", "region", "group", "scope", "status")
    # The order is not a filter: clearing the filters keeps it.
    NOT_LISTED = ("sort",)

    # --- the filters ---------------------------------------------------------------------

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # icontains: the same on PostgreSQL and on the SQLite of the demo.
        return queryset.filter(
            Q(title__icontains=value) | Q(publisher__icontains=value) | Q(summary__icontains=value)
        )

    def filter_region(self, queryset: QuerySet, name: str, value: CountryGroup) -> QuerySet:
        return queryset.filter(in_group(slug=value.slug))

    def filter_group(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if _derived(value) is None:
            return queryset.filter(in_group(slug=value))
        return queryset.filter(
            in_group(slug=value, countries_of_derived=self.derived_countries(value))
        )

    def derived_countries(self, slug: str) -> set[str]:
        """The countries of the derived group ``slug``, read once per request however many
        facet counts need them."""
        cache = self.__dict__.setdefault("_derived_countries", {})
        if slug not in cache:
            cache[slug] = set(_derived(slug).countries())
        return cache[slug]

    def filter_g20(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(in_group(slug=G20_SLUG))

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # applied in ``_apply``

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = self._apply(queryset, skip=())
        sort = self.form.cleaned_data.get("sort") or DEFAULT_SORT
        return queryset.order_by(*SORT_ORDERINGS[sort])

    def _apply(self, queryset: QuerySet, skip: tuple[str, ...]) -> QuerySet:
        for name, value in self.form.cleaned_data.items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        year_from, year_to = self.target_range()
        if not set(self.TARGET_RANGE) & set(skip) and (year_from or year_to):
            targets = Target.objects.filter(roadmap__isnull=False)
            if year_from:
                targets = targets.filter(target_year__gte=year_from)
            if year_to:
                targets = targets.filter(target_year__lte=year_to)
            queryset = queryset.filter(pk__in=targets.values("roadmap_id"))
        return queryset

    def target_range(self) -> tuple[int | None, int | None]:
        """The valid target years asked for, earliest first (a reversed range is turned)."""
        self.errors  # noqa: B018 - validates the form, as ``qs`` does
        year_from = self.form.cleaned_data.get("target_from")
        year_to = self.form.cleaned_data.get("target_to")
        if year_from and year_to and year_from > year_to:
            year_from, year_to = year_to, year_from
        return year_from, year_to

    # --- what the page says about the filters --------------------------------------------

    def queryset_without(self, name: str) -> QuerySet:
        """The roadmaps matching every valid filter except ``name`` (and what is the same
        facet: ``g20`` for ``group``): the base of that facet's counts."""
        self.errors  # noqa: B018
        return self._apply(self.queryset.all(), skip=(*self.SAME_FACET.get(name, (name,)), "sort"))

    def selected(self, name: str) -> str:
        """The value chosen for the facet ``name`` (a slug or a choice), or ""."""
        self.errors  # noqa: B018
        if (
            name == "group"
            and not self.form.cleaned_data.get(name)
            and self.form.cleaned_data.get("g20")
        ):
            return G20_SLUG
        return super().selected(name)

    def applied_value(self, name: str):
        """The valid value ``name`` is applied with: the target years as turned."""
        if name in self.TARGET_RANGE:
            return dict(zip(self.TARGET_RANGE, self.target_range(), strict=True))[name]
        return super().applied_value(name)

    def describe(self, name: str, value) -> tuple[str, str]:
        if name == "group":
            return self.filters[name].label, (
                _derived(value).name if _derived(value) else self._group_name(value)
            )
        if name == "g20":
            return "Country group", self._group_name(G20_SLUG)
        return super().describe(name, value)

    def active(self) -> list[ActiveFilter]:
        """Each filter in use with a valid value; removing its ``name`` from the query
        string removes the filter."""
        shown = super().active()
        # A range given the wrong way round was turned: the start came as target_to.
        year_from, _ = self.target_range()
        if year_from is None or year_from == self.form.cleaned_data.get("target_from"):
            return shown
        parameter = {"target_from": "target_to", "target_to": "target_from"}
        return [f._replace(name=parameter.get(f.name, f.name)) for f in shown]

    def applied(self) -> dict[str, str]:
        """``{parameter: value}`` of each filter in use, as applied (slugs, codes, years)."""
        self.errors  # noqa: B018
        applied = {}
        for name in self.Meta.fields:
            value = self.applied_value(name)
            if value in (None, "") or name in self.NOT_LISTED:
                continue
            applied[name] = "1" if name == "g20" else str(getattr(value, "slug", value))
        return applied

    def sort_order(self) -> str:
        """The order applied (the default when none or an unknown one was asked for)."""
        self.errors  # noqa: B018
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    def _group_name(self, slug: str) -> str:
        group = CountryGroup.objects.filter(slug=slug).values_list("name", flat=True).first()
        return group or slug

    def why_ignored(self, name: str) -> str:
        if name == "g20":
            codes = {error.code for error in self.errors.as_data()[name]}
            if "invalid_choice" in codes:
                return "cannot be used: there is no G20 group in the tracker"
            return "is not 1 (on) or 0 (off)"
        if name == "sort":
            return "is not a known order, so the list is sorted by title"
        return super().why_ignored(name)
