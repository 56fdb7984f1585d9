"""Needs, offers and the commitments that match them."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .common import (
    AMOUNT,
    Money,
    PartnerInstitution,
    SupportKind,
    VisibleQuerySet,
    demo_field,
    is_signed_in,
    non_negative,
    visibility_field,
)
from .partnership import Partnership


class SupportRequestQuerySet(VisibleQuerySet):
    pass


class SupportCommitmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A commitment is as visible as the request it answers."""
        return self.filter(request__in=SupportRequest.objects.visible_to(user))

    def editable_by(self, user):
        """Staff: all; a member's editors: their member's commitments."""
        if not is_signed_in(user):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(member__roles__user=user)


class SupportOfferQuerySet(VisibleQuerySet):
    """Offers belong to a member or an institution, not to a partnership: a member's
    editors keep its offers; institutions' offers are kept by the secretariat."""

    partnership_path = ""

    def editable_by(self, user):
        if not is_signed_in(user):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(member__roles__user=user)

    def open_on(self, day):
        return self.filter(
            Q(opens_on__isnull=True) | Q(opens_on__lte=day),
            Q(closes_on__isnull=True) | Q(closes_on__gte=day),
        )


class SupportRequest(Money):
    """A need of a partnership (or of a member company in it)."""

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PARTLY_SUPPORTED = "partly_supported", "Partly supported"
        SUPPORTED = "supported", "Supported"
        CLOSED = "closed", "Closed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="support_requests"
    )
    requesting_member = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_requests",
        help_text="A member company in the partnership that asks, if not the partnership.",
    )
    title = models.CharField(max_length=200)
    sectors = models.ManyToManyField("tracker.Sector", related_name="support_requests")
    kind = models.CharField(max_length=20, choices=SupportKind, db_index=True)
    technologies = models.ManyToManyField(
        "tracker.Technology",
        blank=True,
        related_name="support_requests",
        help_text="For a technology need: the technologies it asks for.",
    )
    description = models.TextField(help_text="Markdown.")
    amount = models.DecimalField(
        "estimated amount", **AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    amount_usd = models.DecimalField("estimated amount (USD)", **AMOUNT, null=True, blank=True)
    priority = models.CharField(max_length=6, choices=Priority, default=Priority.MEDIUM)
    status = models.CharField(max_length=16, choices=Status, default=Status.OPEN, db_index=True)
    visibility = visibility_field()
    is_demo = demo_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupportRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            non_negative("amount", "support_request_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(currency=""),
                name="support_request_amount_has_currency",
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "status"]),
            models.Index(fields=["partnership", "status"]),
            models.Index(fields=["amount_usd"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("partnerships:need", kwargs={"pk": self.pk})


class SupportOffer(Money):
    """Technical or financial assistance a member or a partner institution offers."""

    class Instrument(models.TextChoices):
        GRANT = "grant", "Grant"
        CONCESSIONAL_LOAN = "concessional_loan", "Concessional loan"
        GUARANTEE = "guarantee", "Guarantee"
        EQUITY = "equity", "Equity"
        TECHNICAL_ASSISTANCE = "technical_assistance", "Technical assistance"
        IN_KIND = "in_kind", "Expertise in kind"

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_offers",
    )
    institution = models.ForeignKey(
        PartnerInstitution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_offers",
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SupportKind, db_index=True)
    sectors = models.ManyToManyField("tracker.Sector", related_name="support_offers")
    description = models.TextField(help_text="Markdown.")
    instrument = models.CharField(max_length=20, choices=Instrument)
    open_to_all_countries = models.BooleanField(
        default=False, help_text="Any emerging or developing economy may ask."
    )
    eligible_groups = models.ManyToManyField(
        "tracker.CountryGroup", blank=True, related_name="support_offers"
    )
    amount_min = models.DecimalField(**AMOUNT, null=True, blank=True)
    amount_max = models.DecimalField(**AMOUNT, null=True, blank=True)
    amount_min_usd = models.DecimalField(**AMOUNT, null=True, blank=True)
    amount_max_usd = models.DecimalField(**AMOUNT, null=True, blank=True)
    opens_on = models.DateField("open from", null=True, blank=True)
    closes_on = models.DateField("open until", null=True, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True, help_text="Shown to members only.")
    visibility = visibility_field()
    is_demo = demo_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupportOfferQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True) ^ Q(institution__isnull=True),
                name="support_offer_one_provider",
            ),
            non_negative("amount_min", "support_offer_min_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True)
                | Q(amount_max__isnull=True)
                | Q(amount_max__gte=F("amount_min")),
                name="support_offer_range_in_order",
            ),
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True)
                | Q(closes_on__isnull=True)
                | Q(closes_on__gte=F("opens_on")),
                name="support_offer_window_in_order",
            ),
            models.CheckConstraint(
                condition=(Q(amount_min__isnull=True) & Q(amount_max__isnull=True))
                | ~Q(currency=""),
                name="support_offer_amount_has_currency",
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "kind"]),
            models.Index(fields=["closes_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("partnerships:offer", kwargs={"pk": self.pk})

    @property
    def provider(self):
        return self.member or self.institution


class OfferCountry(models.Model):
    """A country an offer is open to, beyond its groups."""

    offer = models.ForeignKey(
        SupportOffer, on_delete=models.CASCADE, related_name="eligible_countries"
    )
    country = CountryField()

    class Meta:
        ordering = ["offer", "country"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "country"], name="offer_country_once"),
        ]
        indexes = [models.Index(fields=["country"])]

    def __str__(self) -> str:
        return f"{self.offer} — {self.country.name}"


class SupportCommitment(Money):
    """A supporter's answer to a request (the match between an offer and a need)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        IN_DISCUSSION = "in_discussion", "In discussion"
        AGREED = "agreed", "Agreed"
        DELIVERED = "delivered", "Delivered"
        DECLINED = "declined", "Declined"

    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="commitments"
    )
    offer = models.ForeignKey(
        SupportOffer, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_commitments",
    )
    institution = models.ForeignKey(
        PartnerInstitution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_commitments",
    )
    status = models.CharField(max_length=14, choices=Status, default=Status.PROPOSED)
    amount = models.DecimalField("amount committed", **AMOUNT, null=True, blank=True)
    amount_usd = models.DecimalField("amount committed (USD)", **AMOUNT, null=True, blank=True)
    note = models.TextField(blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_on = models.DateField()
    agreed_on = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    is_demo = demo_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupportCommitmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True) ^ Q(institution__isnull=True),
                name="support_commitment_one_supporter",
            ),
            non_negative("amount", "support_commitment_amount_not_negative"),
            # "We can help" twice: one live commitment per supporter and request.
            models.UniqueConstraint(
                fields=["request", "member"],
                condition=~Q(status="declined") & Q(member__isnull=False),
                name="support_commitment_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["request", "institution"],
                condition=~Q(status="declined") & Q(institution__isnull=False),
                name="support_commitment_once_per_institution",
            ),
        ]
        indexes = [models.Index(fields=["request", "status"])]

    def __str__(self) -> str:
        return f"{self.supporter} → {self.request}"

    @property
    def supporter(self):
        return self.member or self.institution
