"""Shared fixtures of the Python tests: building the dbt project into a throw-away DuckDB
file, reading its marts, writing hand-made raw data, and generating raw data.

Each dbt build runs in a subprocess (dbt-duckdb keeps the database file open in-process,
and dbt keeps global state) with its own DuckDB file, --target-path and --log-path under
pytest's tmp dir, so builds can run side by side. Builds are cached per (raw dir, vars,
tag) for the session and can be started early (``dbt_builder.submit``) so that several
run in parallel while the first test already checks its results.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_DIR = TESTS_DIR.parents[1]
PROFILES_DIR = PROJECT_DIR / "profiles"
BUILD_TIMEOUT_SECONDS = int(os.environ.get("STRATIFY_TEST_BUILD_TIMEOUT", "600"))

# `import oracle` from the test modules, whatever pytest's import mode.
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))


# --------------------------------------------------------------------------------------
# Order: long background builds start first, the tests that wait for them run last
# --------------------------------------------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``early`` (e.g. the engine comparison, whose session fixtures start the
    Spark and PostgreSQL builds) run first, tests marked ``late`` (those that wait for such
    builds) last, so that the long builds run beside every other module instead of after
    them. Otherwise pytest's order (trylast: after its own fixture-based reordering)."""
    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("late"):
            return 2
        return 0 if item.get_closest_marker("early") else 1

    items.sort(key=rank)


# --------------------------------------------------------------------------------------
# dbt builds
# --------------------------------------------------------------------------------------


class DbtBuildError(AssertionError):
    pass


@dataclass(frozen=True)
class Build:
    """One finished, successful `dbt build`."""

    name: str
    raw_dir: Path
    vars: dict[str, Any]
    duckdb_path: Path
    work_dir: Path
    seconds: float

    def rows(self, table: str, schema: str = "marts") -> list[dict[str, Any]]:
        return read_table(self.duckdb_path, table, schema)


def read_table(duckdb_path: Path, table: str, schema: str = "marts") -> list[dict[str, Any]]:
    """All rows of ``schema.table`` as dicts (DECIMAL -> Decimal, DATE -> date), read-only."""
    import duckdb

    connection = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        cursor = connection.execute(f'select * from "{schema}"."{table}"')
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
    finally:
        connection.close()


def _dbt_command() -> list[str]:
    dbt_exe = Path(sys.executable).parent / "dbt"
    if dbt_exe.exists():
        return [str(dbt_exe)]
    found = shutil.which("dbt")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from dbt.cli.main import cli; sys.exit(cli())"]


def _failure_report(work_dir: Path, completed: subprocess.CompletedProcess) -> str:
    killed = f" = killed by signal {-completed.returncode}" if completed.returncode < 0 else ""
    lines = [f"dbt build failed (exit code {completed.returncode}{killed}); work dir {work_dir}"]
    run_results = work_dir / "target" / "run_results.json"
    if run_results.exists():
        results = json.loads(run_results.read_text())["results"]
        bad = [r for r in results if r["status"] not in ("success", "pass", "warn", "skipped")]
        skipped = sum(r["status"] == "skipped" for r in results)
        lines.append(f"{len(bad)} failing node(s) of {len(results)} in run_results.json "
                     f"({skipped} skipped because of them):")
        for r in bad:
            message = (r.get("message") or "").strip().replace("\n", " ")
            lines.append(f"  {r['unique_id']}: {r['status']}: {message[:300]}")
    else:
        lines.append("(no run_results.json: the run stopped before any node ran)")
    lines.append("--- last lines of dbt output ---")
    lines.extend((completed.stdout + completed.stderr).strip().splitlines()[-12:])
    return "\n".join(lines)


