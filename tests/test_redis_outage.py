"""Redis down (SIGTERM) or hung (SIGSTOP), for real, on a Redis of the test's own: staff edits
go through and show up once Redis is back, finished PDFs are kept and no file is orphaned,
signing in works with rate limits still applied, /healthz answers within seconds."""

import logging
import os
import time
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from leadit import cache as page_cache
from leadit import local_pages, redis_cache
from leadit.models import BackgroundJob
from publications import documents
from publications.models import Publication, RenderedDocument
from tests.factories.members import MemberFactory
from tests.factories.publications import BriefFactory
from tests.factories.users import PASSWORD, StaffFactory, UserFactory, totp_code

pytestmark = pytest.mark.django_db

BRIEFS = "/admin/publications/brief/"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    # The breaker asks a down Redis again after 2 s in production; tests need not wait.
    monkeypatch.setattr(redis_cache, "RETRY_AFTER_SECONDS", 0.3)


def _wait_until(condition, seconds: float = 10.0) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "condition not met in time"
        time.sleep(0.05)
    return time.monotonic() - started


def _cache_answers() -> bool:
    try:
        cache.strict.get("ping")
    except page_cache.CACHE_DOWN:
        return False
    return True


def _page_keys(server) -> list:
    return server.client().keys("*pagecache:page:*")


# --- 1. Staff edits --------------------------------------------------------------------------


def test_staff_publish_a_brief_while_redis_is_down_and_the_page_shows_it_once_back(
    own_redis, staff_client, django_capture_on_commit_callbacks
):
    brief = BriefFactory(
        title="Lead markets for green steel", status=Publication.Status.DRAFT, published_on=None
    )
    visitor = Client()
    assert "Lead markets for green steel" not in visitor.get("/publications/").content.decode()
    assert _page_keys(own_redis), "the archive page was cached"
    own_redis.save()  # a Redis with persistence: the stale page comes back with it
    own_redis.stop()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(BRIEFS, {"action": "publish", "_selected_action": [brief.pk]})

    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.is_published
    assert "publications" in page_cache.pending_invalidations()

    own_redis.start()
    assert _page_keys(own_redis), "the page cached before the outage is back in Redis"
    _wait_until(_cache_answers)
    first = visitor.get("/publications/").content.decode()
    again = visitor.get("/publications/").content.decode()

    assert "Lead markets for green steel" in first
    assert "Lead markets for green steel" in again
    assert not page_cache.pending_invalidations()


def test_staff_publish_a_brief_while_redis_hangs_answers_in_seconds_and_keeps_the_job(
    own_redis, staff_client, django_capture_on_commit_callbacks
):
    brief = BriefFactory(
        title="Heat pumps for industry", status=Publication.Status.DRAFT, published_on=None
    )
    own_redis.pause()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(BRIEFS, {"action": "publish", "_selected_action": [brief.pk]})
    seconds = time.monotonic() - started
    own_redis.resume()

    assert response.status_code == 302
    assert seconds < 10
    brief.refresh_from_db()
    assert brief.is_published
    render = BackgroundJob.objects.get(task_name="publications.render_document")
    assert render.status == BackgroundJob.Status.QUEUED  # kept for the sweep to send


def test_invalidations_missed_while_down_reach_redis_without_any_other_traffic(own_redis):
    own_redis.stop()
    page_cache.invalidate("demo")
    assert page_cache.pending_invalidations() == {"demo"}

    own_redis.start()

    # The process's replay thread asks Redis again every second.
    _wait_until(lambda: not page_cache.pending_invalidations(), seconds=5)
    assert own_redis.client().keys("*pagecache:demo:generation")


def _admin_form_data(html: str, form_id: str) -> dict:
    """What a browser submits for the admin form ``form_id`` as shown (inlines included)."""

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.data, self.select, self.textarea = False, {}, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.inside = attrs.get("id") == form_id
            if not self.inside or "name" not in attrs and tag != "option":
                return
            if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
                if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                    return
                self.data.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
            elif tag == "select":
                self.select = attrs["name"]
            elif tag == "option" and self.select and "selected" in attrs:
                self.data.setdefault(self.select, []).append(attrs.get("value", ""))
            elif tag == "textarea":
                self.textarea = attrs["name"]
                self.data[self.textarea] = [""]

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None
            elif tag == "form":
                self.inside = False

        def handle_data(self, data):
            if self.textarea:
                self.data[self.textarea][-1] += data

    parser = Form()
    parser.feed(html)
    return {k: v if len(v) > 1 else v[0] for k, v in parser.data.items()}


