# The few commands people type. `make run` runs the system, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SERVICES := $(patsubst services/%/pyproject.toml,%,$(wildcard services/*/pyproject.toml))
EDITABLES := -e shared -e testkit $(foreach s,$(SERVICES),-e services/$(s))
empty :=
space := $(empty) $(empty)

.PHONY: install provision run test test-unit lint format services-up docs demo bench compose-test

install: $(VENV)/.installed

$(VENV)/.installed: constraints.txt requirements-dev.txt shared/pyproject.toml testkit/pyproject.toml $(wildcard services/*/pyproject.toml)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt $(EDITABLES) -r requirements-dev.txt
	touch $@

services-up:  ## start the machine's RabbitMQ and PostgreSQL if they are down
	bash ops/services-up.sh

provision: install services-up
	$(PY) -m ops.provision

run: provision
	$(PY) -m ops.run

test: provision
	$(PY) -m pytest shared/tests $(foreach s,$(SERVICES),services/$(s)/tests) tests

# Unit tests need neither RabbitMQ nor PostgreSQL: both addresses point at a closed port, so a
# test that reaches for either fails here instead of passing on a developer's machine only.
UNIT_ENV := TEST_ADMIN_DSN=postgresql://postgres@127.0.0.1:9/postgres TEST_AMQP_HOST=127.0.0.1:9 \
	TEST_ADMIN_AMQP_URL=amqp://guest:guest@127.0.0.1:9/unit

test-unit: install  ## the use cases, domain and kit parts that need no broker or database; seconds
	$(UNIT_ENV) $(PY) -m pytest -q -m "not integration" shared/tests $(foreach s,$(SERVICES),services/$(s)/tests/unit)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	MYPYPATH=$(subst $(space),:,$(foreach s,$(SERVICES),services/$(s))) $(VENV)/bin/mypy -p shared -p testkit $(foreach s,$(SERVICES),-p $(s)) -p ops

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

docs: install  ## regenerate docs/asyncapi and docs/openapi from code
	$(PY) -m ops.docs

bench: provision  ## the system benchmark against the raw broker (bench/README.md); not a test
	$(PY) -m bench.system

demo: install  ## replay the article through the running system (start it first with `make run`)
	$(PY) -m ops.demo $(DEMO_ARGS)

# The Compose deployment built and run in containers (podman), smoke-tested through its published
# ports, then `down -v` (ops/compose_smoke.py). The builds are cached between runs (seconds when
# nothing changed; a first build on a busy machine takes a quarter of an hour); the stack's run is
# bounded at 15 minutes, and a SIGTERM at the bound still tears it down.
compose-test: install
	timeout --kill-after=90s 45m $(PY) -m ops.compose_smoke --phase build
	timeout --kill-after=90s 15m $(PY) -m ops.compose_smoke --phase run
