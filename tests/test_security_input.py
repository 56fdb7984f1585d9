"""What people type cannot break or abuse the portal (issue 13, security items 1–4):

1. a line break in a one-line field is refused with a form error, and no stored text can
   make a notification e-mail fail;
2. text a member escaped (``&lt;img …&gt;``) never becomes a remote image in the newsletter
   e-mail, which loads nothing from anywhere but the portal;
3. a refused event action is logged with the user and the path, like member pages;
4. behind the proxy, two clients get separate login rate limits (only when the proxy count
   is set; otherwise X-Forwarded-For is not believed).
"""

import datetime
import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from leadit.models import BackgroundJob
from leadit.validators import email_subject, no_control_characters, one_line
from members.models import ProgressUpdate
from members.tasks import notify_secretariat_of_progress_update
from publications import newsletter
from publications.emails import issue_email
from publications.models import NewsletterItem
from publications.models import Publication as PublicationModel
from summits.models import Registration
from tests.factories.members import (
    EditorFactory,
    ImpactStoryFactory,
    MemberFactory,
    PublishedUpdateFactory,
)
from tests.factories.publications import NewsletterIssueFactory
from tests.factories.summits import EventFactory, RegistrationFactory
from tests.factories.users import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

INJECTION = "x\r\nBcc: someone@example.org"
PIXEL = "&lt;img src=http://host/x.png&gt;"


@pytest.fixture
def editor():
    return EditorFactory(member=MemberFactory(name="Sweden", slug="sweden"))


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# --- 1. Line breaks in one-line fields ------------------------------------------------------


def test_publishing_an_update_titled_with_a_line_break_is_refused_on_the_form(
    editor_client, editor, settings
):
    settings.ADMIN_NOTIFICATION_EMAILS = ["secretariat@example.org"]
    url = reverse("members:update_new", kwargs={"slug": "sweden"})

    response = editor_client.post(
        url, {"title": INJECTION, "body": "Our news.", "milestone": "", "action": "publish"}
    )

    assert response.status_code == 200
    assert "Write this on one line" in response.content.decode()
    assert not ProgressUpdate.objects.exists()  # nothing public, nothing half-done
    assert not mail.outbox


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("members:update_new", {"title": "Tab\there", "body": "b", "milestone": ""}),
        (
            "members:story_new",
            {
                "title": "A\nstory",
                "date": "2025-05-01",
                "what_changed": "w",
                "leadit_contribution": "c",
                "evidence_link": "",
            },
        ),
        ("members:edit_profile", {"description": "d", "website": "https://a.example\r\nX: y"}),
    ],
)
def test_member_one_line_fields_refuse_control_characters(editor_client, url_name, data):
    response = editor_client.post(reverse(url_name, kwargs={"slug": "sweden"}), data)

    assert response.status_code == 200  # the form again, with an error
    page = response.content.decode()
    assert "Write this on one line" in page or "Enter a valid URL" in page


def test_event_registration_name_with_a_line_break_is_refused(editor_client, editor):
    event = EventFactory(slug="cop30-summit")

    response = editor_client.post(
        reverse("summits:register", kwargs={"slug": event.slug}),
        {
            "name": "Ana\r\nBcc: x@example.org",
            "email": "ana@example.org",
            "role": "",
            "attendance_mode": Registration.Mode.IN_PERSON,
        },
    )

    assert response.status_code == 200
    assert "Write this on one line" in response.content.decode()
    assert not Registration.objects.exists()


def test_newsletter_sign_up_name_with_a_line_break_is_refused(client):
    response = client.post(
        reverse("publications:subscribe"),
        {"email": "reader@example.org", "name": "Reader\nBcc: x@example.org"},
    )

    assert "Write this on one line" in response.content.decode()


def test_a_stored_title_with_a_line_break_still_reaches_the_secretariat(settings):
    """Text stored before the form refused it (or written elsewhere) cannot fail a job."""
    settings.ADMIN_NOTIFICATION_EMAILS = ["secretariat@example.org"]
    update = PublishedUpdateFactory(title=INJECTION)
    job = BackgroundJob.objects.create(task_name=notify_secretariat_of_progress_update.name)

    notify_secretariat_of_progress_update.apply(kwargs={"job_id": job.pk, "update_id": update.pk})

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.last_error
    (message,) = mail.outbox
    assert message.subject.endswith(": x Bcc: someone@example.org")
    assert message.to == ["secretariat@example.org"]
    assert message.bcc == []
    assert "Bcc" not in message.message()