def test_staff_edit_of_a_member_while_redis_hangs_takes_seconds_not_a_500(
    own_redis, staff_client, django_capture_on_commit_callbacks
):
    member = MemberFactory(name="Agency for Steel")
    change = f"/admin/members/member/{member.pk}/change/"
    data = _admin_form_data(staff_client.get(change).content.decode(), "member_form")
    data.update(name="Agency for Green Steel", website="https://steel.example.org/")
    own_redis.pause()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(change, data)
    seconds = time.monotonic() - started

    assert response.status_code == 302
    assert seconds < 4
    member.refresh_from_db()
    assert member.name == "Agency for Green Steel"
    assert {"tracker", "members"} <= page_cache.pending_invalidations()

    own_redis.resume()
    _wait_until(lambda: not page_cache.pending_invalidations(), seconds=6)


def test_pages_redis_comes_back_with_are_not_served_before_this_process_resyncs(own_redis):
    brief = BriefFactory(title="Cement clinker ratios", status=Publication.Status.PUBLISHED)
    visitor = Client()
    _wait_until(lambda: visitor.get("/publications/") and local_pages.LOCAL_PAGES.in_sync)
    assert "Cement clinker ratios" in visitor.get("/publications/").content.decode()
    own_redis.save()  # Redis will come back holding this page and its generation
    own_redis.stop()
    _wait_until(lambda: local_pages.LOCAL_PAGES.recovering, seconds=local_pages.SILENT_SECONDS + 3)
    # Changed by another process whose invalidation never reached this Redis.
    Publication.objects.filter(pk=brief.pk).update(title="Clinker ratios in cement")

    own_redis.start()
    right_away = visitor.get("/publications/").content.decode()
    _wait_until(
        lambda: not local_pages.LOCAL_PAGES.recovering,
        seconds=local_pages.RECONNECT_MAX_SECONDS + 5,
    )
    later = visitor.get("/publications/").content.decode()

    assert "Clinker ratios in cement" in right_away
    assert "Clinker ratios in cement" in later


def test_this_process_drops_its_copies_of_pages_when_redis_hangs(own_redis):
    visitor = Client()
    visitor.get("/publications/")
    # Listening, in sync, and the page held in this process's memory.
    _wait_until(lambda: local_pages.LOCAL_PAGES.in_sync, seconds=5)
    visitor.get("/publications/")
    _wait_until(lambda: len(local_pages.LOCAL_PAGES) > 0, seconds=5)

    own_redis.pause()

    # The subscription's PING goes unanswered: nothing held is trusted any more.
    waited = _wait_until(
        lambda: not local_pages.LOCAL_PAGES.in_sync and len(local_pages.LOCAL_PAGES) == 0,
        seconds=local_pages.SILENT_SECONDS + 3,
    )
    assert waited <= local_pages.SILENT_SECONDS + 2
    started = time.monotonic()
    assert visitor.get("/publications/").status_code == 200
    assert time.monotonic() - started < 2.5

    own_redis.resume()
    _wait_until(
        lambda: local_pages.LOCAL_PAGES.in_sync, seconds=local_pages.RECONNECT_MAX_SECONDS + 5
    )


# --- 2. Finished PDFs ------------------------------------------------------------------------


def _pdf_files(media_root) -> set[str]:
    folder = media_root / documents.PDF_FOLDER
    return (
        {f"{documents.PDF_FOLDER}/{p.name}" for p in folder.iterdir()} if folder.exists() else set()
    )


def test_a_render_finishing_while_redis_is_down_is_kept_with_its_file(
    own_redis, media_root, django_capture_on_commit_callbacks
):
    brief = BriefFactory(title="Cement roadmaps")
    with django_capture_on_commit_callbacks(execute=True):
        document = documents.document_request_render(publication=brief)
    own_redis.stop()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = documents.document_render(document_id=document.pk)

    document.refresh_from_db()
    assert outcome == "rendered"
    assert document.status == RenderedDocument.Status.DONE
    assert document.file.name and (media_root / document.file.name).exists()
    assert _pdf_files(media_root) == {document.file.name}
    assert "publications" in page_cache.pending_invalidations()


