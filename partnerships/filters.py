"""The filters of the partnerships lists: the needs board (``/partnerships/needs/``), the
offers (``/partnerships/offers/``) and their downloads (the same query string), built on
``leadit.filtering`` as every other list of the portal is. One definition per list, so
that the page, its downloads and (later) the API filter alike.

Every filter lives in the query string so that a filtered list can be shared. A value the
list does not know or cannot read (``?kind=planet``, ``?min_usd=abc``) fails that filter's
validation; the list is shown without it and says why (``ListFilterSet.ignored``).

The querysets given to these filter sets are already narrowed to what the visitor may
see (``visible_to(user)``): the filters never widen them.
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django_countries import countries

from leadit.facets import Facet, FacetedFilterSet, FacetOption
from leadit.filtering import SlugChoiceFilter
from members.models import Member
from tracker.filters import OnFlagField, sector_filter
from tracker.models import Technology

from .models import (
    AMOUNT_CEILING,
    PartnerInstitution,
    PipelineProject,
    SupportCommitment,
    SupportKind,
    SupportOffer,
    SupportRequest,
)

# A commitment is live until it is declined: a request with one is being answered.
DECLINED = "declined"

NEED_SORTS = {
    "-created": ("Newest first", ["-created_at", "-pk"]),
    "created": ("Oldest first", ["created_at", "pk"]),
    "-amount": ("Largest amount (USD) first", [F("amount_usd").desc(nulls_last=True), "-pk"]),
    "amount": ("Smallest amount (USD) first", [F("amount_usd").asc(nulls_last=True), "-pk"]),
    "title": ("Title (A–Z)", ["title", "pk"]),
    "country": ("Partnership (A–Z)", ["partnership__name", "-created_at", "-pk"]),
}
OFFER_SORTS = {
    "-created": ("Newest first", ["-created_at", "-pk"]),
    "closes": ("Closing soonest first", [F("closes_on").asc(nulls_last=True), "-pk"]),
    "-amount": ("Largest amount (USD) first", [F("amount_max_usd").desc(nulls_last=True), "-pk"]),
    "title": ("Title (A–Z)", ["title", "pk"]),
}


def _country_choices():
    return list(countries)


def sort_filter(sorts: dict[str, tuple[str, list]]) -> django_filters.ChoiceFilter:
    """``?sort=…``: one of ``sorts`` (``{value: (label, ordering)}``), applied last."""
    choices = [(value, label) for value, (label, _ordering) in sorts.items()]
    return django_filters.ChoiceFilter(label="Sort by", choices=choices, method="keep")


class YesNoField(OnFlagField):
    """``1``/``yes``/``on`` turns a filter on, ``0``/``no``/``off`` or nothing leaves it
    off; anything else is an error. (The tracker's field also checks its G20 group.)"""

    def validate(self, value):
        return None


class YesNoFilter(django_filters.Filter):
    field_class = YesNoField


def usd_filter(label: str, lookup_expr: str, field_name: str = "amount_usd"):
    """``?min_usd=1000000``: an amount in US dollars, not negative, under a trillion."""
    return django_filters.NumberFilter(
        label=label,
        field_name=field_name,
        lookup_expr=lookup_expr,
        min_value=Decimal(0),
        max_value=AMOUNT_CEILING,
    )


class ProviderField(forms.CharField):
    """The slug of a member or of a partner institution."""

    def validate(self, value):
        super().validate(value)
        if not value:
            return
        slug = value[:200]
        if not (
            Member.objects.filter(slug=slug).exists()
            or PartnerInstitution.objects.filter(slug=slug).exists()
        ):
            raise ValidationError("Unknown provider.", code="invalid_choice")


class ProviderFilter(django_filters.CharFilter):
    field_class = ProviderField


class PartnershipListFilter(FacetedFilterSet):
    """What the partnerships lists share: a search, a sort order, amounts in US dollars and
    yes/no switches, each saying in plain words why a value was ignored. Subclasses set
    ``SORTS`` (``{value: (label, ordering)}``) and ``DEFAULT_SORT``."""

    SORTS: dict[str, tuple[str, list]] = {}
    DEFAULT_SORT = "-created"
    NOT_LISTED = ("sort",)
    SEARCH_FIELDS: tuple[str, ...] = ("title", "description")

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # the order is applied last, in ``filter_queryset``

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # icontains: the same on PostgreSQL and on the SQLite of the demo.
        match = Q()
        for field in self.SEARCH_FIELDS:
            match |= Q(**{f"{field}__icontains": value})
        return queryset.filter(match)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        return queryset.order_by(*self.SORTS[self.sort_order()][1])

    def used_technology_facet(self, lookup: str) -> Facet:
        """The ``technology`` filter's facet: the technologies some listed record has (through
        ``lookup``, e.g. "technologies__slug"; others would only list zeros), and the one
        chosen."""
        counts = self.counts("technology", lookup)
        selected = self.selected("technology")
        used = Technology.objects.filter(
            Q(slug__in=[slug for slug, n in counts.items() if n]) | Q(slug=selected)
        ).values_list("slug", "name")
        options = [
            FacetOption(slug, name, counts.get(slug, 0), slug == selected) for slug, name in used
        ]
        return Facet("technology", "Technology", options)

    def sort_order(self) -> str:
        """The order applied (the default when none or an unknown one was asked for)."""
        self.errors  # noqa: B018 - validates the form, as ``qs`` does
        return self.form.cleaned_data.get("sort") or self.DEFAULT_SORT

    def counts(self, name: str, field: str | None = None) -> dict[str, int]:
        """How many rows each value of ``field`` (by default the filter's own) would give
        with the filter ``name`` set to it and every other filter kept: one query."""
        field = field or name
        rows = (
            self.queryset_without(name)
            .order_by()
            .values_list(field)
            .annotate(n=Count("pk", distinct=True))
        )
        return {value: n for value, n in rows.values_list(field, "n") if value is not None}

    def sort_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, (label, _ordering) in self.SORTS.items()]

    def applied(self) -> dict[str, str]:
        """``{parameter: value}`` of each filter in use, as applied (slugs, codes, numbers)."""
        self.errors  # noqa: B018
        applied = {}
        for name in self.Meta.fields:
            value = self.applied_value(name)
            if value in (None, "") or name in self.NOT_LISTED:
                continue
            applied[name] = "1" if value is True else str(getattr(value, "slug", value))
        return applied

    def describe(self, name: str, value) -> tuple[str, str]:
        filter_ = self.filters[name]
        if isinstance(filter_, YesNoFilter):
            return str(filter_.label), "yes"
        if isinstance(filter_, django_filters.NumberFilter):
            return str(filter_.label), f"{value:,.0f} USD"
        return super().describe(name, value)

    def why_ignored(self, name: str) -> str:
        filter_ = self.filters[name]
        codes = {error.code for error in self.errors.as_data()[name]}
        if isinstance(filter_, django_filters.NumberFilter):
            if "min_value" in codes:
                return "is negative"
            if "max_value" in codes:
                return "is over a trillion"
            return "is not a number"
        if isinstance(filter_, YesNoFilter):
            return "is not 1 (on) or 0 (off)"
        if name == "sort":
            label = self.SORTS[self.DEFAULT_SORT][0].lower()
            return f"is not a known order, so the list is shown {label}"
        if isinstance(filter_, ProviderFilter):
            return "is not a member or partner institution"
        return super().why_ignored(name)