def test_the_one_line_helpers():
    assert one_line(" a\r\n\tb\u2028c  d\x00 ") == "a b c d"
    assert email_subject("[LeadIT] ", "x\nBcc: y") == "[LeadIT] x Bcc: y"
    assert len(email_subject("x" * 1000)) == 250
    no_control_characters("Plain title – with “quotes” and ünïcode")
    with pytest.raises(Exception, match="one line"):
        no_control_characters("two\nlines")


# --- 2. No tracking pixel in the newsletter ---------------------------------------------------


def _q3_issue():
    issue = NewsletterIssueFactory(year=2025, quarter=3, slug="newsletter-2025-q3")
    newsletter.issue_assemble(issue=issue, now=datetime.datetime(2025, 10, 6, tzinfo=datetime.UTC))
    return issue


@pytest.mark.parametrize("kind", ["update", "story"])
def test_escaped_image_in_member_text_is_no_remote_image_in_the_newsletter_email(kind, settings):
    settings.SITE_URL = "https://portal.leadit.example"
    member = MemberFactory(name="Sweden", slug="sweden")
    body = f"Our news. {PIXEL} More news."
    if kind == "update":
        PublishedUpdateFactory(
            member=member,
            title="Steel",
            body=body,
            published_at=datetime.datetime(2025, 8, 1, 12, tzinfo=datetime.UTC),
        )
    else:
        ImpactStoryFactory(
            member=member,
            title="Steel",
            what_changed=body,
            date=datetime.date(2025, 8, 1),
            is_published=True,
        )
    issue = _q3_issue()

    email = issue_email(issue)

    assert "<img" not in email.html
    assert 'src="http://host' not in email.html
    # The text shows, harmlessly: as text in the HTML part, as written in the text part.
    assert "&lt;img src=http://host/x.png&gt;" in email.html
    assert "<img src=http://host/x.png>" in email.text
    source = "progress_update:" if kind == "update" else "impact_story:"
    assert "Our news." in NewsletterItem.objects.get(source__startswith=source).text


def test_newsletter_email_keeps_portal_images_and_drops_others(settings):
    settings.SITE_URL = "https://portal.leadit.example"
    issue = NewsletterIssueFactory(
        introduction=(
            "![chart](/media/publications/covers/c.png) "
            "![pixel](https://tracker.example.net/p.gif) "
            "![sneaky](https://portal.leadit.example.evil.net/p.gif)"
        ),
        status=PublicationModel.Status.DRAFT,
    )

    html = issue_email(issue).html

    assert 'src="https://portal.leadit.example/media/publications/covers/c.png"' in html
    assert "tracker.example.net" not in html
    assert "evil.net" not in html


def test_excerpt_shows_escaped_markup_literally():
    text = newsletter.excerpt("Look: &lt;img src=x&gt; and !\\[a\\](http://host/p.png) **bold**")

    from leadit.markdown import render_markdown

    html = str(render_markdown(text))
    assert "<img" not in html and "<a " not in html
    assert "&lt;img src=x&gt;" in html and "![a](http://host/p.png)" in html
    assert "bold" in html


# --- 3. Refused event actions are logged with the user ---------------------------------------


def _access_log(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "leadit.access"]


def test_registering_for_another_members_id_is_404_and_logged(editor_client, editor, caplog):
    event = EventFactory(slug="cop30-summit")
    other = MemberFactory(name="India", slug="india")
    url = reverse("summits:register", kwargs={"slug": event.slug})

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        response = editor_client.post(
            url,
            {
                "member": str(other.pk),
                "name": "Ana",
                "email": "ana@example.org",
                "attendance_mode": Registration.Mode.IN_PERSON,
            },
        )

    assert response.status_code == 404
    assert not Registration.objects.exists()
    (logged,) = _access_log(caplog)
    assert f"member {other.pk}" in logged
    assert f"user {editor.pk}" in logged
    assert f"(POST {url})" in logged


