"""Lands raw files as the tables of source `raw` on a server engine.

On DuckDB nothing is loaded: the on-run-start hook `register_raw_files` reads the files
in place. On an engine with its own storage the raw tables of the data contract must be
tables in schema `raw` before `dbt build`: ``load_raw(target, raw_dir)`` puts
``<raw_dir>/<table>.parquet`` (or ``.csv``, every column as text) there and returns the
row count of each table. The tables and their columns are those of source `raw`
(models/staging/_raw__sources.yml); a missing file or column stops the load with a
message naming the table, as on DuckDB.

Each engine has its own ``_load_<engine>`` function.
"""

from __future__ import annotations

from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[1]
SOURCES_YML = PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"
RAW_SCHEMA = "raw"
LOADERS = ("spark",)


def raw_tables(sources_yml: Path = SOURCES_YML) -> dict[str, list[str]]:
    """{table: [column, ...]} of dbt source `raw`, in declaration order."""
    sources = yaml.safe_load(sources_yml.read_text())["sources"]
    raw = next(source for source in sources if source["name"] == "raw")
    return {table["name"]: [column["name"] for column in table.get("columns", [])] for table in raw["tables"]}


def raw_files(raw_dir: Path, tables: dict[str, list[str]]) -> dict[str, Path]:
    """{table: file}: `<table>.parquet`, else `<table>.csv`; an error names a missing table."""
    found = {}
    for table in tables:
        for extension in ("parquet", "csv"):
            path = raw_dir / f"{table}.{extension}"
            if path.is_file():
                found[table] = path
                break
        else:
            raise ValueError(
                f"raw table '{table}': neither {table}.parquet nor {table}.csv found in {raw_dir}"
            )
    return found


def check_columns(table: str, present: list[str], wanted: list[str]) -> None:
    """Every column the source declares must be in the file (case-insensitive)."""
    lower = {name.lower() for name in present}
    missing = [column for column in wanted if column.lower() not in lower]
    if missing:
        raise ValueError(
            f"raw table '{table}' lacks column(s) {', '.join(missing)} (found: {', '.join(present)})"
        )


def load_raw(target: str, raw_dir: Path) -> dict[str, int]:
    """Loads every raw table of the contract from `raw_dir` into schema `raw` of `target`
    (a target of profiles/profiles.yml); returns {table: rows loaded}."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise ValueError(f"raw dir {raw_dir} does not exist")
    tables = raw_tables()
    files = raw_files(raw_dir, tables)
    if target == "spark":
        return _load_spark(files, tables, target)
    if target == "duckdb":
        raise ValueError("the duckdb target reads the raw files in place (STRATIFY_RAW_DIR): nothing to load")
    raise ValueError(f"no raw loader for target {target!r} (loaders: {', '.join(LOADERS)})")


def _load_spark(files: dict[str, Path], tables: dict[str, list[str]], target: str) -> dict[str, int]:
    """Spark: each file read by Spark's own reader (Parquet as typed, CSV all text) and saved
    as a Parquet table `raw.<table>` in the warehouse and metastore of the dbt target."""
    from stratify.spark import spark_session

    spark = spark_session(target)
    spark.sql(f"create database if not exists {RAW_SCHEMA}")
    counts = {}
    for table, path in files.items():
        if path.suffix == ".parquet":
            frame = spark.read.parquet(str(path))
        else:
            # Every column as text (no inferSchema), like DuckDB's all_varchar: staging parses.
            frame = (
                spark.read.option("header", True).option("inferSchema", False)
                .option("escape", '"').option("multiLine", True).option("encoding", "UTF-8")
                .csv(str(path))
            )
        check_columns(table, frame.columns, tables[table])
        frame.write.mode("overwrite").format("parquet").saveAsTable(f"{RAW_SCHEMA}.{table}")
        counts[table] = spark.table(f"{RAW_SCHEMA}.{table}").count()
    return counts
