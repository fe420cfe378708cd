# The one image recipe of the four services. Build context: the repository root; docker-compose
# passes the service and its port: `docker build -f ops/service.Dockerfile --build-arg SERVICE=registry
# --build-arg PORT=8001 .` The image holds the kit and that one service, nothing of the test kit.
FROM python:3.11-slim
ARG SERVICE
ARG PORT
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SERVICE=${SERVICE} PORT=${PORT}
WORKDIR /app
COPY constraints.txt ./
COPY shared/ ./shared/
COPY services/${SERVICE}/ ./services/${SERVICE}/
RUN test -n "${SERVICE}" && test -n "${PORT}" \
    && pip install --no-cache-dir -c constraints.txt ./shared ./services/${SERVICE} \
    && useradd --system --uid 10001 app \
    && mkdir -p /var/lib/sogc/issuer-keys && chown -R app /var/lib/sogc && chmod 700 /var/lib/sogc/issuer-keys
USER app
# Settings are read case-insensitively: REGISTRY_HTTP_HOST, registry_http_host are one variable.
ENV ${SERVICE}_HTTP_HOST=0.0.0.0 ${SERVICE}_HTTP_PORT=${PORT}
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD python -c "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/health').status == 200 else 1)"
CMD ["sh", "-c", "exec python -m \"$SERVICE\""]
