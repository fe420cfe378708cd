#!/usr/bin/env bash
# Starts the machine's RabbitMQ and PostgreSQL when they are down, and waits for both.
set -euo pipefail
if ! rabbitmqctl -q ping >/dev/null 2>&1; then
  echo "starting RabbitMQ"
  rabbitmq-server -detached
fi
rabbitmqctl -q await_startup --timeout 120 >/dev/null
# RabbitMQ 3.10 books part of its file-handle budget (0.9 x the server's `ulimit -n`, 1024 on
# Debian's package) for every queue, open or idle. The suites declare thousands of queues across
# their vhosts; once the booking passes the budget, every new connection waits in the server's
# accept queue for ever (the client sees a TCP connection and no AMQP handshake), and so does a
# `start_app` recovering the queues. Raise the budget now and for every later start of the app
# (the descriptors really open stay in the low hundreds); a restart of the whole node forgets it,
# and this script says it again.
rabbitmqctl -q eval 'application:set_env(rabbit, file_handles_high_watermark, 65536),
  file_handle_cache:set_limit(65536).' >/dev/null
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
fi
for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
pg_isready -h 127.0.0.1 -p 5432
