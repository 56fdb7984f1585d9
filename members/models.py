"""LeadIT's members (countries and companies), the people who keep their pages, what they
commit to and how they report progress."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from leadit.invitations import InvitationState, invitation_state

from .validators import validate_logo

# Fixed addresses under /members/ that come before a member's ``<slug>/`` (members/urls.py).
RESERVED_MEMBER_SLUGS = frozenset({"milestones", "dashboard", "invitations"})


class MemberQuerySet(models.QuerySet):
    def public(self):
        """Members shown on the public site: current and former, never prospective."""
        return self.exclude(status=Member.Status.PROSPECTIVE)

    def due_to_report(self, on):
        """Members expected to report for a milestone held ``on`` (a date or an expression):
        the active ones that had joined by then (a member whose joining date is not
        recorded counts as due). The milestone report, the newsletter section and the
        workplan metrics all count with this."""
        return self.filter(status=Member.Status.ACTIVE).filter(
            Q(joined_on__isnull=True) | Q(joined_on__lte=on)
        )

    def edited_by(self, user):
        """The members this user is an editor of (a ``MembershipRole``), staff included:
        those they speak for, e.g. when registering delegates for an event."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(roles__user=user)

    def editable_by(self, user):
        """The members this user may edit: staff, all; an editor, their own; else none."""
        if user.is_authenticated and user.is_active and user.is_staff:
            return self.all()
        return self.edited_by(user)


