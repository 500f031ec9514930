"""SQL style as a test: `sqlfluff lint` over the project's SQL with its .sqlfluff, as
`make lint` runs it. A failure lists every violation (fix with `sqlfluff fix`, see the
README's "Style")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import PROJECT_DIR

# The same paths as `make lint`. macros/ and tests/generic/ hold macro definitions, which
# the dbt templater does not lint (.sqlfluffignore says why); tests/python has no SQL.
LINT_PATHS = ["models", "macros", "tests", "analyses"]
# Folders whose every .sql file must have been linted: a file missing from the report was
# skipped (an ignore pattern too broad, a file dbt did not compile), not found clean.
MUST_LINT = ["models", "tests/data", "analyses"]
LINT_TIMEOUT_SECONDS = 900


def sqlfluff_executable() -> Path:
    """The venv's sqlfluff, beside the running interpreter (requirements.txt pins it)."""
    path = Path(sys.executable).parent / "sqlfluff"
    assert path.exists(), (
        f"{path} not found: sqlfluff is pinned in requirements.txt; run "
        "`pip install -r requirements.txt -c constraints.txt` (or `make install`)"
    )
    return path


def test_sql_passes_sqlfluff_lint() -> None:
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # Compiling never opens, creates or locks a database file (.sqlfluff says why).
        "STRATIFY_DUCKDB_PATH": ":memory:",
        "STRATIFY_RAW_DIR": str(PROJECT_DIR / "data" / "demo"),
    }
    started = time.monotonic()
    result = subprocess.run(
        [str(sqlfluff_executable()), "lint", *LINT_PATHS, "--format", "json", "--nocolor"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=LINT_TIMEOUT_SECONDS,
    )
    seconds = time.monotonic() - started
    # sqlfluff exits 1 for violations; anything else (2: a usage or config error) is not a
    # lint result.
    assert result.returncode in (0, 1), (
        f"sqlfluff failed (exit {result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(
            f"sqlfluff printed no JSON report ({error}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        ) from error

    linted = {Path(entry["filepath"]).as_posix() for entry in report}
    expected = {
        path.relative_to(PROJECT_DIR).as_posix()
        for folder in MUST_LINT
        for path in (PROJECT_DIR / folder).rglob("*.sql")
    }
    assert expected <= linted, f"SQL files not linted: {sorted(expected - linted)}\n{result.stderr[-3000:]}"

    violations = [
        f"{entry['filepath']}:{violation['start_line_no']}:{violation['start_line_pos']}: "
        f"{violation['code']} {violation['description']}"
        for entry in report
        for violation in entry["violations"]
    ]
    assert not violations, (
        f"{len(violations)} SQL style violations (sqlfluff, {len(linted)} files, {seconds:.0f} s); "
        "`make lint` shows them, `sqlfluff fix` fixes most (README, Style):\n" + "\n".join(violations)
    )
    assert result.returncode == 0, f"sqlfluff exited {result.returncode}:\n{result.stderr[-3000:]}"
