# Mentoring: one image for web (gunicorn), worker and beat (see docker-compose.yml).

# Front-end assets: Bootstrap and bootstrap-icons from the committed lockfile. Dev dependencies
# (axe-core, for the browser tests) are left out of the image.
FROM node:22-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error


FROM python:3.13-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# An unprivileged user runs every process; the beat schedule lives in /var/lib/celery (a named
# volume in docker-compose.yml takes this directory's ownership when first created).
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /var/lib/celery /var/lib/mentoring/media \
    && chown app:app /var/lib/celery /var/lib/mentoring/media

# Dependencies first, so a code change does not reinstall them: the runtime lock only (test and
# development tools are in requirements-dev.lock). Every package in it has a wheel for Python 3.13
# (psycopg[binary]), so no compiler is needed.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY --from=assets /build/node_modules ./node_modules
COPY . .

# Static files are collected (and hashed/compressed by WhiteNoise) at build time with the
# production storage. The keys and database URL are throwaway values: collectstatic neither signs
# nor encrypts anything nor connects to the database, and none of them ends up in the running
# container.
RUN DEBUG=0 \
    SECRET_KEY=build-time-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    MFA_ENCRYPTION_KEY=build-time-only-not-a-key \
    DATABASE_URL=postgres://build@localhost:5432/build \
    python manage.py collectstatic --noinput

USER app
EXPOSE 8000

# Worker processes come from WEB_CONCURRENCY (gunicorn reads it; default 1), the proxies trusted
# for X-Forwarded-Proto from FORWARDED_ALLOW_IPS. The config sends the access log to stdout with
# the secrets in tokened links redacted.
CMD ["gunicorn", "mentoring.wsgi", "--bind", "0.0.0.0:8000", "--config", "python:mentoring.gunicorn_conf"]
