{#- The R, F or M score of a metric, scored as the project's vars say: by tie-safe
    quantiles (`<x>_score_method: quantile`) or by the cut points in
    `rfm_score_cut_points[<metric>]` (`threshold`). -#}
{% macro rfm_score(column, metric, higher_is_better=true) -%}
    {%- set letter = {'recency_days': 'r', 'frequency': 'f', 'monetary': 'm'}[metric] -%}
    {%- set method = var(letter ~ '_score_method') -%}
    {%- if method == 'threshold' -%}
        {{ stratify.cut_point_score(column, var('rfm_score_cut_points')[metric], higher_is_better) }}
    {%- else -%}
        {{ stratify.quantile_score(column, var('rfm_score_buckets'), higher_is_better) }}
    {%- endif -%}
{%- endmacro %}
