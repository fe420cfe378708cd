# The one image recipe of the services. Build context: the repository root; docker-compose
# passes the service and its port: `docker build -f ops/service.Dockerfile --build-arg SERVICE=registry
# --build-arg PORT=8001 .` The image holds the kit and that one service, nothing of the test kit.
# BASE_IMAGE: any image with Python 3.11 and its venv module as `python3` (e.g. the local Debian
# base of ops/local-base.sh where no registry is reachable); PIP_INDEX_URL: a mirror of PyPI.
ARG BASE_IMAGE=python:3.11-slim

# Stage 1 installs into a virtual environment; only that environment reaches the image, without
# pip or setuptools. The kit's dependencies first, from its pyproject alone (the same layer for
# every service and the ops image: built once), then the service's own, then the code, so a code
# change rebuilds only the last, quick layer.
FROM ${BASE_IMAGE} AS build
ARG PIP_INDEX_URL=https://pypi.org/simple
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_DEFAULT_TIMEOUT=60 PIP_INDEX_URL=${PIP_INDEX_URL} \
    DEPENDENCIES_OF="import sys, tomllib; [print(d) for f in sys.argv[1:] for d in tomllib.load(open(f, 'rb'))['project']['dependencies'] if not d.startswith('sogc-')]"
WORKDIR /src
COPY constraints.txt ./
COPY shared/pyproject.toml ./shared/
RUN python3 -c "$DEPENDENCIES_OF" shared/pyproject.toml > shared-requirements.txt \
    && python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install -q -c constraints.txt setuptools -r shared-requirements.txt
ARG SERVICE
COPY services/${SERVICE}/pyproject.toml ./services/${SERVICE}/
RUN test -n "${SERVICE}" \
    && python3 -c "$DEPENDENCIES_OF" services/${SERVICE}/pyproject.toml > requirements.txt \
    && if [ -s requirements.txt ]; then /opt/venv/bin/pip install -q -c constraints.txt -r requirements.txt; fi
COPY shared/ ./shared/
COPY services/${SERVICE}/ ./services/${SERVICE}/
RUN /opt/venv/bin/pip install -q --no-deps --no-build-isolation ./shared ./services/${SERVICE} \
    && /opt/venv/bin/pip uninstall -q -y setuptools pip

FROM ${BASE_IMAGE}
ARG SERVICE
ARG PORT
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SERVICE=${SERVICE} PORT=${PORT} PATH=/opt/venv/bin:${PATH}
RUN test -n "${SERVICE}" && test -n "${PORT}" && useradd --system --uid 10001 --no-create-home app \
    && mkdir -p /var/lib/sogc/issuer-keys && chown -R app /var/lib/sogc && chmod 700 /var/lib/sogc/issuer-keys
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER app
# Settings are read case-insensitively: REGISTRY_HTTP_HOST, registry_http_host are one variable.
ENV ${SERVICE}_HTTP_HOST=0.0.0.0 ${SERVICE}_HTTP_PORT=${PORT}
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD python -c "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/health').status == 200 else 1)"
CMD ["sh", "-c", "exec python -m \"$SERVICE\""]
