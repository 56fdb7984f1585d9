"""The newsletter issue's admin: staff create and assemble an issue, reorder, trim and
annotate it through the forms a browser would submit, send a test copy, publish, send to
the subscribers once, and see the PDF's state and the send's progress; the custom pages
re-check the model permissions."""

import datetime
import time
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from publications.models import (
    Delivery,
    NewsletterIssue,
    NewsletterSection,
    Publication,
    RenderedDocument,
)
from tests.factories.members import ContactFactory, MemberFactory
from tests.factories.publications import (
    BriefFactory,
    NewsletterIssueFactory,
    NewsletterItemFactory,
    NewsletterSectionFactory,
    SubscriberFactory,
)
from tests.factories.users import StaffFactory

Kind = NewsletterSection.Kind
ISSUES = "/admin/publications/newsletterissue/"


def change_url(issue) -> str:
    return f"{ISSUES}{issue.pk}/change/"


def page(issue, name: str) -> str:
    return f"{ISSUES}{issue.pk}/{name}/"


class FormReader(HTMLParser):
    """The values a browser would submit from the page's main form (inputs, checked boxes,
    text areas, selected options), without its submit buttons."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea = None
        self._select = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
                return
            self._add(name, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self._textarea:
                # A browser drops the newline right after <textarea>.
                value = self.data[self._textarea][-1]
                self.data[self._textarea][-1] = value.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_of(response) -> dict:
    reader = FormReader()
    reader.feed(response.content.decode())
    return {key: values if len(values) > 1 else values[0] for key, values in reader.data.items()}


def sections_in_form(data: dict) -> dict[str, str]:
    """Section title → the inline form's prefix ("sections-3")."""
    return {
        value: key.removesuffix("-title")
        for key, value in data.items()
        if key.startswith("sections-") and key.endswith("-title")
    }


def q3_issue(**kwargs) -> NewsletterIssue:
    return NewsletterIssueFactory(
        number=7,
        year=2025,
        quarter=3,
        title="LeadIT newsletter No. 7 — Q3 2025",
        slug="newsletter-2025-q3",
        **kwargs,
    )


def published_q3_issue() -> NewsletterIssue:
    issue = q3_issue(status=Publication.Status.PUBLISHED, published_on=datetime.date(2025, 10, 8))
    section = NewsletterSectionFactory(issue=issue, title="From the secretariat")
    NewsletterItemFactory(section=section, title="A new website")
    return issue


def staff_with(*codenames: str):
    """A staff user (not superuser) with exactly these publications permissions."""
    user = StaffFactory(is_superuser=False)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="publications", codename__in=codenames)
    )
    return user


# --- Create and assemble ---------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_add_leads_to_the_quarter_form_which_creates_and_assembles(staff_client):
    BriefFactory(title="Green public procurement", published_on=datetime.date(2025, 8, 1))

    assert staff_client.get(f"{ISSUES}add/")["Location"] == f"{ISSUES}create-for-quarter/"
    response = staff_client.post(f"{ISSUES}create-for-quarter/", {"year": "2025", "quarter": "3"})

    issue = NewsletterIssue.objects.get()
    assert response["Location"] == change_url(issue)
    assert issue.title == "LeadIT newsletter No. 1 — Q3 2025"
    html = staff_client.get(response["Location"]).content.decode()
    assert "was created and assembled from the quarter’s data" in html
    assert "Briefs published" in html and "1 of 1" in html
    assert "nothing this quarter" in html


@pytest.mark.django_db
def test_admin_quarter_form_refuses_a_quarter_that_has_an_issue(staff_client):
    q3_issue()

    response = staff_client.post(f"{ISSUES}create-for-quarter/", {"year": "2025", "quarter": "3"})

    assert response.status_code == 200
    assert "There is already an issue for Q3 2025." in response.content.decode()
    assert NewsletterIssue.objects.count() == 1


@pytest.mark.django_db
def test_admin_assemble_confirms_before_replacing_items_then_keeps_notes(staff_client):
    MemberFactory(name="New member", joined_on=datetime.date(2025, 8, 1))
    issue = q3_issue()
    first = staff_client.get(page(issue, "assemble"))
    assert "Sections with nothing this quarter are created and left out." in first.content.decode()
    staff_client.post(page(issue, "assemble"))
    members = issue.sections.get(kind=Kind.NEW_MEMBERS)
    members.note = "Welcome!"
    members.save()

    confirm = staff_client.get(page(issue, "assemble")).content.decode()
    response = staff_client.post(page(issue, "assemble"))

    assert "The items assembled earlier (1 item) are replaced by fresh ones" in confirm
    assert "Kept as they are: the sections’ titles, order and notes" in confirm
    assert response["Location"] == change_url(issue)
    members.refresh_from_db()
    assert members.note == "Welcome!"
    assert list(members.items.values_list("title", flat=True)) == ["New member"]
    html = staff_client.get(change_url(issue)).content.decode()
    assert "Assembled from the data of Q3 2025: 1 item." in html


# --- Reorder, trim, annotate -----------------------------------------------------------------


