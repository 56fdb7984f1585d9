"""What the technology records share: the TRL scale, who may see and keep a record."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from partnerships.models import Visibility
from partnerships.models.common import (
    VisibleQuerySet,
    demo_field,
    is_signed_in,
    visibility_field,
)

# Technology readiness levels as the IEA Clean Energy Technology Guide uses them (1 = basic
# principles observed … 9 = commercial operation in the relevant environment).
TRL_MIN, TRL_MAX = 1, 9
TRL_VALIDATORS = [MinValueValidator(TRL_MIN), MaxValueValidator(TRL_MAX)]
TRL_LABELS = {
    1: "Initial idea: basic principles defined",
    2: "Application formulated",
    3: "Concept needs validation",
    4: "Early prototype",
    5: "Large prototype",
    6: "Full prototype at scale",
    7: "Pre-commercial demonstration",
    8: "First of a kind commercial",
    9: "Commercial operation in relevant environment",
}
TRL_CHOICES = [(level, f"TRL {level} — {label}") for level, label in TRL_LABELS.items()]


def trl_field(verbose_name: str, **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name, choices=TRL_CHOICES, validators=TRL_VALIDATORS, **kwargs
    )


def trl_in_range(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": TRL_MIN, f"{field}__lte": TRL_MAX}),
        name=name,
    )


def one_provider(name: str) -> models.CheckConstraint:
    """A record kept by exactly one of a member or a partner institution."""
    return models.CheckConstraint(
        condition=Q(member__isnull=True) ^ Q(institution__isnull=True), name=name
    )


class MemberKeptQuerySet(VisibleQuerySet):
    """Records with a ``visibility`` that a member's editors keep (through
    ``member_path``) and see whatever their visibility; partner institutions' records are
    kept by the secretariat."""

    member_path = "member"

    def own_records(self, user) -> Q:
        return Q(**{f"{self.member_path}__in": user.member_roles.values("member")})

    def editable_by(self, user):
        """Staff: all; a member's editors: their member's records; anyone else: none."""
        if not is_signed_in(user):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(self.own_records(user))


__all__ = [
    "TRL_CHOICES",
    "TRL_LABELS",
    "TRL_MAX",
    "TRL_MIN",
    "MemberKeptQuerySet",
    "Visibility",
    "demo_field",
    "is_signed_in",
    "one_provider",
    "trl_field",
    "trl_in_range",
    "visibility_field",
]
