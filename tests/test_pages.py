"""The base layout, the section pages, error pages, security headers and /healthz."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from leadit.celery import app as celery_app

SECTIONS = [
    ("tracker:index", "Industry Transition Tracker"),
    ("members:index", "Members"),
    ("summits:index", "Events"),
    ("publications:index", "Publications"),
    ("workplan:index", "Workplan"),
]


@pytest.mark.django_db
def test_home_page_shows_the_navigation_and_footer(client):
    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in page
    for label in ["Tracker", "Members", "Events", "Publications", "Workplan"]:
        assert f">{label}</a></li>" in page
    assert "Creative Commons Attribution 4.0" in page
    assert "mailto:secretariat@leadit.example" in page
    assert ">Sign in</a>" in page


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "title"), SECTIONS)
def test_section_index_page_has_its_title_and_marks_the_navigation(client, url_name, title):
    url = reverse(url_name)

    page = client.get(url).content.decode()

    assert re.search(rf"<h1[^>]*>[^<]*{title}", page)
    assert f'<a href="{url}" aria-current="page">' in page


@pytest.mark.django_db
def test_signed_in_staff_see_their_address_and_the_admin_link(staff_client, staff_user):
    page = staff_client.get("/").content.decode()

    assert f"Signed in as <strong>{staff_user.email}</strong>" in page
    assert '<a href="/admin/">Admin</a>' in page
    assert "Sign out</button>" in page


@pytest.mark.django_db
def test_unknown_url_gets_the_styled_404_page(client):
    response = client.get("/no/such/page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page
    assert 'class="site-header"' in page


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.support.urls_with_error", DEBUG=False)
def test_server_error_gets_the_styled_500_page_without_a_traceback():
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in page
    assert "secret detail" not in page
    assert "Traceback" not in page


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy_and_security_headers(client):
    response = client.get("/", secure=True)

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(client):
    for url in ["/", "/accounts/login/", "/no/such/page/"] + [reverse(n) for n, _ in SECTIONS]:
        page = client.get(url).content.decode()
        assert "<script>" not in page and "<script " not in page, url
        assert "<style" not in page and ' style="' not in page, url


@pytest.mark.django_db
def test_healthz_reports_database_cache_and_broker_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


@pytest.mark.django_db
def test_healthz_answers_503_without_detail_when_the_broker_is_down(client):
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = original

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "cache": "ok", "broker": "error"},
    }


@pytest.mark.django_db
def test_healthz_answers_503_when_the_cache_is_down(client):
    down = {
        "default": {
            "BACKEND": "leadit.redis_cache.ReusingRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=down):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error"
    assert "Connection" not in response.content.decode()


def test_form_sent_without_its_csrf_token_gets_the_sites_own_page(db):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/publications/newsletter/subscribe/", {"email": "a@example.org"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "The form could not be sent" in page
    assert "Nothing was saved" in page
    assert 'class="skip-link"' in page or "<nav" in page  # the site's own layout