class PartialParseCache:
    """dbt's partial_parse.msgpack of the first build of each kind, copied into the target
    dir of later builds of that kind: dbt then re-parses only what differs instead of the
    whole project (about 10 s of each invocation's 20 s parse). dbt checks the file against
    the project files, vars, profile and env vars itself, so a stale copy costs a full parse,
    never a wrong manifest. The profile counts: DuckDB builds name their file relative to
    its folder (run from there), so that every `stratify.duckdb` has the same profile."""

    def __init__(self) -> None:
        self._root: Path | None = None
        self._lock = threading.Lock()

    def _file(self, key: tuple) -> Path | None:
        if self._root is None:
            return None
        digest = hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()[:16]
        return self._root / f"{digest}.msgpack"

    def start(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self._root = root

    def seed(self, target_dir: Path, key: tuple) -> None:
        cached = self._file(key)
        if cached is not None and cached.exists():
            target_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, target_dir / "partial_parse.msgpack")

    def keep(self, target_dir: Path, key: tuple) -> None:
        cached, produced = self._file(key), target_dir / "partial_parse.msgpack"
        with self._lock:
            if cached is not None and not cached.exists() and produced.exists():
                shutil.copyfile(produced, cached.with_suffix(".tmp"))
                cached.with_suffix(".tmp").replace(cached)


PARTIAL_PARSE = PartialParseCache()


def build_options(unit_tests: bool, data_tests: bool = True) -> list[str]:
    """`dbt build` options leaving out the tests a build does not ask for."""
    excluded = [*(() if unit_tests else ("test_type:unit",)), *(() if data_tests else ("test_type:data",))]
    return ["--exclude", *excluded] if excluded else []


def run_dbt_build(work_dir: Path, duckdb_path: Path, raw_dir: Path, vars: dict[str, Any] | None = None, *,
                  target: str = "duckdb", env: dict[str, str] | None = None, unit_tests: bool = False,
                  data_tests: bool = True, project_dir: Path = PROJECT_DIR,
                  extra_args: tuple[str, ...] = ()) -> float:
    """One `dbt build` of ``raw_dir`` into ``duckdb_path`` (new or existing: a second build
    into the same file runs the incremental models incrementally); logs and target files
    under ``work_dir``. Returns the seconds it took; raises DbtBuildError on failure."""
    work_dir.mkdir(parents=True, exist_ok=True)
    options = [*extra_args, *build_options(unit_tests, data_tests)]
    if vars:
        options += ["--vars", json.dumps(vars, default=str)]
    command = _dbt_command() + [
        "build",
        "--project-dir", str(project_dir),
        "--profiles-dir", str(PROFILES_DIR),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
        *options,
    ]
    full_env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "STRATIFY_TARGET": target,
        "STRATIFY_RAW_DIR": str(Path(raw_dir).resolve()),
        "STRATIFY_DUCKDB_PATH": duckdb_path.name,
        **(env or {}),
    }
    parse_key = (str(project_dir), target, duckdb_path.name, options, sorted((env or {}).items()))
    PARTIAL_PARSE.seed(work_dir / "target", parse_key)
    duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command, cwd=duckdb_path.parent, env=full_env, capture_output=True, text=True,
            timeout=BUILD_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as error:
        raise DbtBuildError(
            f"dbt build of {raw_dir} did not finish in {BUILD_TIMEOUT_SECONDS} s "
            f"(STRATIFY_TEST_BUILD_TIMEOUT); work dir {work_dir}"
        ) from error
    seconds = time.monotonic() - started
    (work_dir / "dbt_output.txt").write_text(completed.stdout + completed.stderr)
    if completed.returncode != 0:
        raise DbtBuildError(_failure_report(work_dir, completed))
    PARTIAL_PARSE.keep(work_dir / "target", parse_key)
    return seconds


