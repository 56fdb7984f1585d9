"""Technology solutions members and partner institutions offer, with their IP."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .common import (
    MemberKeptQuerySet,
    demo_field,
    one_provider,
    trl_field,
    visibility_field,
)


class OfferKind(models.TextChoices):
    """What a solution's provider is ready to do; the catalogue's ``offer`` filter."""

    LICENCE = "licence", "Licence"
    CO_DEVELOPMENT = "co_development", "Co-development"
    DEMONSTRATION = "demonstration", "Demonstration site access"
    TRAINING = "training", "Training"
    JOINT_VENTURE = "joint_venture", "Joint venture"
    KNOW_HOW = "know_how", "Know-how transfer"


# One boolean per kind, so the catalogue filters and counts them in one query each.
OFFER_FIELDS = {kind: f"offers_{kind.value}" for kind in OfferKind}


class TechnologySolutionQuerySet(MemberKeptQuerySet):
    def offering(self, kind: str):
        return self.filter(**{OFFER_FIELDS[OfferKind(kind)]: True})


class TechnologySolution(models.Model):
    """A technology a member (company, country agency) or a partner institution (research
    institute, incubator) offers to transfer, demonstrate or develop with others."""

    class IPStatus(models.TextChoices):
        PATENTED = "patented", "Patented"
        OPEN_LICENCE = "open_licence", "Open licence"
        NONE = "none", "No IP protection"
        NOT_RECORDED = "not_recorded", "Not recorded"

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="technology_solutions",
    )
    institution = models.ForeignKey(
        "partnerships.PartnerInstitution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="technology_solutions",
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    technology = models.ForeignKey(
        "tracker.Technology", on_delete=models.PROTECT, related_name="solutions"
    )
    sectors = models.ManyToManyField("tracker.Sector", related_name="technology_solutions")
    trl = trl_field("technology readiness level (TRL)")
    trl_assessed_year = models.PositiveSmallIntegerField(
        "TRL assessed in",
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    trl_assessed_by = models.CharField("TRL assessed by", max_length=200, blank=True)
    summary = models.CharField(max_length=300, help_text="One sentence for the catalogue.")
    description = models.TextField(blank=True, help_text="Markdown.")
    offers_licence = models.BooleanField("licence", default=False)
    offers_co_development = models.BooleanField("co-development", default=False)
    offers_demonstration = models.BooleanField("demonstration site access", default=False)
    offers_training = models.BooleanField("training", default=False)
    offers_joint_venture = models.BooleanField("joint venture", default=False)
    offers_know_how = models.BooleanField("know-how transfer", default=False)
    ip_status = models.CharField(
        "intellectual property",
        max_length=14,
        choices=IPStatus,
        default=IPStatus.NOT_RECORDED,
    )
    ip_licence = models.CharField(
        "open licence", max_length=100, blank=True, help_text="For an open licence: which."
    )
    available_worldwide = models.BooleanField(default=False)
    reference_plants = models.ManyToManyField(
        "tracker.IndustrialProject",
        blank=True,
        related_name="technology_solutions",
        help_text="Industrial projects in the tracker that use this solution.",
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True, help_text="Shown to signed-in members only.")
    visibility = visibility_field()
    is_demo = demo_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TechnologySolutionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            one_provider("technology_solution_one_provider"),
            models.CheckConstraint(condition=Q(trl__gte=1, trl__lte=9), name="solution_trl_1_to_9"),
            models.CheckConstraint(
                condition=Q(ip_status="open_licence") | Q(ip_licence=""),
                name="solution_licence_only_when_open",
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "technology"]),
            models.Index(fields=["trl"]),
            models.Index(fields=["-updated_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("technology:solution", kwargs={"slug": self.slug})

    @property
    def provider(self):
        return self.member or self.institution

    @property
    def offer_kinds(self) -> list[OfferKind]:
        return [kind for kind, field in OFFER_FIELDS.items() if getattr(self, field)]


class SolutionCountry(models.Model):
    """A country where a solution is available (unless it is available worldwide)."""

    solution = models.ForeignKey(
        TechnologySolution, on_delete=models.CASCADE, related_name="countries"
    )
    country = CountryField()

    class Meta:
        ordering = ["solution", "country"]
        constraints = [
            models.UniqueConstraint(fields=["solution", "country"], name="solution_country_once"),
        ]
        indexes = [models.Index(fields=["country"])]

    def __str__(self) -> str:
        return f"{self.solution} — {self.country.name}"


class PatentFamily(models.Model):
    """A patent family protecting a solution."""

    solution = models.ForeignKey(
        TechnologySolution, on_delete=models.CASCADE, related_name="patents"
    )
    number = models.CharField("publication number", max_length=40, help_text="E.g. EP3456789.")
    office = models.CharField(max_length=40, help_text="E.g. EPO, USPTO, CNIPA, WIPO (PCT).")
    filed_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["solution", "expires_on", "number"]
        verbose_name_plural = "patent families"
        constraints = [
            models.UniqueConstraint(fields=["solution", "number"], name="patent_once_per_solution"),
            models.CheckConstraint(
                condition=Q(filed_on__isnull=True)
                | Q(expires_on__isnull=True)
                | Q(expires_on__gt=F("filed_on")),
                name="patent_expires_after_filing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.office})"


__all__ = [
    "OFFER_FIELDS",
    "OfferKind",
    "PatentFamily",
    "SolutionCountry",
    "TechnologySolution",
]
