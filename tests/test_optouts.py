"""The one-click e-mail opt-out (``leadit.optouts``): a link per person and kind of e-mail,
GET asks, POST (a mail program's RFC 8058 one-click, no CSRF token) records it; a forged
or altered link is refused with a 400 page and nothing is written."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from leadit.models import MailOptOut
from leadit.optouts import (
    OptOutLinkError,
    has_opted_out,
    opt_out,
    opt_out_token,
    opt_out_url,
    opted_out_users,
)
from tests.factories.users import UserFactory

TOPIC = "technology-needs-digest"
pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return urlsplit(url).path


def test_link_is_absolute_on_the_site_address(settings):
    settings.SITE_URL = "https://portal.example/"
    user = UserFactory()
    url = opt_out_url(user, TOPIC)
    assert url.startswith("https://portal.example/mail/opt-out/")
    assert url.endswith("/")


def test_get_asks_and_changes_nothing(client):
    user = UserFactory(email="reader@member.example")
    response = client.get(_path(opt_out_url(user, TOPIC)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Stop these e-mails?" in page
    assert "reader@member.example" in page
    assert "monthly digest of technology needs" in page
    assert 'method="post"' in page
    assert not MailOptOut.objects.exists()


def test_one_click_post_without_csrf_token_opts_out():
    user = UserFactory()
    # A mail program's one-click POST: no cookie, no CSRF token (RFC 8058).
    client = Client(enforce_csrf_checks=True)
    response = client.post(_path(opt_out_url(user, TOPIC)), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "you will receive no more of these e-mails" in response.content.decode()
    assert has_opted_out(user, TOPIC)
    assert not has_opted_out(user, "another-topic")
    assert list(opted_out_users(TOPIC).values_list("user", flat=True)) == [user.pk]


def test_second_click_keeps_one_row_and_says_so(client):
    user = UserFactory()
    path = _path(opt_out_url(user, TOPIC))
    client.post(path)
    assert client.post(path).status_code == 200
    response = client.get(path)
    assert "You had already stopped these e-mails" in response.content.decode()
    assert MailOptOut.objects.filter(user=user, topic=TOPIC).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_or_altered_token_is_refused_and_nothing_written(client, method):
    user = UserFactory()
    token = opt_out_token(user, TOPIC)
    other = UserFactory()
    other_token = opt_out_token(other, TOPIC)
    # Someone else's payload with this token's signature; a truncated token; plain junk.
    spliced = other_token.split(":")[0] + ":" + token.split(":")[-1]
    for bad in (spliced, token[:-3], "not-a-token", token.replace(":", ":x", 1)):
        response = getattr(client, method)(f"/mail/opt-out/{bad}/")
        assert response.status_code == 400, bad
        assert "This link is not valid" in response.content.decode()
    assert not MailOptOut.objects.exists()


def test_token_signed_for_something_else_is_refused():
    from django.core import signing

    user = UserFactory()
    token = signing.Signer(salt="another.salt").sign_object({"u": user.pk, "t": TOPIC})
    with pytest.raises(OptOutLinkError):
        opt_out(token)
    assert not MailOptOut.objects.exists()


def test_link_of_a_deleted_account_is_refused(client):
    user = UserFactory()
    path = _path(opt_out_url(user, TOPIC))
    user.delete()
    assert client.post(path).status_code == 400
    assert not MailOptOut.objects.exists()


def test_links_do_not_expire(client, settings):
    """An old digest's link still works: the token carries no date."""
    user = UserFactory()
    token = opt_out_token(user, TOPIC)
    assert token.count(":") == 1  # payload and signature, no timestamp
    assert client.post(f"/mail/opt-out/{token}/").status_code == 200
