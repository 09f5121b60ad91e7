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

# the review loop once (docs/ledger.md): check the demo batch, an officer's decisions
# (sample_data/decisions.csv) filled into the workbook, recorded in a fresh demo ledger,
# then the next batch checked against that ledger
DEMO_INPUTS := --attendance sample_data/attendance.xlsx --ref-dir sample_data/ref
DEMO_LEDGER := sample_data/out/ledger

demo: $(STAMP)
	mkdir -p sample_data/out
	rm -rf $(DEMO_LEDGER)
	$(BIN)/wudi-audit check sample_data/claims.xlsx $(DEMO_INPUTS) --ledger $(DEMO_LEDGER) \
		-o sample_data/out/claims.exceptions.xlsx --json sample_data/out/claims.exceptions.json \
		--fail-on never
	$(BIN)/python scripts/fill_decisions.py sample_data/out/claims.exceptions.xlsx \
		sample_data/decisions.csv sample_data/out/claims.reviewed.xlsx
	$(BIN)/wudi-audit ledger add sample_data/claims.xlsx $(DEMO_INPUTS) --ledger $(DEMO_LEDGER) \
		--batch-id 2026第3批 --decisions sample_data/out/claims.reviewed.xlsx
	$(BIN)/wudi-audit ledger list --ledger $(DEMO_LEDGER)
	$(BIN)/wudi-audit check sample_data/next_batch.csv --ref-dir sample_data/ref \
		--ledger $(DEMO_LEDGER) -o sample_data/out/next_batch.exceptions.xlsx \
		--json sample_data/out/next_batch.exceptions.json --fail-on never

# the README's pictures: the demo workbook printed by LibreOffice (Debian packages
# libreoffice-calc-nogui, fonts-noto-cjk, poppler-utils), first page of each sheet
screenshots: demo
	$(BIN)/python scripts/screenshots.py sample_data/out/claims.exceptions.xlsx sample_data/out/render
	mkdir -p docs/images
	cp sample_data/out/render/summary.png sample_data/out/render/exceptions.png docs/images/
	$(BIN)/python scripts/decisions_picture.py sample_data/out/claims.reviewed.xlsx docs/images/decisions.png

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
	$(BIN)/python bench/million.py

bench-quick: $(BENCH_STAMP)
	$(BIN)/python bench/bench.py --quick

clean:
	rm -rf $(VENV) sample_data/out .pytest_cache
