"""Builds of the dbt project on engines other than DuckDB, for test_engines_agree.py.

Per engine, two functions, registered in ENGINES:

* ``unavailable() -> str | None``: why the engine cannot run here (its driver is not
  installed, ...), or None;
* ``build(runs, work_dir, tables, fixture) -> {run name: {table: [row dicts]} | BuildFailure}``
  (``fixture(name)`` gives a pytest fixture, e.g. the PostgreSQL server):
  loads each run's raw files, runs ``dbt build`` with the run's vars (data tests included;
  dbt unit tests only where the run asks for them: they do not read the data), and reads
  the tables. Rows are dicts of
  Python values (Decimal, date, naive UTC datetime, bool, int, str), as conftest.read_table
  returns them for DuckDB.

A run is ``Run(name, raw_dir, vars, unit_tests, then_raw_dir, data_tests, marts)``; with
``then_raw_dir`` the engine builds again into the same database from that data (a day
later: the incremental models run incrementally) and the tables are read after that.
``data_tests=False`` builds without dbt's data tests: marts identical to DuckDB's pass
the same tests, so a run whose data adds nothing to the tests' own SQL (that is, the
branches they take on the engine) can leave them out; on Spark each test costs about
0.5 s however small the data. ``marts``: the tables read from this run instead of the
common list. Tables are names in schema marts, or ``schema.table``.

PostgreSQL: one database per run in the session's throwaway server (conftest.py),
loaded by `stratify load`'s COPY loader, built by conftest's DbtBuilder beside the
DuckDB builds.

Spark: one subprocess (one JVM, started once: 20-40 s) does every run in turn on its own
warehouse and Derby metastore under ``work_dir``: `stratify load`'s loader, then dbt
in-process (dbt-spark's session reuses the loader's SparkSession), then the tables.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_DIR = TESTS_DIR.parents[1]
# Spark builds every run in one subprocess, beside the other engines' builds.
TIMEOUT_SECONDS = int(os.environ.get("STRATIFY_TEST_ENGINE_TIMEOUT", "3600"))


@dataclass(frozen=True)
class Run:
    name: str
    raw_dir: Path
    vars: dict[str, Any] = field(default_factory=dict)
    unit_tests: bool = False
    then_raw_dir: Path | None = None
    data_tests: bool = True
    marts: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildFailure:
    """A run that did not produce marts: why, and where to look."""

    message: str


Rows = list[dict[str, Any]]
Result = dict[str, "dict[str, Rows] | BuildFailure"]


def selected(engine: str) -> bool:
    """STRATIFY_TEST_ENGINES (comma-separated; unset: every installed engine) lets a quick
    run leave the slow engines out, e.g. STRATIFY_TEST_ENGINES=none."""
    chosen = os.environ.get("STRATIFY_TEST_ENGINES")
    return chosen is None or engine in {name.strip() for name in chosen.split(",")}


def dbt_args(run: Run, work_dir: Path, then: bool = False) -> list[str]:
    """``then``: the second build of a run with then_raw_dir (no unit tests again)."""
    from conftest import build_options

    label = run.name + ("_then" if then else "")
    args = [
        "build",
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(PROJECT_DIR / "profiles"),
        "--target-path", str(work_dir / f"target_{label}"),
        "--log-path", str(work_dir / f"logs_{label}"),
        *build_options(run.unit_tests and not then, run.data_tests),
    ]
    if run.vars:
        args += ["--vars", json.dumps(run.vars, default=str)]
    return args


def split_table(table: str) -> tuple[str, str]:
    """``schema.table`` or a mart name -> (schema, table)."""
    schema, _, name = table.rpartition(".")
    return schema or "marts", name


# --------------------------------------------------------------------------------------
# PostgreSQL (dbt-postgres)
# --------------------------------------------------------------------------------------


def postgres_database(run: Run) -> str:
    return f"stratify_{run.name}"


def postgres_unavailable() -> str | None:
    if not selected("postgres"):
        return "postgres engine: not in STRATIFY_TEST_ENGINES"
    if importlib.util.find_spec("psycopg2") is None:
        return "postgres engine: psycopg2 not installed (make install)"
    return None


def postgres_build(runs: list[Run], work_dir: Path, tables: list[str], fixture: Callable[[str], Any]) -> Result:
    from conftest import DbtBuildError
    from stratify.engines.load import PostgresSettings, load_raw

    server, builder = fixture("postgres_server"), fixture("dbt_builder")
    futures = {}
    for run in runs:
        env = server.database(postgres_database(run))
        settings = PostgresSettings(port=server.port, dbname=postgres_database(run))
        load_raw("postgres", run.raw_dir, settings)
        then = None if run.then_raw_dir is None else functools.partial(load_raw, "postgres", run.then_raw_dir, settings)
        futures[run.name] = builder.submit(run.raw_dir, run.vars, target="postgres", env=env,
                                           unit_tests=run.unit_tests, data_tests=run.data_tests,
                                           then_raw_dir=run.then_raw_dir, before_then=then, background=True)
    result: Result = {}
    for run in runs:
        try:
            futures[run.name].result()
        except DbtBuildError as error:
            result[run.name] = BuildFailure(f"dbt build on postgres failed for run {run.name}:\n{error}")
            continue
        tables_rows = {}
        for table in run.marts or tables:
            schema, name = split_table(table)
            tables_rows[table] = server.rows(postgres_database(run), name, schema)
        result[run.name] = tables_rows
    return result


# --------------------------------------------------------------------------------------
# Spark (dbt-spark, method: session)
# --------------------------------------------------------------------------------------


def spark_unavailable() -> str | None:
    if not selected("spark"):
        return "spark engine: not in STRATIFY_TEST_ENGINES"
    missing = [module for module in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(module) is None]
    if missing:
        return (f"spark engine: {', '.join(missing)} not installed "
                "(pip install -r requirements-spark.txt -c constraints.txt)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "spark engine: no Java runtime (java on PATH or JAVA_HOME)"
    return None


def spark_build(runs: list[Run], work_dir: Path, tables: list[str], fixture: Callable[[str], Any]) -> Result:
    del fixture  # Spark needs no server: it runs inside its own subprocess
    work_dir.mkdir(parents=True, exist_ok=True)
    spec = work_dir / "spec.json"
    out = work_dir / "result.pickle"
    spec.write_text(json.dumps({
        "runs": [{"name": r.name, "raw_dir": str(r.raw_dir), "vars": r.vars, "unit_tests": r.unit_tests,
                  "then_raw_dir": r.then_raw_dir and str(r.then_raw_dir), "data_tests": r.data_tests,
                  "marts": list(r.marts)}
                 for r in runs],
        "tables": tables,
        "work_dir": str(work_dir),
    }, default=str))
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "STRATIFY_TARGET": "spark",
        "STRATIFY_SPARK_DIR": str(work_dir / "spark"),  # own warehouse and metastore
        "SPARK_LOCAL_IP": "127.0.0.1",
        "TZ": "UTC",  # PySpark gives TIMESTAMP values in the process's local time
    }
    log = work_dir / "output.txt"
    started = time.monotonic()
    with log.open("w") as output:
        try:
            completed = subprocess.run(
                [sys.executable, str(Path(__file__)), "spark", str(spec), str(out)],
                cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, timeout=TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            failure = BuildFailure(f"spark builds did not finish in {TIMEOUT_SECONDS} s "
                                   f"(STRATIFY_TEST_ENGINE_TIMEOUT); output in {log}")
            return {run.name: failure for run in runs}
    if completed.returncode != 0 or not out.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        failure = BuildFailure(f"spark subprocess failed (exit code {completed.returncode}) after "
                               f"{time.monotonic() - started:.0f} s; output in {log}:\n{tail}")
        return {run.name: failure for run in runs}
    return pickle.loads(out.read_bytes())


def _spark_main(spec_path: str, out_path: str) -> None:
    """In the subprocess: every run in one JVM."""
    import time as _time

    _time.tzset()
    from dbt.cli.main import dbtRunner

    from conftest import PartialParseCache
    from stratify.engines.load import load_raw
    from stratify.engines.spark import spark_session

    spec = json.loads(Path(spec_path).read_text())
    work_dir = Path(spec["work_dir"])
    result: dict[str, Any] = {}
    parse_cache = PartialParseCache()
    parse_cache.start(work_dir / "partial_parse")

    def build(run: Run, then: bool = False) -> Any:
        args = dbt_args(run, work_dir, then)
        target_dir = Path(args[args.index("--target-path") + 1])
        key = ("spark", [arg for arg in args if not arg.startswith(str(work_dir))])
        parse_cache.seed(target_dir, key)
        outcome = dbtRunner().invoke(args)
        if outcome.success:
            parse_cache.keep(target_dir, key)
        return outcome

    for raw_run in spec["runs"]:
        then_raw_dir = raw_run["then_raw_dir"] and Path(raw_run["then_raw_dir"])
        run = Run(raw_run["name"], Path(raw_run["raw_dir"]), raw_run["vars"], raw_run["unit_tests"], then_raw_dir,
                  raw_run["data_tests"], tuple(raw_run["marts"]))
        started = _time.monotonic()
        try:
            # One warehouse for every run: start each from nothing, or the incremental
            # models of the previous run would be updated instead of built.
            session = spark_session()
            for database in session.catalog.listDatabases():
                if database.name not in ("default", "raw"):
                    session.sql(f"drop database if exists {database.name} cascade")
            counts = load_raw("spark", run.raw_dir)
            print(f"[{run.name}] loaded {counts} in {_time.monotonic() - started:.0f} s", flush=True)
            outcome = build(run)
            if outcome.success and run.then_raw_dir is not None:
                print(f"[{run.name}] loaded {load_raw('spark', run.then_raw_dir)} for the second build", flush=True)
                outcome = build(run, then=True)
            if not outcome.success:
                bad = []
                for node in getattr(outcome.result, "results", None) or []:
                    status = str(node.status)
                    if status not in ("success", "pass", "warn", "skipped"):
                        message = (node.message or "").strip().replace("\n", " ")
                        bad.append(f"  {node.node.unique_id}: {status}: {message[:300]}")
                result[run.name] = BuildFailure(
                    f"dbt build on spark failed for run {run.name}"
                    + (f": {outcome.exception}" if outcome.exception else "")
                    + ("\n" + "\n".join(bad[:15]) if bad else "")
                    + f"\n(logs in {work_dir / ('logs_' + run.name)})"
                )
                continue
            spark = spark_session()
            result[run.name] = {
                table: [row.asDict() for row in spark.table(".".join(split_table(table))).collect()]
                for table in run.marts or spec["tables"]
            }
            print(f"[{run.name}] done in {_time.monotonic() - started:.0f} s", flush=True)
        except Exception:  # noqa: BLE001 - reported to the test, per run
            result[run.name] = BuildFailure(f"run {run.name} on spark raised:\n{traceback.format_exc()}")
    Path(out_path).write_bytes(pickle.dumps(result))


# --------------------------------------------------------------------------------------
# Registry: add an engine here (and to ENGINE_PARAMS in test_engines_agree.py).
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Engine:
    unavailable: Callable[[], str | None]
    build: Callable[[list[Run], Path, list[str], Callable[[str], Any]], Result]
    fixtures: tuple[str, ...] = ()  # the pytest fixtures ``build`` asks for


ENGINES: dict[str, Engine] = {
    "postgres": Engine(postgres_unavailable, postgres_build, ("postgres_server", "dbt_builder")),
    "spark": Engine(spark_unavailable, spark_build),
}


if __name__ == "__main__":
    sys.path[:0] = [str(PROJECT_DIR), str(TESTS_DIR)]
    if len(sys.argv) == 4 and sys.argv[1] == "spark":
        # Through the module `engines`, not `__main__`: the pickled BuildFailure must load in pytest.
        import engines

        engines._spark_main(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: engines.py spark SPEC.json OUT.pickle")
