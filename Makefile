# Stratify: `make build` sets everything up and builds the demo; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Nothing phones home.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export STRATIFY_RAW_DIR ?= $(CURDIR)/data/demo
export STRATIFY_DUCKDB_PATH ?= $(CURDIR)/stratify.duckdb
# Spark target: warehouse, metastore and temp files of the in-process Spark (docs/engines.md).
export STRATIFY_SPARK_DIR ?= $(CURDIR)/.spark
export SPARK_LOCAL_IP ?= 127.0.0.1

.PHONY: install build test lint demo-data clean install-spark build-spark

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.txt -c constraints.txt
	touch $@

install-spark: $(VENV)/.installed-spark

# The demo on Apache Spark, in-process: raw files -> tables raw.<table>, then dbt build.
build-spark: install-spark
	$(BIN)/stratify load --target spark --raw-dir $(STRATIFY_RAW_DIR)
	$(BIN)/dbt build --target spark

# dbt build, then the Great Expectations suite over the marts BI reads (docs/quality.md), then
# the HTML report (docs/report.md).
build: install
	$(BIN)/dbt build
	$(BIN)/dbt source freshness
	$(BIN)/stratify quality
	$(BIN)/stratify report --out target/stratify_report.html

test: install-spark
	scripts/postgres.sh install
	scripts/chromium.sh install
	$(BIN)/python -m pytest

# SQL style (.sqlfluff): sqlfluff with the dbt templater; tests/python/test_sql_style.py runs
# the same. Compiling needs no database: :memory: is never written, locked or kept.
SQL_PATHS := models macros tests analyses
lint: install
	STRATIFY_DUCKDB_PATH=:memory: STRATIFY_RAW_DIR=$(CURDIR)/data/demo $(BIN)/sqlfluff lint $(SQL_PATHS)

# Regenerates the committed demo data (a few thousand customers, a little dirt).
demo-data: install
	$(BIN)/stratify generate --customers 4000 --orders 40000 --seed 20261122 --dirty 0.0005 \
		--start 2023-01-01 --end 2025-12-31 --out data/demo --quiet

clean:
	rm -rf target logs stratify.duckdb .pytest_cache .spark
