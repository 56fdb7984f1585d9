"""The home page's "LeadIT in numbers" for partnerships: partnerships, open requests, US
dollars committed and projects past financial close. Public, real records only: records
with members' or secretariat visibility never count, and invented demo records are left
out (the note says how many partnerships are demo)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, Sum
from django.urls import reverse

from leadit.home import HomeNumber, home_depends_on, register_home_numbers

from .models import Partnership, PipelineProject, SupportCommitment, SupportRequest

# The stages a project has passed its final investment decision in.
PAST_FID = (
    PipelineProject.Stage.FINANCIAL_CLOSE,
    PipelineProject.Stage.CONSTRUCTION,
    PipelineProject.Stage.OPERATING,
)
COMMITTED = (SupportCommitment.Status.AGREED, SupportCommitment.Status.DELIVERED)
MILLION = Decimal(1_000_000)


def partnership_numbers() -> list[HomeNumber]:
    """Four figures in four queries, whatever the data size."""
    public = AnonymousUser()
    partnerships = Partnership.objects.aggregate(
        real=Count("pk", filter=Q(is_demo=False)), demo=Count("pk", filter=Q(is_demo=True))
    )
    open_requests = (
        SupportRequest.objects.visible_to(public)
        .filter(is_demo=False, status=SupportRequest.Status.OPEN)
        .count()
    )
    committed = SupportCommitment.objects.visible_to(public).filter(
        is_demo=False, status__in=COMMITTED
    ).aggregate(usd=Sum("amount_usd"))["usd"] or Decimal(0)
    past_fid = (
        PipelineProject.objects.visible_to(public).filter(is_demo=False, stage__in=PAST_FID).count()
    )
    demo = partnerships["demo"]
    note = (
        f"{demo} demo partnership{'s' if demo != 1 else ''} (invented) not counted." if demo else ""
    )
    overview = reverse("partnerships:index")
    return [
        HomeNumber(
            value=partnerships["real"],
            label=f"industry transition partnership{'' if partnerships['real'] == 1 else 's'}",
            url=overview,
            note=note,
        ),
        HomeNumber(
            value=open_requests,
            label="open requests for support",
            url=reverse("partnerships:needs") + "?status=open",
        ),
        HomeNumber(
            value=int((committed / MILLION).to_integral_value()),
            label="million US dollars committed (agreed or delivered)",
            url=overview,
            note="At the secretariat's dated exchange rates.",
        ),
        HomeNumber(
            value=past_fid,
            label="pipeline projects past financial close",
            url=reverse("partnerships:pipeline"),
        ),
    ]


def register() -> None:
    register_home_numbers(key="partnerships", compute=partnership_numbers, order=30)
    home_depends_on([Partnership, SupportRequest, SupportCommitment, PipelineProject])
