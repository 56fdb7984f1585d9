"""Public pages are cached in Redis for anonymous visitors and invalidated on change."""

import gzip
import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from leadit import local_pages
from leadit.cache import invalidate
from tests.support import urls_cache

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.support.urls_cache")]


@pytest.fixture(autouse=True)
def _calls():
    urls_cache.CALLS.clear()


def test_anonymous_visitors_get_the_cached_page(client):
    first = client.get("/t/counted/?a=1")
    second = client.get("/t/counted/?a=1")
    other_query = client.get("/t/counted/?a=2")

    assert first.content == second.content == b"rendered 1"
    assert other_query.content == b"rendered 2"


def test_invalidating_the_namespace_renders_the_page_again(client):
    client.get("/t/counted/")

    invalidate("demo")

    assert client.get("/t/counted/").content == b"rendered 2"


def test_signed_in_users_always_get_a_fresh_page(member_client):
    member_client.get("/t/counted/")

    assert member_client.get("/t/counted/").content == b"rendered 2"


def test_a_page_that_showed_a_one_time_message_is_not_stored(client):
    first = client.get("/t/message/").content.decode()
    second = client.get("/t/message/").content.decode()

    assert "one-time note 1" in first
    assert "one-time note 2" in second


def test_cached_pages_still_carry_the_security_headers(client):
    client.get("/t/counted/")

    cached = client.get("/t/counted/")

    assert "script-src 'self'" in cached["Content-Security-Policy"]
    assert cached["X-Frame-Options"] == "DENY"


def test_an_anonymous_visitor_with_a_session_cookie_gets_the_cached_page_too(client):
    client.get("/t/counted/")
    client.cookies["sessionid"] = "stale-or-anonymous-session"

    assert client.get("/t/counted/").content == b"rendered 1"


def test_a_page_that_handed_out_a_csrf_token_is_not_stored(client):
    first = client.get("/t/form/").content
    second = client.get("/t/form/").content

    assert first.startswith(b"form 1") and second.startswith(b"form 2")


def test_a_cache_hit_keeps_the_headers_and_reads_nothing_from_the_database(
    client, django_assert_num_queries
):
    client.get("/t/counted/")
    client.cookies.pop("sessionid", None)

    with django_assert_num_queries(0):
        cached = client.get("/t/counted/")

    assert cached.content == b"rendered 1"
    assert cached["Vary"] == "Cookie, Accept-Encoding"


def test_browsers_get_the_cached_page_compressed(client):
    client.get("/t/counted/")

    cached = client.get("/t/counted/", headers={"Accept-Encoding": "gzip, deflate, br"})

    assert cached["Content-Encoding"] == "gzip"
    assert gzip.decompress(cached.content) == b"rendered 1"


