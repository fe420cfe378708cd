# Stand-in for rabbitmq:3.10-management where no image can be pulled: Debian's rabbitmq-server
# (3.10.8) on the local base (ops/local-base.sh), honouring what docker-compose.yml relies on from
# the official image: /etc/rabbitmq/rabbitmq.conf (which loads the rendered definitions), data in
# /var/lib/rabbitmq, the node name rabbit@<hostname>, the management plugin on 15672, and
# `rabbitmq-diagnostics` on PATH for the health check. Runs as the rabbitmq user.
ARG BASE_IMAGE=localhost/sogc-base:bookworm
FROM ${BASE_IMAGE}
# policy-rc.d: the package's scripts must not start a broker while the image is built.
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
    && apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/* /usr/sbin/policy-rc.d \
    && rabbitmq-plugins enable --offline rabbitmq_management >/dev/null \
    && rm -rf /var/lib/rabbitmq/* /var/log/rabbitmq/* \
    && mkdir -p /etc/rabbitmq/definitions \
    && chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq /etc/rabbitmq
# Logs to standard output, as the official image does; HOME keeps the Erlang cookie in the volume.
ENV HOME=/var/lib/rabbitmq RABBITMQ_LOGS=- RABBITMQ_SASL_LOGS=-
USER rabbitmq
EXPOSE 4369 5672 15672 25672
CMD ["/usr/lib/rabbitmq/bin/rabbitmq-server"]
