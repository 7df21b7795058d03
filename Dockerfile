# The reform tracker: one image for web (gunicorn), worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3

# gettext: msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Runtime dependencies only (no test tools), at the versions of constraints.txt. This layer
# is rebuilt only when pyproject.toml or constraints.txt change. The project itself runs
# from /app (PYTHONPATH), so BASE_DIR, templates/ and fixtures/ are found there.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Only what the application needs (no .venv, database or media of a working copy).
COPY manage.py ./
COPY config ./config
COPY reform ./reform
COPY templates ./templates
COPY static ./static
COPY fixtures ./fixtures
COPY locale ./locale

# Translations and static files at build time. The secret key is a build-time dummy: these
# commands read no database and sign nothing; the real key comes from the environment at run.
RUN DJANGO_DEBUG=true python manage.py compilemessages \
    && DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-time-dummy-key-never-used-at-runtime \
        python manage.py collectstatic --noinput

# Run as an unprivileged user; it owns only the evidence files (MEDIA_ROOT, a volume).
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home app \
    && mkdir -p /data/media \
    && chown app:app /data/media
USER app
VOLUME ["/data/media"]

EXPOSE 8000

# TLS terminates at a reverse proxy in front of this port (it sets X-Forwarded-Proto).
# Gunicorn workers: WEB_CONCURRENCY (default 3); other options: GUNICORN_CMD_ARGS.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "60", "--access-logfile", "-", "--no-control-socket"]