def test_public_pages_are_rendered_while_the_cache_is_down(client):
    down = {
        "default": {
            "BACKEND": "leadit.redis_cache.ReusingRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=down):
        first = client.get("/t/counted/")
        second = client.get("/t/counted/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == b"rendered 2"


def _served_from_memory_soon(client, path: str, expected: bytes) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if client.get(path).content == expected:
            return True
        time.sleep(0.05)
    return False


def test_a_process_answers_from_its_own_copy_without_asking_redis(client):
    client.get("/t/counted/")
    # The page is gone from Redis (evicted): this process still holds it, while the
    # namespace's generation it heard is the current one.
    assert _served_from_memory_soon(client, "/t/counted/", b"rendered 1")
    redis_client = cache._cache.get_client(write=True)
    pages = redis_client.keys("*pagecache:page:*")
    assert pages
    redis_client.delete(*pages)

    assert client.get("/t/counted/").content == b"rendered 1"


def test_an_invalidation_by_another_process_reaches_this_one(client):
    client.get("/t/counted/")
    assert _served_from_memory_soon(client, "/t/counted/", b"rendered 1")
    redis_client = cache._cache.get_client(write=True)
    redis_client.delete(*redis_client.keys("*pagecache:page:*"))
    assert client.get("/t/counted/").content == b"rendered 1"  # this process's own copy

    # What ``invalidate`` does in another process: a new generation in Redis, announced.
    cache.set("pagecache:demo:generation", "from-another-process", timeout=None)
    redis_client.publish(local_pages._channel(redis_client), "demo from-another-process")

    assert _served_from_memory_soon(client, "/t/counted/", b"rendered 2")


def test_clearing_the_cache_drops_this_process_copies_too(client):
    client.get("/t/counted/")
    assert _served_from_memory_soon(client, "/t/counted/", b"rendered 1")

    cache.clear()

    assert client.get("/t/counted/").content == b"rendered 2"


def test_an_address_with_a_parameter_the_view_does_not_read_is_not_stored(client):
    client.get("/t/paged/?page=2")
    tagged = [client.get("/t/paged/?page=2&utm_source=newsletter").content for _ in range(2)]

    # The page's own address is cached; a tracking tag makes an address of its own that is
    # rendered each time (its fragments are what the view caches), and stores nothing.
    assert client.get("/t/paged/?page=2").content == b"page 2 rendered 1"
    assert tagged == [b"page 2 rendered 2", b"page 2 rendered 3"]
    redis_client = cache._cache.get_client(write=True)
    assert len(redis_client.keys("*pagecache:page:*")) == 1


def _front_get(path: str, **headers) -> tuple[str, dict, bytes]:
    """A GET through the portal's WSGI entry point (``leadit.wsgi``'s front and Django)."""
    from django.core.wsgi import get_wsgi_application
    from django.test import RequestFactory

    from leadit.cache import PageCacheFront

    environ = RequestFactory()._base_environ(PATH_INFO=path, **headers)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=status, headers=dict(response_headers))

    body = PageCacheFront(get_wsgi_application())(environ, start_response)
    content = b"".join(body)
    getattr(body, "close", lambda: None)()
    return answer["status"], answer["headers"], content


def test_the_front_answers_from_the_process_copy_with_the_stored_headers(client):
    client.get("/t/counted/")
    assert _served_from_memory_soon(client, "/t/counted/", b"rendered 1")

    status, headers, body = _front_get("/t/counted/", HTTP_ACCEPT_ENCODING="gzip")
    plain = _front_get("/t/counted/")

    assert status == "200 OK" and gzip.decompress(body) == b"rendered 1"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Length"] == str(len(body))
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert plain[2] == b"rendered 1" and "Content-Encoding" not in plain[1]
    assert urls_cache.CALLS == ["/t/counted/"]


def test_the_front_leaves_signed_in_visitors_and_unknown_hosts_to_django(client):
    client.get("/t/counted/")
    assert _served_from_memory_soon(client, "/t/counted/", b"rendered 1")

    with_session = _front_get("/t/counted/", HTTP_COOKIE="sessionid=someone")
    other_host = _front_get("/t/counted/", HTTP_HOST="attacker.example")

    assert with_session[2] == b"rendered 1"  # Django's decorator: anonymous after all
    assert other_host[0].startswith("400")


def test_a_fragment_is_kept_by_the_process_and_made_stale_by_an_invalidation(rf):
    from leadit.cache import cached_fragment

    builds = []

    def build():
        builds.append(1)
        return {"body": f"list {len(builds)}"}

    def fragment():
        return cached_fragment(rf.get("/t/"), "demo", ("list", "q=steel"), build)

    assert fragment() == {"body": "list 1"}
    assert _soon(lambda: local_pages.LOCAL_PAGES.in_sync)
    fragment()  # now kept by the process too
    redis_client = cache._cache.get_client(write=True)
    redis_client.delete(*redis_client.keys("*pagecache:demo:fragment:*"))

    assert fragment() == {"body": "list 1"}  # the process's own copy
    invalidate("demo")
    assert fragment() == {"body": "list 2"}


def _soon(condition) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
