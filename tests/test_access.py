"""The access decorators enforce the class they declare."""

import pytest

from leadit.access import Access, access_of
from tests.factories.users import StaffFactory
from tests.support.urls_access import urlpatterns

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.support.urls_access")]


def test_decorators_record_their_access_class():
    declared = {str(p.pattern): access_of(None, p.callback) for p in urlpatterns[-4:]}

    assert declared == {
        "t/public/": Access.PUBLIC,
        "t/authenticated/": Access.AUTHENTICATED,
        "t/member/<slug:slug>/": Access.MEMBER_OF_OBJECT,
        "t/staff/": Access.STAFF,
    }


@pytest.mark.parametrize("url", ["/t/authenticated/", "/t/member/steel/", "/t/staff/"])
def test_protected_pages_send_anonymous_visitors_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_staff_page_answers_404_to_a_signed_in_non_staff_user(member_client):
    response = member_client.get("/t/staff/")

    assert response.status_code == 404
    assert "the protected content" not in response.content.decode()


def test_staff_page_sends_staff_without_an_authenticator_to_set_one_up(client):
    client.force_login(StaffFactory(totp=False))

    response = client.get("/t/staff/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_page_serves_staff_with_an_authenticator(staff_client):
    response = staff_client.get("/t/staff/")

    assert response.content.decode() == "the protected content"
