"""A Redis server of the test's own, on a free port, to stop, kill or hang for real.

    server = RedisServer(directory)
    server.start()
    with server.serving(cache=True, broker=True):
        server.stop()     # SIGTERM: Redis down (its data gone unless ``save()`` ran)
        server.start()    # back, with what the last ``save()`` wrote
        server.pause()    # SIGSTOP: Redis hung (connections accepted, nothing answered)
        server.resume()   # SIGCONT
    server.close()

``serving`` points the Django cache (and the Celery broker) at this server for the block
and restores them afterwards; it also forgets the outages and the page-copies this process
held, so that nothing of another Redis leaks in or out.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import kombu.pools
import redis
from django.test import override_settings

from leadit import local_pages, redis_cache
from leadit.celery import app

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.paused = False

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis(
            host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2, **kwargs
        )

    # --- the process ------------------------------------------------------------------

    def start(self, timeout: float = 10) -> None:
        assert self.process is None, "already running"
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.paused = False
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                self.process = None
                raise RuntimeError(f"redis-server did not start on port {self.port}:\n{log}")
            time.sleep(0.02)

    def save(self) -> None:
        """Write the data to disk: a later ``start()`` loads it (a Redis with persistence
        that restarted), so what was cached before an outage is there after it."""
        self.client().save()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
        """Redis down: SIGTERM (or SIGKILL), waited for."""
        if self.process is None:
            return
        if self.paused:
            self.process.send_signal(signal.SIGCONT)
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)
        self.process = None
        self.paused = False

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def pause(self) -> None:
        """Redis hung: SIGSTOP. The kernel still accepts connections; nothing answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
        self.paused = False

    def close(self) -> None:
        self.stop(signal.SIGKILL)
        dump = self.directory / "dump.rdb"
        if dump.exists():
            os.remove(dump)

    # --- pointing the portal at it ------------------------------------------------------

    @contextmanager
    def serving(self, *, cache: bool = True, broker: bool = False):
        with ExitStack() as stack:
            if cache:
                stack.enter_context(_cache_at(self.url(0)))
            if broker:
                stack.enter_context(_broker_at(self.url(1)))
            yield self


def _forget_cache_state() -> None:
    local_pages.LOCAL_PAGES.restart()
    redis_cache.reset_outages()
    from leadit import cache as page_cache

    with page_cache._pending_lock:
        page_cache._pending.clear()


@contextmanager
def _cache_at(url: str):
    from django.conf import settings

    caches = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    _forget_cache_state()
    try:
        with override_settings(CACHES=caches):
            yield
    finally:
        _forget_cache_state()


def _use_broker(url: str) -> None:
    app.conf.broker_url = url
    # The producer pool keeps connections to the old address: start a new one.
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def _broker_at(url: str):
    original = app.conf.broker_url
    _use_broker(url)
    try:
        yield
    finally:
        _use_broker(original)
