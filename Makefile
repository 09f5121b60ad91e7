# 两条命令即可开始 / two commands to start: `make demo`, `make test`
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format bench bench-quick screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p sample_data/out
	$(BIN)/wudi-audit check sample_data/claims.xlsx \
		--attendance sample_data/attendance.xlsx --ref-dir sample_data/ref \
		-o sample_data/out/claims.exceptions.xlsx --json sample_data/out/claims.exceptions.json \
		--fail-on never

# the README's pictures: the demo workbook printed by LibreOffice (Debian packages
# libreoffice-calc-nogui, fonts-noto-cjk, poppler-utils), first page of each sheet
screenshots: demo
	$(BIN)/python scripts/screenshots.py sample_data/out/claims.exceptions.xlsx sample_data/out/render
	mkdir -p docs/images
	cp sample_data/out/render/summary.png sample_data/out/render/exceptions.png docs/images/

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	touch $(BENCH_STAMP)

# issue 13: the IO floor, the full job and its phases, the peer's job beside pandas +
# openpyxl, the ledger, three sizes, peak RSS; batches cached in bench/out/
bench: $(BENCH_STAMP)
	$(BIN)/python bench/bench.py

bench-quick: $(BENCH_STAMP)
	$(BIN)/python bench/bench.py --quick

clean:
	rm -rf $(VENV) sample_data/out .pytest_cache
