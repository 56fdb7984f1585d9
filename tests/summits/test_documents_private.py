"""Event documents that are not public stay private: stored under unguessable names outside
what /media/ serves, downloadable only through the document view that checks access, under
the name they were uploaded with."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from summits.models import Event, EventDocument
from tests.factories.members import MemberFactory
from tests.factories.summits import EventDocumentFactory, EventFactory

AGENDA = b"%PDF-1.4 members-only agenda"

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_only_agenda(media_root):
    event = EventFactory(visibility=Event.Visibility.MEMBERS)
    return EventDocumentFactory(
        event=event,
        link="",
        visibility=Event.Visibility.MEMBERS,
        file=ContentFile(AGENDA, name="Board agenda 2025-03.pdf"),
    )


def test_document_is_stored_under_an_unguessable_name_and_keeps_its_own(members_only_agenda):
    name = members_only_agenda.file.name

    assert name.startswith("private/events/documents/")
    assert "Board agenda" not in name
    random_part = name.split("/")[3]
    assert len(random_part) == 32
    assert name.endswith("/board-agenda-2025-03.pdf")
    assert members_only_agenda.original_name == "Board agenda 2025-03.pdf"
    other = EventDocumentFactory(link="", file=ContentFile(b"x", name="Board agenda 2025-03.pdf"))
    assert other.file.name.split("/")[3] != random_part


def test_members_only_document_is_refused_to_anonymous_and_served_to_a_member(
    client, member_user, members_only_agenda
):
    url = reverse(
        "summits:document",
        kwargs={"slug": members_only_agenda.event.slug, "pk": members_only_agenda.pk},
    )

    assert client.get(url).status_code == 404

    client.force_login(member_user)
    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == AGENDA
    assert 'filename="Board agenda 2025-03.pdf"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["anonymous", "member", "staff"])
def test_media_url_never_serves_private_files(
    client, member_user, staff_user, members_only_agenda, who
):
    if who != "anonymous":
        client.force_login(member_user if who == "member" else staff_user)

    response = client.get(f"/media/{members_only_agenda.file.name}")

    assert response.status_code == 404


def test_media_url_serves_public_logos(client, media_root):
    member = MemberFactory()
    member.logo.save("logo.png", ContentFile(b"\x89PNG logo bytes"), save=True)

    response = client.get(f"/media/{member.logo.name}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG logo bytes"
    assert client.get("/media/members/logos/../../" + member.logo.name).status_code == 404


def test_migration_moves_documents_stored_under_their_original_name(media_root):
    migration = import_module("summits.migrations.0002_event_documents_private")
    old = default_storage.save("events/documents/2025/agenda-board.pdf", ContentFile(AGENDA))
    document = EventDocumentFactory(link="", file=old)
    missing = EventDocumentFactory(link="", file=old)
    EventDocument.objects.filter(pk=missing.pk).update(file="events/documents/2025/gone.pdf")

    migration.move_documents_to_private_names(apps, None)

    document.refresh_from_db()
    assert document.file.name.startswith("private/events/documents/")
    assert document.original_name == "agenda-board.pdf"
    with default_storage.open(document.file.name, "rb") as handle:
        assert handle.read() == AGENDA
    assert not default_storage.exists(old)
    missing.refresh_from_db()
    assert missing.file.name == "events/documents/2025/gone.pdf"


def test_admin_links_a_private_document_through_the_checked_view(staff_client, members_only_agenda):
    url = reverse("admin:summits_eventdocument_change", args=[members_only_agenda.pk])

    page = staff_client.get(url).content.decode()

    assert members_only_agenda.get_absolute_url() in page
    assert "/media/private/" not in page
    download = staff_client.get(members_only_agenda.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == AGENDA
    download.close()
