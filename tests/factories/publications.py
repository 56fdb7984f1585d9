import datetime

import factory
from django.utils import timezone

from publications.models import (
    Brief,
    NewsletterIssue,
    NewsletterItem,
    NewsletterSection,
    Publication,
    Subscriber,
)


class BriefFactory(factory.django.DjangoModelFactory):
    """A published brief; pass ``status="draft", published_on=None`` for a draft."""

    class Meta:
        model = Brief
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Contracts for difference, part {n}")
    slug = factory.Sequence(lambda n: f"brief-{n}")
    summary = "How carbon contracts for difference can close the cost gap of green steel."
    status = Publication.Status.PUBLISHED
    published_on = datetime.date(2025, 3, 14)
    authors = "A. Author, B. Author"
    body = (
        "## Why it matters\n\nGreen steel costs more today.[^1]\n\n"
        "| Country | Instrument |\n|---|---|\n| Germany | CCfD |\n\n"
        "[^1]: LeadIT analysis.\n"
    )

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.set(extracted)


class NewsletterIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterIssue

    number = factory.Sequence(lambda n: n + 1)
    year = factory.Sequence(lambda n: 2021 + n // 4)
    quarter = factory.Sequence(lambda n: n % 4 + 1)
    title = factory.LazyAttribute(lambda o: f"LeadIT newsletter {o.number}")
    slug = factory.LazyAttribute(lambda o: f"newsletter-{o.year}-q{o.quarter}")
    introduction = "Welcome to the LeadIT newsletter."
    status = Publication.Status.DRAFT
    published_on = None


class NewsletterSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterSection

    issue = factory.SubFactory(NewsletterIssueFactory)
    kind = NewsletterSection.Kind.CUSTOM
    title = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n)


class NewsletterItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterItem

    section = factory.SubFactory(NewsletterSectionFactory)
    title = factory.Sequence(lambda n: f"Item {n}")
    text = "Something happened."
    position = factory.Sequence(lambda n: n)


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber; ``confirmed_at=None`` for one still to confirm."""

    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    name = factory.Sequence(lambda n: f"Reader {n}")
    confirmed_at = factory.LazyFunction(timezone.now)
