"""Factories for every technology model."""

import datetime
import io

import factory
from pypdf import PdfWriter

from technology.models import (
    CallForProposals,
    CoDevelopmentProject,
    GuidelineVersion,
    InnovationProgramme,
    Introduction,
    PatentFamily,
    ProjectMilestone,
    ProjectParticipant,
    ProjectPublication,
    SolutionCountry,
    TechnicalGuideline,
    TechnologySolution,
    Visibility,
)
from tests.factories.members import MemberFactory
from tests.factories.partnerships import SupportRequestFactory
from tests.factories.tracker import TechnologyFactory
from tests.factories.users import UserFactory


def _set_many(field: str):
    """A post-generation hook that sets a many-to-many field when values are given."""

    def hook(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field).set(extracted)

    return factory.PostGeneration(hook)


class TechnologySolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechnologySolution
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberFactory)
    name = factory.Sequence(lambda n: f"Solution {n}")
    slug = factory.Sequence(lambda n: f"solution-{n}")
    technology = factory.SubFactory(TechnologyFactory)
    trl = 7
    summary = "A solution for the tests."
    offers_licence = True
    visibility = Visibility.PUBLIC
    sectors = _set_many("sectors")
    reference_plants = _set_many("reference_plants")


class SolutionCountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SolutionCountry

    solution = factory.SubFactory(TechnologySolutionFactory)
    country = "IN"


class PatentFamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatentFamily

    solution = factory.SubFactory(TechnologySolutionFactory)
    number = factory.Sequence(lambda n: f"EP{3000000 + n}")
    office = "EPO"
    filed_on = datetime.date(2020, 1, 1)
    expires_on = datetime.date(2040, 1, 1)


class TechnologyNeedFactory(SupportRequestFactory):
    """A technology need: a support request of kind "technology"."""

    kind = "technology"
    technologies = _set_many("technologies")


class IntroductionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Introduction

    requested_by = factory.SubFactory(UserFactory)
    requester_member = factory.SubFactory(MemberFactory)
    solution = factory.SubFactory(TechnologySolutionFactory)
    message = "We would like to discuss a licence."


class CoDevelopmentProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoDevelopmentProject
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Co-development project {n}")
    slug = factory.Sequence(lambda n: f"codev-{n}")
    lead_member = factory.SubFactory(MemberFactory)
    technology = factory.SubFactory(TechnologyFactory)
    summary = "Two members demonstrate a technology together."
    status = CoDevelopmentProject.Status.ACTIVE
    trl_start = 4
    trl_target = 7
    starts_on = datetime.date(2025, 1, 1)
    ends_on = datetime.date(2027, 12, 31)
    visibility = Visibility.PUBLIC
    sectors = _set_many("sectors")


class ProjectParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectParticipant

    project = factory.SubFactory(CoDevelopmentProjectFactory)
    member = factory.SubFactory(MemberFactory)
    role = "Technology provider"


class ProjectMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMilestone

    project = factory.SubFactory(CoDevelopmentProjectFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = datetime.date(2026, 6, 30)


class ProjectPublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectPublication

    project = factory.SubFactory(CoDevelopmentProjectFactory)
    title = factory.Sequence(lambda n: f"Results paper {n}")
    url = factory.Sequence(lambda n: f"https://example.org/paper-{n}")
    year = 2026


class InnovationProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InnovationProgramme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    kind = InnovationProgramme.Kind.INCUBATOR
    run_by = "A research institute"
    sectors = _set_many("sectors")
    technologies = _set_many("technologies")


class CallForProposalsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallForProposals

    programme = factory.SubFactory(InnovationProgrammeFactory)
    title = factory.Sequence(lambda n: f"Call {n}")
    deadline = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


class TechnicalGuidelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechnicalGuideline
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Guideline {n}")
    slug = factory.Sequence(lambda n: f"guideline-{n}")
    member = factory.SubFactory(MemberFactory)
    summary = "How to do it well."
    licence = "CC BY 4.0"
    visibility = Visibility.PUBLIC
    sectors = _set_many("sectors")
    technologies = _set_many("technologies")


class GuidelineVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuidelineVersion

    guideline = factory.SubFactory(TechnicalGuidelineFactory)
    version = factory.Sequence(lambda n: f"1.{n}")
    published_on = datetime.date(2026, 1, 15)
    body = "# Guideline\n\nDo it well."
    render_status = GuidelineVersion.RenderStatus.QUEUED
    created_by = factory.SubFactory(UserFactory)


def one_page_pdf() -> bytes:
    """A real, readable one-page PDF: what a guideline upload is checked to be."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
