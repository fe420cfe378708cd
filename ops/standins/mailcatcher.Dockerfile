# Stand-in for axllent/mailpit where no image can be pulled: an SMTP sink on 1025 (Debian's
# python3-aiosmtpd) keeping what it receives in memory, with a small part of Mailpit's HTTP API on
# 8025 (GET /api/v1/messages, /readyz) and Mailpit's `/mailpit readyz` for the health check in
# docker-compose.yml (mailcatcher.py). Runs as nobody.
ARG BASE_IMAGE=localhost/sogc-base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-aiosmtpd >/dev/null \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*
COPY ops/standins/mailcatcher.py /mailpit
USER nobody
EXPOSE 1025 8025
CMD ["/mailpit"]
