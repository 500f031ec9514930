"""`stratify report`: one self-contained HTML page of the stratification a build made.

Everything the page shows is aggregated in DuckDB (counts per tier, per R x F cell, per
segment, per period, binned distributions), so the page has the same size for ten
customers or ten million and Python never holds a row per person. Charts are plotly.js
figures; the library, the data and the styles are inlined, so the file opens offline and
can be mailed. Sections whose marts a build lacks (the CLV marts are DuckDB-only, tests
may not have run) say so instead of drawing an empty chart."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import duckdb
import jinja2
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from stratify.warehouse.database import open_read_only, relations

# Marts without which there is nothing to report.
REQUIRED = ("marts.customer_tiers", "marts.tier_summary", "marts.customer_rfm", "marts.segment_summary",
            "marts.dim_customers", "reference.tiers", "reference.rfm_segments", "reference.lifecycle_phases")
CHART_HEIGHT = 420
# Colour-blind-safe qualitative palette (Okabe-Ito), then plotly's default.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
           "#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A", "#19D3F3")
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
PARETO_STEPS = 200
NO_TIER = "none"  # tier_migration_matrix's tier of a person without one
P_ALIVE_BINS = 20
HOLDOUT_OVERALL = "all"  # clv_holdout_validation's row over every bucket
TESTING_COMMANDS = "('build', 'test')"  # the dbt commands whose test results the panel shows


class ReportInputError(ValueError):
    """A missing or unreadable database, or one without the marts a report needs."""


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    note: str
    figure: go.Figure | None = None
    missing: str = ""  # why there is no figure


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    missing: str = ""
    wide: bool = False  # the whole width of the page (long texts)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class ReportResult:
    path: Path
    charts: int
    missing: list[str]
    bytes: int
    query_seconds: float
    seconds: float


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    return connection.execute(sql, list(params)).fetchall()


def _layout(figure: go.Figure, height: int = CHART_HEIGHT, **layout: Any) -> go.Figure:
    defaults = {"margin": {"l": 60, "r": 20, "t": 30, "b": 50}, "legend": {"orientation": "h", "y": -0.18}}
    figure.update_layout(template="plotly_white", height=height, hoverlabel={"namelength": -1},
                         font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13},
                         **{**defaults, **layout})
    return figure


def _colours(keys: Sequence[str]) -> dict[str, str]:
    return {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(keys)}


def _integer(value: float | int | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f} CNY"


def _percent(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}%}"


def _short(value: float) -> str:
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


@dataclass(frozen=True)
class Labels:
    """Display labels of tiers, RFM segments and lifecycle stages from the seeds, in the
    seeds' order: a business user renames or reorders them without touching the report."""

    tier: dict[str, str]
    rfm_segment: dict[str, str]
    lifecycle_stage: dict[str, str]

    @classmethod
    def read(cls, connection: duckdb.DuckDBPyConnection) -> Labels:
        def ordered(sql: str) -> dict[str, str]:
            return dict(_rows(connection, sql))
        return cls(ordered("select tier, tier_label from reference.tiers order by tier_rank"),
                   ordered("select segment, segment_label from reference.rfm_segments order by segment_order"),
                   ordered("select lifecycle_stage, phase_label from reference.lifecycle_phases order by phase_order"))

    def of(self, dimension: str) -> dict[str, str]:
        return getattr(self, dimension)


# ---------------------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------------------


def overview(connection: duckdb.DuckDBPyConnection, present: set[str]) -> dict[str, str]:
    as_of, scored, spend = _rows(connection, "select max(as_of_date), count(*), cast(sum(monetary) as double) "
                                             "from marts.customer_tiers")[0]
    persons = _rows(connection, "select count(*) from marts.dim_customers")[0][0]
    figures = {"As of": str(as_of or "no scored customer"), "Persons": _integer(persons),
               "Scored customers": _integer(scored), "Spend in the RFM window": _money(spend or 0.0)}
    if "marts.fct_orders" in present:
        orders, revenue = _rows(connection, "select count(*), cast(sum(net_revenue_cny) as double) "
                                            "from marts.fct_orders where is_qualifying")[0]
        figures["Qualifying orders (all time)"] = _integer(orders)
        figures["Net revenue (all time)"] = _money(revenue or 0.0)
    return figures


# ---------------------------------------------------------------------------------------
# Tiers and the Pareto curve
# ---------------------------------------------------------------------------------------


