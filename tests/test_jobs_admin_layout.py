"""The background jobs' list as staff read it at 1,280 px: status, tries and the error come
first and fit on the screen; a queued job no worker took says "Queued — stuck since HH:MM",
has a "Stuck" filter, and the retry action sends it again."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import sync_playwright

from leadit.models import BackgroundJob
from tests.factories.users import StaffFactory

JOBS = "/admin/leadit/backgroundjob/"
LONG_ERROR = (
    "SMTPServerDisconnected: Connection unexpectedly closed by smtp.example.org while "
    "sending batch 3 of 12\nTraceback (most recent call last):\n" + "  File x, line 1\n" * 40
)


def _job(*, ago: datetime.timedelta, sent_ago=None, **fields) -> BackgroundJob:
    job = BackgroundJob.objects.create(task_name="publications.render_document", **fields)
    now = timezone.now()
    BackgroundJob.objects.filter(pk=job.pk).update(
        created_at=now - ago, sent_at=None if sent_ago is None else now - sent_ago
    )
    job.refresh_from_db()
    return job


def _stuck_job() -> BackgroundJob:
    return _job(
        ago=datetime.timedelta(hours=2),
        sent_ago=datetime.timedelta(hours=2),
        description="Render the PDF of “Green public procurement”",
    )


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for row in body.split("<tr")[1:]]


@pytest.mark.django_db
def test_status_tries_and_a_short_error_come_first_with_the_full_error_on_the_job(
    staff_client,
):
    failed = _job(
        ago=datetime.timedelta(minutes=5),
        status=BackgroundJob.Status.FAILED,
        attempts=5,
        last_error=LONG_ERROR,
        description="Send “LeadIT newsletter No. 1” to the subscribers " + "(batch 3) " * 10,
        arguments={"issue_id": 1, "subscribers": list(range(200))},
    )

    html = staff_client.get(JOBS).content.decode()

    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', html)
    assert headers[:3] == ["what_happened", "tries", "short_error"]
    assert "column-arguments" not in html and "issue_id" not in html  # on the job's page
    (row,) = _rows(html)
    assert re.search(r"Failed 5 SMTPServerDisconnected: Connection unexpectedly", row)
    assert "Traceback" not in row  # the first line only, shortened
    assert "(batch 3) (batch 3) (batch 3) (batch 3) (batch 3) (batch 3) (batch 3)" not in row
    # The whole error: as the title while the mouse is on it, and on the job's page.
    assert 'title="SMTPServerDisconnected: Connection unexpectedly closed by' in html
    detail = staff_client.get(f"{JOBS}{failed.pk}/change/").content.decode()
    assert "Traceback (most recent call last)" in detail
    assert "/static/css/admin-portal.css" in html


@pytest.mark.django_db
def test_a_stuck_queued_job_says_so_is_filtered_and_can_be_retried(
    staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    sent_jobs = []
    monkeypatch.setattr("leadit.jobs.job_send", lambda *, job_id: sent_jobs.append(job_id))
    stuck = _stuck_job()
    waiting = _job(
        ago=datetime.timedelta(minutes=2),
        sent_ago=datetime.timedelta(minutes=2),
        description="Render the PDF of a brief just published",
    )
    since = f"{timezone.localtime(stuck.sent_at):%H:%M}"

    html = staff_client.get(JOBS).content.decode()
    only_stuck = staff_client.get(JOBS, {"status": "stuck"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            JOBS,
            {"action": "retry", "_selected_action": [stuck.pk, waiting.pk]},
            follow=True,
        )

    assert f"Queued — stuck since {since}" in html
    assert html.count("stuck since") == 1  # the job sent two minutes ago is only queued
    assert "Stuck (queued, no worker took it)" in html
    assert "Green public procurement" in only_stuck
    assert "a brief just published" not in only_stuck
    messages = response.content.decode()
    assert "1 job(s) retried: 1 queued for a worker." in messages
    assert "1 job(s) left as they are" in messages
    assert sent_jobs == [stuck.pk]
    stuck.refresh_from_db()
    assert "queued again by staff" in stuck.history


@pytest.mark.django_db(transaction=True)
def test_the_jobs_list_fits_a_1280_px_screen(live_server):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    staff = StaffFactory()
    _stuck_job()
    _job(
        ago=datetime.timedelta(minutes=5),
        status=BackgroundJob.Status.FAILED,
        attempts=5,
        last_error=LONG_ERROR,
        description="Send “LeadIT newsletter No. 1 — Q4 2021” to the subscribers (batch 3)",
    )
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
        page.goto(live_server.url + JOBS)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        results = page.locator(".results")
        overflow = results.evaluate("el => el.scrollWidth - el.clientWidth")
        boxes = {
            name: page.locator(f"#result_list th.column-{name}").bounding_box()
            for name in ("what_happened", "tries", "short_error", "job", "created")
        }
        stuck_text = page.locator("#result_list td.field-what_happened").last.inner_text()
        browser.close()

    assert page_width <= 1280
    assert overflow <= 0, "the list scrolls sideways inside its box"
    assert all(box["x"] + box["width"] <= 1280 for box in boxes.values()), boxes
    assert stuck_text.startswith("Queued — stuck since")
