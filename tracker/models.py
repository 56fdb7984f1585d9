"""The Industry Transition Tracker's data: sectors, country groups, roadmaps and their
targets, policy instruments, technologies, industrial projects and the how-to guide."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


class Sector(models.Model):
    """A heavy-industry sector (iron and steel, cement, aluminium, chemicals, …)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CountryGroup(models.Model):
    """A region (e.g. a UN region) or a group of countries (G20, EU), kept as data so that
    nothing is hard-coded. Groups derived from other apps' data (LeadIT member countries)
    are registered in ``tracker.groups`` instead."""

    class Kind(models.TextChoices):
        REGION = "region", "Region"
        GROUP = "group", "Country group"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class CountryGroupMembership(models.Model):
    group = models.ForeignKey(CountryGroup, on_delete=models.CASCADE, related_name="memberships")
    country = CountryField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "country"]
        constraints = [
            models.UniqueConstraint(fields=["group", "country"], name="group_country_unique"),
        ]
        indexes = [models.Index(fields=["country"])]

    def __str__(self) -> str:
        return f"{self.country.name} in {self.group}"


class PolicyInstrument(models.Model):
    """Carbon pricing, contracts for difference, green public procurement, …"""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# /technology/<slug>/ is one technology's page, after the technology catalogue's own path
# words: a technology with one of these slugs could never be reached there.
TECHNOLOGY_RESERVED_SLUGS = frozenset(
    {"solutions", "projects", "programmes", "guidelines", "introductions", "mine", "export"}
)


class Technology(models.Model):
    """H2-DRI, CCUS, electrification, alternative fuels, clinker substitution, …"""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "technologies"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # In clean(), not a field validator: a validator would need a migration.
        super().clean()
        if self.slug in TECHNOLOGY_RESERVED_SLUGS:
            raise ValidationError(
                {
                    "slug": f"“{self.slug}” is taken by a page of the technology catalogue "
                    f"(/technology/{self.slug}/); choose another slug, e.g. "
                    f"“{self.slug}-technology”."
                }
            )


class RoadmapQuerySet(models.QuerySet):
    def current(self):
        return self.exclude(status=Roadmap.Status.SUPERSEDED)

    def factual(self):
        """Roadmaps that describe a real document (not invented demo records)."""
        return self.filter(is_demo=False)