def tier_charts(connection: duckdb.DuckDBPyConnection) -> list[Chart]:
    tiers = _rows(connection, """
        select tier_label, persons, coalesce(share_of_persons, 0), cast(revenue_cny as double),
               coalesce(share_of_revenue, 0), coalesce(cumulative_share_of_revenue, 0), revenue_per_person_cny
        from marts.tier_summary order by tier_rank""")
    labels = [row[0] for row in tiers]
    sizes = go.Figure()
    for name, share, counts, unit in (("customers", 2, 1, ""), ("revenue", 4, 3, " CNY")):
        sizes.add_bar(name=f"share of {name}", x=labels, y=[row[share] for row in tiers],
                      customdata=[[row[counts], row[6] or 0.0] for row in tiers],
                      text=[_percent(row[share]) for row in tiers], textposition="outside",
                      hovertemplate=f"%{{x}}: %{{y:.1%}} of {name} (%{{customdata[0]:,.0f}}{unit})"
                                    "<br>revenue per customer %{customdata[1]:,.0f} CNY<extra></extra>")
    _layout(sizes, barmode="group", yaxis={"title": {"text": "share of scored customers / of revenue"},
                                           "tickformat": ".0%", "range": [0, _headroom(tiers, (2, 4))]},
            xaxis={"title": {"text": "tier (best first)"}})

    pareto = _rows(connection, f"""
        with ranked as (
            select
                monetary,  -- decimal: exact running sums, so the curve never dips
                row_number() over (order by monetary desc, person_key) as position,
                count(*) over () as persons
            from marts.customer_tiers
        ),
        running as (
            select position, persons,
                   sum(monetary) over (order by position rows between unbounded preceding and current row) as spend,
                   sum(monetary) over () as total
            from ranked
        )
        select max(position) / any_value(persons), cast(max(spend) / nullif(any_value(total), 0) as double)
        from running
        group by ceil(position * {PARETO_STEPS}.0 / persons)
        order by 1""")
    curve = go.Figure()
    if not pareto or pareto[-1][1] is None:
        return [Chart("tier_sizes", "Tier sizes and revenue share", _tier_note(), sizes),
                Chart("pareto", "Pareto curve of spend", "", missing="no customer has spend in the RFM window")]
    curve.add_scatter(name="customers ranked by spend", x=[0.0] + [x for x, _ in pareto],
                      y=[0.0] + [y for _, y in pareto], mode="lines", line={"width": 3},
                      hovertemplate="top %{x:.1%} of customers: %{y:.1%} of spend<extra></extra>")
    persons_share = 0.0
    steps_x, steps_y = [0.0], [0.0]
    for row in tiers:
        persons_share += row[2]
        steps_x.append(persons_share)
        steps_y.append(row[5])
    curve.add_scatter(name="tiers, best first", x=steps_x, y=steps_y, mode="lines+markers+text",
                      line={"dash": "dot"}, text=[""] + labels, textposition="top left",
                      hovertemplate="down to %{text}: %{x:.1%} of customers, %{y:.1%} of spend<extra></extra>")
    eighty = next((x for x, y in pareto if y >= 0.8), 1.0)
    curve.add_annotation(x=eighty, y=0.8, text=f"top {eighty:.1%} of customers bring 80% of spend",
                         showarrow=True, arrowhead=2, ax=110, ay=90, bgcolor="rgba(255,255,255,0.85)")
    _layout(curve, xaxis={"title": {"text": "customers ranked by spend (share of scored customers)"},
                          "tickformat": ".0%", "range": [0, 1]},
            yaxis={"title": {"text": "cumulative share of spend (CNY)"}, "tickformat": ".0%", "range": [0, 1.02]})
    return [Chart("tier_sizes", "Tier sizes and revenue share", _tier_note(), sizes),
            Chart("pareto", "Pareto curve of spend",
                  "Cumulative share of spend in the RFM window against the share of customers, best "
                  f"spenders first ({min(PARETO_STEPS, len(pareto))} points); the dotted line steps "
                  "through the tiers.", curve)]


def _headroom(rows: Sequence[tuple], columns: Sequence[int]) -> float:
    """An axis end above the longest bar, so its label outside the bar is not cut."""
    return max((row[c] or 0.0 for row in rows for c in columns), default=0.0) * 1.15 or 1.0


def _tier_note() -> str:
    return ("Share of scored customers and of their spend in the RFM window per tier "
            "(tier_summary); hover for counts and CNY.")


# ---------------------------------------------------------------------------------------
# R x F grid
# ---------------------------------------------------------------------------------------


