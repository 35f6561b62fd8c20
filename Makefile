# `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Portable CPU build by default; e.g. CMAKE_ARGS="-DGGML_CUDA=on" for NVIDIA (see README).
CMAKE_ARGS ?= -DGGML_NATIVE=off
export CMAKE_ARGS

.PHONY: run test setup lint unit slow models-default models-tiny screenshots clean

$(VENV)/.apt: packaging/apt-deps.sh
	bash packaging/apt-deps.sh
	@mkdir -p $(VENV) && touch $@

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# llama-cpp-python is built once per CMAKE_ARGS into a wheel cache outside the repo.
$(VENV)/.llama-$(shell printf '%s' "$(CMAKE_ARGS)" | sha256sum | cut -c1-8): $(VENV)/bin/python packaging/llama-wheel.sh
	$(PY) -m pip install -q --force-reinstall --no-deps "$$(PYTHON=$(PY) bash packaging/llama-wheel.sh)"
	@rm -f $(VENV)/.llama-* && touch $@

$(VENV)/.deps: pyproject.toml $(VENV)/.llama-$(shell printf '%s' "$(CMAKE_ARGS)" | sha256sum | cut -c1-8)
	$(PY) -m pip install -q -e ".[dev]"
	@touch $@

setup: $(VENV)/.apt $(VENV)/.deps

models-default: setup
	$(PY) -m desktop models fetch default

models-tiny: setup
	$(PY) -m desktop models fetch tiny

run: setup models-default
	$(PY) -m desktop --pair default

# The README's pictures: a real reply on the default pair, and the model-pair dialog.
screenshots: setup models-default
	$(PY) -m desktop --screenshot docs/screenshots/chat.png --pair default \
	  --prompt "Write a Python function that checks whether a string is a palindrome, ignoring case and punctuation. Keep the explanation short."
	$(PY) -m desktop.ui.dialog_shot docs/screenshots/pair-dialog.png

lint: setup
	$(VENV)/bin/ruff check desktop tests
	$(VENV)/bin/ruff format --check desktop tests
	$(VENV)/bin/mypy desktop
	$(VENV)/bin/lint-imports

test: lint models-tiny
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
