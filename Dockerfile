# The forum delegation bot. Build: docker build -t forum-bot .
# Run (polling): docker run -d --name forum-bot --env-file .env -v forum-data:/data forum-bot
# See README, "Deploy it", for webhook mode, the forum file and backups.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/forum.sqlite3 \
    WEBHOOK_LISTEN=0.0.0.0:8080 \
    HEALTH_LISTEN=0.0.0.0:8081

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY db ./db
COPY handlers ./handlers
COPY schedule ./schedule
COPY deploy/healthcheck.py ./deploy/healthcheck.py
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin forumbot \
    && mkdir /data && chown forumbot:forumbot /data

USER forumbot
# The database lives here: a named volume or a host folder, kept across upgrades.
VOLUME ["/data"]
# 8080: the webhook (behind the proxy), 8081: /healthz and /metrics.
EXPOSE 8080 8081
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]
# SIGTERM drains (docker stop): give it time with docker stop -t 60.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
