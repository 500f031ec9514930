"""`stratify quality`: a Great Expectations suite over the marts BI reads, run after
`dbt build`, with Data Docs that open offline.

dbt's own tests stop a bad build; this suite is the data stewards' view of the finished
marts: one suite per mart, rendered as Data Docs (what is expected, what was found). The
marts are read from the DuckDB file with duckdb into pandas and validated through GX's
pandas route (the SQL datasource fails every expectation on DuckDB in GX 1.24.1).
Allowed labels come from the database's seed tables (schema reference) and the model
contracts (accepted_values in models/marts/**/*.yml); score ranges from the dbt vars, read
as dbt reads them (dbt_project.yml, overridden by --vars); row counts are checked against
bounds that hold by construction of the models (each one explains itself in `notes`).
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import os
import re
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import yaml

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

# The marts BI reads, in the order the summary lists them (schema marts).
MARTS: tuple[str, ...] = (
    "customer_rfm", "customer_tiers", "customer_segments", "customer_signals", "customer_actions",
    "tier_summary", "segment_summary", "dim_customers", "fct_orders", "customer_state_history",
)
# The CLV marts, validated where the build has them (DuckDB, clv_enabled: docs/clv.md).
CLV_MARTS: tuple[str, ...] = ("customer_predictions", "clv_holdout_validation")
# Seed tables (schema reference) and the tables the suite reads its bounds from.
REFERENCE_TABLES: tuple[str, ...] = (
    "reference.tiers", "reference.tier_rules", "reference.rfm_segments", "reference.lifecycle_phases",
    "reference.action_playbook", "reference.order_statuses", "reference.sales_channels",
    "quality.raw_row_reconciliation", "intermediate.int_history_period_ends",
)
# segment_summary.sql's segment types (one copy of every scored person per type).
SEGMENT_TYPES: tuple[str, ...] = (
    "rfm_segment", "frequency_class", "price_sensitivity", "geography_class", "lifecycle_stage",
    "preferred_channel", "preferred_category", "acquisition_source",
)
# Doubles summed by the engine (shares) may overshoot 1 in the last bits.
FLOAT_SLACK = 1e-9
DOCS_SITE = "stratify"
# Written into the Data Docs folder: only a folder carrying it is ever emptied.
DOCS_MARKER = ".stratify-data-docs"
# libyaml when built in (ten times faster on the model ymls).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class QualityInputError(ValueError):
    """A missing or unreadable database, mart, project file or var: a usage error."""


@dataclass(frozen=True)
class Failure:
    expectation: str
    column: str
    details: str


@dataclass(frozen=True)
class MartResult:
    mart: str
    rows: int
    evaluated: int
    failures: list[Failure]


@dataclass(frozen=True)
class QualityReport:
    database: Path
    marts: list[MartResult]
    docs_index: Path
    vars: dict[str, Any] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return not any(mart.failures for mart in self.marts)


# --------------------------------------------------------------------------------------
# Inputs: dbt vars, the model contracts, the database
# --------------------------------------------------------------------------------------


def load_vars(project_dir: Path, vars_text: str | None) -> dict[str, Any]:
    """dbt_project.yml's vars, overridden by a --vars YAML/JSON mapping as dbt does, so a
    build with other vars is validated with the same values."""
    project_file = project_dir / "dbt_project.yml"
    if not project_file.is_file():
        raise QualityInputError(f"no dbt_project.yml in {project_dir} (use --project-dir)")
    project = yaml.safe_load(project_file.read_text()) or {}
    values: dict[str, Any] = dict(project.get("vars") or {})
    # dbt also accepts vars scoped to the project's name.
    scoped = values.pop(project.get("name", ""), None)
    if isinstance(scoped, dict):
        values.update(scoped)
    if vars_text:
        try:
            overrides = yaml.safe_load(vars_text)
        except yaml.YAMLError as error:
            raise QualityInputError(f"--vars is not valid YAML: {error}") from error
        if not isinstance(overrides, dict):
            raise QualityInputError("--vars must be a YAML/JSON mapping, e.g. '{rfm_score_buckets: 5}'")
        values.update(overrides)
    for name in ("rfm_score_buckets", "declining_spender_months"):
        if not isinstance(values.get(name), int) or values[name] < 1:
            raise QualityInputError(f"var {name} must be a whole number of at least 1, got {values.get(name)!r}")
    return values


def contract_values(project_dir: Path) -> dict[tuple[str, str], list[str]]:
    """accepted_values of the mart contracts, {(model, column): values}: one source of truth
    for labels that have no seed (ABC classes, lifecycle stages, frequency classes...)."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted((project_dir / "models" / "marts").rglob("*.yml")):
        for model in (yaml.load(path.read_text(), Loader=_YAML_LOADER) or {}).get("models") or []:
            for column in model.get("columns") or []:
                for test in column.get("data_tests") or column.get("tests") or []:
                    if isinstance(test, dict) and "accepted_values" in test:
                        spec = test["accepted_values"] or {}
                        values = (spec.get("arguments") or spec).get("values")
                        if values:
                            found[(model["name"], column["name"])] = [str(v) for v in values]
    return found


