import datetime

import factory
from django.utils import timezone
from django.utils.text import slugify

from members.models import (
    Commitment,
    Contact,
    ImpactStory,
    Member,
    MemberCommitment,
    MembershipRole,
    Milestone,
    MilestoneReminder,
    MilestoneReminderStep,
    Pillar,
    PillarEngagement,
    ProgressUpdate,
    ReportedCommitment,
)
from tests.factories.users import UserFactory
from tracker.models import Sector


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Sector {n}")
    slug = factory.Sequence(lambda n: f"sector-{n}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"Demo Member {n}")
    slug = factory.Sequence(lambda n: f"demo-member-{n}")
    kind = Member.Kind.COUNTRY
    country = "SE"
    economy_group = Member.EconomyGroup.DEVELOPED
    status = Member.Status.ACTIVE
    joined_on = datetime.date(2021, 6, 1)
    description = "A demo member."


class CompanyMemberFactory(MemberFactory):
    kind = Member.Kind.COMPANY
    economy_group = ""


class EditorFactory(UserFactory):
    """A user who is an editor of ``member`` (a new member unless given)."""

    @factory.post_generation
    def member(self, create, extracted, **kwargs):
        if create:
            self.member = extracted or MemberFactory()
            MembershipRole.objects.create(user=self, member=self.member)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    member = factory.SubFactory(MemberFactory)
    name = "Robin Contact"
    email = factory.Sequence(lambda n: f"contact{n}@member.example")


class PillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pillar
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Pillar {n + 1}")
    slug = factory.Sequence(lambda n: f"pillar-{n + 1}")


class PillarEngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PillarEngagement

    member = factory.SubFactory(MemberFactory)
    pillar = factory.SubFactory(PillarFactory)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    category = Commitment.Category.SUPPORT
    text = factory.Sequence(lambda n: f"Commitment {n}")
    order = factory.Sequence(lambda n: n)


class MemberCommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberCommitment

    member = factory.SubFactory(MemberFactory)
    commitment = factory.SubFactory(CommitmentFactory)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    name = factory.Sequence(lambda n: f"Milestone {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    date = datetime.date(2025, 11, 10)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    member = factory.SubFactory(MemberFactory)
    title = factory.Sequence(lambda n: f"Progress update {n}")
    body = "We **did** things."
    status = ProgressUpdate.Status.DRAFT


class PublishedUpdateFactory(ProgressUpdateFactory):
    status = ProgressUpdate.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class ImpactStoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImpactStory

    member = factory.SubFactory(MemberFactory)
    title = factory.Sequence(lambda n: f"Impact story {n}")
    what_changed = "Something changed."
    leadit_contribution = "LeadIT helped."
    date = datetime.date(2024, 5, 1)
    is_published = True


class MilestoneReminderStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneReminderStep

    milestone = factory.SubFactory(MilestoneFactory)
    days_before = 30


class MilestoneReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneReminder

    milestone = factory.SubFactory(MilestoneFactory)
    days_before = 30
    user = factory.SubFactory(UserFactory)
    sent_at = factory.LazyFunction(timezone.now)


class ReportedCommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportedCommitment

    update = factory.SubFactory(PublishedUpdateFactory)
    member_commitment = factory.SubFactory(
        MemberCommitmentFactory, member=factory.SelfAttribute("..update.member")
    )
    status = "in_progress"