def test_a_pdf_whose_row_is_not_saved_is_deleted_again(media_root, monkeypatch):
    brief = BriefFactory(title="Cement roadmaps")
    document = RenderedDocument.objects.create(
        publication=brief, content_hash="a" * 64, status=RenderedDocument.Status.QUEUED
    )

    def refuse(*args, **kwargs):
        raise RuntimeError("the row could not be saved")

    monkeypatch.setattr(RenderedDocument, "save", refuse)
    with pytest.raises(RuntimeError):
        documents._store_pdf(document, b"%PDF-1.7 x", pages=1, seconds=0.1, rendered_hash="a" * 64)

    assert _pdf_files(media_root) == set()


def test_the_sweep_deletes_old_unreferenced_pdfs_only(media_root):
    brief = BriefFactory()
    folder = media_root / documents.PDF_FOLDER
    folder.mkdir(parents=True)
    kept = RenderedDocument.objects.create(
        publication=brief,
        content_hash="b" * 64,
        status=RenderedDocument.Status.DONE,
        file=f"{documents.PDF_FOLDER}/kept.pdf",
    )
    old = time.time() - documents.ORPHAN_MIN_AGE_SECONDS - 60
    for name in ("kept.pdf", "orphan.pdf", "in-flight.pdf"):
        (folder / name).write_bytes(b"%PDF-1.7")
    for name in ("kept.pdf", "orphan.pdf"):
        os.utime(folder / name, (old, old))

    deleted = documents.sweep_orphaned_pdfs()

    assert deleted == [f"{documents.PDF_FOLDER}/orphan.pdf"]
    assert sorted(p.name for p in folder.iterdir()) == ["in-flight.pdf", "kept.pdf"]
    assert kept.file.name == f"{documents.PDF_FOLDER}/kept.pdf"


# --- 3. Signing in ---------------------------------------------------------------------------


def test_signing_in_works_while_redis_is_down_with_a_warning(own_redis, client, caplog):
    UserFactory(email="editor@member.example")
    own_redis.stop()

    with caplog.at_level(logging.WARNING, logger="leadit.redis_cache"):
        response = client.post(LOGIN, {"login": "editor@member.example", "password": PASSWORD})

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert any("not answering" in r.getMessage() for r in caplog.records)


def test_login_rate_limits_still_apply_while_redis_is_down(own_redis, client):
    UserFactory(email="target@member.example")
    own_redis.stop()

    for _ in range(5):
        client.post(LOGIN, {"login": "target@member.example", "password": "wrong-password"})
    response = client.post(LOGIN, {"login": "target@member.example", "password": PASSWORD})

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_while_redis_hangs_takes_seconds(own_redis, client):
    staff = StaffFactory(email="officer@secretariat.example.org")
    own_redis.pause()

    started = time.monotonic()
    first = client.post(LOGIN, {"login": staff.email, "password": PASSWORD})
    second = client.post(reverse("mfa_authenticate"), {"code": totp_code(staff.totp_secret)})
    admin = client.get("/admin/")
    seconds = time.monotonic() - started

    assert first.status_code == second.status_code == 302
    assert admin.status_code == 200
    assert seconds < 4


# --- 4. /healthz -----------------------------------------------------------------------------


def test_healthz_answers_within_three_seconds_while_redis_hangs(own_redis, client):
    assert client.get("/healthz").status_code == 200
    own_redis.pause()

    started = time.monotonic()
    response = client.get("/healthz")
    seconds = time.monotonic() - started

    assert seconds < 3, seconds
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] in ("error", "timeout")
    assert body["checks"]["broker"] in ("error", "timeout")

    own_redis.resume()
    _wait_until(lambda: client.get("/healthz").status_code == 200, seconds=5)


def test_healthz_names_the_cache_and_broker_while_redis_is_down(own_redis, client):
    own_redis.stop()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "error", "broker": "error"}
