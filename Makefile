# cme-kiosk: `make demo` and `make test` do all the setup themselves (Debian 12 / Ubuntu, root or sudo).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
CONSTRAINTS := -c constraints.txt
STAMP := $(VENV)/.stamps

.PHONY: demo test test-slow repeat bench lint format sounds install dev i18n screenshots system-runtime system-test system-deb deb clean-venv

# The two face-station files crashed together once (Qt objects freed by the cycle collector on a
# camera thread): the default tier runs them together two more times in its own process.
FACE_PAIR := tests/runtime/test_card_face_check.py tests/runtime/test_face_station.py

# Translations: .ts sources in assets/i18n (English source strings), compiled to .qm by the build.
TS := $(wildcard assets/i18n/*.ts)
QM := $(TS:.ts=.qm)

demo: install
	$(PY) -m kiosk demo

# --durations: the tier's slowest tests in every run's output, where its time budget is spent.
test: dev system-test
	$(PY) -m pytest -m "not slow" --durations=30 --keep-duplicates tests $(FACE_PAIR) $(FACE_PAIR) $(PYTEST_ARGS)

test-slow: dev system-test
	@# The long loops, and every property test again with fresh random examples.
	HYPOTHESIS_PROFILE=explore $(PY) -m pytest -m "slow or hypothesis" $(PYTEST_ARGS)
	PY=$(PY) scripts/repeat-tests 20 $(FACE_PAIR)

# make repeat FILES="tests/a.py tests/b.py" N=20: N times in one process, then N fresh processes.
N ?= 20
repeat: dev system-test
	@test -n "$(FILES)" || { echo 'usage: make repeat FILES="tests/a.py tests/b.py" [N=20]'; exit 2; }
	PY=$(PY) scripts/repeat-tests $(N) $(FILES)

bench: dev system-test
	$(PY) tests/bench/run.py $(BENCH_ARGS)

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The desk's tones (assets/sounds/*.wav, committed; a test checks they match the script).
sounds: dev
	$(PY) scripts/make_sounds.py

install: $(STAMP)/install $(QM)
dev: $(STAMP)/dev $(QM)

assets/i18n/%.qm: assets/i18n/%.ts $(STAMP)/install
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

# Every screen as a real window under Xvfb, checked, into docs/screenshots/ (docs/desk.md shows them).
screenshots: dev system-test
	PY=$(PY) scripts/screenshots

# After changing user-visible text: refresh the .ts sources, then translate what is unfinished.
i18n: $(STAMP)/install
	$(VENV)/bin/pyside6-lupdate -no-obsolete $$(find kiosk/ui -name '*.py' | sort) -ts $(TS)

system-runtime:
	scripts/bootstrap.sh runtime build

system-test:
	scripts/bootstrap.sh test kiosk deb

system-deb:
	scripts/bootstrap.sh build deb

# dist/cme-kiosk_<version>_amd64.deb and dist/cme-kiosk-server_<version>_amd64.deb (packaging/README.md)
deb: system-deb
	packaging/build-deb.sh

$(STAMP)/venv:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "cme-kiosk needs Python >= 3.11"' \
		|| { echo "Python 3.11 or newer is required ($(PYTHON))"; exit 1; }
	scripts/bootstrap.sh runtime build
	$(PYTHON) -m venv $(VENV)
	$(PIP) install $(CONSTRAINTS) --upgrade pip setuptools wheel
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/install: $(STAMP)/venv pyproject.toml constraints.txt
	$(PIP) install $(CONSTRAINTS) --config-settings editable_mode=compat -e '.[pcsc,zbar,evdev,server,face]'
	@# face_recognition declares a dependency on dlib (a 11-minute source build); dlib-bin provides it.
	$(PIP) install $(CONSTRAINTS) --no-deps face_recognition click
	@$(PY) scripts/check_face_models.py | tee $(STAMP)/face-check.txt
	@grep -q '^face models: OK' $(STAMP)/face-check.txt \
		|| { echo "face models did not load: face check-in would be disabled"; exit 1; }
	@touch $@

$(STAMP)/dev: $(STAMP)/install
	$(PIP) install $(CONSTRAINTS) --config-settings editable_mode=compat -e '.[pcsc,zbar,evdev,server,face,dev]'
	@touch $@

clean-venv:
	rm -rf $(VENV)
