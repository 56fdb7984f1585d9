"""The filters of the public member directory (``/members/?kind=company&sector=steel``).

Every filter lives in the query string so a filtered view can be shared. A value the
directory does not know (``?kind=planet``) fails that filter's validation; the filter is
then left out (django-filter filters only with ``cleaned_data``) and the page says so
(``leadit.filtering.ListFilterSet``).
"""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_countries import countries
from django_filters.fields import ModelChoiceField

from leadit.facets import FacetedFilterSet
from leadit.filtering import SlugChoiceFilter
from tracker.filters import sector_filter

from .models import Member, Pillar

# The statuses a visitor may filter on: prospective members are never public.
PUBLIC_STATUS_CHOICES = [
    (Member.Status.ACTIVE.value, Member.Status.ACTIVE.label),
    (Member.Status.FORMER.value, Member.Status.FORMER.label),
]


class PillarSlugOrNumberField(ModelChoiceField):
    """A pillar named by its slug (``?pillar=technology-transfer``) or number (``?pillar=2``)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip().isdigit():
            value = value.strip()
            pillar = self.queryset.filter(number=int(value)).first() if len(value) <= 4 else None
            if pillar is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return pillar
        return super().to_python(value)


class PillarFilter(SlugChoiceFilter):
    field_class = PillarSlugOrNumberField


def _country_choices():
    return list(countries)


class MemberFilter(FacetedFilterSet):
    q = django_filters.CharFilter(
        label="Name contains", method="filter_name", max_length=200, strip=True
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Member.Kind.choices)
    country = django_filters.ChoiceFilter(label="Country", choices=_country_choices)
    sector = sector_filter()
    pillar = PillarFilter(
        label="Pillar",
        field_name="pillar_engagements__pillar",
        queryset=Pillar.objects.all(),
        distinct=True,
    )
    economy_group = django_filters.ChoiceFilter(
        label="Economy group", choices=Member.EconomyGroup.choices
    )
    status = django_filters.ChoiceFilter(label="Status", choices=PUBLIC_STATUS_CHOICES)

    class Meta:
        model = Member
        fields = ["q", "kind", "country", "sector", "pillar", "economy_group", "status"]

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(name__icontains=value) if value else queryset