@dataclass(frozen=True)
class Reference:
    """What the expectations compare against, read from the same database."""

    tiers: list[str]
    tier_rules: list[str]
    rfm_segments: list[str]
    lifecycle_labels: list[str]
    actions: list[str]
    order_statuses: list[str]
    sales_channels: list[str]
    reconciliation: dict[str, dict[str, int]]
    history_rows: int


def _column(connection: duckdb.DuckDBPyConnection, query: str) -> list[Any]:
    return [row[0] for row in connection.execute(query).fetchall()]


def _history_rows(connection: duckdb.DuckDBPyConnection) -> int:
    """Rows customer_state_history must hold: a person is in the state of a period end once
    a qualifying order of theirs is on or before it (qualifying does not depend on the date),
    so the history has, for every period end the project builds (int_history_period_ends),
    one row per scored person whose first qualifying order is on or before it."""
    return int(connection.execute("""
        select count(*)
        from intermediate.int_history_period_ends as period_ends
        inner join marts.customer_rfm as rfm on rfm.first_order_date <= period_ends.as_of_date
    """).fetchone()[0])


def read_database(database: Path) -> tuple[dict[str, pd.DataFrame], Reference]:
    """Every mart as a DataFrame and the reference data, read-only; a missing file, mart or
    seed table is a QualityInputError naming the database."""
    import duckdb

    from stratify.warehouse.database import open_read_only, relations

    connection = open_read_only(database, QualityInputError)
    try:
        present = relations(connection)
        missing = [name for name in (*(f"marts.{m}" for m in MARTS), *REFERENCE_TABLES) if name not in present]
        if missing:
            raise QualityInputError(f"database {database} lacks {', '.join(missing)}: was `dbt build` run into it?")
        built = [*MARTS, *(mart for mart in CLV_MARTS if f"marts.{mart}" in present)]
        frames = {mart: connection.execute(f'select * from marts."{mart}"').df() for mart in built}
        reference = Reference(
            tiers=_column(connection, "select tier from reference.tiers"),
            tier_rules=_column(connection, "select rule_id from reference.tier_rules"),
            rfm_segments=_column(connection, "select segment from reference.rfm_segments"),
            lifecycle_labels=_column(connection, "select phase_label from reference.lifecycle_phases"),
            actions=_column(connection, "select action_id from reference.action_playbook"),
            order_statuses=_column(connection, "select status from reference.order_statuses"),
            sales_channels=_column(connection, "select channel from reference.sales_channels"),
            reconciliation={row[0]: dict(zip(("raw", "used", "duplicates", "rejected"), row[1:])) for row in
                            connection.execute("select table_name, raw_rows, used_rows, duplicate_rows, "
                                               "rejected_rows from quality.raw_row_reconciliation").fetchall()},
            history_rows=_history_rows(connection),
        )
    except duckdb.Error as error:
        raise QualityInputError(f"database {database} cannot be read: {error}") from error
    finally:
        connection.close()
    for table in ("customers", "orders"):
        if table not in reference.reconciliation:
            raise QualityInputError(f"database {database}: quality.raw_row_reconciliation has no row for {table}")
    return frames, reference


# --------------------------------------------------------------------------------------
# The suites
# --------------------------------------------------------------------------------------