def test_cancelling_another_members_registration_is_404_and_logged(editor_client, editor, caplog):
    event = EventFactory(slug="cop30-summit")
    theirs = RegistrationFactory(event=event, member=MemberFactory(name="India", slug="india"))
    url = reverse("summits:cancel_registration", kwargs={"slug": event.slug, "pk": theirs.pk})

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        response = editor_client.post(url)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Registration.Status.REGISTERED
    (logged,) = _access_log(caplog)
    assert f"registration {theirs.pk}: user {editor.pk} may not cancel it (POST {url})" in logged


def test_a_members_only_event_refused_to_the_public_is_logged(client, caplog):
    event = EventFactory(slug="board-june", visibility="members")

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        response = client.get(reverse("summits:detail", kwargs={"slug": event.slug}))
        missing = client.get(reverse("summits:detail", kwargs={"slug": "no-such-event"}))

    assert (response.status_code, missing.status_code) == (404, 404)
    (logged,) = _access_log(caplog)  # the typo is not logged, the real event is
    assert "event 'board-june': user anonymous may not see it" in logged


def test_member_pages_log_on_the_same_logger(editor_client, editor, caplog):
    MemberFactory(name="India", slug="india")
    url = reverse("members:edit", kwargs={"slug": "india"})

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        assert editor_client.get(url).status_code == 404

    (logged,) = _access_log(caplog)
    assert f"member 'india': user {editor.pk} may not edit it (GET {url})" in logged


# --- 4. Login rate limits behind the proxy ---------------------------------------------------

LOGIN = reverse("account_login")


TOO_MANY = "Too many failed login attempts. Try again later."


def _fail_logins(client, email, times):
    return [
        TOO_MANY
        in client.post(LOGIN, {"login": email, "password": "wrong password"}).content.decode()
        for _ in range(times)
    ]


def _proxied(address):
    """A client whose requests come through the proxy (REMOTE_ADDR is the proxy's)."""
    return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=address)


def test_behind_the_proxy_each_client_has_its_own_login_rate_limit(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    UserFactory(email="a@example.org")

    first = _fail_logins(_proxied("198.51.100.1"), "a@example.org", 4)
    second = _proxied("198.51.100.2").post(LOGIN, {"login": "a@example.org", "password": PASSWORD})

    assert first == [False, False, False, True]  # the first client used up its bucket
    assert second.status_code == 302  # the second signs in: its bucket is its own
    # A client cannot pick its address: the proxy appends the real one, the last is used.
    spoofed = _proxied("203.0.113.9, 198.51.100.1").post(
        LOGIN, {"login": "a@example.org", "password": PASSWORD}
    )
    assert TOO_MANY in spoofed.content.decode()


def test_without_a_trusted_proxy_the_forwarded_header_is_not_believed(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    UserFactory(email="a@example.org")

    _fail_logins(_proxied("198.51.100.1"), "a@example.org", 4)
    other = _proxied("198.51.100.2").post(LOGIN, {"login": "a@example.org", "password": PASSWORD})

    assert TOO_MANY in other.content.decode()  # same connection address: same bucket


def test_the_setting_comes_from_the_environment(monkeypatch):
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings; " + (
        "print(settings.TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    for env_value, expected in ((None, "0 0"), ("1", "1 1")):
        env = {k: v for k, v in __import__("os").environ.items() if k != "TRUSTED_PROXY_COUNT"}
        env["DJANGO_SETTINGS_MODULE"] = "leadit.test_settings"
        if env_value is not None:
            env["TRUSTED_PROXY_COUNT"] = env_value
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.split()[-2:] == expected.split()


def test_compose_trusts_one_proxy_in_front_of_web():
    from pathlib import Path

    import yaml

    compose = yaml.safe_load((Path(__file__).parent.parent / "docker-compose.yml").read_text())
    web = compose["services"]["web"]["environment"]
    assert web["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    assert web["DATABASE_URL"].startswith("postgres://")  # the shared variables are kept
