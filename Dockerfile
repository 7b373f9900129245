# copkit in a container: `docker build -t copkit .`, then `docker run -p 3978:3978 copkit`
# (see docs/operations.md). Secrets (DISCORD_TOKEN, MicrosoftAppPassword, the database URL's
# password) come from the environment at run time; none is baked into the image.

# Stage 1: build the wheel from the source tree.
FROM python:3.11.14-slim-bookworm AS build
WORKDIR /src
COPY constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt build
COPY pyproject.toml README.md LICENSE MANIFEST.in babel.cfg ./
COPY copkit ./copkit
RUN python -m build --wheel --outdir /dist .

# Stage 2: the wheel (and its pinned dependencies) on a slim Python, run as a non-root user.
FROM python:3.11.14-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COPKIT_HTTP_HOST=0.0.0.0 \
    COPKIT_HTTP_PORT=3978 \
    COPKIT_LOG_FORMAT=json \
    COPKIT_DATABASE_URL=sqlite:///data/copkit.db
COPY --from=build /dist/ /tmp/dist/
COPY constraints.txt /tmp/constraints.txt
# Fonts: the emoji font (Debian bookworm's, pinned) for whatever draws text with emoji in the
# container; the pictures copkit draws use DejaVu Sans from matplotlib's wheel (no package).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-color-emoji=2.042-0+deb12u1 \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir -c /tmp/constraints.txt /tmp/dist/*.whl \
    && rm -rf /tmp/dist /tmp/constraints.txt \
    && useradd --create-home --uid 10001 --user-group copkit \
    && mkdir /data && chown copkit:copkit /data
USER 10001:10001
WORKDIR /home/copkit
VOLUME ["/data"]
EXPOSE 3978
# Ready (200) only while the database and a configured Discord gateway are up; 503 while
# starting and stopping.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('COPKIT_HTTP_PORT', '3978'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/readyz', timeout=2).status == 200 else 1)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["copkit", "run"]
