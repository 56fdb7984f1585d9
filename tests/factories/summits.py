import datetime

import factory
from django.utils import timezone

from summits.models import Event as EventModel
from summits.models import EventDocument, EventKind, Registration, WorkingGroup
from tests.factories.members import MemberFactory


class EventKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventKind
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Event kind {n}")
    slug = factory.Sequence(lambda n: f"event-kind-{n}")
    agenda_days_before = 7
    minutes_days_after = 7
    requires_documents = False


class BoardKindFactory(EventKindFactory):
    """The management board kind: agenda and minutes expected."""

    name = "Management board"
    slug = "management-board"
    requires_documents = True


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Working group {n}")
    slug = factory.Sequence(lambda n: f"working-group-{n}")
    description = "A *demo* working group."
    status = WorkingGroup.Status.ACTIVE

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class EventFactory(factory.django.DjangoModelFactory):
    """A public event 30 days from now lasting two hours; pass ``host_members=[...]``."""

    class Meta:
        model = EventModel
        skip_postgeneration_save = True

    kind = factory.SubFactory(EventKindFactory)
    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    start = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=30)).replace(microsecond=0)
    )
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    time_zone = "Europe/Stockholm"
    location = "Stockholm"
    format = EventModel.Format.IN_PERSON
    visibility = EventModel.Visibility.PUBLIC
    description = "A *demo* event."

    @factory.post_generation
    def host_members(self, create, extracted, **kwargs):
        if create and extracted:
            self.host_members.set(extracted)

    @factory.post_generation
    def announced_members(self, create, extracted, **kwargs):
        if create and extracted:
            self.announced_members.set(extracted)


class PastEventFactory(EventFactory):
    """A public event that took place 60 days ago."""

    start = factory.LazyFunction(
        lambda: (timezone.now() - datetime.timedelta(days=60)).replace(microsecond=0)
    )


class EventDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventDocument

    event = factory.SubFactory(EventFactory)
    kind = EventDocument.Kind.AGENDA
    title = factory.Sequence(lambda n: f"Document {n}")
    link = factory.Sequence(lambda n: f"https://docs.example.org/document-{n}")
    visibility = EventModel.Visibility.PUBLIC


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    member = factory.SubFactory(MemberFactory)
    name = factory.Sequence(lambda n: f"Delegate {n}")
    email = factory.Sequence(lambda n: f"delegate{n}@member.example")
    role = "Delegate"
    attendance_mode = Registration.Mode.IN_PERSON
    status = Registration.Status.REGISTERED
