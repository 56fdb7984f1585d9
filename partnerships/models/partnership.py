"""A partnership, its stage ladder, focal points, plan and the files made of it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .common import demo_field, is_signed_in


class PartnershipQuerySet(models.QuerySet):
    def editable_by(self, user):
        """Staff: every partnership; a focal point: their own; anyone else: none."""
        if not is_signed_in(user):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(focal_points__user=user)


class Partnership(models.Model):
    """An industry transition partnership with one partner country."""

    class Stage(models.TextChoices):
        EXPRESSION_OF_INTEREST = "interest", "Expression of interest"
        SCOPING = "scoping", "Scoping"
        CONSOLIDATED_RESPONSE = "response", "Consolidated response"
        PLAN_AGREED = "plan_agreed", "Plan agreed"
        IN_IMPLEMENTATION = "implementation", "In implementation"
        CONCLUDED = "concluded", "Concluded"

    country = CountryField(unique=True, help_text="The partner country.")
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="Markdown.")
    lead_members = models.ManyToManyField(
        "members.Member", blank=True, related_name="partnerships_led"
    )
    supporting_members = models.ManyToManyField(
        "members.Member", blank=True, related_name="partnerships_supported"
    )
    stage = models.CharField(max_length=14, choices=Stage, default=Stage.EXPRESSION_OF_INTEREST)
    stage_since = models.DateField(help_text="When the partnership reached its current stage.")
    is_demo = demo_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["country"]
        indexes = [models.Index(fields=["stage"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:partnership", kwargs={"iso2": self.country.code.lower()})

    @classmethod
    def stage_rank(cls, stage: str) -> int:
        return list(cls.Stage.values).index(stage)


class PartnershipStageChange(models.Model):
    """One step on the partnership's stage ladder; a step back carries its reason."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField(max_length=14, choices=Partnership.Stage)
    changed_on = models.DateField()
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["partnership", "changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.get_stage_display()} on {self.changed_on}"


class PartnershipSource(models.Model):
    """Where a partnership's public facts come from."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["partnership", "published_on", "title"]

    def __str__(self) -> str:
        return self.title


class FocalPoint(models.Model):
    """A user account that keeps one partnership's requests, plan values and projects."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="focal_points"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="focal_points"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership"], name="focal_point_once_per_partnership"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — focal point of {self.partnership}"


class Outcome(models.Model):
    """An outcome of the partnership plan with its indicator, baseline and target."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="outcomes")
    title = models.CharField(max_length=300)
    indicator = models.CharField(max_length=300)
    unit = models.CharField(max_length=50, blank=True)
    baseline = models.DecimalField(max_digits=16, decimal_places=2)
    baseline_year = models.PositiveSmallIntegerField()
    target = models.DecimalField(max_digits=16, decimal_places=2)
    target_year = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_year__gte=F("baseline_year")),
                name="outcome_target_not_before_baseline",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OutcomeMeasurement(models.Model):
    """A dated measured value of an outcome's indicator."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["outcome", "measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "measured_on"], name="outcome_measurement_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.value} on {self.measured_on}"


class FocalPointInvitation(models.Model):
    """An e-mailed, one-time, expiring link that makes its holder a focal point of one
    partnership (as members' invitations make editors). Only the key's SHA-256 is kept."""

    email = models.EmailField()
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="invitations"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="focal_invitation_not_both_accepted_and_revoked",
            ),
            models.UniqueConstraint(
                fields=["partnership", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="focal_invitation_one_open_per_partnership_and_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.partnership}"


class Factsheet(models.Model):
    """A partnership factsheet PDF, rendered on demand by a worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERED = "rendered", "Rendered"
        FAILED = "failed", "Failed"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="factsheets"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    pdf = models.FileField(upload_to="partnerships/factsheets/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["partnership", "-requested_at"])]

    def __str__(self) -> str:
        return f"Factsheet of {self.partnership} ({self.requested_at:%Y-%m-%d %H:%M})"


class SecretariatDigest(models.Model):
    """The weekly digest for one ISO week: one row, so a week is never sent twice."""

    week_start = models.DateField(unique=True, help_text="The Monday of the week covered.")
    sent_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"Partnerships digest of the week of {self.week_start}"