def _import_gx() -> Any:
    """GX, imported on first use (the other commands do not pay for it), with its opt-in
    analytics switched off in the environment before the import reads it."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    with warnings.catch_warnings():
        # GX probes pyspark when installed (requirements-spark.txt), which warns about pandas 3.
        warnings.simplefilter("ignore", FutureWarning)
        import great_expectations as gx
        import great_expectations.expectations  # noqa: F401  (gx.expectations below)
    return gx


def build_suites(frames: dict[str, pd.DataFrame], ref: Reference, vars: dict[str, Any],
                 contract: dict[tuple[str, str], list[str]]) -> dict[str, list[Any]]:
    """The expectations of every mart. Notes say why a bound holds; they show in Data Docs."""
    gxe = _import_gx().expectations
    from great_expectations.expectations.row_conditions import Column

    buckets: int = vars["rfm_score_buckets"]
    rows = {mart: len(frame) for mart, frame in frames.items()}
    scored = rows["customer_rfm"]
    stages = contract[("customer_rfm", "lifecycle_stage")]
    abc = contract[("customer_rfm", "abc_class")]

    def keys(*columns: str) -> list[Any]:
        checks = [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]
        if len(columns) == 1:
            return [*checks, gxe.ExpectColumnValuesToBeUnique(column=columns[0])]
        return [*checks, gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns))]

    def not_null(*columns: str) -> list[Any]:
        return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]

    def between(columns: tuple[str, ...] | str, low: float | None, high: float | None = None,
                notes: str | None = None, **options: Any) -> list[Any]:
        columns = (columns,) if isinstance(columns, str) else columns
        return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=low, max_value=high, notes=notes, **options)
                for c in columns]

    def scores(*columns: str) -> list[Any]:
        return between(columns, 1, buckets, f"Scores run 1..rfm_score_buckets ({buckets}).")

    def shares(*columns: str) -> list[Any]:
        return between(columns, 0, 1 + FLOAT_SLACK, "A share of a whole made of non-negative parts.")

    def money(*columns: str) -> list[Any]:
        return between(columns, 0, None, "Revenue and amounts are never negative.")

    def counts(*columns: str) -> list[Any]:
        return between(columns, 0, None, "A count.")

    def in_set(column: str, values: list[str], source: str) -> list[Any]:
        return [gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(values), notes=f"Allowed: {source}.")]

    def row_count(value: int, notes: str) -> list[Any]:
        return [gxe.ExpectTableRowCountToEqual(value=value, notes=notes)]

    def row_count_between(low: int | None, high: int | None, notes: str) -> list[Any]:
        return [gxe.ExpectTableRowCountToBeBetween(min_value=low, max_value=high, notes=notes)]

    def one_per_scored() -> list[Any]:
        return row_count(scored, "One row per scored person: as many rows as customer_rfm.")

    orders = ref.reconciliation["orders"]
    customers = ref.reconciliation["customers"]
    qualifying_orders = int(frames["fct_orders"]["is_qualifying"].fillna(False).astype(bool).sum())
    scored_in_dim = int(frames["dim_customers"]["is_scored"].fillna(False).astype(bool).sum())

    def grows(longer: str, shorter: str, notes: str) -> Any:
        return gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=longer, column_B=shorter, or_equal=True,
                                                           ignore_row_if="either_value_is_missing", notes=notes)

    clv_suites = {
        "customer_predictions": [
            *keys("person_key"), *not_null("as_of_date", "repeat_purchases", "recency_t_x", "age_t"),
            *counts("repeat_purchases"), *between(("recency_t_x", "age_t"), 0, None, "Times since the first purchase."),
            grows("age_t", "recency_t_x", "The last purchase is on or before as_of_date."),
            *between(("p_alive", "p_alive_before"), 0, 1, "A probability."),
            *between(("expected_purchases_30d", "expected_purchases_90d", "expected_purchases_365d"), 0, None,
                     "Expected purchases are never negative."),
            grows("expected_purchases_90d", "expected_purchases_30d", "Expected purchases grow with the horizon."),
            grows("expected_purchases_365d", "expected_purchases_90d", "Expected purchases grow with the horizon."),
            *money("expected_purchase_value_cny", "predicted_clv_cny"), *shares("predicted_clv_top_share"),
            *in_set("churn_risk_band", contract[("customer_predictions", "churn_risk_band")],
                    "the contract of customer_predictions"),
            *one_per_scored(),
        ],
        "clv_holdout_validation": [
            *keys("frequency_bucket"), *not_null("persons", "actual_purchases"),
            *in_set("frequency_bucket", contract[("clv_holdout_validation", "frequency_bucket")],
                    "the contract of clv_holdout_validation"),
            *counts("persons", "actual_purchases"),
            *between("predicted_purchases", 0, None, "Expected purchases are never negative."),
            *between("p_alive_auc", 0, 1, "An area under the ROC curve."),
            *row_count_between(1, len(contract[("clv_holdout_validation", "frequency_bucket")]),
                               "At most one row per frequency bucket, and the row of all persons."),
        ],
    }
    return {
        "customer_rfm": [
            *keys("person_key"), *not_null("as_of_date", "r_score", "f_score", "m_score", "abc_class",
                                           "lifecycle_stage", "recency_days", "frequency", "monetary"),
            *scores("r_score", "f_score", "m_score"),
            *counts("recency_days", "frequency"), *money("monetary", "lifetime_net_revenue_cny"),
            *between("lifetime_orders", 1, None, "A scored person has at least one qualifying order."),
            *in_set("abc_class", abc, "the contract of customer_rfm"),
            *in_set("lifecycle_stage", stages, "the contract of customer_rfm (no prospects: they are not scored)"),
            *row_count(scored_in_dim, "Exactly the persons dim_customers marks is_scored."),
            *row_count_between(0, qualifying_orders, "Every scored person has a qualifying order of their own "
                                                     "in fct_orders: never more persons than qualifying orders."),
        ],
        "customer_tiers": [
            *keys("person_key"), *not_null("tier", "computed_tier", "tier_rule_id", "is_overridden"),
            *in_set("tier", ref.tiers, "the seed tiers"), *in_set("computed_tier", ref.tiers, "the seed tiers"),
            *between("tier_rank", 1, len(ref.tiers), "Ranks of the seed tiers run 1..number of tiers."),
            *in_set("tier_rule_id", ref.tier_rules, "the seed tier_rules"),
            *scores("r_score", "f_score", "m_score"), *counts("recency_days", "frequency"), *money("monetary"),
            *one_per_scored(),
        ],
        "customer_segments": [
            *keys("person_key"), *not_null("rfm_segment", "frequency_class", "price_sensitivity",
                                           "geography_class", "lifecycle_stage", "lifecycle_phase"),
            *in_set("rfm_segment", ref.rfm_segments, "the seed rfm_segments"),
            *(check for column in ("frequency_class", "price_sensitivity", "geography_class") for check in
              in_set(column, contract[("customer_segments", column)], "the contract of customer_segments")),
            *in_set("lifecycle_stage", stages, "the contract of customer_rfm"),
            *in_set("lifecycle_phase", ref.lifecycle_labels, "phase_label of the seed lifecycle_phases"),
            *scores("r_score", "fm_score"), *counts("frequency", "discounted_orders"),
            *between("lifetime_orders", 1, None, "A scored person has at least one qualifying order."),
            *shares("discounted_order_share"), *one_per_scored(),
        ],
        "customer_signals": [
            *keys("person_key"), *not_null("is_whale", "is_super_promoter", "is_silent_potential",
                                           "is_declining_spender", "has_open_complaint", "is_low_csat"),
            *counts("referred_persons", "recent_browsing_events", "recent_searches", "open_complaints",
                    "window_tickets"),
            *between("declining_months", 0, vars["declining_spender_months"],
                     "Months compared: 0..declining_spender_months."),
            *between("average_csat", 1, 5, "CSAT ratings run 1 to 5."),
            *money("monetary", "revenue_with_known_cost_cny", "referred_revenue_cny", "max_order_net_revenue_cny",
                   "base_month_revenue_cny", "latest_month_revenue_cny"),
            # margin_cny, margin_rate and profit_contribution_share may be negative (sold below cost).
            *one_per_scored(),
        ],
        "customer_actions": [
            *keys("person_key", "action_id"), *not_null("is_suppressed", "is_next_best_action"),
            *in_set("action_id", ref.actions, "the seed action_playbook"),
            *between("action_rank", 1, len(ref.actions), "Ranks among a person's allowed actions."),
            *row_count_between(0, scored * len(ref.actions),
                               "At most one row per scored person and playbook action."),
        ],
        "tier_summary": [
            *keys("tier"), *in_set("tier", ref.tiers, "the seed tiers"),
            *between("tier_rank", 1, len(ref.tiers), "Ranks of the seed tiers run 1..number of tiers."),
            *counts("persons", "orders"), *money("revenue_cny"),
            *shares("share_of_persons", "share_of_revenue", "cumulative_share_of_revenue"),
            # share_of_margin is left open: a tier's margin can be negative.
            *row_count(len(ref.tiers), "One row per tier of the seed tiers, empty tiers too."),
            gxe.ExpectColumnSumToBeBetween(column="persons", min_value=scored, max_value=scored,
                                           notes="Every scored person is in exactly one tier."),
        ],
        "segment_summary": [
            *keys("segment_type", "segment"), *in_set("segment_type", list(SEGMENT_TYPES), "segment_summary.sql"),
            gxe.ExpectColumnValuesToBeInSet(column="segment", value_set=sorted(ref.rfm_segments),
                                            row_condition=Column("segment_type") == "rfm_segment",
                                            notes="RFM segments are those of the seed rfm_segments."),
            *between("persons", 1, None, "Only segments someone is in are listed."),
            *counts("orders"), *money("revenue_cny"), *shares("share_of_persons", "share_of_revenue"),
            gxe.ExpectColumnSumToBeBetween(column="persons", min_value=scored * len(SEGMENT_TYPES),
                                           max_value=scored * len(SEGMENT_TYPES),
                                           notes="Every scored person is in exactly one segment of each type."),
        ],
        "dim_customers": [
            *keys("person_key"), *not_null("as_of_date", "is_scored", "lifecycle_stage"),
            *in_set("person_type", contract[("dim_customers", "person_type")], "the contract of dim_customers"),
            *in_set("lifecycle_stage", contract[("dim_customers", "lifecycle_stage")], "the contract of dim_customers"),
            *counts("lifetime_orders", "member_id_count", "member_record_count"), *money("lifetime_net_revenue_cny"),
            *row_count_between(scored, customers["raw"] + orders["raw"],
                               "Scored persons are persons (at least customer_rfm's rows); every person stems "
                               "from at least one raw customer or order row (at most their sum)."),
        ],
        "fct_orders": [
            *keys("order_id"), *not_null("channel", "status", "ordered_at", "order_date", "is_qualifying",
                                         "rate_to_cny", "net_revenue_cny"),
            *in_set("status", ref.order_statuses, "the seed order_statuses"),
            *in_set("channel", ref.sales_channels, "the seed sales_channels"),
            *in_set("attribution_method", contract[("fct_orders", "attribution_method")], "the contract of fct_orders"),
            *money("gross_amount", "discount_amount", "shipping_amount", "refunded_amount", "gross_amount_cny"),
            *between("rate_to_cny", 0, None, "An exchange rate is positive.", strict_min=True),
            gxe.ExpectColumnValuesToBeBetween(column="net_revenue_cny", min_value=0, strict_min=True,
                                              row_condition=Column("is_qualifying") == True,  # noqa: E712
                                              notes="A qualifying order has positive net revenue (contract, 2)."),
            # Net amounts of other orders may be negative: a refund can exceed the amount paid.
            *row_count(orders["raw"] - orders["duplicates"] - orders["rejected"],
                       "One row per usable raw order: raw orders less duplicates dropped and rows rejected "
                       "(quality.raw_row_reconciliation)."),
        ],
        "customer_state_history": [
            *keys("person_key", "as_of_date"), *not_null("lifecycle_stage", "abc_class"),
            # tier and rfm_segment may be null by contract (no rule matched): only their values are checked.
            *in_set("tier", ref.tiers, "the seed tiers"), *in_set("computed_tier", ref.tiers, "the seed tiers"),
            *in_set("rfm_segment", ref.rfm_segments, "the seed rfm_segments"),
            *in_set("lifecycle_stage", stages, "the contract of customer_rfm"),
            *in_set("abc_class", abc, "the contract of customer_rfm"),
            *scores("r_score", "f_score", "m_score", "fm_score"), *counts("recency_days", "frequency"),
            *money("monetary", "lifetime_net_revenue_cny"),
            *between("lifetime_orders", 1, None, "A scored person has at least one qualifying order."),
            *row_count(ref.history_rows, "For every period end up to as_of_date, one row per person of customer_rfm "
                                         "whose first qualifying order is on or before it."),
        ],
        **{mart: suite for mart, suite in clv_suites.items() if mart in frames},
    }


# --------------------------------------------------------------------------------------
# Running GX
# --------------------------------------------------------------------------------------


def _prepare_docs_dir(docs_dir: Path) -> None:
    """Empty the Data Docs folder so it shows this run only; refuse a folder we did not make."""
    if docs_dir.exists():
        if not docs_dir.is_dir() or (any(docs_dir.iterdir()) and not (docs_dir / DOCS_MARKER).exists()):
            raise QualityInputError(f"--docs-dir {docs_dir} exists and was not made by `stratify quality`; "
                                    "choose an empty or new folder")
        shutil.rmtree(docs_dir)
    docs_dir.mkdir(parents=True)
    (docs_dir / DOCS_MARKER).write_text("Made by `stratify quality`; emptied on every run.\n")


def _context(context_dir: Path, docs_dir: Path) -> Any:
    """A fresh file context under target/ (suites, results as JSON; never committed), with
    analytics and progress bars off and one Data Docs site: docs_dir."""
    gx = _import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    shutil.rmtree(context_dir / "gx", ignore_errors=True)  # a fresh context each run: only this run's results
    context = gx.get_context(mode="file", project_root_dir=str(context_dir))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.variables.save()
    context.enable_analytics(False)
    for site in list(context.list_data_docs_sites()):
        context.delete_data_docs_site(site)
    context.add_data_docs_site(DOCS_SITE, {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False},
        "show_how_to_buttons": False,
    })
    return context


def _failure(result: Any) -> Failure:
    config = result.expectation_config
    kwargs = config.kwargs
    pair = [kwargs[name] for name in ("column_A", "column_B") if kwargs.get(name)]
    column = kwargs.get("column") or " + ".join(kwargs.get("column_list") or []) or ", ".join(pair) or "row count"
    found = result.result or {}
    if result.exception_info and result.exception_info.get("raised_exception"):
        details = f"error: {result.exception_info.get('exception_message')}"
    elif "unexpected_count" in found:
        examples = ", ".join(f"{item['value']!r} ({item['count']})" for item in
                             (found.get("partial_unexpected_counts") or [])[:5])
        details = f"{found['unexpected_count']:,} unexpected row(s)" + (f", e.g. {examples}" if examples else "")
    else:
        wanted = kwargs["value"] if "value" in kwargs else f"{kwargs.get('min_value')}..{kwargs.get('max_value')}"
        details = f"observed {found.get('observed_value')!r}, expected {wanted}"
        if config.notes:  # why the bound holds, for aggregate checks without example values
            details += f": {config.notes}"
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict) and {"column", "operator", "parameter"} <= condition.keys():
        condition = f"{condition['column']['name']} {condition['operator']} {condition['parameter']!r}"
    if condition:
        details += f" (where {condition})"
    return Failure(config.type, column, details)


def run_quality(database: Path, project_dir: Path, docs_dir: Path, context_dir: Path,
                vars_text: str | None = None) -> QualityReport:
    """Validate every mart of ``database``; build offline Data Docs into ``docs_dir``."""
    vars = load_vars(project_dir, vars_text)
    contract = contract_values(project_dir)
    frames, reference = read_database(database)
    _prepare_docs_dir(docs_dir)
    gx = _import_gx()
    from great_expectations.core.run_identifier import RunIdentifier

    context = _context(context_dir, docs_dir)
    source = context.data_sources.add_pandas("marts")
    run_id = RunIdentifier(run_name="stratify-quality", run_time=dt.datetime.now(dt.timezone.utc))
    results: list[MartResult] = []
    for mart, expectations in build_suites(frames, reference, vars, contract).items():
        batch = source.add_dataframe_asset(mart).add_batch_definition_whole_dataframe("whole mart")
        suite = context.suites.add(gx.ExpectationSuite(name=mart, expectations=expectations))
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=mart, data=batch, suite=suite))
        # One checkpoint per mart: batch parameters (the DataFrame) apply to a whole checkpoint.
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=mart, validation_definitions=[definition], result_format={"result_format": "SUMMARY"}))
        outcome = checkpoint.run(batch_parameters={"dataframe": frames[mart]}, run_id=run_id)
        checks = [check for suite_result in outcome.run_results.values() for check in suite_result.results]
        results.append(MartResult(mart, len(frames[mart]), len(checks),
                                  [_failure(check) for check in checks if not check.success]))
    context.build_data_docs(site_names=[DOCS_SITE])
    make_offline(docs_dir)
    return QualityReport(database, results, docs_dir / "index.html", vars)


def format_report(report: QualityReport) -> str:
    lines = [f"stratify quality: {report.database} (rfm_score_buckets={report.vars.get('rfm_score_buckets')})"]
    width = max(len(mart.mart) for mart in report.marts)
    for mart in report.marts:
        status = "ok" if not mart.failures else f"{len(mart.failures)} FAILED"
        lines.append(f"  {mart.mart:<{width}}  {mart.rows:>9,} rows  {mart.evaluated:>3} expectations  {status}")
        for failure in mart.failures:
            lines.append(f"      {mart.mart} [{failure.column}] {failure.expectation}: {failure.details}")
    evaluated = sum(mart.evaluated for mart in report.marts)
    failed = sum(len(mart.failures) for mart in report.marts)
    lines.append(f"{len(report.marts)} marts, {evaluated} expectations evaluated, {failed} failed")
    lines.append(f"Data Docs (open offline): {report.docs_index}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Offline Data Docs
# --------------------------------------------------------------------------------------

# Our own small stylesheet, inlined: GX's pages expect Bootstrap from a CDN.
OFFLINE_STYLE = """
<style id="stratify-offline">
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #222; background: #fff; }
nav.navbar { padding: .6rem 1.2rem; border-bottom: 1px solid #ccc; height: auto !important; }
.stx-brand { font-weight: 600; font-size: 1.1rem; color: #222; }
.breadcrumb { display: inline-flex !important; list-style: none; gap: .4rem; margin: 0 0 0 1rem; padding: 0; }
.breadcrumb-item + .breadcrumb-item::before { content: "/"; padding-right: .4rem; color: #888; }
.container-fluid { padding: .8rem 1.2rem; }
.row { display: flex; flex-wrap: wrap; gap: 1rem; }
.col-lg-2 { flex: 0 0 16rem; }
.col-md-10, .col-12 { flex: 1 1 40rem; min-width: 0; }
.col-6 { flex: 1 1 20rem; }
.sticky { position: sticky; top: 0; }
a { color: #0b5cad; }
table { border-collapse: collapse; margin: .4rem 0 1rem; width: 100%; }
th, td { border: 1px solid #d0d0d0; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f3f5; }
tr:nth-child(even) td { background: #fafafa; }
.alert { background: #f1f3f5; border: 1px solid #d0d0d0; padding: .5rem .8rem; margin: .8rem 0 .4rem; }
.card { border: 1px solid #d0d0d0; margin-bottom: .8rem; }
.card-header { background: #f1f3f5; padding: .3rem .6rem; }
.card-body { padding: .4rem .6rem; }
.nav { list-style: none; padding: 0; margin: 0; }
.nav-tabs { display: flex; border-bottom: 1px solid #ccc; margin-bottom: .6rem; }
.nav-tabs .nav-item { margin-right: 1.2rem; }
/* GX prints expectation notes in red; ours explain a bound, they are no error. */
div[style="color:red;"] { color: #333 !important; }
.btn { display: inline-block; border: 1px solid #0b5cad; padding: .15rem .5rem; margin: .1rem; cursor: pointer; }
.btn input { display: none; }
.text-danger, .stx-failed { color: #b00020; } .text-success, .stx-passed { color: #137333; }
.fas::before { font-style: normal; font-weight: 700; }
.fa-times::before, .fa-times-circle::before { content: "\\2717"; }
.fa-check::before, .fa-check-circle::before { content: "\\2713"; }
.cooltip .top, .ge-walkthrough-modal, .modal { display: none; }
pre, code { white-space: pre-wrap; word-break: break-word; }
.show-scrollbars { overflow-x: auto; }
</style>
<script id="stratify-offline-script">
/* The "Failed Only" filter of the validation pages, without jQuery. */
function stxShow(show) {
  const display = show ? "" : "none";
  document.querySelectorAll(".hide-succeeded-validation-target-child")
    .forEach(e => e.parentElement.style.display = display);
  document.querySelectorAll(".hide-succeeded-validation-target").forEach(e => e.style.display = display);
  document.querySelectorAll(".hide-succeeded-validations-column-section-target-child").forEach(e => {
    const section = e.parentElement.parentElement;
    section.style.display = display;
    document.querySelectorAll('a[href$="#' + section.id + '"]').forEach(a => a.style.display = display);
  });
}
function showAllValidations() { stxShow(true); }
function hideSucceededValidations() { stxShow(false); }
</script>
"""

_EXTERNAL = r"""(?:https?:)?//"""
_BOOTSTRAP_TABLE = re.compile(
    r"<script>\s*\$\('#(?P<id>[^']+)'\)\.bootstrapTable\(\s*Object\.assign\(\s*\{\s*columns:\s*(?P<columns>\[.*?\]),"
    r"\s*data:\s*(?P<data>\[.*?\]),\s*toolbar:.*?</script>", re.S)


def _static_table(columns: list[dict[str, Any]], data: list[dict[str, Any]]) -> str:
    """The index page's bootstrap-table (JS from a CDN, data inline) as plain HTML; every
    row links to its page."""
    data = sorted(data, key=lambda row: str(row.get("_expectation_suite_name_sort") or row.get(columns[0]["field"])))
    head = "".join(f"<th>{html.escape(str(c['title']))}</th>" for c in columns) + "<th>Page</th>"
    body = []
    for row in data:
        cells = []
        for column in columns:
            value = str(row.get(column["field"], ""))
            if column["field"] == "validation_success" and "_validation_success_text" in row:
                css = "stx-passed" if row["_validation_success_text"] == "Success" else "stx-failed"
                value = f'<span class="{css}">{html.escape(row["_validation_success_text"])}</span>'
            cells.append(f"<td>{value}</td>")
        link = row.get("_table_row_link_path")
        cells.append(f'<td><a href="{html.escape(link, quote=True)}">open</a></td>' if link else "<td></td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _offline_html(text: str) -> str:
    # The index tables: rebuilt as static HTML before the scripts that held their data go.
    def replace_table(match: re.Match[str]) -> str:
        table = _static_table(ast.literal_eval(match["columns"]), ast.literal_eval(match["data"]))
        return f'<div id="{match["id"]}-static">{table}</div>'

    for match in list(_BOOTSTRAP_TABLE.finditer(text)):
        table_id = re.escape(match["id"])
        text = re.sub(rf'<table\s+id="{table_id}"[^>]*>\s*</table>', "", text)
        # Its "Clear Filters" toolbar filters nothing without bootstrap-table.
        text = re.sub(rf'<div id="{table_id}-toolbar"[^>]*>.*?</div>', "", text, flags=re.S)
    text = _BOOTSTRAP_TABLE.sub(replace_table, text)
    # Every script: CDN ones cannot load offline, inline ones need jQuery. Ours replaces the filter.
    text = re.sub(r"<script\b.*?</script>", "", text, flags=re.S | re.I)
    text = re.sub(rf"<link\b[^>]*\bhref\s*=\s*[\"']?{_EXTERNAL}[^>]*>", "", text, flags=re.I)
    # The logo is fetched from GX's S3 with the context id and a timestamp in its query string.
    text = re.sub(rf"<img\b[^>]*\bsrc\s*=\s*[\"']?{_EXTERNAL}[^>]*>",
                  '<span class="stx-brand">Stratify data quality</span>', text, flags=re.I | re.S)
    text = re.sub(r"<footer\b.*?</footer>", "", text, flags=re.S | re.I)  # GX newsletter and tutorial links
    text = re.sub(rf"<a\b[^>]*\bhref\s*=\s*[\"']?{_EXTERNAL}[^>]*>(.*?)</a>", r"\1", text, flags=re.S | re.I)
    text = _offline_css(text)
    # Anything left that a browser would fetch.
    text = re.sub(rf"\b(src|href|srcset)\s*=\s*([\"']){_EXTERNAL}[^\"']*\2", r'\1="#"', text, flags=re.I)
    return text.replace("</head>", f"{OFFLINE_STYLE}</head>", 1)


def _offline_css(text: str) -> str:
    text = re.sub(rf"@import\s+(url\()?\s*[\"']?{_EXTERNAL}[^;]*;", "", text, flags=re.I)
    return re.sub(rf"url\(\s*[\"']?{_EXTERNAL}[^)]*\)", "none", text, flags=re.I)


def make_offline(docs_dir: Path) -> None:
    """Rewrite the generated Data Docs so that opening them fetches nothing from the network."""
    for path in _files(docs_dir, (".html", ".css")):
        text = path.read_text(encoding="utf-8")
        path.write_text(_offline_html(text) if path.suffix == ".html" else _offline_css(text), encoding="utf-8")


def _files(root: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    return (path for path in sorted(root.rglob("*")) if path.is_file() and path.suffix in suffixes)


def external_references(docs_dir: Path) -> list[str]:
    """``file: reference`` for every src/href/url() pointing off the machine (should be none)."""
    pattern = re.compile(
        rf"""(?:\b(?:src|href|srcset)\s*=\s*["']?\s*|url\(\s*["']?\s*|@import\s+["']){_EXTERNAL}[^"')\s>]*""", re.I)
    return [f"{path.relative_to(docs_dir)}: {match.group(0)}"
            for path in _files(docs_dir, (".html", ".css", ".svg", ".js"))
            for match in pattern.finditer(path.read_text(encoding="utf-8", errors="replace"))]
