# Stand-in for postgres:15 where no image can be pulled: Debian's postgresql-15 on the local base
# (ops/local-base.sh), honouring what docker-compose.yml relies on from the official image:
# POSTGRES_USER / POSTGRES_PASSWORD (/ POSTGRES_DB), data in /var/lib/postgresql/data, the scripts
# in /docker-entrypoint-initdb.d run once on an empty data directory, password (scram) logins
# over TCP, and `pg_isready` on PATH for the health check (postgres-entrypoint.sh).
ARG BASE_IMAGE=localhost/sogc-base:bookworm
FROM ${BASE_IMAGE}
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
    && apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/* /usr/sbin/policy-rc.d \
    && (pg_dropcluster 15 main 2>/dev/null || true) \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql /docker-entrypoint-initdb.d \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
    && chmod 700 /var/lib/postgresql/data
COPY ops/standins/postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:${PATH} PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