class Member(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        COMPANY = "company", "Company"

    class EconomyGroup(models.TextChoices):
        DEVELOPED = "developed", "Developed economy"
        DEVELOPING = "developing", "Developing or emerging economy"

    class Status(models.TextChoices):
        PROSPECTIVE = "prospective", "Prospective"
        ACTIVE = "active", "Active"
        FORMER = "former", "Former"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind)
    country = CountryField(help_text="A country member's own country; a company's headquarters.")
    economy_group = models.CharField(
        max_length=12,
        choices=EconomyGroup,
        blank=True,
        help_text="Countries only: the 2021 objectives count new members of each group.",
    )
    sectors = models.ManyToManyField(
        "tracker.Sector", blank=True, related_name="members", help_text="Companies' sectors."
    )
    logo = models.ImageField(
        upload_to="members/logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"]), validate_logo],
        help_text="PNG, JPEG or WebP, at most 1 MB. SVG is not accepted.",
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    joined_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.ACTIVE)
    contact_details_public = models.BooleanField(
        default=False, help_text="Show the primary contact on the public profile."
    )
    is_demo = models.BooleanField(
        "demo record",
        default=False,
        help_text="An invented organisation of the demo data; labelled “Demo record "
        "(invented)” wherever it appears.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sectors])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="country") | Q(economy_group=""),
                name="member_economy_group_only_for_countries",
            ),
            models.UniqueConstraint(fields=["name"], name="member_name_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["country"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_MEMBER_SLUGS:
            raise ValidationError(
                {"slug": f"“{self.slug}” is the address of another page under /members/."}
            )


class Contact(models.Model):
    """The secretariat's address book: people at a member organisation."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    role_title = models.CharField("role or title", max_length=200, blank=True)
    is_primary = models.BooleanField("primary contact", default=False)
    receives_newsletter = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(fields=["member", "email"], name="contact_unique_per_member"),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.member})"


class MembershipRole(models.Model):
    """Links a user account to a member it may edit. A user may edit several members."""

    class Role(models.TextChoices):
        EDITOR = "editor", "Editor"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_roles"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=10, choices=Role, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "member"], name="role_unique_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.member}"


class Invitation(models.Model):
    """An e-mailed, one-time, expiring link that makes its holder an editor of a member.

    Only the SHA-256 of the key is stored: the database never holds a usable link.
    """

    State = InvitationState

    email = models.EmailField()
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(
        max_length=10, choices=MembershipRole.Role, default=MembershipRole.Role.EDITOR
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
            # One open invitation per address and member: resend it instead.
            models.UniqueConstraint(
                fields=["member", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_member_and_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.member}"

    @property
    def state(self) -> str:
        return invitation_state(self)

    @property
    def is_usable(self) -> bool:
        return self.state == self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label


class Pillar(models.Model):
    """One of the three LeadIT 2.0 pillars of work (2024–26)."""

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, help_text="Markdown.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class PillarEngagement(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        PARTICIPANT = "participant", "Participant"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="pillar_engagements")
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="engagements")
    role = models.CharField(max_length=12, choices=Role, default=Role.PARTICIPANT)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "pillar"]
        constraints = [
            models.UniqueConstraint(fields=["member", "pillar"], name="engagement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_role_display()} in pillar {self.pillar.number}"


class Commitment(models.Model):
    """The catalogue of what every member commits to (LeadIT 2.0 mission statement)."""

    class Category(models.TextChoices):
        SUPPORT = "support", "Support industry transitions"
        ENGAGE = "engage", "Engage on industry transitions"
        PROMOTE = "promote", "Promote industry transitions"

    category = models.CharField(max_length=10, choices=Category)
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "text"], name="commitment_unique_text"),
        ]

    def __str__(self) -> str:
        return self.text


class MemberCommitment(models.Model):
    class Status(models.TextChoices):
        # Nothing known yet: the member has not reported on it. Never "not started",
        # which is a statement about the member.
        NOT_REPORTED = "not_reported", "Not reported"
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        MET = "met", "Met"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="commitments")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status, default=Status.NOT_REPORTED)
    evidence = models.TextField(blank=True, help_text="Markdown.")
    evidence_links = models.TextField(blank=True, help_text="One web address per line.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "commitment__order", "commitment__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "commitment"], name="member_commitment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.commitment} ({self.get_status_display()})"

    @property
    def links(self) -> list[str]:
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]


class ProgressUpdateQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ProgressUpdate.Status.PUBLISHED)

    def editable_by(self, user):
        return self.filter(member__in=Member.objects.editable_by(user))


class ProgressUpdate(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        HIDDEN = "hidden", "Hidden by the secretariat"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="progress_updates")
    milestone = models.ForeignKey(
        "Milestone", on_delete=models.SET_NULL, null=True, blank=True, related_name="updates"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    hidden_reason = models.TextField(blank=True)
    hidden_at = models.DateTimeField(
        null=True, blank=True, help_text="When the secretariat last hid this update."
    )
    edited_since_hidden_at = models.DateTimeField(
        "edited since hidden",
        null=True,
        blank=True,
        help_text="When the member last edited this update after it was hidden (for review).",
    )
    is_demo = models.BooleanField(
        "demo record", default=False, help_text="Invented demo content, labelled as such."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    pillars = models.ManyToManyField(
        Pillar, blank=True, related_name="updates", help_text="The pillars it reports on."
    )
    commitments = models.ManyToManyField(
        MemberCommitment,
        through="ReportedCommitment",
        blank=True,
        related_name="updates",
        help_text="The member's commitments it reports on.",
    )

    objects = ProgressUpdateQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[pillars])

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="progress_update_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="hidden") | ~Q(hidden_reason=""),
                name="progress_update_hidden_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status"]),
            models.Index(fields=["status", "published_at"]),
            models.Index(fields=["milestone", "status"]),
        ]

    def __str__(self) -> str:
        return self.title


class ReportedCommitment(models.Model):
    """One commitment an update reports on, with the status it reported (the update's save
    also sets the commitment's status, whose history keeps every change)."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="reported_commitments"
    )
    member_commitment = models.ForeignKey(
        MemberCommitment, on_delete=models.CASCADE, related_name="reports"
    )
    status = models.CharField(max_length=12, choices=MemberCommitment.Status)

    history = HistoricalRecords()

    class Meta:
        ordering = ["update", "member_commitment__commitment__order", "member_commitment__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "member_commitment"], name="reported_commitment_once_per_update"
            ),
            models.CheckConstraint(
                condition=~Q(status="not_reported"),
                name="reported_commitment_has_a_status",
                violation_error_message="A commitment an update reports on has a status.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.update}: {self.member_commitment.commitment} ({self.get_status_display()})"


class ImpactStoryQuerySet(models.QuerySet):
    def editable_by(self, user):
        return self.filter(member__in=Member.objects.editable_by(user))


class ImpactStory(models.Model):
    """Monitoring, evaluation and learning: where LeadIT's work changed what a member did."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="impact_stories")
    title = models.CharField(max_length=200)
    what_changed = models.TextField(help_text="Markdown.")
    leadit_contribution = models.TextField("LeadIT's contribution", help_text="Markdown.")
    date = models.DateField()
    evidence_link = models.URLField(blank=True)
    is_published = models.BooleanField(default=False)
    is_demo = models.BooleanField(
        "demo record", default=False, help_text="Invented demo content, labelled as such."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImpactStoryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name_plural = "impact stories"
        indexes = [models.Index(fields=["member", "is_published"])]

    def __str__(self) -> str:
        return self.title


# The milestones members report at, their reminders and progress-report PDFs (a module of
# their own for size; models of this app all the same).
from .models_milestones import (  # noqa: E402, F401 - re-exported
    DEFAULT_REMINDER_DAYS,
    Milestone,
    MilestoneReminder,
    MilestoneReminderStep,
    MilestoneReport,
)