def rfm_heatmap(connection: duckdb.DuckDBPyConnection) -> Chart:
    cells = _rows(connection, """
        select r_score, f_score, count(*), cast(sum(monetary) as double)
        from marts.customer_rfm where r_score is not null and f_score is not null
        group by all order by all""")
    if not cells:
        return Chart("rfm_heatmap", "R x F grid", "", missing="no scored customer")
    r_scores = sorted({row[0] for row in cells})
    f_scores = sorted({row[1] for row in cells})
    count = {(r, f): n for r, f, n, _ in cells}
    spend = {(r, f): s for r, f, _, s in cells}
    figure = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                           subplot_titles=("customers per cell", "spend per cell (CNY)"))
    for col, values, colours, unit, short in ((1, count, "Blues", "customers", _integer),
                                              (2, spend, "Oranges", "CNY", _short)):
        z = [[values.get((r, f)) for f in f_scores] for r in r_scores]
        figure.add_heatmap(z=z, x=[str(f) for f in f_scores], y=[str(r) for r in r_scores], colorscale=colours,
                           text=[["" if v is None else short(v) for v in row] for row in z], texttemplate="%{text}",
                           showscale=False, row=1, col=col,
                           hovertemplate=f"R %{{y}}, F %{{x}}: %{{z:,.0f}} {unit}<extra></extra>")
        figure.update_xaxes(title_text="F score (5 = most orders)", type="category", row=1, col=col)
        figure.update_yaxes(title_text="R score (5 = most recent)", type="category", row=1, col=col)
    _layout(figure, height=460, margin={"l": 60, "r": 20, "t": 60, "b": 50})
    return Chart("rfm_heatmap", "R x F grid: customers and spend",
                 "Scored customers per recency and frequency score (customer_rfm); the champions sit top right.",
                 figure)


# ---------------------------------------------------------------------------------------
# Segments
# ---------------------------------------------------------------------------------------


def segment_sizes(connection: duckdb.DuckDBPyConnection) -> Chart:
    segments = _rows(connection, """
        select segments.segment_label, coalesce(summary.persons, 0), coalesce(summary.share_of_persons, 0),
               coalesce(cast(summary.revenue_cny as double), 0), coalesce(summary.share_of_revenue, 0)
        from reference.rfm_segments as segments
        left join marts.segment_summary as summary
            on summary.segment_type = 'rfm_segment' and summary.segment = segments.segment
        order by segments.segment_order desc""")
    figure = go.Figure()
    labels = [row[0] for row in segments]
    for name, share, counts, unit in (("customers", 2, 1, ""), ("spend", 4, 3, " CNY")):
        figure.add_bar(name=f"share of {name}", y=labels, x=[row[share] for row in segments], orientation="h",
                       customdata=[row[counts] for row in segments], text=[_percent(row[share]) for row in segments],
                       textposition="outside",
                       hovertemplate=f"%{{y}}: %{{x:.1%}} of {name} (%{{customdata:,.0f}}{unit})<extra></extra>")
    _layout(figure, height=max(CHART_HEIGHT, 40 * len(labels) + 120), barmode="group",
            xaxis={"title": {"text": "share of scored customers / of spend"}, "tickformat": ".0%",
                   "range": [0, _headroom(segments, (2, 4))]},
            margin={"l": 150, "r": 40, "t": 30, "b": 50})
    return Chart("segment_sizes", "RFM segments",
                 "Customers and spend per RFM segment (segment_summary), in the order of the segment seed.", figure)


def segment_trends(connection: duckdb.DuckDBPyConnection, labels: Labels) -> Chart:
    rows = _rows(connection, "select dimension, segment, as_of_date, persons, coalesce(persons_share, 0) "
                             "from marts.segment_trends order by as_of_date")
    if not rows:
        return Chart("segment_trends", "Segment trends", "", missing="segment_trends is empty (no period end yet)")
    trends = []
    for dimension in ("tier", "rfm_segment", "lifecycle_stage"):
        named = labels.of(dimension)
        here = [row for row in rows if row[0] == dimension]
        # Seed order, then any segment the seed does not know.
        order = [*named, *sorted({row[1] for row in here} - set(named))]
        trends += [(dimension, named.get(code, code), *rest) for code in order
                   for _, segment, *rest in here if segment == code]
    dimensions = [d for d in ("tier", "rfm_segment", "lifecycle_stage") if any(row[0] == d for row in trends)]
    figure = go.Figure()
    owners: list[str] = []
    for dimension in dimensions:
        rows = [row for row in trends if row[0] == dimension]
        segments = list(dict.fromkeys(row[1] for row in rows))
        colours = _colours(segments)
        for segment in segments:
            points = [row for row in rows if row[1] == segment]
            figure.add_scatter(name=segment, x=[str(row[2]) for row in points], y=[row[4] for row in points],
                               customdata=[row[3] for row in points], mode="lines", stackgroup=dimension,
                               line={"color": colours[segment], "width": 1}, visible=dimension == dimensions[0],
                               hovertemplate=f"{segment}, %{{x}}: %{{y:.1%}} (%{{customdata:,.0f}} customers)"
                                             "<extra></extra>")
            owners.append(dimension)
    titles = {"tier": "tiers", "rfm_segment": "RFM segments", "lifecycle_stage": "lifecycle stages"}
    buttons = [{"label": titles[d], "method": "update", "args": [{"visible": [o == d for o in owners]}]}
               for d in dimensions]
    _layout(figure, height=480, updatemenus=[{"type": "buttons", "direction": "right", "buttons": buttons,
                                              "x": 0, "y": 1.14, "xanchor": "left", "showactive": True}],
            yaxis={"title": {"text": "share of customers"}, "tickformat": ".0%", "range": [0, 1]},
            xaxis={"title": {"text": "period end"}}, margin={"l": 60, "r": 20, "t": 60, "b": 50})
    return Chart("segment_trends", "Segment trends over time",
                 "Share of customers in each tier, RFM segment or lifecycle stage at every period end "
                 "(segment_trends); the buttons switch between them.", figure)


