# Everything a fresh machine needs: `make run` serves the site, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MNIST_DIR ?= ../shared/data/mnist
export MNIST_DIR

.PHONY: run test bench browser migrate clean

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

run: migrate
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(BIN)/.installed browser
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python -m ml.bench

clean:
	rm -rf $(VENV) var
