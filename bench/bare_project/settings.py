"""Settings of the bare project: no apps, no middleware, no database. Bench only."""

SECRET_KEY = "bench-only-bare-project-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.bare_project.urls"
DATABASES: dict = {}
USE_TZ = True