# ---------------------------------------------------------------------------------------
# Lifecycle and migration
# ---------------------------------------------------------------------------------------


def lifecycle_funnel(connection: duckdb.DuckDBPyConnection) -> Chart:
    stages = _rows(connection, """
        select phases.phase_label, phases.lifecycle_stage, count(customers.person_key)
        from reference.lifecycle_phases as phases
        left join marts.dim_customers as customers on customers.lifecycle_stage = phases.lifecycle_stage
        group by all order by any_value(phases.phase_order)""")
    figure = go.Figure(go.Funnel(y=[f"{label} ({stage})" for label, stage, _ in stages], x=[n for *_, n in stages],
                                 textinfo="value+percent total", marker={"color": list(PALETTE[:len(stages)])},
                                 hovertemplate="%{y}: %{x:,} persons (%{percentTotal:.1%})<extra></extra>"))
    _layout(figure, margin={"l": 170, "r": 20, "t": 30, "b": 30})
    return Chart("lifecycle_funnel", "Lifecycle stages",
                 "Every person (dim_customers) by lifecycle stage, from prospect to churned, in the order "
                 "of the lifecycle seed.", figure)


def _latest_period(connection: duckdb.DuckDBPyConnection, mart: str) -> tuple[Any, Any] | None:
    period = _rows(connection, f"select from_date, to_date from marts.{mart} where from_date is not null "
                               "order by to_date desc limit 1")
    return period[0] if period else None


def _sankey(flows: list[tuple[str, str, int]], names: dict[str, str], left_date: Any, right_date: Any) -> go.Figure:
    """Flows between two period ends; nodes keep the seed's order top-down on both sides
    (``names``: code -> label), so the same tier sits at the same height left and right."""
    order = [*names, *sorted({code for flow in flows for code in flow[:2]} - set(names))]
    colours = _colours(order)
    sides = [[code for code in order if any(flow[side] == code for flow in flows)] for side in (0, 1)]
    nodes = [(code, side) for side in (0, 1) for code in sides[side]]
    index = {node: i for i, node in enumerate(nodes)}
    total = sum(flow[2] for flow in flows) or 1
    y_positions = []
    for side in (0, 1):
        done = 0
        for code in sides[side]:
            size = sum(flow[2] for flow in flows if flow[side] == code)
            y_positions.append(0.02 + 0.96 * (done + size / 2) / total)
            done += size
    figure = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": [names.get(code, code) for code, _ in nodes], "pad": 12, "thickness": 16,
              "x": [0.001 if side == 0 else 0.999 for _, side in nodes], "y": y_positions,
              "color": [colours[code] for code, _ in nodes],
              "customdata": [str(left_date if side == 0 else right_date) for _, side in nodes],
              "hovertemplate": "%{label} at %{customdata}: %{value:,} persons<extra></extra>"},
        link={"source": [index[(flow[0], 0)] for flow in flows], "target": [index[(flow[1], 1)] for flow in flows],
              "value": [flow[2] for flow in flows], "color": [_translucent(colours[flow[0]]) for flow in flows],
              "hovertemplate": "%{source.label} to %{target.label}: %{value:,} persons<extra></extra>"}))
    for x, date, anchor in ((0, left_date, "left"), (1, right_date, "right")):
        figure.add_annotation(x=x, y=-0.03, xref="paper", yref="paper", text=str(date), showarrow=False,
                              xanchor=anchor, yanchor="top")
    return _layout(figure, height=480, margin={"l": 20, "r": 20, "t": 20, "b": 40})


def _translucent(colour: str) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},0.35)"