def live_commitment_exists() -> Exists:
    """The request has a commitment that was not declined."""
    return Exists(SupportCommitment.objects.filter(request=OuterRef("pk")).exclude(status=DECLINED))


class NeedFilter(PartnershipListFilter):
    """``/partnerships/needs/?country=in&sector=cement&kind=technical_study&unmatched=1``"""

    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200, strip=True)
    country = django_filters.ChoiceFilter(
        label="Country", choices=_country_choices, field_name="partnership__country"
    )
    sector = sector_filter()
    kind = django_filters.ChoiceFilter(label="Kind of support", choices=SupportKind.choices)
    status = django_filters.ChoiceFilter(label="Status", choices=SupportRequest.Status.choices)
    min_usd = usd_filter("Amount at least", "gte")
    max_usd = usd_filter("Amount at most", "lte")
    unmatched = YesNoFilter(label="Without a supporter yet", method="filter_unmatched")
    sort = sort_filter(NEED_SORTS)

    SORTS = NEED_SORTS
    LOWER_CASE_PARAMETERS = ("sector", "kind", "status", "sort")
    SEARCH_FIELDS = ("title", "description", "partnership__name")

    class Meta:
        model = SupportRequest
        fields = [
            "q",
            "country",
            "sector",
            "kind",
            "status",
            "min_usd",
            "max_usd",
            "unmatched",
            "sort",
        ]

    def filter_unmatched(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(~live_commitment_exists())


class OfferFilter(PartnershipListFilter):
    """``/partnerships/offers/?kind=grant&country=ke&open=1&provider=steelco``"""

    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200, strip=True)
    kind = django_filters.ChoiceFilter(label="Kind of support", choices=SupportKind.choices)
    sector = sector_filter()
    country = django_filters.ChoiceFilter(
        label="Open to country", choices=_country_choices, method="filter_eligible"
    )
    instrument = django_filters.ChoiceFilter(
        label="Instrument", choices=SupportOffer.Instrument.choices
    )
    open = YesNoFilter(label="Open today", method="filter_open")
    provider = ProviderFilter(
        label="Offered by", method="filter_provider", max_length=200, strip=True
    )
    sort = sort_filter(OFFER_SORTS)

    SORTS = OFFER_SORTS
    LOWER_CASE_PARAMETERS = ("sector", "kind", "instrument", "provider", "sort")

    class Meta:
        model = SupportOffer
        fields = ["q", "kind", "sector", "country", "instrument", "open", "provider", "sort"]

    def filter_eligible(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(eligible_for(value))

    def filter_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.open_on(timezone.localdate())

    def filter_provider(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(member__slug=value) | Q(institution__slug=value))

    def describe(self, name: str, value) -> tuple[str, str]:
        if name == "provider":
            return str(self.filters[name].label), provider_name(value)
        return super().describe(name, value)


def eligible_for(country: str) -> Q:
    """Offers a partner in ``country`` may ask for: open to all, listing the country, or
    open to a group the country belongs to."""
    listed = SupportOffer.objects.filter(eligible_countries__country=country).values("pk")
    grouped = SupportOffer.objects.filter(eligible_groups__memberships__country=country)
    return Q(open_to_all_countries=True) | Q(pk__in=listed) | Q(pk__in=grouped.values("pk"))


def provider_name(slug: str) -> str:
    """The name of the member or partner institution ``slug`` (the slug if neither)."""
    for model in (Member, PartnerInstitution):
        name = model.objects.filter(slug=slug).values_list("name", flat=True).first()
        if name:
            return name
    return slug


# --- The pipeline of bankable projects (/partnerships/pipeline/) ------------------------


def stage_gate_rank() -> Case:
    """A project's place on the stage gate (concept 0 … operating 6); on hold and dropped
    come after every stage of the gate (-1), so "furthest first" lists them last."""
    gate = [stage for stage in PipelineProject.Stage.values if stage not in PIPELINE_STAGES_APART]
    return Case(
        *(When(stage=stage, then=Value(rank)) for rank, stage in enumerate(gate)),
        default=Value(-1),
    )


# Not steps of the gate: a project on hold or dropped is shown apart from the funnel.
PIPELINE_STAGES_APART = ("on_hold", "dropped")
PIPELINE_SORTS = {
    "name": ("Name (A–Z)", ["name", "pk"]),
    "stage": ("Furthest stage first", [stage_gate_rank().desc(), "name", "pk"]),
    "-capex": ("Largest capex (USD) first", [F("capex_usd").desc(nulls_last=True), "name", "pk"]),
    "-updated": ("Recently updated first", ["-updated_at", "-pk"]),
    "country": ("Partnership (A–Z)", ["partnership__name", "name", "pk"]),
}


class PipelineFilter(PartnershipListFilter):
    """``/partnerships/pipeline/?country=in&sector=steel&stage=feasibility&technology=
    hydrogen-dri&min_capex=100000000&q=green&sort=-capex``"""

    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200, strip=True)
    country = django_filters.ChoiceFilter(
        label="Country", choices=_country_choices, field_name="partnership__country"
    )
    sector = sector_filter(field_name="sector", distinct=False)
    stage = django_filters.ChoiceFilter(label="Stage", choices=PipelineProject.Stage.choices)
    # One technology per request: a project matches it once, no DISTINCT needed.
    technology = SlugChoiceFilter(
        label="Technology",
        field_name="technologies",
        queryset=Technology.objects.all(),
        distinct=False,
    )
    min_capex = usd_filter("Capex at least", "gte", field_name="capex_usd")
    sort = sort_filter(PIPELINE_SORTS)

    SORTS = PIPELINE_SORTS
    DEFAULT_SORT = "name"
    LOWER_CASE_PARAMETERS = ("sector", "stage", "technology", "sort")
    SEARCH_FIELDS = ("name", "sponsor", "location", "partnership__name")

    class Meta:
        model = PipelineProject
        fields = ["q", "country", "sector", "stage", "technology", "min_capex", "sort"]

    def why_ignored(self, name: str) -> str:
        if name == "sort":
            return "is not a known order, so projects are sorted by name"
        return super().why_ignored(name)
