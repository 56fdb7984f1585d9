"""A newsletter issue's admin page as staff use it at 1,280 px: countries are chosen in the
admin's searchable boxes (not a 250-line list), the page fits the screen, renumbered
sections show in their new order once saved, and a draft's PDF state says what is true."""

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from publications.models import RenderedDocument
from tests.factories.publications import NewsletterIssueFactory, NewsletterSectionFactory
from tests.factories.users import StaffFactory
from tests.publications.test_newsletter_admin import change_url, form_of, sections_in_form

TITLES = ["New members and announcements", "Events held", "Coming events", "Workplan progress"]


def _issue_with_sections():
    issue = NewsletterIssueFactory(title="LeadIT newsletter No. 7 — Q3 2025")
    for position, title in enumerate(TITLES, start=1):
        NewsletterSectionFactory(
            issue=issue, title=title, position=position * 10, note="A note. " * 20
        )
    return issue


def _order_on_page(html: str) -> list[str]:
    """The sections' titles in the order of the inline's rows (sections-0, sections-1, …)."""
    rows = {
        prefix: title
        for title, prefix in sections_in_form(form_of_html(html)).items()
        if prefix.removeprefix("sections-").isdigit()
    }
    return [rows[prefix] for prefix in sorted(rows, key=lambda p: int(p.split("-")[1]))]


def form_of_html(html: str) -> dict:
    class Response:
        content = html.encode()

    return form_of(Response)


@pytest.mark.django_db
def test_renumbered_sections_show_in_their_new_order_back_on_the_issue_page(staff_client):
    issue = _issue_with_sections()
    data = form_of(staff_client.get(change_url(issue)))
    prefix = sections_in_form(data)
    data[f"{prefix['Workplan progress']}-position"] = "5"  # to the top
    data[f"{prefix['New members and announcements']}-position"] = "35"  # after "Coming"

    response = staff_client.post(change_url(issue), data)
    assert response.status_code == 302
    assert response["Location"] == change_url(issue)  # back on the issue, not the list
    html = staff_client.get(response["Location"]).content.decode()

    assert "was saved." in html
    assert _order_on_page(html) == [
        "Workplan progress",
        "Events held",
        "Coming events",
        "New members and announcements",
    ]


@pytest.mark.django_db
def test_countries_are_chosen_in_searchable_boxes_and_saved(staff_client):
    issue = _issue_with_sections()
    html = staff_client.get(change_url(issue)).content.decode()

    # The admin's own filter boxes (its static script, no inline code) with a search field.
    assert 'class="searchable-countries"' in html
    assert 'name="countries"' in html and 'class="selectfilter"' in html
    assert 'data-field-name="countries"' in html
    assert "/static/admin/js/SelectFilter2.js" in html
    assert "/static/css/admin-portal.css" in html
    assert "<script>" not in html and " style=" not in html

    data = form_of_html(html)
    data["countries"] = ["SE", "IN"]
    assert staff_client.post(change_url(issue), data).status_code == 302
    issue.refresh_from_db()
    assert sorted(country.code for country in issue.countries) == ["IN", "SE"]


@pytest.mark.django_db
def test_a_draft_says_no_pdf_yet_instead_of_being_prepared(staff_client):
    issue = _issue_with_sections()

    admin_page = staff_client.get(change_url(issue)).content.decode()
    preview = staff_client.get(issue.get_absolute_url()).content.decode()

    assert "No PDF yet: it is rendered when the issue is published." in admin_page
    assert "No PDF yet: it is rendered when the newsletter issue is published." in preview
    assert "being prepared" not in preview

    # Once staff asked for a render of the draft, that is what the preview says.
    RenderedDocument.objects.create(publication=issue, content_hash="a" * 64)
    preview = staff_client.get(issue.get_absolute_url()).content.decode()
    assert "The PDF is being prepared (requested by staff to proof it)." in preview
    assert "No PDF yet" not in preview


@pytest.mark.django_db(transaction=True)
def test_the_issue_page_fits_a_1280_px_screen(live_server):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    staff = StaffFactory()
    issue = _issue_with_sections()
    session = SessionStore()
    session[SESSION_KEY] = str(staff.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
    session.save()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session.session_key,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.goto(live_server.url + change_url(issue))
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        wider = page.evaluate(
            "() => [...document.querySelectorAll('#content *')]"
            ".filter(el => el.getBoundingClientRect().right > 1280)"
            ".map(el => el.tagName + '.' + el.className).slice(0, 5)"
        )
        # The countries' search box works: typing narrows the list.
        page.fill("#id_countries_input", "swed")
        page.keyboard.up("n")
        shown = page.eval_on_selector_all(
            "#id_countries_from option", "options => options.map(o => o.textContent)"
        )
        browser.close()

    assert width <= 1280, wider
    assert wider == []
    assert shown == ["Sweden"]