@pytest.mark.django_db
def test_admin_reorder_trim_and_annotate_sections_on_the_issue_page(staff_client):
    issue = q3_issue()
    for position, title in enumerate(["Alpha", "Beta", "Gamma"], start=1):
        NewsletterSectionFactory(issue=issue, title=title, position=position * 10)
    data = form_of(staff_client.get(change_url(issue)))
    prefix = sections_in_form(data)

    data[f"{prefix['Gamma']}-position"] = "5"  # to the top
    del data[f"{prefix['Beta']}-included"]  # trimmed
    data[f"{prefix['Alpha']}-note"] = "Read this **first**."
    response = staff_client.post(change_url(issue), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(issue.sections.values_list("title", "position", "included", "note")) == [
        ("Gamma", 10, True, ""),
        ("Alpha", 20, True, "Read this **first**."),
        ("Beta", 30, False, ""),
    ]


@pytest.mark.django_db
def test_admin_section_page_edits_items_and_returns_to_the_issue(staff_client):
    issue = q3_issue()
    section = NewsletterSectionFactory(issue=issue, title="Events held")
    one = NewsletterItemFactory(section=section, title="One", position=10)
    NewsletterItemFactory(section=section, title="Two", position=20)
    issue_page = staff_client.get(change_url(issue)).content.decode()
    section_url = f"/admin/publications/newslettersection/{section.pk}/change/"
    assert section_url in issue_page
    data = form_of(staff_client.get(section_url))
    items = {
        value: key.removesuffix("-title")
        for key, value in data.items()
        if key.startswith("items-") and key.endswith("-title")
    }

    data[f"{items['Two']}-position"] = "1"
    del data[f"{items['One']}-included"]
    data[f"{items['One']}-text"] = "Reworded by staff."
    data["items-2-title"] = "Added by hand"
    data["items-2-position"] = "99"
    data["items-2-included"] = "on"
    response = staff_client.post(section_url, data)

    assert response["Location"] == change_url(issue)
    assert list(section.items.values_list("title", "position", "included", "source")) == [
        ("Two", 10, True, ""),
        ("One", 20, False, ""),
        ("Added by hand", 30, True, ""),
    ]
    one.refresh_from_db()
    assert one.text == "Reworded by staff."


# --- Test send, publish, send ----------------------------------------------------------------


@pytest.mark.django_db
def test_admin_send_test_sends_one_copy_and_records_it(staff_client, staff_user):
    issue = q3_issue()
    section = NewsletterSectionFactory(issue=issue, title="From the secretariat")
    NewsletterItemFactory(section=section, title="We moved offices")
    form = staff_client.get(page(issue, "send-test")).content.decode()
    assert f'value="{staff_user.email}"' in form

    response = staff_client.post(page(issue, "send-test"), {"email": "editor@example.org"})

    assert response["Location"] == change_url(issue)
    (message,) = mail.outbox
    assert message.to == ["editor@example.org"]
    assert message.subject.startswith("[Test] ")
    assert "We moved offices" in message.body
    issue.refresh_from_db()
    assert issue.test_sent_to == "editor@example.org"


@pytest.mark.django_db
def test_admin_send_test_refuses_an_invalid_address(staff_client):
    issue = q3_issue()

    response = staff_client.post(page(issue, "send-test"), {"email": "not an address"})

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_admin_publish_publishes_and_shows_the_pdf_state(staff_client):
    issue = q3_issue()
    NewsletterSectionFactory(issue=issue)

    response = staff_client.post(page(issue, "publish"), {"published_on": "2025-10-08"})

    assert response["Location"] == change_url(issue)
    issue.refresh_from_db()
    assert issue.is_published and issue.published_on == datetime.date(2025, 10, 8)
    document = RenderedDocument.objects.get(publication=issue)
    html = staff_client.get(change_url(issue)).content.decode()
    assert "is published on 8 October 2025" in html
    assert "Newest render: queued" in html
    document.status, document.file, document.page_count = "done", "publications/pdf/x.pdf", 4
    document.save()
    html = staff_client.get(change_url(issue)).content.decode()
    assert f'Ready: <a href="/publications/{issue.slug}.pdf">the PDF</a>' in html
    assert "4 pages" in html
    renders = f"/admin/publications/rendereddocument/?publication__id__exact={issue.pk}"
    assert f'<a href="{renders.replace("&", "&amp;")}">All renders of this issue</a>' in html
    assert staff_client.get(renders).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_admin_publish_renders_the_pdf_through_the_worker(
    staff_client, celery_worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    issue = q3_issue()
    section = NewsletterSectionFactory(issue=issue, title="From the secretariat")
    NewsletterItemFactory(section=section, title="We moved offices")

    staff_client.post(page(issue, "publish"), {"published_on": "2025-10-08"})

    document = RenderedDocument.objects.get(publication=issue)
    deadline = time.monotonic() + 60
    while document.status not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        document.refresh_from_db()
    assert document.status == "done", document.last_error
    html = staff_client.get(change_url(issue)).content.decode()
    assert f'Ready: <a href="/publications/{issue.slug}.pdf">the PDF</a>' in html
    assert f"{document.page_count} pages" in html
    pdf = staff_client.get(f"/publications/{issue.slug}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content])[:5] == b"%PDF-"


@pytest.mark.django_db
def test_admin_publish_refuses_an_empty_issue(staff_client):
    issue = q3_issue()

    response = staff_client.post(page(issue, "publish"), {"published_on": "2025-10-08"})

    assert response.status_code == 200
    assert "This issue has no section to publish" in response.content.decode()


@pytest.mark.django_db
def test_admin_send_confirms_the_number_of_recipients_then_sends_once(staff_client):
    issue = published_q3_issue()
    SubscriberFactory.create_batch(2)
    SubscriberFactory(confirmed_at=None)  # not confirmed: not counted
    ContactFactory(member=MemberFactory(), email="contact@member.example")

    confirm = staff_client.get(page(issue, "send")).content.decode()
    response = staff_client.post(page(issue, "send"))

    assert "will be e-mailed to 3 recipients" in confirm
    assert 'value="Send to 3 recipients"' in confirm
    assert response["Location"] == change_url(issue)
    assert Delivery.objects.filter(issue=issue).count() == 3
    html = staff_client.get(change_url(issue)).content.decode()
    assert "Sending “LeadIT newsletter No. 7 — Q3 2025” has started." in html
    assert "0 of 3 done (pending: 3)" in html
    deliveries = f"/admin/publications/delivery/?issue__id__exact={issue.pk}"
    assert f'<a href="{deliveries}">the deliveries</a>' in html
    listed = staff_client.get(deliveries)
    assert listed.status_code == 200 and "3 deliveries" in listed.content.decode()
    assert "Send to subscribers…" not in html


@pytest.mark.django_db
def test_admin_send_refuses_a_second_send_with_a_clear_message(staff_client):
    issue = published_q3_issue()
    SubscriberFactory()
    staff_client.post(page(issue, "send"))

    confirm = staff_client.get(page(issue, "send")).content.decode()
    response = staff_client.post(page(issue, "send"), follow=True)

    assert "This issue has already been sent (or is being sent)" in confirm
    assert 'value="Send to' not in confirm
    assert "an issue is sent only once" in response.content.decode()
    assert Delivery.objects.filter(issue=issue).count() == 1


@pytest.mark.django_db
def test_admin_send_of_a_draft_says_publish_first(staff_client):
    issue = q3_issue()
    SubscriberFactory()

    confirm = staff_client.get(page(issue, "send")).content.decode()

    assert "Publish the issue first" in confirm
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_admin_sent_issue_cannot_be_reassembled_or_edited(staff_client):
    issue = published_q3_issue()
    SubscriberFactory()
    staff_client.post(page(issue, "send"))
    section = issue.sections.get()

    response = staff_client.post(page(issue, "assemble"), follow=True)
    section_page = staff_client.get(f"/admin/publications/newslettersection/{section.pk}/change/")

    assert "its content stays as it was sent" in response.content.decode()
    assert 'name="title"' not in section_page.content.decode()


# --- Previews --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_email_preview_is_the_email_in_a_sandbox(staff_client):
    issue = q3_issue()
    section = NewsletterSectionFactory(issue=issue, title="From the secretariat")
    NewsletterItemFactory(section=section, title="We moved offices")

    response = staff_client.get(page(issue, "preview-email"))

    assert "We moved offices" in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert "script-src" not in policy


@pytest.mark.django_db
def test_admin_issue_page_links_its_actions_and_previews(staff_client):
    issue = q3_issue()

    html = staff_client.get(change_url(issue)).content.decode()

    for name in ("assemble", "publish", "send-test", "send", "preview-email"):
        assert f'href="{page(issue, name)}"' in html
    assert f'href="/publications/{issue.slug}/"' in html


# --- Permissions -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_pages_refuse_staff_without_change_permission(client):
    issue = published_q3_issue()
    client.force_login(staff_with("view_newsletterissue", "view_newslettersection"))

    assert client.get(change_url(issue)).status_code == 200  # may look
    for name in ("assemble", "publish", "send-test", "send"):
        assert client.get(page(issue, name)).status_code == 403, name
        assert client.post(page(issue, name), {"email": "a@example.org"}).status_code == 403
    assert client.get(f"{ISSUES}create-for-quarter/").status_code == 403
    html = client.get(change_url(issue)).content.decode()
    assert page(issue, "assemble") not in html
    issue.refresh_from_db()
    assert issue.sections.count() == 1 and mail.outbox == []


@pytest.mark.django_db
def test_admin_send_needs_the_delivery_permission_too(client):
    issue = published_q3_issue()
    SubscriberFactory()
    client.force_login(
        staff_with("view_newsletterissue", "change_newsletterissue", "change_newslettersection")
    )

    assert client.get(page(issue, "send")).status_code == 403
    assert client.post(page(issue, "send")).status_code == 403
    assert page(issue, "send") not in client.get(change_url(issue)).content.decode()
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_admin_pages_are_for_staff_only(member_client):
    issue = q3_issue()

    response = member_client.get(page(issue, "assemble"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
