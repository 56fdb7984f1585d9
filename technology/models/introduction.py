"""Introductions: a member editor or a focal point asks to be put in touch about a solution
or a technology need; contact details are shared only once both sides have accepted."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .common import is_signed_in
from .solution import TechnologySolution


class IntroductionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Introduction.Status.PENDING)

    def involving(self, user):
        """Introductions ``user`` asked for or must answer (staff: all of them)."""
        if not is_signed_in(user):
            return self.none()
        if user.is_staff:
            return self.all()
        members = user.member_roles.values("member")
        partnerships = user.focal_points.values("partnership")
        return self.filter(
            Q(requester_member__in=members)
            | Q(requester_partnership__in=partnerships)
            | Q(solution__member__in=members)
            | Q(need__partnership__in=partnerships)
        )

    def answerable_by(self, user):
        """Introductions whose other side ``user`` speaks for: a solution's member's editors,
        a need's focal points, and the secretariat for partner institutions' solutions
        (which have no editors in the portal)."""
        if not is_signed_in(user):
            return self.none()
        answerable = Q(solution__member__in=user.member_roles.values("member")) | Q(
            need__partnership__in=user.focal_points.values("partnership")
        )
        if user.is_staff:
            answerable |= Q(solution__institution__isnull=False)
        return self.filter(answerable)


class Introduction(models.Model):
    """One request to be introduced, from a member or a partnership, about one solution or
    one technology need."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted: contacts shared"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requester_member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="introductions_asked",
    )
    requester_partnership = models.ForeignKey(
        "partnerships.Partnership",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="introductions_asked",
    )
    solution = models.ForeignKey(
        TechnologySolution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="introductions",
    )
    need = models.ForeignKey(
        "partnerships.SupportRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="introductions",
    )
    message = models.TextField(help_text="Why you would like to be introduced.")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer_note = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IntroductionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requester_member__isnull=True) ^ Q(requester_partnership__isnull=True),
                name="introduction_one_requester",
            ),
            models.CheckConstraint(
                condition=Q(solution__isnull=True) ^ Q(need__isnull=True),
                name="introduction_one_subject",
            ),
            # Asking twice while the first is unanswered: one pending per requester and
            # subject (NULLs are distinct, so each pair of columns has its own constraint).
            models.UniqueConstraint(
                fields=["requester_member", "solution"],
                condition=Q(status="pending"),
                name="introduction_member_solution_one_pending",
            ),
            models.UniqueConstraint(
                fields=["requester_member", "need"],
                condition=Q(status="pending"),
                name="introduction_member_need_one_pending",
            ),
            models.UniqueConstraint(
                fields=["requester_partnership", "solution"],
                condition=Q(status="pending"),
                name="introduction_partnership_solution_one_pending",
            ),
            models.UniqueConstraint(
                fields=["requester_partnership", "need"],
                condition=Q(status="pending"),
                name="introduction_partnership_need_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(status="withdrawn")
                | Q(answered_at__isnull=False),
                name="introduction_answer_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["requested_by", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Introduction of {self.requester} to {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("technology:introduction", kwargs={"pk": self.pk})

    @property
    def requester(self):
        return self.requester_member or self.requester_partnership

    @property
    def subject(self):
        return self.solution or self.need

    @property
    def other_side(self):
        """Who answers: the solution's provider or the need's partnership."""
        if self.solution_id:
            return self.solution.provider
        return self.need.partnership

    @property
    def contacts_shared(self) -> bool:
        return self.status == self.Status.ACCEPTED
