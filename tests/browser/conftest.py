"""Browser tests: Debian's Chromium driven by Playwright, with axe-core accessibility
checks. ``axe_check(page)`` is the fixture every public page's browser test reuses."""

from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run bin/test, it installs it"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def playwright(django_db_setup, playwright):
    """Create the test database before Playwright starts its event loop in this thread."""
    return playwright


@pytest.fixture
def csp_violations(page):
    """Console messages about Content-Security-Policy violations seen on the page."""
    seen: list[str] = []
    page.on(
        "console",
        lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return seen


@pytest.fixture
def axe_check():
    assert AXE_SOURCE.exists(), "axe-core is missing: run bin/test, it runs npm ci"
    source = AXE_SOURCE.read_text()

    def check(page) -> None:
        # Evaluated through the DevTools protocol, so the page's CSP stays strict.
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
        )
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
            for v in result["violations"]
        ]
        assert problems == [], f"Accessibility violations on {page.url}:\n" + "\n".join(problems)

    return check


@pytest.fixture
def sign_in(live_server):
    """Put a signed-in session for ``user`` into ``page``'s browser context (no form)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    def sign_in(page, user) -> None:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session.session_key,
                    "url": live_server.url,
                }
            ]
        )

    return sign_in
