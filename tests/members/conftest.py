"""Fixtures of the members tests: a member's editor signed in, and another member."""

import pytest

from tests.factories.members import EditorFactory, MemberFactory


@pytest.fixture
def self_service_settings(settings, tmp_path):
    """Uploads in a fresh folder, and no secretariat to notify unless a test names one."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ADMIN_NOTIFICATION_EMAILS = []


@pytest.fixture
def editor():
    return EditorFactory(member=MemberFactory(name="Sweden", slug="sweden"))


@pytest.fixture
def member(editor):
    return editor.member


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def other():
    """Member B, with something of each kind, and an editor of its own."""
    member = MemberFactory(name="India", slug="india", description="India's own words.")
    EditorFactory(member=member)
    return member