class Roadmap(models.Model):
    class Scope(models.TextChoices):
        NATIONAL = "national", "National"
        REGIONAL = "regional", "Regional"
        GLOBAL = "global", "Global"
        SECTORAL = "sectoral", "Sectoral"
        COMPANY = "company", "Company"

    class Status(models.TextChoices):
        ANNOUNCED = "announced", "Announced"
        IN_PREPARATION = "in_preparation", "In preparation"
        ADOPTED = "adopted", "Adopted"
        IN_IMPLEMENTATION = "in_implementation", "In implementation"
        SUPERSEDED = "superseded", "Superseded"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    scope = models.CharField(max_length=10, choices=Scope)
    country = CountryField(blank=True, help_text="National and company roadmaps.")
    region = models.ForeignKey(
        CountryGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roadmaps",
        help_text="Regional roadmaps.",
    )
    publisher = models.CharField("publisher or authors", max_length=300)
    published_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    sectors = models.ManyToManyField(Sector, blank=True, related_name="roadmaps")
    summary = models.TextField(blank=True, help_text="Markdown.")
    document_url = models.URLField(blank=True, max_length=500)
    language = models.CharField(max_length=50, blank=True, help_text="e.g. English")
    instruments = models.ManyToManyField(
        PolicyInstrument, blank=True, related_name="roadmaps", verbose_name="policy instruments"
    )
    last_reviewed_on = models.DateField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(
        "demo record (invented)",
        default=False,
        db_index=True,
        help_text="An invented record that shows how the Tracker works, not a real document. "
        "It is labelled wherever it appears and never counts towards a country's coverage.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoadmapQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sectors, instruments])

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope__in=["national", "company"]) | ~Q(country=""),
                name="roadmap_national_has_country",
            ),
            models.CheckConstraint(
                condition=~Q(scope="regional") | Q(region__isnull=False),
                name="roadmap_regional_has_region",
            ),
            models.CheckConstraint(
                condition=~Q(superseded_by=F("pk")), name="roadmap_not_superseded_by_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["scope", "status"]),
            models.Index(fields=["country"]),
            models.Index(fields=["published_on"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tracker:roadmap", kwargs={"slug": self.slug})


class RoadmapLever(models.Model):
    """A lever the roadmap pulls (technology, policy, finance, …), with a milestone year."""

    class Lever(models.TextChoices):
        TECHNOLOGY = "technology", "Technology"
        POLICY = "policy", "Policy"
        FINANCE = "finance", "Finance"
        DEMAND = "demand", "Demand"
        INFRASTRUCTURE = "infrastructure", "Infrastructure"
        JUST_TRANSITION = "just_transition", "Just transition"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="levers")
    lever = models.CharField(max_length=20, choices=Lever)
    description = models.TextField(blank=True)
    technologies = models.ManyToManyField(
        Technology,
        blank=True,
        related_name="roadmap_levers",
        help_text="The technologies the lever calls for (the technology pages list them).",
    )
    milestone_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=YEAR_VALIDATORS
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["roadmap", "lever", "milestone_year"]

    def __str__(self) -> str:
        year = f" by {self.milestone_year}" if self.milestone_year else ""
        return f"{self.get_lever_display()}{year}"


class Source(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(max_length=500)
    title = models.CharField(max_length=300)
    accessed_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["roadmap", "title"]

    def __str__(self) -> str:
        return self.title


class Target(models.Model):
    class Kind(models.TextChoices):
        NET_ZERO = "net_zero", "Net zero"
        ABSOLUTE = "absolute", "Absolute reduction"
        INTENSITY = "intensity", "Intensity"
        PRODUCTION_SHARE = "production_share", "Production share"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        # The ladder, from weakest to strongest; ``STATUS_RANK`` orders it.
        PROPOSED = "proposed", "Proposed"
        PLEDGE = "pledge", "Pledge"
        POLICY_DOCUMENT = "policy_document", "In policy document"
        LAW = "law", "In law"
        ACHIEVED = "achieved", "Achieved"

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, null=True, blank=True, related_name="targets"
    )
    country = CountryField(blank=True)
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        help_text="Blank for an economy-wide target.",
    )
    kind = models.CharField(max_length=20, choices=Kind)
    description = models.CharField(max_length=300, blank=True)
    base_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR_VALIDATORS)
    target_year = models.PositiveSmallIntegerField(validators=YEAR_VALIDATORS)
    value = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=50, blank=True, help_text="e.g. %, Mt CO2e")
    status = models.CharField(max_length=20, choices=Status)
    end_target = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interim_targets",
        help_text="For an interim target: the end target it leads to.",
    )
    # Where the target is written down: for a target without a roadmap (e.g. a country's
    # economy-wide net-zero target set in a law), or to name the exact text of a roadmap's.
    source_publisher = models.CharField(max_length=300, blank=True)
    source_title = models.CharField("source document", max_length=300, blank=True)
    source_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=YEAR_VALIDATORS
    )
    source_url = models.URLField(max_length=500, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["target_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(roadmap__isnull=False) | ~Q(country=""),
                name="target_has_roadmap_or_country",
            ),
            models.CheckConstraint(
                condition=Q(base_year__isnull=True) | Q(target_year__gte=F("base_year")),
                name="target_year_not_before_base_year",
            ),
            models.CheckConstraint(
                condition=Q(target_year__gte=1990, target_year__lte=2100),
                name="target_year_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "target_year"]),
            models.Index(fields=["country"]),
        ]

    def __str__(self) -> str:
        what = self.sector.name if self.sector_id else "Economy-wide"
        return f"{what}: {self.get_kind_display()} by {self.target_year}"

    @property
    def source_citation(self) -> str:
        """ "Publisher, Document title (2021)", or "" when no source is recorded."""
        return source_citation(self.source_publisher, self.source_title, self.source_year)


def source_citation(publisher: str, title: str, year: int | None) -> str:
    text = ", ".join(part for part in (publisher, title) if part)
    if year:
        text = f"{text} ({year})" if text else str(year)
    return text


STATUS_RANK = {status: rank for rank, status in enumerate(Target.Status.values)}


class IndustrialProject(models.Model):
    """A plant or project (green steel, cement, …), e.g. from GEM's Global Iron and Steel
    Tracker."""

    class Status(models.TextChoices):
        ANNOUNCED = "announced", "Announced"
        CONSTRUCTION = "construction", "Under construction"
        OPERATING = "operating", "Operating"
        OPERATING_PRE_RETIREMENT = "operating_pre_retirement", "Operating, pre-retirement"
        MOTHBALLED = "mothballed", "Mothballed"
        RETIRED = "retired", "Retired"
        CANCELLED = "cancelled", "Cancelled"

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    owner = models.CharField(max_length=500, blank=True)
    parent = models.CharField("parent company", max_length=500, blank=True)
    country = CountryField()
    location = models.CharField(max_length=200, blank=True, help_text="Province, state, city.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    coordinate_accuracy = models.CharField(max_length=50, blank=True)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="projects")
    technologies = models.ManyToManyField(Technology, blank=True, related_name="projects")
    production_equipment = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=30, choices=Status)
    start_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    external_id = models.CharField(max_length=50, blank=True)
    source = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[technologies])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="project_external_id_unique_per_source",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="project_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="project_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["country", "status"]),
            models.Index(fields=["sector", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tracker:project", kwargs={"slug": self.slug})


class ProjectCapacity(models.Model):
    """One capacity figure of a project, e.g. 2,000 thousand tonnes a year of crude steel,
    operating."""

    project = models.ForeignKey(
        IndustrialProject, on_delete=models.CASCADE, related_name="capacities"
    )
    product = models.CharField(max_length=50, help_text="e.g. crude steel, iron, DRI, EAF")
    status = models.CharField(max_length=30, choices=IndustrialProject.Status)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    unit = models.CharField(max_length=30, default="ttpa", help_text="ttpa: thousand t a year")

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "product", "status"]
        verbose_name_plural = "project capacities"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "product", "status"], name="capacity_unique"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="capacity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.unit} {self.product} ({self.get_status_display()})"


class GuideStep(models.Model):
    """A step of the interactive how-to roadmap guide."""

    order = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    body = models.TextField(help_text="Markdown.")
    checklist = models.TextField(blank=True, help_text="One checklist item per line.")
    resources = models.TextField(
        blank=True, help_text="One resource per line: title | https://address"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]

    @property
    def resource_links(self) -> list[tuple[str, str]]:
        links = []
        for line in self.resources.splitlines():
            title, _, url = line.partition("|")
            if url.strip().startswith(("http://", "https://")):
                links.append((title.strip(), url.strip()))
        return links