def lifecycle_flows(connection: duckdb.DuckDBPyConnection, labels: Labels) -> Chart:
    period = _latest_period(connection, "lifecycle_flows")
    if period is None:
        return Chart("lifecycle_flows", "Lifecycle flows", "", missing="lifecycle_flows has no two period ends yet")
    flows = _rows(connection, "select from_lifecycle_stage, to_lifecycle_stage, persons from marts.lifecycle_flows "
                              "where from_date = ? and to_date = ? and persons > 0", period)
    return Chart("lifecycle_flows", f"Lifecycle flows, {period[0]} to {period[1]}",
                 "Who moved between lifecycle stages from one period end to the next (lifecycle_flows, "
                 "latest period); prospects are persons without a qualifying order yet.",
                 _sankey(flows, labels.lifecycle_stage, *period))


def tier_migration(connection: duckdb.DuckDBPyConnection, labels: Labels) -> list[Chart]:
    period = _latest_period(connection, "tier_migration_matrix")
    if period is None:
        missing = "tier_migration_matrix has no two period ends yet"
        return [Chart("tier_migration_matrix", "Tier migration matrix", "", missing=missing),
                Chart("tier_migration_sankey", "Tier migration flows", "", missing=missing)]
    cells = _rows(connection, "select from_tier, to_tier, persons, share_of_from_tier from marts.tier_migration_matrix "
                              "where from_date = ? and to_date = ? and persons > 0", period)
    names = {**labels.tier, NO_TIER: "No tier"}
    order = [*names, *sorted({code for cell in cells for code in cell[:2]} - set(names))]
    rows = [t for t in order if any(c[0] == t for c in cells)]
    cols = [t for t in order if any(c[1] == t for c in cells)]
    share = {(c[0], c[1]): c[3] for c in cells}
    persons = {(c[0], c[1]): c[2] for c in cells}
    matrix = go.Figure(go.Heatmap(
        z=[[share.get((r, c)) for c in cols] for r in rows], x=[names.get(c, c) for c in cols],
        y=[names.get(r, r) for r in rows], colorscale="Blues", zmin=0, zmax=1,
        customdata=[[persons.get((r, c), 0) for c in cols] for r in rows], texttemplate="%{z:.0%}",
        colorbar={"title": {"text": "share of<br>from tier"}, "tickformat": ".0%"},
        hovertemplate="%{y} to %{x}: %{customdata:,} persons, %{z:.1%} of %{y}<extra></extra>"))
    _layout(matrix, xaxis={"title": {"text": f"tier at {period[1]}"}, "type": "category"},
            yaxis={"title": {"text": f"tier at {period[0]}"}, "type": "category", "autorange": "reversed"})
    note = (f"From {period[0]} to {period[1]}, the latest period of tier_migration_matrix; 'No tier' is a "
            "person not yet scored.")
    return [Chart("tier_migration_matrix", "Tier migration matrix", note + " Rows add up to 100%.", matrix),
            Chart("tier_migration_sankey", "Tier migration flows", note,
                  _sankey([(c[0], c[1], c[2]) for c in cells], names, *period))]


# ---------------------------------------------------------------------------------------
# CLV and churn risk
# ---------------------------------------------------------------------------------------


def clv_charts(connection: duckdb.DuckDBPyConnection, present: set[str]) -> list[Chart]:
    if "marts.customer_predictions" not in present:
        missing = "this build has no customer_predictions (clv_enabled off, or an engine without Python models)"
        return [Chart("churn_risk", "P(alive) and churn risk", "", missing=missing),
                Chart("predicted_clv", "Predicted CLV", "", missing=missing)]
    charts = [_p_alive_histogram(connection), _clv_histogram(connection)]
    if "marts.clv_holdout_validation" in present:
        charts.append(_holdout(connection))
    return charts


def _p_alive_histogram(connection: duckdb.DuckDBPyConnection) -> Chart:
    bins = _rows(connection, f"""
        select least(floor(p_alive * {P_ALIVE_BINS}), {P_ALIVE_BINS - 1}) as bin, churn_risk_band, count(*)
        from marts.customer_predictions where p_alive is not null group by all order by all""")
    if not bins:
        return Chart("churn_risk", "P(alive) and churn risk", "", missing="no customer has a P(alive)")
    figure = go.Figure()
    bands = list(dict.fromkeys(band for band in ("high", "medium", "low", *sorted({b[1] for b in bins}))))
    colours = {"high": "#D55E00", "medium": "#E69F00", "low": "#009E73"}
    for band in bands:
        rows = [b for b in bins if b[1] == band]
        if rows:
            figure.add_bar(name=f"churn risk {band}", x=[(b[0] + 0.5) / P_ALIVE_BINS for b in rows],
                           y=[b[2] for b in rows], width=1 / P_ALIVE_BINS, marker={"color": colours.get(band)},
                           hovertemplate=f"P(alive) around %{{x:.0%}}, {band} risk: %{{y:,}} customers"
                                         "<extra></extra>")
    _layout(figure, barmode="stack", xaxis={"title": {"text": "P(alive) (BG/NBD)"}, "tickformat": ".0%",
                                            "range": [0, 1]},
            yaxis={"title": {"text": "customers"}})
    return Chart("churn_risk", "P(alive) and churn risk",
                 f"Scored customers by their probability of still being a customer, in {P_ALIVE_BINS} bins, "
                 "coloured by churn-risk band (customer_predictions).", figure)


