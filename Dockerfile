# Nashir in a container: `nashir run` as an unprivileged user, its data in the volume /data.
#   docker build -t nashir .
#   docker run --env-file .env -v nashir-data:/data -p 127.0.0.1:9100:9100 nashir
# Without NASHIR_DATABASE_URL the SQLite store is /data/nashir/nashir.db (single instance).
# (an .env copied from .env.example sets the hosts to 127.0.0.1 and the metrics
# port to nothing: delete those lines, or pass -e to override them as compose.yaml does)
# compose.yaml runs it with PostgreSQL; docs/deployment.md has the details.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The same install the Makefile does, without the development extras.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
RUN pip install . \
    && useradd --system --no-create-home --home-dir /data --shell /usr/sbin/nologin nashir \
    && install -d -o nashir -g nashir -m 0750 /data

# Inside a container the servers must listen beyond loopback; publish only what you need.
ENV NASHIR_HTTP_HOST=0.0.0.0 \
    NASHIR_METRICS_HOST=0.0.0.0 \
    NASHIR_METRICS_PORT=9100 \
    NASHIR_LOG_FORMAT=json \
    HOME=/data \
    XDG_DATA_HOME=/data

USER nashir
# Docker copies /data's owner into a new named volume, so the user can write there.
VOLUME ["/data"]
WORKDIR /data
EXPOSE 8080 9100
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9100/healthz', timeout=8)"]
# Migrations run on start (serialised by a PostgreSQL lock when several start together).
ENTRYPOINT ["nashir"]
CMD ["run"]