class DbtBuilder:
    """Runs `dbt build` in subprocesses, a few at a time, caching builds per session. Builds
    a test waits for run on ``workers`` threads; ``background`` builds (those only the
    ``late`` tests read) on a thread of their own, so that they fill the time the others
    leave instead of holding up the tests that wait."""

    def __init__(self, root: Path, workers: int) -> None:
        self.root = root
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dbt-build")
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dbt-background")
        self._futures: dict[tuple, Future] = {}
        self._lock = threading.Lock()

    def submit(self, raw_dir: Path | str, vars: dict[str, Any] | None = None, tag: str = "",
               target: str = "duckdb", env: dict[str, str] | None = None, unit_tests: bool = False,
               data_tests: bool = True, project_dir: Path = PROJECT_DIR, then_raw_dir: Path | None = None,
               before_then: Callable[[], None] | None = None, background: bool = False) -> Future:
        """Start (or reuse) a build; returns a Future of ``Build``. A server target (e.g.
        postgres) reads raw data already loaded into its schema raw; ``env`` says where.
        dbt unit tests do not read the raw data: they run only where ``unit_tests`` asks;
        ``data_tests=False`` leaves the data tests out of both builds.
        ``project_dir``: another copy of the project (e.g. with an edited seed).
        ``then_raw_dir``: after the build, build again into the same database from this
        data (the incremental run of a later day); ``before_then`` runs in between (e.g.
        loads that data into a server's schema raw). ``background``: see the class."""
        vars = dict(vars or {})
        key = (str(Path(raw_dir).resolve()), json.dumps(vars, sort_keys=True, default=str), tag, target, unit_tests,
               data_tests, str(project_dir), str(then_raw_dir))
        with self._lock:
            if key not in self._futures:
                name = f"{len(self._futures):02d}_{Path(raw_dir).name}{'_' + tag if tag else ''}_{target}"
                pool = self._background if background else self._pool
                self._futures[key] = pool.submit(self._run, name, Path(raw_dir), vars, target, env or {},
                                                 unit_tests, data_tests, project_dir, then_raw_dir, before_then)
            return self._futures[key]

    def build(self, raw_dir: Path | str, vars: dict[str, Any] | None = None, **options: Any) -> Build:
        """``submit`` (same options), then wait for the build."""
        return self.submit(raw_dir, vars, **options).result()

    def _run(self, name: str, raw_dir: Path, vars: dict[str, Any], target: str, extra_env: dict[str, str],
             unit_tests: bool, data_tests: bool, project_dir: Path, then_raw_dir: Path | None,
             before_then: Callable[[], None] | None) -> Build:
        work_dir = self.root / name
        work_dir.mkdir(parents=True)
        duckdb_path = work_dir / "stratify.duckdb"
        seconds = run_dbt_build(work_dir, duckdb_path, raw_dir, vars, target=target, env=extra_env,
                                unit_tests=unit_tests, data_tests=data_tests, project_dir=project_dir)
        if then_raw_dir is not None:
            if before_then is not None:
                before_then()
            seconds += run_dbt_build(work_dir / "then", duckdb_path, then_raw_dir, vars, target=target,
                                     env=extra_env, data_tests=data_tests, project_dir=project_dir)
        return Build(name, raw_dir, vars, duckdb_path, work_dir, seconds)

    def close(self) -> None:
        for pool in (self._pool, self._background):
            pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session", autouse=True)
def partial_parse_cache(tmp_path_factory) -> None:
    PARTIAL_PARSE.start(tmp_path_factory.mktemp("partial_parse"))


@pytest.fixture(scope="session")
def dbt_builder(tmp_path_factory) -> DbtBuilder:
    workers = int(os.environ.get("STRATIFY_TEST_BUILD_WORKERS", "2"))
    builder = DbtBuilder(tmp_path_factory.mktemp("dbt_builds"), workers)
    yield builder
    builder.close()


# --------------------------------------------------------------------------------------
# Raw data: hand-made tables and generated datasets
# --------------------------------------------------------------------------------------


def _raw_schemas():
    """The contract's raw schemas, as the generator writes them."""
    from stratify.devdata.generate import TABLES, schema

    return {table: schema(table) for table in TABLES}


