"""The in-process Spark of the dbt `spark` target, for the tools beside dbt (the raw loader,
the engine comparison tests).

One place for the settings: the `server_side_parameters` of the target in
``profiles/profiles.yml``, rendered by dbt's own profile renderer (same env vars, same
defaults). A SparkSession built here therefore sees the same warehouse folder and Derby
metastore as `dbt build --target spark`. The Derby metastore admits one JVM at a time:
do not load while a dbt build on the same STRATIFY_SPARK_DIR is running.

``python -m stratify.engines.spark dump OUT.pickle schema.table [schema.table ...]`` writes the
rows of tables (list of dicts, Decimal/date/datetime values, timestamps in UTC) to a
pickle file: the tests read Spark marts that way, in a subprocess of its own.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any

from stratify import PROJECT_DIR

PROFILE_NAME = "stratify"


def profiles_dir() -> Path:
    """DBT_PROFILES_DIR if set, else the project's `profiles/` folder."""
    return Path(os.environ.get("DBT_PROFILES_DIR") or PROJECT_DIR / "profiles")


def profile_output(target: str = "spark", directory: Path | None = None) -> dict[str, Any]:
    """The rendered output `target` of the stratify profile (env vars applied, as dbt does)."""
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    set_invocation_context(dict(os.environ))
    raw_profiles = read_profile(str(directory or profiles_dir()))
    if PROFILE_NAME not in raw_profiles:
        raise ValueError(f"profile {PROFILE_NAME!r} not found in {directory or profiles_dir()}/profiles.yml")
    _, output = Profile.render_profile(raw_profiles[PROFILE_NAME], PROFILE_NAME, target, ProfileRenderer({}))
    return output


def session_settings(target: str = "spark", directory: Path | None = None) -> dict[str, str]:
    """The Spark settings of a `method: session` target, exactly as dbt-spark applies them."""
    output = profile_output(target, directory)
    if output.get("type") != "spark" or output.get("method") != "session":
        raise ValueError(
            f"target {target!r} is not an in-process Spark (type: spark, method: session): "
            "on a Spark cluster, land the raw tables in database `raw` with the cluster's own tools"
        )
    settings = {str(k): str(v) for k, v in (output.get("server_side_parameters") or {}).items()}
    # dbt-spark forces this (SparkCredentials.__post_init__); do the same so that both agree.
    settings["spark.sql.ansi.enabled"] = "false"
    return settings


def spark_session(target: str = "spark", directory: Path | None = None):
    """A SparkSession with the target's settings (starts the JVM on first use: 10-30 s)."""
    settings = session_settings(target, directory)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Java's temp dir (and spark.local.dir) must exist before the JVM starts.
    local_dir = settings.get("spark.local.dir")
    if local_dir:
        Path(local_dir).mkdir(parents=True, exist_ok=True)

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def read_tables(names: list[str], target: str = "spark") -> dict[str, list[dict[str, Any]]]:
    """All rows of each `schema.table` (call in a process of its own, with TZ=UTC)."""
    spark = spark_session(target)
    return {name: [row.asDict() for row in spark.table(name).collect()] for name in names}


def _dump(out: str, names: list[str]) -> None:
    # PySpark turns TIMESTAMP values into naive datetimes in the process's local time zone.
    os.environ["TZ"] = "UTC"
    time.tzset()
    tables = read_tables(names)
    Path(out).write_bytes(pickle.dumps(tables))


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "dump":
        sys.exit("usage: python -m stratify.engines.spark dump OUT.pickle schema.table [schema.table ...]")
    _dump(sys.argv[2], sys.argv[3:])
