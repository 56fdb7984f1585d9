"""What every partnerships record shares: who may see it, the kinds of support, money in
a currency with its US-dollar value."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

# Amounts are money in a stated currency: up to a trillion with cents.
AMOUNT = {"max_digits": 16, "decimal_places": 2}
# Nothing in this pillar is near a trillion US dollars; a larger figure is a typing error.
AMOUNT_CEILING = Decimal("1000000000000")


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    MEMBERS = "members", "LeadIT members and focal points"
    SECRETARIAT = "secretariat", "Secretariat only"


class SupportKind(models.TextChoices):
    POLICY = "policy", "Policy and regulation"
    TECHNICAL_STUDY = "technical_study", "Technical study"
    CAPACITY_BUILDING = "capacity_building", "Capacity building"
    TECHNOLOGY = "technology", "Technology"
    GRANT = "grant", "Finance: grant"
    CONCESSIONAL_LOAN = "concessional_loan", "Finance: concessional loan"
    GUARANTEE = "guarantee", "Finance: guarantee"
    EQUITY = "equity", "Finance: equity"


FINANCE_KINDS = frozenset(
    {SupportKind.GRANT, SupportKind.CONCESSIONAL_LOAN, SupportKind.GUARANTEE, SupportKind.EQUITY}
)


def demo_field():
    return models.BooleanField(
        "demo record", default=False, help_text="Invented demo content, labelled as such."
    )


def visibility_field():
    return models.CharField(
        max_length=12, choices=Visibility, default=Visibility.PUBLIC, db_index=True
    )


def non_negative(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}), name=name
    )


class CurrencyRate(models.Model):
    """What one unit of a currency was worth in US dollars on a day, as the secretariat
    records it. Amounts are converted at the latest rate on or before their own date, and
    the rate used is kept with the amount."""

    currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. INR.")
    usd_per_unit = models.DecimalField(max_digits=18, decimal_places=8)
    as_of = models.DateField()
    source = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["currency", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "as_of"], name="currency_rate_per_day"),
            models.CheckConstraint(condition=Q(usd_per_unit__gt=0), name="currency_rate_positive"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="currency_rate_iso_code"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.usd_per_unit} USD ({self.as_of:%Y-%m-%d})"


class PartnerInstitution(models.Model):
    """An organisation that supports partnerships without being a LeadIT member."""

    class Kind(models.TextChoices):
        DEVELOPMENT_BANK = "development_bank", "Development bank"
        CLIMATE_FUND = "climate_fund", "Climate fund"
        AGENCY = "agency", "Development or government agency"
        RESEARCH = "research", "Research institute"
        INCUBATOR = "incubator", "Incubator or accelerator"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    country = CountryField(blank=True, help_text="Headquarters; empty for multilateral bodies.")
    website = models.URLField(blank=True)
    is_demo = demo_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Money(models.Model):
    """An amount in a stated currency, also in US dollars at the rate the secretariat kept
    for the day it was converted."""

    currency = models.CharField(max_length=3, blank=True)
    usd_rate = models.ForeignKey(
        CurrencyRate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def visible_levels(user) -> list[str]:
    """The visibilities ``user`` may read: the public, public records; a member editor or a
    focal point, members' records too; staff, everything. (A focal point also sees every
    record of their own partnership: see the querysets.)"""
    if not is_signed_in(user):
        return [Visibility.PUBLIC]
    if user.is_staff:
        return list(Visibility.values)
    if user.member_roles.exists() or user.focal_points.exists():
        return [Visibility.PUBLIC, Visibility.MEMBERS]
    return [Visibility.PUBLIC]


class VisibleQuerySet(models.QuerySet):
    """Records with a ``visibility``, and (through ``partnership_path``) a partnership whose
    focal points see all of its own records."""

    partnership_path = "partnership"

    def public(self):
        return self.filter(visibility=Visibility.PUBLIC)

    def own_records(self, user) -> Q | None:
        """The records signed-in ``user`` sees whatever their visibility: their
        partnership's. A subquery, not a join: one row per record, so counts and facets
        need no DISTINCT."""
        if not self.partnership_path:
            return None
        return Q(**{f"{self.partnership_path}__in": user.focal_points.values("partnership")})

    def visible_to(self, user):
        levels = visible_levels(user)
        if len(levels) == len(Visibility.values):
            return self.all()
        shown = Q(visibility__in=levels)
        own = self.own_records(user) if is_signed_in(user) else None
        if own is not None:
            shown |= own
        return self.filter(shown)

    def editable_by(self, user):
        """Staff: all; a focal point: their partnership's records; anyone else: none."""
        if not is_signed_in(user):
            return self.none()
        if user.is_staff:
            return self.all()
        if not self.partnership_path:
            return self.none()
        return self.filter(**{f"{self.partnership_path}__focal_points__user": user})
