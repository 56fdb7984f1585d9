import datetime

import factory

from tests.factories.members import SectorFactory
from tracker.models import (
    CountryGroup,
    CountryGroupMembership,
    GuideStep,
    IndustrialProject,
    PolicyInstrument,
    ProjectCapacity,
    Roadmap,
    RoadmapLever,
    Source,
    Target,
    Technology,
)

__all__ = ["SectorFactory"]


class CountryGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountryGroup
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    kind = CountryGroup.Kind.GROUP

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        for code in extracted or []:
            CountryGroupMembership.objects.get_or_create(group=self, country=code)


class PolicyInstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyInstrument
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Instrument {n}")
    slug = factory.Sequence(lambda n: f"instrument-{n}")


class TechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technology
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Technology {n}")
    slug = factory.Sequence(lambda n: f"technology-{n}")


class RoadmapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roadmap
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Test industry roadmap {n}")
    slug = factory.Sequence(lambda n: f"demo-roadmap-{n}")
    scope = Roadmap.Scope.NATIONAL
    country = "SE"
    publisher = "Demo ministry"
    published_on = datetime.date(2022, 3, 1)
    status = Roadmap.Status.ADOPTED
    summary = "A demo roadmap."
    language = "English"
    last_reviewed_on = datetime.date(2025, 1, 15)

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.set(extracted)

    @factory.post_generation
    def instruments(self, create, extracted, **kwargs):
        if create and extracted:
            self.instruments.set(extracted)


class RoadmapLeverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoadmapLever
        skip_postgeneration_save = True

    roadmap = factory.SubFactory(RoadmapFactory)
    lever = RoadmapLever.Lever.TECHNOLOGY
    milestone_year = 2030

    @factory.post_generation
    def technologies(self, create, extracted, **kwargs):
        if create and extracted:
            self.technologies.set(extracted)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    roadmap = factory.SubFactory(RoadmapFactory)
    url = "https://example.org/roadmap.pdf"
    title = "The roadmap document"
    accessed_on = datetime.date(2025, 1, 15)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    roadmap = factory.SubFactory(RoadmapFactory)
    country = factory.SelfAttribute("roadmap.country")
    kind = Target.Kind.NET_ZERO
    base_year = 2020
    target_year = 2045
    status = Target.Status.LAW


class IndustrialProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndustrialProject
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Demo steel plant {n}")
    slug = factory.Sequence(lambda n: f"demo-steel-plant-{n}")
    owner = "Demo Steel AB"
    country = "SE"
    latitude = 65.58
    longitude = 22.15
    sector = factory.SubFactory(SectorFactory, name="Iron and steel", slug="steel")
    status = IndustrialProject.Status.ANNOUNCED
    start_year = 2026

    @factory.post_generation
    def technologies(self, create, extracted, **kwargs):
        if create and extracted:
            self.technologies.set(extracted)


class ProjectCapacityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectCapacity

    project = factory.SubFactory(IndustrialProjectFactory)
    product = "crude steel"
    status = IndustrialProject.Status.ANNOUNCED
    value = 2500


class GuideStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuideStep

    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Step {n + 1}")
    slug = factory.Sequence(lambda n: f"step-{n + 1}")
    body = "Do the **step**."
    checklist = "First item\nSecond item"
    resources = "A resource | https://example.org/resource"
