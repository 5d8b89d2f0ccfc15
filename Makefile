# Everything a fresh machine needs: `make run` serves the site, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MNIST_DIR ?= ../shared/data/mnist
export MNIST_DIR
# The PostgreSQL pass: every database test except TensorFlow training (already run on SQLite); pytest-django creates test_digits.
PG_URL ?= postgres://postgres@127.0.0.1:5432/digits
# The quick lane: no TensorFlow, no Chromium, no server processes, nothing slow (markers: pytest.ini).
FAST_LANE := not (training or browser or server or slow)

.PHONY: run test test-fast test-postgres serve-prod loadtest bench browser migrate clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# Debian's Chromium for the real-browser tests (Playwright drives /usr/bin/chromium; nothing is downloaded).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

migrate: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py register_shipped_model

# The web server and a job worker (no auto-reload for the worker: editing a file never kills a training).
run: migrate
	$(BIN)/python -m ops.run 127.0.0.1:8000

test: $(BIN)/.installed browser
	$(BIN)/python -m pytest

# For the edit-test loop; `make test` stays the full check. A selection of no tests exits 5 and fails.
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -m "$(FAST_LANE)"

# Every test that uses the database (marker `db`) again on PostgreSQL; stops with a clear message if
# PostgreSQL is not running.
test-postgres: $(BIN)/.installed browser
	$(BIN)/python -m ops.databases $(PG_URL)
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -m "db and not training"

# Production settings (DEBUG off, gunicorn, WhiteNoise) on http://127.0.0.1:8000 (PORT=, WEB_CONCURRENCY=); docs/operations.md.
serve-prod: $(BIN)/.installed
	$(BIN)/python -m ops.serve_prod

# 5,000 predictions at concurrency 8 against serve-prod on a fresh database; LOADTEST_ARGS="--database postgres".
loadtest: $(BIN)/.installed
	$(BIN)/python -m ops.loadtest $(LOADTEST_ARGS)

# Serving benchmarks, every section side by side in one run; BENCH_ARGS="--only serving,keepalive" (see --help).
bench: $(BIN)/.installed
	$(BIN)/python -m ml.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
