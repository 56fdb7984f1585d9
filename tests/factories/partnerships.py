"""Factories for every partnerships model. Amounts default to US dollars so that no
currency rate is needed; give ``currency`` and ``usd_rate`` for another currency."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from django_countries import countries

from partnerships.models import (
    CurrencyRate,
    Factsheet,
    FocalPoint,
    FocalPointInvitation,
    OfferCountry,
    Outcome,
    OutcomeMeasurement,
    PartnerInstitution,
    Partnership,
    PartnershipSource,
    PartnershipStageChange,
    PipelineProject,
    PipelineSource,
    PipelineStageChange,
    SecretariatDigest,
    SupportCommitment,
    SupportKind,
    SupportOffer,
    SupportRequest,
    Visibility,
)
from tests.factories.members import MemberFactory, SectorFactory
from tests.factories.users import UserFactory

# Partnerships are one per country: a sequence walks the country list (about 250 codes).
COUNTRY_CODES = [code for code, _name in countries]


def _set_many(field: str):
    """A post-generation hook that sets a many-to-many field when values are given."""

    def hook(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field).set(extracted)

    return factory.PostGeneration(hook)


class CurrencyRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CurrencyRate
        django_get_or_create = ("currency", "as_of")

    currency = "EUR"
    usd_per_unit = Decimal("1.10")
    as_of = datetime.date(2025, 1, 1)
    source = "Demo rate"


class PartnerInstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerInstitution

    name = factory.Sequence(lambda n: f"Demo Development Bank {n}")
    slug = factory.Sequence(lambda n: f"demo-development-bank-{n}")
    kind = PartnerInstitution.Kind.DEVELOPMENT_BANK
    is_demo = True


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    country = factory.Sequence(lambda n: COUNTRY_CODES[n % len(COUNTRY_CODES)])
    name = factory.LazyAttribute(lambda o: f"Demo partnership {o.country}")
    summary = "A demo partnership."
    stage = Partnership.Stage.SCOPING
    stage_since = datetime.date(2024, 6, 1)
    is_demo = True

    lead_members = _set_many("lead_members")
    supporting_members = _set_many("supporting_members")


class PartnershipStageChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipStageChange

    partnership = factory.SubFactory(PartnershipFactory)
    stage = factory.SelfAttribute("partnership.stage")
    changed_on = factory.SelfAttribute("partnership.stage_since")


class PartnershipSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipSource

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Partnership announcement {n}")
    publisher = "Demo ministry"
    url = "https://example.org/partnership"
    published_on = datetime.date(2024, 6, 1)


class FocalPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocalPoint

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)


class FocalPointInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocalPointInvitation

    email = factory.Sequence(lambda n: f"focal{n}@partner.example")
    partnership = factory.SubFactory(PartnershipFactory)
    key_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Outcome {n}")
    indicator = "Share of clinker substituted"
    unit = "%"
    baseline = Decimal("10")
    baseline_year = 2023
    target = Decimal("30")
    target_year = 2030
    order = factory.Sequence(lambda n: n)


class OutcomeMeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeMeasurement

    outcome = factory.SubFactory(OutcomeFactory)
    measured_on = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(n))
    value = Decimal("15")


class SupportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportRequest
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Demo request {n}")
    kind = SupportKind.TECHNICAL_STUDY
    description = "A **study** of the options."
    amount = Decimal("250000")
    amount_usd = factory.SelfAttribute("amount")
    currency = "USD"
    priority = SupportRequest.Priority.MEDIUM
    status = SupportRequest.Status.OPEN
    visibility = Visibility.PUBLIC
    is_demo = True

    sectors = _set_many("sectors")


class SupportOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportOffer
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberFactory)
    title = factory.Sequence(lambda n: f"Demo offer {n}")
    kind = SupportKind.TECHNICAL_STUDY
    description = "We fund **studies**."
    instrument = SupportOffer.Instrument.TECHNICAL_ASSISTANCE
    open_to_all_countries = True
    amount_min = Decimal("100000")
    amount_max = Decimal("1000000")
    amount_min_usd = factory.SelfAttribute("amount_min")
    amount_max_usd = factory.SelfAttribute("amount_max")
    currency = "USD"
    contact_name = "Demo Contact"
    contact_email = factory.Sequence(lambda n: f"offers{n}@member.example")
    visibility = Visibility.PUBLIC
    is_demo = True

    sectors = _set_many("sectors")
    eligible_groups = _set_many("eligible_groups")


class InstitutionOfferFactory(SupportOfferFactory):
    """An offer from a partner institution rather than a member."""

    member = None
    institution = factory.SubFactory(PartnerInstitutionFactory)
    instrument = SupportOffer.Instrument.GRANT
    kind = SupportKind.GRANT


class OfferCountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferCountry

    offer = factory.SubFactory(SupportOfferFactory)
    country = "IN"


class SupportCommitmentFactory(factory.django.DjangoModelFactory):
    """A member's commitment through one of its offers (give ``institution`` and
    ``member=None`` for an institution's)."""

    class Meta:
        model = SupportCommitment

    request = factory.SubFactory(SupportRequestFactory)
    member = factory.SubFactory(MemberFactory)
    offer = None
    status = SupportCommitment.Status.AGREED
    amount = Decimal("100000")
    amount_usd = factory.SelfAttribute("amount")
    currency = "USD"
    proposed_on = datetime.date(2025, 3, 1)
    agreed_on = datetime.date(2025, 4, 1)
    is_demo = True


class PipelineProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PipelineProject
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Demo low-carbon plant {n}")
    slug = factory.Sequence(lambda n: f"demo-low-carbon-plant-{n}")
    sector = factory.SubFactory(SectorFactory, name="Cement", slug="cement")
    sponsor = "Demo Cement Ltd"
    location = "Demo district"
    description = "A **demo** project."
    capex = Decimal("120000000")
    capex_usd = factory.SelfAttribute("capex")
    # A third of the capex (never above it: a database constraint).
    financing_gap = factory.LazyAttribute(
        lambda o: None if o.capex is None else (o.capex / 3).quantize(Decimal("1"))
    )
    financing_gap_usd = factory.SelfAttribute("financing_gap")
    currency = "USD"
    abatement_t_per_year = Decimal("500000")
    stage = PipelineProject.Stage.FEASIBILITY
    stage_since = datetime.date(2025, 2, 1)
    visibility = Visibility.PUBLIC
    is_demo = True

    technologies = _set_many("technologies")
    financing_offers = _set_many("financing_offers")
    financing_institutions = _set_many("financing_institutions")


class PipelineStageChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PipelineStageChange

    project = factory.SubFactory(PipelineProjectFactory)
    stage = factory.SelfAttribute("project.stage")
    changed_on = factory.SelfAttribute("project.stage_since")


class PipelineSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PipelineSource

    project = factory.SubFactory(PipelineProjectFactory)
    title = factory.Sequence(lambda n: f"Project source {n}")
    url = "https://example.org/project"


class FactsheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Factsheet

    partnership = factory.SubFactory(PartnershipFactory)
    status = Factsheet.Status.QUEUED


class SecretariatDigestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecretariatDigest

    week_start = factory.Sequence(lambda n: datetime.date(2025, 1, 6) + datetime.timedelta(weeks=n))
