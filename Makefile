# Two commands do everything on a fresh machine with Python 3.11+:
#   make book   - create .venv, install the pinned requirements, build the book
#   make test   - the same set-up, then every test (unit, notebooks, build, browser)
#   make check  - the fast daily subset: unit tests of rnn_core (no mutation suite, no site)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test check setup clean

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (PYTHON=$(PYTHON)); try: make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

book: $(STAMP)
	rm -rf _build
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	@echo "Open _build/html/index.html in a browser (works offline)."

test: $(STAMP)
	bash scripts/run_tests.sh

# Unit tests only, one process, well under 2 minutes. Left out: the mutation suite (it
# reruns the gradient tests once per mutation) and the site test (it builds the book).
check: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests \
		--ignore=tests/test_mutations.py --ignore=tests/test_book_site.py

clean:
	rm -rf _build .venv .hypothesis
