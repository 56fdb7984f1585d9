"""The embedded default (nothing set: SQLite, a file cache and media under VAR_DIR, eager
Celery) as a person trying the portal meets it. Everything runs in fresh interpreters on
``leadit.settings`` with a clean environment, each test on its own copy of a migrated
SQLite database, as in tests/test_settings_modes.py."""

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import embedded_database

ROOT = Path(__file__).resolve().parent.parent
GEM_FILE = ROOT / "tracker" / "data" / "gem" / "gem_iron_steel_map_file_2025-03-25.csv"

SETUP = """
import json, django
django.setup()
from django.test import Client
def client():
    # The test client's default host, testserver, is not an allowed host outside tests.
    return Client(SERVER_NAME="127.0.0.1", raise_request_exception=False)
"""


def _env(var_dir: Path, **extra: str) -> dict[str, str]:
    # A clean environment: nothing leaks in from the test run's own settings.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    env.update(extra, VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="leadit.settings")
    return env


def _run(args: list[str], env: dict[str, str], timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def _script(script: str, env: dict[str, str]) -> dict:
    result = _run(["-c", SETUP + script], env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    return embedded_database.migrated_database(tmp_path_factory)


@pytest.fixture
def var_dir(tmp_path, migrated_database) -> Path:
    """This test's own VAR_DIR: a copy of the migrated database, an empty cache."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    shutil.copy(migrated_database, var_dir / "leadit.sqlite3")
    return var_dir


# --- No debug pages ---------------------------------------------------------------------------


def test_embedded_default_answers_errors_with_the_sites_own_pages(var_dir):
    env = _env(var_dir, ROOT_URLCONF="tests.support.urls_with_error")
    shown = _script(
        """
from tests.factories.members import EditorFactory, MemberFactory
anonymous, editor = client(), client()
editor.force_login(EditorFactory())
pages = {
    "missing": anonymous.get("/no-such-page/"),
    "other_members_edit_page": editor.get(f"/members/{MemberFactory().slug}/edit/"),
    "admin_for_an_editor": editor.get("/admin/", follow=True),
    "broken": anonymous.get("/broken/"),
}
print(json.dumps({k: [r.status_code, r.content.decode()] for k, r in pages.items()}))
""",
        env,
    )

    for _status, page in shown.values():
        assert "URLconf" not in page and "Traceback" not in page
        assert "secret detail" not in page
        assert "DEBUG = True" not in page
    assert shown["missing"][0] == shown["other_members_edit_page"][0] == 404
    assert "<h1>Page not found</h1>" in shown["missing"][1]
    assert "<h1>Page not found</h1>" in shown["other_members_edit_page"][1]
    assert shown["admin_for_an_editor"][0] == 403
    assert "The administration is for the secretariat" in shown["admin_for_an_editor"][1]
    assert shown["broken"][0] == 500
    assert "Something went wrong" in shown["broken"][1]


# --- Data changed by another process ----------------------------------------------------------


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback only
        return response.read().decode()


def _project_count(page: str) -> int:
    match = re.search(r'id="project-results-heading">([\d,]+) project', page)
    assert match, page[:2000]
    return int(match.group(1).replace(",", ""))


@pytest.fixture
def gem_sample(tmp_path) -> Path:
    """The first 25 plants of the GEM file in the repository."""
    with GEM_FILE.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        rows = [next(reader) for _ in range(26)]
    sample = tmp_path / "gem_sample.csv"
    with sample.open("w", newline="", encoding="utf-8") as target:
        csv.writer(target).writerows(rows)
    return sample


def test_embedded_server_shows_data_another_process_imported_at_once(var_dir, gem_sample):
    port = _free_port()
    env = _env(var_dir, PORT=str(port))
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        before = _project_count(_get(f"{base}/tracker/projects/"))
        # Served from the page cache from now on.
        assert _project_count(_get(f"{base}/tracker/projects/")) == before == 0
        assert list((var_dir / "cache").iterdir()), "the page was not cached on disk"

        imported = _run(["manage.py", "import_gem_steel", str(gem_sample)], env)
        assert imported.returncode == 0, imported.stdout + imported.stderr

        after = _project_count(_get(f"{base}/tracker/projects/"))
    finally:
        server.terminate()
        server.wait(timeout=20)

    assert after > 0


# --- A mail server that cannot be reached -----------------------------------------------------


def test_embedded_default_with_a_dead_mail_server_answers_records_and_lets_staff_retry(var_dir):
    env = _env(var_dir, EMAIL_URL=f"smtp://127.0.0.1:{_free_port()}")
    shown = _script(
        """
from leadit.models import BackgroundJob
from members.models import ProgressUpdate
from tests.factories.members import EditorFactory, ProgressUpdateFactory
from tests.factories.users import StaffFactory

staff_user = StaffFactory(totp=False)
editor_user = EditorFactory()
update = ProgressUpdateFactory(member=editor_user.member)
editor, visitor, staff = client(), client(), client()
editor.force_login(editor_user)
staff.force_login(staff_user)

publish = editor.post(f"/members/{update.member.slug}/edit/updates/{update.pk}/publish/")
sign_up = visitor.post(
    "/publications/newsletter/subscribe/", {"email": "ada@example.org", "name": "Ada"}
)
told = visitor.get(sign_up["Location"]).content.decode()
# A job left "queued" where no worker will ever take it (as before this was fixed).
stuck = BackgroundJob.objects.create(
    task_name="members.notify_secretariat_of_progress_update",
    arguments={"update_id": update.pk},
    description="left queued",
)
jobs = list(BackgroundJob.objects.order_by("pk").values("status", "last_error", "attempts"))
retry = staff.post(
    "/admin/leadit/backgroundjob/",
    {"action": "retry", "_selected_action": list(BackgroundJob.objects.values_list("pk", flat=True))},
    follow=True,
)
print(json.dumps({
    "publish": [publish.status_code, publish.get("Location", "")],
    "published": ProgressUpdate.objects.get(pk=update.pk).status,
    "sign_up": [sign_up.status_code, sign_up.get("Location", "")],
    "told": told,
    "jobs": jobs,
    "retry": [retry.status_code, retry.content.decode()],
    "after_retry": list(BackgroundJob.objects.order_by("pk").values("status", "attempts")),
}))
""",
        env,
    )

    assert shown["publish"][0] == 302
    assert shown["published"] == "published"
    assert shown["sign_up"] == [
        302,
        "/publications/newsletter/subscribe/check-your-inbox/?mail=delayed",
    ]
    assert "We could not send the confirmation e-mail just now" in shown["told"]
    notify, confirmation, stuck = shown["jobs"]
    for job in (notify, confirmation):
        assert job["status"] == "failed"
        assert job["attempts"] == 1
        assert "Connection refused" in job["last_error"]
    assert stuck["status"] == "queued"
    assert shown["retry"][0] == 200
    assert "3 job(s) retried: 3 failed again (see the error column)." in shown["retry"][1]
    assert shown["after_retry"] == [
        {"status": "failed", "attempts": 2},
        {"status": "failed", "attempts": 2},
        {"status": "failed", "attempts": 1},
    ]


# --- Links point where the portal is ----------------------------------------------------------


def test_embedded_default_links_follow_the_port_served(var_dir):
    env = _env(var_dir, PORT="8123")
    shown = _script(
        """
from django.conf import settings
from django.core import mail
from django.test.utils import override_settings
with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
    mail.outbox = []
    client().post("/publications/newsletter/subscribe/", {"email": "ada@example.org"})
    # A request to another allowed address: the link follows the request.
    client().post(
        "/publications/newsletter/subscribe/",
        {"email": "bob@example.org"},
        HTTP_HOST="localhost:8123",
    )
print(json.dumps({
    "site_url": settings.SITE_URL,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "bodies": [m.body for m in mail.outbox],
}))
""",
        env,
    )

    assert shown["site_url"] == "http://127.0.0.1:8123"
    first, second = shown["bodies"]
    assert "http://127.0.0.1/publications/newsletter/confirm/" in first
    assert "http://localhost:8123/publications/newsletter/confirm/" in second


def test_site_url_names_an_allowed_host(var_dir):
    shown = _script(
        "from django.conf import settings\n"
        "print(json.dumps([settings.SITE_URL, settings.ALLOWED_HOSTS]))\n",
        _env(var_dir, SITE_URL="http://portal.local:9000"),
    )

    assert shown[0] == "http://portal.local:9000"
    assert "portal.local" in shown[1]


def test_embedded_default_sends_milestone_reminders_once(var_dir):
    """The reminder job's claim (INSERT … ON CONFLICT … RETURNING) and its reads run on the
    embedded SQLite as on PostgreSQL: the editor gets one reminder, and a second run none."""
    sent = _script(
        """
import datetime
from django.core import mail
from django.utils import timezone
from members.models import MilestoneReminder
from members.tasks_reminders import send_milestone_reminders
from tests.factories.members import (
    EditorFactory, MilestoneFactory, MilestoneReminderStepFactory, PublishedUpdateFactory,
)

today = timezone.localdate()
editor = EditorFactory()
earlier = MilestoneFactory(name="Earlier summit", date=today - datetime.timedelta(days=300))
PublishedUpdateFactory(member=editor.member, milestone=earlier, title="Last year's report")
summit = MilestoneFactory(name="Next summit", date=today + datetime.timedelta(days=5))
MilestoneReminderStepFactory(milestone=summit, days_before=7)
send_milestone_reminders()
send_milestone_reminders()
print(json.dumps({
    "rows": MilestoneReminder.objects.filter(sent_at__isnull=False).count(),
    "bodies": [m.body for m in getattr(mail, "outbox", [])],
}))
""",
        _env(var_dir, EMAIL_URL="memorymail://"),
    )

    assert sent["rows"] == 1
    assert len(sent["bodies"]) == 1
    assert "Last year's report" in sent["bodies"][0]
