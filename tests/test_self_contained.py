"""The portal stands on its own: a clone anywhere, with nothing of ours beside it, seeds
the whole demo (the GEM plants included) and imports the full GEM file from its own
copy; no tracked file points outside the checkout."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support import embedded_database

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = re.compile(r"\.\./shared|[\"']shared/data|parents\[[0-9]\] */ *[\"']shared")


def _tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    )
    return [name for name in listed.stdout.split("\0") if name]


def test_no_tracked_file_reads_outside_the_checkout():
    suffixes = (".py", ".sh", ".toml", ".yml", ".yaml", ".cfg", ".ini")
    offending = [
        name
        for name in _tracked_files()
        if (name.endswith(suffixes) or name.startswith(("bin/", ".ci/")))
        and name != "tests/test_self_contained.py"
        and OUTSIDE.search((ROOT / name).read_text(errors="replace"))
    ]

    assert offending == []


def test_a_clone_in_a_deep_temporary_folder_seeds_the_demo_with_its_plants(
    tmp_path, tmp_path_factory
):
    clone = tmp_path / "a" / "b" / "c"
    for name in _tracked_files():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, clone / name)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "leadit.settings",
    }

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    # The session's migrated database (the same migration files): the clone's own migrate
    # then has nothing left to apply, and the seeding below is the clone's.
    (tmp_path / "var").mkdir()
    shutil.copy(
        embedded_database.migrated_database(tmp_path_factory), tmp_path / "var" / "leadit.sqlite3"
    )
    manage("migrate", "-v0")
    manage("seed_demo")
    counted = manage(
        "shell", "-c", "from tracker.models import IndustrialProject as P; print(P.objects.count())"
    )
    dry_run = manage(
        "import_gem_steel", "tracker/data/gem/gem_iron_steel_map_file_2025-03-25.csv", "--dry-run"
    )

    assert counted.strip().splitlines()[-1] == "468"
    assert "1204" in dry_run.replace(",", "") or "1,204" in dry_run
