# LeadIT Secretariat Portal: one image for web (gunicorn), worker and beat (Celery).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/var/static \
    MEDIA_ROOT=/app/var/media

# WeasyPrint's native libraries and the fonts the PDFs use.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The world map's country geometry (npm package world-atlas, see package.json) into
# /app/node_modules. Node and npm are borrowed from the official Node image for this one
# step (a BuildKit bind mount), so they never end up in the image.
COPY package.json package-lock.json ./
RUN --mount=type=bind,from=node:20-bookworm-slim,source=/usr/local,target=/opt/node \
    PATH=/opt/node/bin:$PATH npm ci --omit=dev --no-audit --no-fund --loglevel=error \
    && rm -rf /root/.npm

# The whole tree: templates/ and static/ are found through BASE_DIR (/app).
COPY . .
RUN pip install --no-deps -e .

# Build-time values only: production settings refuse to load without them. Nothing
# connects to the database; the real values come from the environment at run time.
RUN SECRET_KEY=collectstatic-build-only-0123456789abcdefghijklmnopqrstuvwxyz \
    DATABASE_URL=postgres://x@localhost/x \
    DEBUG=false \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown app:app /app/var/media

VOLUME ["/app/var/media"]
USER app
EXPOSE 8000

# Django answers only for ALLOWED_HOSTS: the probe sends the first one as its Host.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD python -c 'import os, urllib.request as r; h = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip("."); h = "localhost" if h in ("", "*") else h; r.urlopen(r.Request("http://127.0.0.1:8000/healthz", headers={"Host": h}), timeout=8)'

CMD ["gunicorn", "leadit.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