def _clv_histogram(connection: duckdb.DuckDBPyConnection) -> Chart:
    # Quarter-decade bins: CLV spans orders of magnitude; below 1 CNY is one bin.
    bins = _rows(connection, """
        select floor(log10(greatest(predicted_clv_cny, 1)) * 4) as bin, count(*),
               cast(sum(predicted_clv_cny) as double)
        from marts.customer_predictions where predicted_clv_cny is not null group by all order by all""")
    if not bins:
        return Chart("predicted_clv", "Predicted CLV", "", missing="no customer has a predicted CLV (the expected "
                                                                   "purchases need DuckDB's Python models)")
    lower = ["0" if b == 0 else _short(10 ** (b / 4)) for b, *_ in bins]
    ranges = [f"{low} to {_short(10 ** ((b + 1) / 4))}" for low, (b, *_) in zip(lower, bins)]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_bar(name="customers", x=lower, y=[b[1] for b in bins], marker={"color": PALETTE[0]},
                   customdata=ranges, secondary_y=False,
                   hovertemplate="predicted CLV %{customdata} CNY: %{y:,} customers<extra></extra>")
    figure.add_scatter(name="their predicted CLV together (CNY)", x=lower, y=[b[2] for b in bins],
                       mode="lines+markers", marker={"color": PALETTE[1]}, customdata=ranges, secondary_y=True,
                       hovertemplate="predicted CLV %{customdata} CNY: %{y:,.0f} CNY together<extra></extra>")
    figure.update_yaxes(title_text="customers", secondary_y=False)
    figure.update_yaxes(title_text="sum of predicted CLV (CNY)", secondary_y=True, rangemode="tozero")
    _layout(figure, xaxis={"title": {"text": "predicted CLV per customer, from (CNY; bands of a quarter decade)"},
                           "type": "category", "tickangle": -45},
            legend={"orientation": "h", "y": -0.42}, margin={"l": 60, "r": 20, "t": 30, "b": 110})
    return Chart("predicted_clv", "Predicted CLV",
                 "Customers per band of predicted lifetime value (log scale), and the value each band holds "
                 "(customer_predictions).", figure)


def _holdout(connection: duckdb.DuckDBPyConnection) -> Chart:
    rows = _rows(connection, """
        select frequency_bucket, persons, predicted_purchases, actual_purchases, relative_error, p_alive_auc,
               calibration_end, holdout_end
        from marts.clv_holdout_validation order by bucket_order""")
    buckets = [row for row in rows if row[0] != HOLDOUT_OVERALL]
    overall = next((row for row in rows if row[0] == HOLDOUT_OVERALL), None)
    if not buckets:
        return Chart("clv_holdout", "CLV holdout check", "", missing="clv_holdout_validation is empty")
    figure = go.Figure()
    for name, column, colour in (("predicted", 2, PALETTE[0]), ("actual", 3, PALETTE[1])):
        figure.add_bar(name=f"{name} purchases", x=[b[0] for b in buckets], y=[b[column] for b in buckets],
                       marker={"color": colour}, customdata=[[b[1], b[4] or 0.0] for b in buckets],
                       hovertemplate=f"%{{x}}: {name} %{{y:,.0f}} purchases by %{{customdata[0]:,}} customers "
                                     "(error %{customdata[1]:+.1%})<extra></extra>")
    _layout(figure, barmode="group", xaxis={"title": {"text": "repeat purchases in the calibration period"},
                                            "type": "category"},
            yaxis={"title": {"text": "purchases in the holdout"}})
    auc = next((row[5] for row in rows if row[5] is not None), None)
    error = "" if overall is None or overall[4] is None else f"; all customers: predicted {overall[4]:+.1%} off"
    return Chart("clv_holdout", "CLV holdout check",
                 f"Fitted up to {buckets[0][6]}, predicted against actual purchases up to {buckets[0][7]} "
                 f"(clv_holdout_validation){error}; AUC of P(alive) for buying again: "
                 f"{'n/a' if auc is None else f'{auc:.3f}'}.", figure)


# ---------------------------------------------------------------------------------------
# Data quality
# ---------------------------------------------------------------------------------------


