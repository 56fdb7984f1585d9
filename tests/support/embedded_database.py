"""One migrated embedded (SQLite) database per test session, shared by the test processes.

Migrating SQLite from nothing takes over a minute of CPU (Django re-renders the model states
of about a hundred history tables at each operation), and two test files need it: the
embedded default's and the self-contained clone's. The first to ask migrates, under a file
lock that ``pytest -n`` processes share; the others copy its file. The name carries a digest
of every migration file, so a changed migration is never served an old database."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def migrated_database(tmp_path_factory) -> Path:
    """The path of a migrated embedded database: copy it, never write to it."""
    # Under pytest -n each process has its own base folder; their parent is the session's.
    shared = tmp_path_factory.getbasetemp().parent
    target = shared / f"embedded-{_migrations_digest()}.sqlite3"
    with open(shared / "embedded-database.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            var_dir = shared / f"embedded-migrate-{os.getpid()}"
            env = {
                "PATH": os.environ["PATH"],
                "HOME": os.environ.get("HOME", "/tmp"),
                "VAR_DIR": str(var_dir),
                "DJANGO_SETTINGS_MODULE": "leadit.settings",
            }
            result = subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            shutil.copy(var_dir / "leadit.sqlite3", target.with_suffix(".partial"))
            target.with_suffix(".partial").rename(target)
    return target
