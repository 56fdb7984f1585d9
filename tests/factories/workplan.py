import datetime
from decimal import Decimal

import factory

from workplan.models import (
    Activity,
    ActivityGroup,
    ImpactPathway,
    MELIndicator,
    MELMeasurement,
    Objective,
    ObjectiveTarget,
    TargetMeasurement,
    Workplan,
)


class WorkplanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workplan
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Workplan {n}")
    slug = factory.Sequence(lambda n: f"workplan-{n}")
    period_start = datetime.date(2021, 1, 1)
    period_end = factory.LazyAttribute(lambda o: datetime.date(o.period_start.year, 12, 31))
    status = Workplan.Status.PUBLISHED
    introduction = "A *demo* workplan."


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    workplan = factory.SubFactory(WorkplanFactory)
    number = factory.Sequence(lambda n: n + 1)
    short_title = factory.Sequence(lambda n: f"Objective {n + 1}")
    description = "An objective."


class ObjectiveTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObjectiveTarget

    objective = factory.SubFactory(ObjectiveFactory)
    label = factory.Sequence(lambda n: f"Target {n}")
    metric = ""
    metric_options = factory.LazyFunction(dict)
    threshold = Decimal("3")
    unit = ""


class TargetMeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetMeasurement

    target = factory.SubFactory(ObjectiveTargetFactory)
    date = datetime.date(2021, 6, 30)
    value = Decimal("1")


class ImpactPathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImpactPathway

    workplan = factory.SubFactory(WorkplanFactory)
    title = factory.Sequence(lambda n: f"Pathway {n}")
    order = factory.Sequence(lambda n: n)


class ActivityGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityGroup

    pathway = factory.SubFactory(ImpactPathwayFactory)
    title = factory.Sequence(lambda n: f"Group {n}")
    order = factory.Sequence(lambda n: n)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    group = factory.SubFactory(ActivityGroupFactory)
    title = factory.Sequence(lambda n: f"Activity {n}")
    status = Activity.Status.PLANNED
    start_date = datetime.date(2021, 2, 1)
    due_date = datetime.date(2021, 11, 30)
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def objectives(self, create, extracted, **kwargs):
        if create and extracted:
            self.objectives.set(extracted)


class MELIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MELIndicator

    workplan = factory.SubFactory(WorkplanFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = "people"


class MELMeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MELMeasurement

    indicator = factory.SubFactory(MELIndicatorFactory)
    date = factory.Sequence(lambda n: datetime.date(2021, 1, 1) + datetime.timedelta(days=n))
    value = Decimal("10")
