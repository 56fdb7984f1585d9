"""docker-compose.yml and the Dockerfile: what someone running `docker compose up` relies on."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PORTAL_SERVICES = ("web", "worker", "beat")
WEASYPRINT_PACKAGES = (
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz-subset0",
    "fonts-dejavu-core",
    "fonts-liberation",
)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile():
    return (ROOT / "Dockerfile").read_text()


def _environment(service):
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def _depends_on(service):
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def _named_volumes(service):
    names = set()
    for volume in service.get("volumes", []):
        source = volume["source"] if isinstance(volume, dict) else volume.split(":", 1)[0]
        names.add(source)
    return names


def _instructions(dockerfile, keyword):
    """Logical Dockerfile instructions (continuation lines joined) starting with keyword."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    return [
        line.strip()[len(keyword) :].strip()
        for line in joined.splitlines()
        if line.strip().upper().startswith(keyword + " ")
    ]


def test_compose_has_no_obsolete_version_key(compose):
    assert "version" not in compose


def test_services_all_present(services):
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)


@pytest.mark.parametrize("name", ["web", "worker", "beat", "postgres", "redis"])
def test_service_has_healthcheck_and_restart_policy(services, name):
    healthcheck = services[name].get("healthcheck")
    assert healthcheck and healthcheck.get("test"), f"{name} has no healthcheck"
    assert not healthcheck.get("disable")
    assert services[name].get("restart") == "unless-stopped"


@pytest.mark.parametrize("name", PORTAL_SERVICES)
def test_portal_service_builds_from_local_dockerfile(services, name):
    build = services[name].get("build")
    assert build is not None, f"{name} does not build the portal image"
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert (ROOT / context / dockerfile).resolve() == ROOT / "Dockerfile"


def test_portal_services_share_one_image(services):
    assert len({services[name].get("image") for name in PORTAL_SERVICES}) == 1


@pytest.mark.parametrize("name", PORTAL_SERVICES)
def test_portal_service_database_url_points_at_postgres_service(services, name):
    url = urlsplit(_environment(services[name])["DATABASE_URL"])
    assert url.scheme in {"postgres", "postgresql"}
    assert url.hostname == "postgres"
    postgres_env = services["postgres"]["environment"]
    assert url.username == postgres_env["POSTGRES_USER"]
    assert url.password == postgres_env["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == postgres_env["POSTGRES_DB"]


@pytest.mark.parametrize("name", PORTAL_SERVICES)
def test_portal_service_redis_url_points_at_redis_service(services, name):
    url = urlsplit(_environment(services[name])["REDIS_URL"])
    assert url.scheme == "redis"
    assert url.hostname == "redis"


@pytest.mark.parametrize("name", PORTAL_SERVICES)
def test_portal_service_secret_key_required_from_environment(services, name):
    assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", _environment(services[name])["SECRET_KEY"])


@pytest.mark.parametrize("name", ["web", "worker"])
def test_service_waits_for_healthy_postgres_and_redis(services, name):
    deps = _depends_on(services[name])
    assert deps.get("postgres") == "service_healthy"
    assert deps.get("redis") == "service_healthy"


def test_web_migrates_then_serves_gunicorn_on_port_8000(services):
    web = services["web"]
    command = web["command"] if isinstance(web["command"], str) else " ".join(web["command"])
    assert command.index("migrate") < command.index("gunicorn leadit.wsgi:application")
    assert "0.0.0.0:8000" in command
    assert any(str(port).endswith("8000:8000") for port in web["ports"])


def test_web_healthcheck_probes_healthz(services):
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


@pytest.mark.parametrize(("name", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_service_runs_leadit_app(services, name, subcommand):
    command = services[name]["command"]
    command = command.split() if isinstance(command, str) else command
    assert command[:4] == ["celery", "-A", "leadit", subcommand]


def test_volumes_named_and_declared(compose):
    assert {"postgres-data", "redis-data", "media"} <= set(compose["volumes"])


@pytest.mark.parametrize(
    ("name", "volume"),
    [
        ("postgres", "postgres-data"),
        ("redis", "redis-data"),
        ("web", "media"),
        ("worker", "media"),
    ],
)
def test_service_mounts_named_volume(services, name, volume):
    assert volume in _named_volumes(services[name])


def test_media_volume_mounted_at_same_path_in_web_and_worker(services):
    def media_target(service):
        return {v.split(":")[1] for v in service["volumes"] if v.startswith("media:")}

    assert media_target(services["web"]) == media_target(services["worker"]) == {"/app/var/media"}


def test_dockerfile_exists_on_python_311_slim(dockerfile):
    assert _instructions(dockerfile, "FROM")[0] == "python:3.11-slim-bookworm"


def test_dockerfile_installs_weasyprint_packages_without_recommends(dockerfile):
    apt_steps = [run for run in _instructions(dockerfile, "RUN") if "apt-get install" in run]
    assert len(apt_steps) == 1
    installed = set(apt_steps[0].split())
    assert set(WEASYPRINT_PACKAGES) <= installed
    assert "--no-install-recommends" in installed
    assert "rm -rf /var/lib/apt/lists/*" in apt_steps[0]


def test_dockerfile_runs_as_non_root_user(dockerfile):
    users = _instructions(dockerfile, "USER")
    assert users and users[-1] not in {"root", "0"}


def test_dockerfile_collects_static_at_build_time(dockerfile):
    assert any("collectstatic --noinput" in run for run in _instructions(dockerfile, "RUN"))


def test_dockerfile_cmd_runs_gunicorn_with_wsgi_application(dockerfile):
    cmd = json.loads(_instructions(dockerfile, "CMD")[-1])
    assert cmd[0] == "gunicorn"
    assert "leadit.wsgi:application" in cmd
    assert "0.0.0.0:8000" in cmd
    assert "8000" in _instructions(dockerfile, "EXPOSE")


def test_dockerignore_keeps_local_state_out_of_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", "node_modules", "var", ".git", ".env"} <= ignored
