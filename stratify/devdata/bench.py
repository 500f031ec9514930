"""Benchmark: the dbt project against what users would run instead (a single hand-written
DuckDB query and a plain pandas script, stratify.devdata.baselines), side by side on the same
files, and optionally the same project on Apache Spark (in-process, local mode).

Speed targets are judged here, never in timed unit tests: the machines are noisy, so
every figure of one comparison comes from the same run on the same files. Each step
runs in its own child process; its peak memory is the largest sum of resident memory over
the process and its descendants (Spark's JVM is a child of the dbt process), sampled.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from stratify import PROJECT_DIR

FULL_BUILD = "dbt build (every model and test)"
INCREMENTAL_BUILD = "dbt build, one day later (incremental)"
RFM_PATH = "dbt build +customer_rfm (models only)"
SINGLE_QUERY = "single DuckDB query (R, F, M scores)"
PANDAS_SCRIPT = "pandas script (R, F, M scores)"
# Issue 7's targets at 10M orders; peak memory counts the project's own steps.
PEAK_MEMORY_TARGET_MIB = 4096

@dataclass(frozen=True)
class StepResult:
    """One timed step: wall seconds, peak resident memory of its process, outcome."""

    step: str
    seconds: float
    peak_rss_mib: float
    ok: bool
    detail: str = ""


def _tree_rss_bytes(root: psutil.Process) -> int:
    total = 0
    for process in [root, *root.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except psutil.Error:  # ended between listing and reading
            pass
    return total


def run_step(step: str, command: list[str], env: dict[str, str]) -> StepResult:
    """Runs a command as a child process and measures wall time and the peak resident
    memory of its process tree (sampled every 0.2 s, and the child's own peak from wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    peak = [0]
    finished = threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not finished.wait(0.2):
            try:
                peak[0] = max(peak[0], _tree_rss_bytes(root))
            except psutil.Error:
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    finished.set()
    sampler.join()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    ok = process.returncode == 0
    detail = "" if ok else output[-2000:]
    peak_mib = max(peak[0] / 2**20, usage.ru_maxrss / 1024)
    return StepResult(step, round(seconds, 2), round(peak_mib, 1), ok, detail)


def ensure_data(orders: int, customers: int, seed: int, cache_dir: Path) -> Path:
    """Generates the raw files once per (size, seed) and reuses them afterwards."""
    out = cache_dir / "data" / f"orders{orders}_customers{customers}_seed{seed}"
    if (out / "manifest.json").exists():
        return out
    if out.exists():
        shutil.rmtree(out)
    subprocess.run(
        [sys.executable, "-m", "stratify.cli", "generate", "--orders", str(orders),
         "--customers", str(customers), "--seed", str(seed), "--start", "2023-01-01",
         "--end", "2025-12-31", "--out", str(out)],
        check=True,
    )
    return out


def dbt_command(*args: str) -> list[str]:
    """A dbt invocation with the project's profiles, through the venv's interpreter."""
    dbt = Path(sys.executable).with_name("dbt")
    return [str(dbt), *args, "--profiles-dir", str(PROJECT_DIR / "profiles")]


def spark_steps(raw_dir: Path, work: Path, env: dict[str, str], driver_memory: str) -> list[StepResult]:
    """The same project on Spark (target `spark`, in-process, local mode) in a fresh
    warehouse: loading the raw files, then the full build."""
    spark_env = {**env, "STRATIFY_SPARK_DIR": str(work / "spark"), "SPARK_LOCAL_IP": "127.0.0.1",
                 "STRATIFY_SPARK_DRIVER_MEMORY": driver_memory, "TZ": "UTC"}
    return [
        run_step("spark: stratify load (raw -> tables)",
                 [sys.executable, "-m", "stratify.cli", "load", "--target", "spark", "--raw-dir", str(raw_dir)],
                 spark_env),
        run_step("spark: dbt build (models + tests)", dbt_command("build", "--target", "spark"), spark_env),
    ]


def run_bench(orders: int, customers: int | None, seed: int, cache_dir: Path,
              engines: tuple[str, ...] = ("duckdb",), spark_driver_memory: str = "8g") -> dict[str, object]:
    """Runs every step of the chosen engines on one generated data set and returns the figures."""
    customers = customers or max(orders // 10, 100)
    raw_dir = ensure_data(orders, customers, seed, cache_dir)
    work = cache_dir / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {**os.environ, "DO_NOT_TRACK": "1", "STRATIFY_RAW_DIR": str(raw_dir),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}

    def with_db(name: str) -> dict[str, str]:
        return {**env, "STRATIFY_DUCKDB_PATH": str(work / f"{name}.duckdb")}

    steps = []
    profile: dict[str, dict[str, object]] = {}
    if "duckdb" in engines:
        # The daily run: one more day of orders and late returns (stratify append-day) on a
        # copy of the raw files, then the same build again on the same database, so the
        # incremental models do only what the new day needs. Hard links: append-day
        # replaces the files it changes instead of writing into them.
        appended = work / "raw_plus_one_day"
        shutil.copytree(raw_dir, appended, copy_function=os.link)
        # Each build's own target folder, for its run_results.json.
        target = {build: work / f"target_{build}" for build in ("full", "incremental", "rfm_path")}
        steps += [
            run_step(FULL_BUILD, dbt_command("build", "--target-path", str(target["full"])), with_db("build")),
            run_step("stratify append-day (copy of raw)",
                     [sys.executable, "-m", "stratify.cli", "append-day", "--raw-dir", str(appended), "--quiet"], env),
            run_step(INCREMENTAL_BUILD, dbt_command("build", "--target-path", str(target["incremental"])),
                     {**with_db("build"), "STRATIFY_RAW_DIR": str(appended)}),
            run_step(RFM_PATH, dbt_command("build", "--target-path", str(target["rfm_path"]),
                                           "--select", "+customer_rfm", "--exclude-resource-type", "test",
                                           "--exclude-resource-type", "unit_test"), with_db("rfm_path")),
        ]
        profile = {build: node_profile(folder / "run_results.json") for build, folder in target.items()}
    if "spark" in engines:
        steps += spark_steps(raw_dir, work, env, spark_driver_memory)
    steps += [run_step(name, [sys.executable, "-m", "stratify.devdata.baselines", baseline, str(raw_dir)], env)
              for baseline, name in (("duckdb", SINGLE_QUERY), ("pandas", PANDAS_SCRIPT))]
    manifest = json.loads((raw_dir / "manifest.json").read_text())
    return {
        "orders": orders,
        "customers": customers,
        "seed": seed,
        "raw_rows": {table: info.get("rows") for table, info in manifest.get("tables", {}).items()},
        "cpu_count": os.cpu_count(),
        "engines": list(engines),
        "steps": [asdict(s) for s in steps],
        "targets": targets(steps),
        "profile": profile,
    }


def node_profile(run_results: Path, top: int = 12) -> dict[str, object]:
    """Where a build's time went, from dbt's run_results.json: seconds per resource type
    (summed over threads) and the slowest nodes."""
    if not run_results.exists():
        return {}
    results = json.loads(run_results.read_text())["results"]
    per_type: dict[str, float] = {}
    for node in results:
        kind = node["unique_id"].split(".")[0]
        per_type[kind] = round(per_type.get(kind, 0.0) + node["execution_time"], 1)
    slowest = sorted(results, key=lambda node: -node["execution_time"])[:top]
    return {"seconds_per_resource_type": per_type,
            "slowest_nodes": {node["unique_id"]: round(node["execution_time"], 1) for node in slowest}}


def targets(steps: list[StepResult]) -> dict[str, dict[str, object]]:
    """Each of issue 7's targets that this run's steps can judge: the figures and met or not."""
    seconds = {step.step: step.seconds for step in steps if step.ok}
    out: dict[str, dict[str, object]] = {}

    def judge(name: str, value: float, limit: float, unit: str) -> None:
        out[name] = {"value": round(value, 2), "limit": limit, "unit": unit, "met": value <= limit}

    if FULL_BUILD in seconds and PANDAS_SCRIPT in seconds:
        judge("full build / pandas script", seconds[FULL_BUILD] / seconds[PANDAS_SCRIPT], 1.0, "ratio")
    if RFM_PATH in seconds and SINGLE_QUERY in seconds:
        judge("customer_rfm path / single DuckDB query", seconds[RFM_PATH] / seconds[SINGLE_QUERY], 3.0, "ratio")
    if INCREMENTAL_BUILD in seconds and FULL_BUILD in seconds:
        judge("incremental build / full build", seconds[INCREMENTAL_BUILD] / seconds[FULL_BUILD], 0.2, "ratio")
    project = [step.peak_rss_mib for step in steps if step.step.startswith("dbt ")]
    if project:
        judge("peak memory of the dbt steps", max(project), PEAK_MEMORY_TARGET_MIB, "MiB")
    return out


def format_table(result: dict[str, object]) -> str:
    """The figures as a fixed-width table (each step's time relative to the single query),
    then the targets, then where each build's time went."""
    steps = result["steps"]
    assert isinstance(steps, list)
    baseline = next((s["seconds"] for s in steps if s["step"] == SINGLE_QUERY), 0)
    lines = [
        f"orders={result['orders']:,} customers={result['customers']:,} seed={result['seed']}",
        f"{'step':<44}{'seconds':>10}{'x query':>10}{'peak MiB':>11}  ok",
    ]
    for s in steps:
        ratio = s["seconds"] / baseline if baseline else float("nan")
        lines.append(f"{s['step']:<44}{s['seconds']:>10.1f}{ratio:>10.1f}{s['peak_rss_mib']:>11.0f}  "
                     f"{'yes' if s['ok'] else 'NO'}")
    for name, target in dict(result.get("targets") or {}).items():
        lines.append(f"target {name}: {target['value']} {target['unit']} (at most {target['limit']}): "
                     f"{'met' if target['met'] else 'MISSED'}")
    for step, profile in dict(result.get("profile") or {}).items():
        if profile:
            per_type = ", ".join(f"{kind} {seconds:.0f} s" for kind, seconds in
                                 profile["seconds_per_resource_type"].items())
            lines.append(f"{step} build, node seconds (summed over threads): {per_type}")
            lines += [f"  {seconds:>8.1f} s  {node}" for node, seconds in profile["slowest_nodes"].items()]
    return "\n".join(lines)