def quality_section(connection: duckdb.DuckDBPyConnection, present: set[str], target_dir: Path | None) -> Section:
    charts: list[Chart] = []
    tables: list[Table] = []
    # The latest run that tested (dbt source freshness writes its checks there too; the
    # freshness table below shows them).
    latest = _rows(connection, "select invocation_id, run_started_at, dbt_command from quality.quality_test_results "
                               f"where dbt_command in {TESTING_COMMANDS} order by run_started_at desc limit 1"
                   ) if "quality.quality_test_results" in present else []
    if latest:
        invocation, started, command = latest[0]
        results = _rows(connection, "select test_kind, status, count(*) from quality.quality_test_results "
                                    "where invocation_id = ? group by all order by all", [invocation])
        statuses = sorted({r[1] for r in results}, key=lambda status: (status != "pass", status))
        figure = go.Figure()
        for kind, colour in zip(sorted({r[0] for r in results}), PALETTE):
            counts = {r[1]: r[2] for r in results if r[0] == kind}
            figure.add_bar(name=f"{kind} tests", x=statuses, y=[counts.get(status, 0) for status in statuses],
                           marker={"color": colour}, hovertemplate=f"%{{x}}: %{{y:,}} {kind} tests<extra></extra>")
        totals = {status: sum(r[2] for r in results if r[1] == status) for status in statuses}
        for status, total in totals.items():
            figure.add_annotation(x=status, y=total, text=_integer(total), showarrow=False, yanchor="bottom")
        _layout(figure, height=340, barmode="stack", xaxis={"title": {"text": "status"}, "type": "category"},
                yaxis={"title": {"text": "tests"}, "rangemode": "tozero"})
        charts.append(Chart("test_results", "dbt tests", f"Data and unit tests of `dbt {command}` started "
                                                         f"{started:%Y-%m-%d %H:%M} UTC, by status "
                                                         "(quality.quality_test_results).", figure))
        failing = _rows(connection, """
            select status, test_name, model_name, coalesce(column_name, ''), failures, message
            from quality.quality_test_results where invocation_id = ? and status <> 'pass'
            order by case status when 'error' then 0 when 'fail' then 1 else 2 end, test_name""", [invocation])
        tables.append(Table("Tests that did not pass", ["status", "test", "model", "column", "failing rows", "message"],
                            [[str(c) if c is not None else "" for c in row] for row in failing],
                            missing="every test passed", wide=bool(failing)))
    else:
        charts.append(Chart("test_results", "dbt tests", "",
                            missing="no test results recorded: run `dbt build` (or `dbt test`)"))

    rejected = sorted(name.split(".", 1)[1] for name in present if name.startswith("quality.rejected_"))
    counts = [(table.removeprefix("rejected_"), reason, n) for table in rejected for reason, n in _rows(
        connection, f'select reject_reason, count(*) from quality."{table}" group by all order by 2 desc')]
    if counts:
        counts.sort(key=lambda c: (sum(n for t, _, n in counts if t == c[0]), c[2]))
        tables_order = list(dict.fromkeys(c[0] for c in counts))
        colours = _colours(tables_order[::-1])
        figure = go.Figure(go.Bar(
            y=[f"{table}: {reason}" for table, reason, _ in counts], x=[n for *_, n in counts], orientation="h",
            marker={"color": [colours[table] for table, *_ in counts]}, text=[_integer(n) for *_, n in counts],
            textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{x:,} raw rows rejected<extra></extra>"))
        _layout(figure, height=max(320, 22 * len(counts) + 100), xaxis={"title": {"text": "rejected raw rows"}},
                yaxis={"type": "category", "automargin": True}, margin={"l": 20, "r": 50, "t": 40, "b": 50})
        charts.append(Chart("rejects", "Quarantined rows by reason",
                            "Raw rows kept out of the models, per table and reason (schema quality, rejected_*).",
                            figure))
    else:
        charts.append(Chart("rejects", "Quarantined rows by reason", "", missing="no raw row was rejected"))
    if "quality.raw_row_reconciliation" in present:
        reconciliation = _rows(connection, "select table_name, raw_rows, used_rows, duplicate_rows, rejected_rows, "
                                           "cast(reject_rate as double) from quality.raw_row_reconciliation order by 1")
        tables.append(Table("Every raw row accounted for", ["table", "raw rows", "used", "duplicates", "rejected",
                                                            "reject rate"],
                            [[r[0], *(_integer(v) for v in r[1:5]), _percent(r[5], 2)] for r in reconciliation],
                            note="raw = used + duplicates + rejected (raw_row_reconciliation)."))
    tables.append(_freshness(target_dir))
    return Section("quality", "Data quality",
                   "What the build checked and what it kept out: test results, quarantined rows, freshness.",
                   charts, tables)


def _freshness(target_dir: Path | None) -> Table:
    columns = ["source", "status", "latest row", "checked at", "age"]
    sources = target_dir / "sources.json" if target_dir else None
    if sources is None or not sources.is_file():
        return Table("Source freshness", columns, [], missing="not checked: run `dbt source freshness` "
                                                             "(its target/sources.json is read)")
    results = json.loads(sources.read_text()).get("results", [])
    rows = [[result["unique_id"].removeprefix("source.stratify."), result.get("status", ""),
             _minute(result.get("max_loaded_at")), _minute(result.get("snapshotted_at")),
             _age(result.get("max_loaded_at_time_ago_in_s"))] for result in results]
    return Table("Source freshness", columns, sorted(rows), note=f"From {sources.name} of the last "
                                                                 "`dbt source freshness`.")


def _minute(timestamp: str | None) -> str:
    """dbt's ISO timestamp to the minute: '2025-12-31T23:59:59.123+00:00' -> '2025-12-31 23:59'."""
    return "" if not timestamp else timestamp[:16].replace("T", " ")


def _age(seconds: float | None) -> str:
    if seconds is None:
        return ""
    days = seconds / 86400
    return f"{days:,.1f} days" if days >= 1 else f"{seconds / 3600:,.1f} hours"


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------


def collect(connection: duckdb.DuckDBPyConnection, target_dir: Path | None) -> tuple[dict[str, str], list[Section]]:
    present = relations(connection)
    missing = [name for name in REQUIRED if name not in present]
    if missing:
        raise ReportInputError(f"lacks {', '.join(missing)}: was `dbt build` run into it?")
    labels = Labels.read(connection)
    sections = [
        Section("tiers", "Value tiers", "Who the best customers are and how much of the spend they bring.",
                tier_charts(connection)),
        Section("rfm", "RFM and segments", "Recency, frequency and spend, and the segments they map to.",
                [rfm_heatmap(connection), segment_sizes(connection)]),
        Section("lifecycle", "Lifecycle and migration", "Where customers are in their lifecycle and how they moved "
                                                         "in the latest period.",
                [lifecycle_funnel(connection), lifecycle_flows(connection, labels),
                 *tier_migration(connection, labels)]),
        Section("trends", "Trends", "Segment sizes at every period end of the history.",
                [segment_trends(connection, labels)]),
        Section("clv", "Predicted value and churn risk", "BG/NBD and Gamma-Gamma predictions per customer "
                                                         "(docs/clv.md).",
                clv_charts(connection, present)),
        quality_section(connection, present, target_dir),
    ]
    return overview(connection, present), sections


def render(title: str, figures: dict[str, str], sections: list[Section], generated_at: str,
           database: Path) -> str:
    charts = {chart.key: json.loads(chart.figure.to_json()) for section in sections for chart in section.charts
              if chart.figure is not None}
    environment = jinja2.Environment(loader=jinja2.PackageLoader("stratify.warehouse", "templates"),
                                     autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return environment.get_template("report.html.j2").render(
        title=title, figures=figures, sections=sections, generated_at=generated_at, database=database,
        chart_count=len(charts),
        # "</" cannot end the script element early: JSON allows the escaped slash.
        charts_json=json.dumps(charts, separators=(",", ":"), allow_nan=False).replace("</", "<\\/"),
        config_json=json.dumps(CONFIG), plotly_js=get_plotlyjs())


def write_report(database: Path, out: Path, target_dir: Path | None = None,
                 title: str = "Customer stratification") -> ReportResult:
    """Reads the marts of ``database`` (read-only) and writes the page to ``out``."""
    start = time.perf_counter()
    connection = open_read_only(database, ReportInputError)
    try:
        figures, sections = collect(connection, target_dir)
    except duckdb.Error as error:
        raise ReportInputError(f"database {database} cannot be read: {error}") from error
    except ReportInputError as error:
        raise ReportInputError(f"database {database} {error}") from error
    finally:
        connection.close()
    query_seconds = time.perf_counter() - start
    generated_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = render(title, figures, sections, generated_at, database)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(out)
    charts = [chart for section in sections for chart in section.charts]
    return ReportResult(out, sum(chart.figure is not None for chart in charts),
                        [f"{chart.title}: {chart.missing}" for chart in charts if chart.figure is None],
                        len(page.encode("utf-8")), query_seconds, time.perf_counter() - start)


def format_summary(result: ReportResult) -> str:
    lines = [f"report written to {result.path}: {result.charts} charts, {result.bytes / 1e6:.1f} MB, "
             f"{result.seconds:.1f} s ({result.query_seconds:.1f} s of queries)"]
    lines += [f"  not drawn: {reason}" for reason in result.missing]
    return "\n".join(lines)