def _write_raw_dir(out_dir: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """Writes the 7 raw tables as Parquet (missing tables/columns: empty/null), typed per
    the data contract. Values: str, datetime, date, Decimal (or str/int for money), bool."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    for table, schema in _raw_schemas().items():
        rows = tables.get(table, [])
        unknown = {k for row in rows for k in row} - set(schema.names)
        assert not unknown, f"{table}: unknown column(s) {sorted(unknown)}"
        columns = {}
        for field in schema:
            values = [row.get(field.name) for row in rows]
            if pa.types.is_decimal(field.type):
                values = [None if v is None else Decimal(str(v)) for v in values]
            columns[field.name] = pa.array(values, type=field.type)
        pq.write_table(pa.table(columns, schema=schema), out_dir / f"{table}.parquet")
    return out_dir


def _generate_raw(out_dir: Path, *, customers: int, orders: int, seed: int, dirty: float = 0.0,
                  start: str, end: str, fmt: str = "parquet") -> Path:
    """Raw data from the project's generator (``stratify.devdata.generate.generate``)."""
    from stratify.devdata.generate import generate

    generate(
        customers=customers, orders=orders, seed=seed, dirty=dirty,
        start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end),
        out=out_dir, fmt=fmt, quiet=True,
    )
    return out_dir


@pytest.fixture(scope="session")
def write_raw_dir():
    """``write_raw_dir(out_dir, {table: [row dicts]}) -> out_dir``: hand-made raw Parquet."""
    return _write_raw_dir


@pytest.fixture(scope="session")
def generate_raw():
    """``generate_raw(out_dir, customers=, orders=, seed=, dirty=, start=, end=, fmt=)``."""
    return _generate_raw


def _submit_demo_build(builder: DbtBuilder) -> Future:
    return builder.submit(PROJECT_DIR / "data" / "demo", unit_tests=True)


@pytest.fixture(scope="session")
def demo_build(dbt_builder) -> Build:
    """The committed demo data built once (unit tests included) for every test that reads it;
    tests that change a database work on a copy."""
    return _submit_demo_build(dbt_builder).result()


@pytest.fixture(scope="session", autouse=True)
def demo_build_started(request, dbt_builder) -> None:
    """The demo build, queued as the session starts when any test reads it (most modules
    do), so that it is there before the first of them asks."""
    if any("demo_build" in item.fixturenames for item in request.session.items):
        _submit_demo_build(dbt_builder)


# --------------------------------------------------------------------------------------
# A throwaway PostgreSQL server (scripts/postgres.sh), for the cross-engine tests
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostgresServer:
    """A running server on loopback; ``database(name)`` makes a fresh database in it."""

    port: int

    def env(self, database: str) -> dict[str, str]:
        return {"STRATIFY_PG_HOST": "127.0.0.1", "STRATIFY_PG_PORT": str(self.port),
                "STRATIFY_PG_USER": "postgres", "STRATIFY_PG_PASSWORD": "", "STRATIFY_PG_DATABASE": database}

    def connect(self, database: str = "postgres", user: str = "postgres"):
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=user, dbname=database)
        connection.autocommit = True
        return connection

    def database(self, name: str) -> dict[str, str]:
        """Creates database ``name`` (dropping an old one) and returns the env for it."""
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'drop database if exists "{name}"')
                cursor.execute(f'create database "{name}"')
        finally:
            connection.close()
        return self.env(name)

    def rows(self, database: str, table: str, schema: str = "marts") -> list[dict[str, Any]]:
        connection = self.connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'select * from "{schema}"."{table}"')
                columns = [d[0] for d in cursor.description]
                return [dict(zip(columns, row)) for row in cursor.fetchall()]
        finally:
            connection.close()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server():
    """Starts a server in a fresh data directory and stops it at the end, also on failure.
    `make test` installs the server packages (scripts/postgres.sh install)."""
    import tempfile

    script = PROJECT_DIR / "scripts" / "postgres.sh"
    data_dir = Path(tempfile.mkdtemp(prefix="stratify-pg-"))
    data_dir.chmod(0o755)  # the server runs as user postgres when the tests run as root
    port = _free_port()
    started = subprocess.run([str(script), "start", str(data_dir), str(port)], capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(f"could not start PostgreSQL: {started.stderr.strip()} (run: scripts/postgres.sh install)")
    try:
        yield PostgresServer(port)
    finally:
        subprocess.run([str(script), "stop", str(data_dir)], capture_output=True, text=True)
        shutil.rmtree(data_dir, ignore_errors=True)
